package e2e

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// openPTY opens a pseudo-terminal pair: the test holds the master, stsmfa gets the slave as its
// controlling terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatal(e)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatal(e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// onTerminal starts stsmfa with a pseudo-terminal as its controlling terminal (its own session, in
// the terminal's foreground, so Ctrl-C typed there reaches it) and returns the process and what the
// terminal shows.
func onTerminal(t *testing.T, w *world, args ...string) (*proc, *os.File, *syncBuffer) {
	t.Helper()
	master, slave := openPTY(t)
	cmd := w.Command(t, args...)
	cmd.ExtraFiles = []*os.File{slave}
	cmd.SysProcAttr.Setctty = true
	cmd.SysProcAttr.Ctty = 3
	p := newProc(cmd).start(t)
	slave.Close()
	var shown syncBuffer
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := master.Read(buf)
			shown.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	return p, master, &shown
}

func unchanged(t *testing.T, w *world, creds, conf string) {
	t.Helper()
	if testkit.ReadFile(t, w.CredPath) != creds {
		t.Error("the credentials file changed")
	}
	if testkit.ReadFile(t, w.ConfPath) != conf {
		t.Error("the config file changed")
	}
}

// TestCtrlCAtPrompt: Ctrl-C typed at the terminal prompt exits 130 with "cancelled", files untouched,
// no AWS call; the terminal line is ended (the tty echoed ^C without a newline).
func TestCtrlCAtPrompt(t *testing.T) {
	w := newWorld(t)
	creds, conf := testkit.ReadFile(t, w.CredPath), testkit.ReadFile(t, w.ConfPath)
	p, master, shown := onTerminal(t, w, "login")
	waitFor(t, "the prompt", time.Minute, func() bool { return strings.Contains(shown.String(), "MFA code for default") })
	if _, err := master.Write([]byte("12\x03")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if code := p.wait(t); code != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130; stderr: %s", code, p.stderr.String())
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("exited %s after Ctrl-C", el)
	}
	if got := p.stderr.String(); got != "stsmfa: cancelled at the prompt; nothing was changed\n" {
		t.Errorf("stderr %q", got)
	}
	waitFor(t, "the terminal line to end", 5*time.Second, func() bool { return strings.HasSuffix(shown.String(), "\n") })
	unchanged(t, w, creds, conf)
	if n := w.Server.Calls("GetSessionToken"); n != 0 {
		t.Errorf("%d GetSessionToken calls", n)
	}
}

// TestInterruptLockWait: SIGINT while waiting for another process's lock ends the wait at once: 130.
// Both kinds of waiter: one with a token command, one that has no code source (and only waits).
func TestInterruptLockWait(t *testing.T) {
	ci.SkipShort(t, "interrupts waiters on a held lock")
	w := newWorld(t)
	holder(t, w)
	for _, args := range [][]string{
		{"credential-process", "--debug", "--token-command", w.codeCmd},
		{"credential-process", "--debug"},
	} {
		p := w.stsmfa(args...).start(t)
		p.waitStderr(t, "waiting for the session lock", time.Minute)
		time.Sleep(100 * time.Millisecond)
		if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if code := p.wait(t); code != 130 {
			t.Fatalf("%v: exit %d after SIGINT, want 130: %s", args, code, p.stderr.String())
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("%v: exited %s after SIGINT", args, el)
		}
		if !strings.Contains(p.stderr.String(), "stsmfa: cancelled while waiting for another stsmfa process") {
			t.Errorf("%v: stderr %s", args, p.stderr.String())
		}
	}
}

// TestInterruptAWSCall: SIGINT while GetSessionToken is under way cancels the call: 130 at once,
// files untouched.
func TestInterruptAWSCall(t *testing.T) {
	w := newWorld(t)
	creds, conf := testkit.ReadFile(t, w.CredPath), testkit.ReadFile(t, w.ConfPath)
	w.Server.SetDelay(time.Minute)
	p := w.stsmfa("login", "--debug", "--token-command", w.codeCmd).start(t)
	p.waitStderr(t, "calling GetSessionToken", time.Minute)
	time.Sleep(200 * time.Millisecond)
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if code := p.wait(t); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130: %s", code, p.stderr.String())
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("exited %s after SIGINT", el)
	}
	if !strings.HasSuffix(p.stderr.String(), "stsmfa: cancelled\n") {
		t.Errorf("stderr: %s", p.stderr.String())
	}
	unchanged(t, w, creds, conf)
}
