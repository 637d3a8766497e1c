//go:build !windows

package wine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// A console: Wine started from a terminal gives its programs a console (conhost) drawn on that
// terminal, so CONIN$ reads what is typed on it and CONOUT$ shows on it, as in a cmd window.
type console struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	screen bytes.Buffer
	done   chan struct{}
	err    error
}

// onConsole starts `wine ARGS...` on a new pseudo-terminal with the world's variables plus extra.
func (w *world) onConsole(ctx context.Context, extra []string, args ...string) *console {
	w.t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		ci.SkipUnlessCI(w.t, "no pseudo-terminal for the console tests: %v", err)
	}
	c := &console{t: w.t, master: master, done: make(chan struct{})}
	c.cmd = w.cmd(ctx, append([]string{"TERM=xterm"}, extra...), args...)
	onTerminal(c.cmd, slave)
	if err := c.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	slave.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			c.mu.Lock()
			c.screen.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				break
			}
		}
	}()
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	w.t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
		master.Close()
	})
	return c
}

// text is everything the console showed so far.
func (c *console) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.screen.String()
}

func (c *console) waitFor(s string) {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(c.text(), s) {
		if time.Now().After(deadline) {
			c.t.Fatalf("the console never showed %q; it shows:\n%q", s, c.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shows reports whether the console shows s, waiting up to 15 s for it: Wine's console may still be
// drawing the last lines after the program exited (seen on a loaded machine).
func (c *console) shows(s string) bool {
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(c.text(), s) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// typeIn types s once the console reads keys itself (raw mode).
func (c *console) typeIn(s string) {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !rawMode(c.master) {
		if time.Now().After(deadline) {
			c.t.Fatalf("the console never switched the terminal to raw mode; it shows:\n%q", c.text())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := io.WriteString(c.master, s); err != nil {
		c.t.Fatal(err)
	}
}

// exit waits for the program and returns its exit code.
func (c *console) exit() int {
	c.t.Helper()
	c.ended()
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		if ee.ExitCode() < 0 { // ended by a signal, not by Windows: no exit code to compare
			c.t.Fatalf("wine %s; the console shows:\n%q", ee, c.text())
		}
		return ee.ExitCode()
	}
	if c.err != nil {
		c.t.Fatal(c.err)
	}
	return 0
}

// ended waits for the program to end, whatever its exit status.
func (c *console) ended() {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		c.t.Fatalf("still running after a minute; the console shows:\n%q", c.text())
	}
}

// sgr reports whether the text has colour or bold escape codes (Wine's console draws with escape
// codes of its own, for the cursor and line clearing, never these unless the program wrote them).
func sgr(s string) bool {
	for _, code := range []string{"\x1b[1m", "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"} {
		if strings.Contains(s, code) {
			return true
		}
	}
	return false
}

// The prompt on the console (CONIN$/CONOUT$): the code typed there makes the session; the console
// accepts virtual-terminal processing, so the success line is coloured — and not with NO_COLOR.
func TestConsolePromptAndColours(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := w.onConsole(ctx, []string{"NO_COLOR="}, stsmfaExe, "login")
	c.waitFor("MFA code for default (arn:aws:iam::****9012:mfa/alice-phone):")
	c.typeIn(w.nextCode() + "\r")
	if code := c.exit(); code != 0 {
		t.Fatalf("login at the console: exit %d\n%q", code, c.text())
	}
	if !strings.HasPrefix(w.mfa()["aws_access_key_id"], "ASIA") {
		t.Fatal("no session stored")
	}
	if !c.shows("\x1b[32mvalid") {
		t.Errorf("no colour on a console that takes VT sequences:\n%q", c.text())
	}

	c = w.onConsole(ctx, []string{"NO_COLOR=1"}, stsmfaExe, "login", "--force")
	c.waitFor("MFA code for default")
	c.typeIn(w.nextCode() + "\r")
	if code := c.exit(); code != 0 {
		t.Fatalf("login at the console: exit %d\n%q", code, c.text())
	}
	if !c.shows("new session valid") || sgr(c.text()) {
		t.Errorf("NO_COLOR=1: colour codes or no success line:\n%q", c.text())
	}
}

// Ctrl-C at the prompt ends stsmfa with 130 (Windows' own default would be STATUS_CONTROL_C_EXIT, and 0
// under Wine), says so, and changes nothing.
func TestConsoleCtrlC(t *testing.T) {
	w := newWorld(t)
	cred, conf := w.read(w.cred), w.read(w.conf)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := w.onConsole(ctx, nil, stsmfaExe, "login")
	c.waitFor("MFA code for default")
	c.typeIn("12\x03")
	if code := c.exit(); code != 130 {
		t.Fatalf("Ctrl-C at the prompt: exit %d, want 130\n%q", code, c.text())
	}
	if !c.shows("stsmfa: cancelled (Ctrl-C)") {
		t.Errorf("no word about the cancel:\n%q", c.text())
	}
	if w.read(w.cred) != cred || w.read(w.conf) != conf || w.Server.Calls("GetSessionToken") != 0 {
		t.Error("something changed after Ctrl-C")
	}
}

// docs/windows.md's one-liner typed in an interactive cmd on a console, with no session yet: stsmfa, run
// by for /f with its stdout captured, asks for the code on the console, and the session's variables
// land in that cmd.
func TestConsoleOneLinerFirstLogin(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := w.onConsole(ctx, nil, "cmd")
	c.waitFor(">")
	c.typeIn(wineTemp + "\r")
	c.typeIn(strings.TrimSpace(snippet(t, "cmd-oneliner")) + "\r")
	c.waitFor("MFA code for default")
	c.typeIn(w.nextCode() + "\r")
	c.typeIn(`winhelper printenv AWS_* > env.json` + "\r")
	c.typeIn("exit\r")
	if code := c.exit(); code != 0 {
		t.Fatalf("cmd: exit %d\n%q", code, c.text())
	}
	w.sessionVarsOK(w.read(filepath.Join(w.dir, "env.json")), "eu-west-1")
}

// Ctrl-C during `stsmfa exec` goes to the command, and stsmfa outlives it to pass its exit code on.
// The exit code is the one a Windows parent gets (winhelper run prints it, as cmd's errorlevel would
// be): under a loaded machine Wine sometimes kills the Unix process of a program that exits while its
// Ctrl-C handler thread is still being set up (the Unix status is then SIGKILL, though Windows got the
// code it exited with), so wine's own exit status is not the code stsmfa passed on.
func TestConsoleCtrlCDuringExec(t *testing.T) {
	w := newWorld(t)
	w.loggedIn()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := w.onConsole(ctx, nil, helperExe, "run", stsmfaExe, "exec", "--", helperExe, "ctrlc", "42")
	c.waitFor("waiting")
	// nothing reads the console, so the terminal stays in line mode: its Ctrl-C reaches Wine as SIGINT,
	// which Wine turns into the console's Ctrl-C event, as the key does in raw mode
	if _, err := c.master.Write([]byte{3}); err != nil {
		t.Fatal(err)
	}
	c.waitFor("exit status ")
	c.ended()
	if !c.shows("exit status 42") {
		t.Fatalf("Ctrl-C during exec: want the command's exit status 42\n%q", c.text())
	}
	if !c.shows("got Ctrl-C") || strings.Contains(c.text(), "cancelled") {
		t.Errorf("the command did not get Ctrl-C, or stsmfa took it for itself:\n%q", c.text())
	}
}
