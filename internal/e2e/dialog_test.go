//go:build !windows

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/shellenv"
	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
	"github.com/stsmfa/stsmfa/internal/testkit/xvfb"
)

// stsmfaWith is w.stsmfa with more environment variables (later ones win).
func (w *world) stsmfaWith(env []string, args ...string) *proc {
	w.t.Helper()
	cmd := w.Command(w.t, args...)
	cmd.Env = append(cmd.Env, env...)
	return newProc(cmd)
}

// fakeZenity puts a stand-in zenity on PATH that counts its runs (w.runs) and waits for the gate;
// then it prints alice's code, or with cancel exits 1 as zenity's Cancel does. It returns the
// environment that shows it: that PATH and a DISPLAY (the stand-in needs no X server).
func fakeZenity(t *testing.T, w *world, cancel bool) []string {
	t.Helper()
	bin := filepath.Join(w.dir, "bin")
	if err := os.MkdirAll(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	if cancel {
		body := "#!/bin/sh\necho run >> " + shellenv.Quote(w.countFile) + "\nwhile [ ! -e " + shellenv.Quote(w.gate) + " ]; do sleep 0.02; done\nexit 1\n"
		w.Write(t, filepath.Join(bin, "zenity"), body)
		if err := os.Chmod(filepath.Join(bin, "zenity"), 0o700); err != nil {
			t.Fatal(err)
		}
	} else {
		w.script("bin/zenity", filepath.Join(w.dir, "seed"), w.gate)
	}
	return []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "DISPLAY=:99"}
}

// TestOneDialogForManyProcesses: 16 concurrent credential-process without a terminal but with a
// display: one dialog, shown under the lock; the 15 others wait and read its session from the cache.
func TestOneDialogForManyProcesses(t *testing.T) {
	w := newWorld(t)
	env := fakeZenity(t, w, false)
	procs := make([]*proc, 16)
	for i := range procs {
		procs[i] = w.stsmfaWith(env, "credential-process", "--debug").start(t)
	}
	waitAllAtLock(t, w, procs, "the dialog to show")
	if got := w.runs(); got != 1 {
		t.Fatalf("%d dialogs while the first is open, want 1", got)
	}
	w.openGate()
	checkOneSession(t, w, procs) // 1 dialog, 1 GetSessionToken, the same session for all 16
}

// TestDialogCancelEndsWaiters: Cancel in the one dialog ends every process that was waiting for it
// (exit 130), instead of each showing its own dialog in turn; files untouched; a later process asks
// again.
func TestDialogCancelEndsWaiters(t *testing.T) {
	w := newWorld(t)
	creds, _ := os.ReadFile(w.CredPath)
	conf, _ := os.ReadFile(w.ConfPath)
	env := fakeZenity(t, w, true)
	procs := make([]*proc, 16)
	for i := range procs {
		procs[i] = w.stsmfaWith(env, "credential-process", "--debug").start(t)
	}
	waitAllAtLock(t, w, procs, "the dialog to show")
	w.openGate()
	for i, p := range procs {
		if code := p.wait(t); code != 130 {
			t.Errorf("process %d exited %d, want 130: %s", i, code, p.stderr.String())
		}
		if p.stdout.String() != "" {
			t.Errorf("process %d printed %q", i, p.stdout.String())
		}
	}
	if got := w.runs(); got != 1 {
		t.Errorf("%d dialogs, want 1", got)
	}
	if got := w.Server.Calls("GetSessionToken"); got != 0 {
		t.Errorf("%d GetSessionToken calls after Cancel", got)
	}
	if c, _ := os.ReadFile(w.CredPath); string(c) != string(creds) {
		t.Error("the credentials file changed")
	}
	if c, _ := os.ReadFile(w.ConfPath); string(c) != string(conf) {
		t.Error("the config file changed")
	}
	var waiters int
	for _, p := range procs {
		if strings.Contains(p.stderr.String(), "cancelled in another stsmfa process") {
			waiters++
		}
	}
	if waiters != 15 {
		t.Errorf("%d processes say the prompt was cancelled elsewhere, want 15", waiters)
	}
	// a process started after the Cancel asks again
	p := w.stsmfaWith(env, "credential-process")
	if code := p.run(t); code != 130 || w.runs() != 2 {
		t.Errorf("a later process: exit %d, %d dialogs; want 130 from a dialog of its own (2)", code, w.runs())
	}
}

// TestNoCodeWaitsForRefresh: without a terminal, a display or a token command, credential-process,
// env, exec and login wait for another process that holds the lock (here one in its token command,
// as a person typing into stsmfa login would) and use its session; none fails meanwhile.
func TestNoCodeWaitsForRefresh(t *testing.T) {
	w := newWorld(t)
	h := holder(t, w)
	cmds := [][]string{{"credential-process"}, {"env"}, {"exec", "--", "true"}, {"login"}}
	var procs []*proc
	for _, args := range cmds {
		full := append(append(args[:1:1], "--debug"), args[1:]...)
		procs = append(procs, w.stsmfa(full...).start(t))
	}
	for _, p := range procs {
		p.waitStderr(t, "only if another process is refreshing", time.Minute)
	}
	time.Sleep(300 * time.Millisecond)
	for i, p := range procs {
		if !p.running() {
			t.Fatalf("%s did not wait: %s", cmds[i][0], p.stderr.String())
		}
	}
	w.openGate()
	if code := h.wait(t); code != 0 {
		t.Fatalf("holder exited %d: %s", code, h.stderr.String())
	}
	for i, p := range procs {
		if code := p.wait(t); code != 0 {
			t.Errorf("%s exited %d: %s", cmds[i][0], code, p.stderr.String())
		}
	}
	if !w.stored("mfa").matches(parseProcess(t, procs[0].stdout.String())) {
		t.Error("credential-process answered another session than the holder's")
	}
	if w.runs() != 1 || w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("%d token command runs, %d GetSessionToken; want 1 and 1", w.runs(), w.Server.Calls("GetSessionToken"))
	}
}

// TestNoCodeWaitsThenFails: when the holder ends without a session (killed), the waiters fail as
// they would have at once, with the fix.
func TestNoCodeWaitsThenFails(t *testing.T) {
	ci.SkipShort(t, "waits on a lock holder that is then killed")
	w := newWorld(t)
	h := holder(t, w)
	p := w.stsmfa("credential-process", "--debug").start(t)
	p.waitStderr(t, "only if another process is refreshing", time.Minute)
	time.Sleep(300 * time.Millisecond)
	if !p.running() {
		t.Fatalf("did not wait: %s", p.stderr.String())
	}
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 6 {
		t.Fatalf("exit %d, want 6: %s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "no terminal to ask for the MFA code") {
		t.Errorf("stderr: %s", p.stderr.String())
	}
}

// TestNoDisplayFailsFast: the proof that nothing waits when nobody can answer: no terminal, no
// display, no token command, nobody refreshing: exit 6 within 1s (a dialog program being installed
// changes nothing).
func TestNoDisplayFailsFast(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 3; i++ {
		p := w.stsmfaWith([]string{"DISPLAY=", "WAYLAND_DISPLAY="}, "credential-process")
		if code := p.run(t); code != 6 {
			t.Fatalf("exit %d, want 6: %s", code, p.stderr.String())
		}
		if p.elapsed > time.Second {
			t.Errorf("took %s to fail, want under 1s", p.elapsed)
		}
	}
}

// TestDialogUnderXvfb: the proof with a real zenity on an Xvfb display: credential-process without a
// terminal shows the dialog and succeeds when xdotool types the code; Escape exits 130 with files
// untouched. The same through the AWS CLI, whose name the dialog shows; with
// STSMFA_DIALOG_SCREENSHOT=FILE that dialog is captured as PNG (docs/dialog.png).
func TestDialogUnderXvfb(t *testing.T) {
	ci.SkipShort(t, "real zenity dialogs under Xvfb")
	zenity := xvfb.Tool(t, "/usr/bin/zenity")
	x := xvfb.Start(t)
	w := newWorld(t)
	env := append(x.Env(), "PATH="+filepath.Dir(zenity)+string(os.PathListSeparator)+os.Getenv("PATH"))

	p := w.stsmfaWith(env, "credential-process").start(t)
	x.Window("^stsmfa$", time.Minute)
	x.Type(w.Code())
	x.Key("Return")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.stderr.String())
	}
	if !w.stored("mfa").matches(parseProcess(t, p.stdout.String())) {
		t.Error("credential-process answered another session than the stored one")
	}
	w.noSecrets("stderr", p.stderr.String())
	x.Gone("^stsmfa$", 10*time.Second)

	creds, _ := os.ReadFile(w.CredPath)
	p = w.stsmfaWith(env, "login", "--force").start(t)
	x.Window("^stsmfa$", time.Minute)
	x.Key("Escape")
	if code := p.wait(t); code != 130 {
		t.Fatalf("Escape: exit %d, want 130: %s", code, p.stderr.String())
	}
	if c, _ := os.ReadFile(w.CredPath); string(c) != string(creds) {
		t.Error("the credentials file changed after Cancel")
	}
	if w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("%d GetSessionToken calls, want 1", w.Server.Calls("GetSessionToken"))
	}
	x.Gone("^stsmfa$", 10*time.Second)

	t.Run("aws-cli", func(t *testing.T) {
		aws := testkit.RequireTool(t, "/usr/bin/aws")
		w.stsmfa("setup-credential-process", "work").mustRun(t)
		w.Advance(30 * time.Second) // the next code
		cmd := w.tool(aws, "configure", "export-credentials", "--profile", "work", "--format", "process", "--no-cli-auto-prompt")
		cmd.cmd.Env = append(cmd.cmd.Env, env...)
		expireMFA(t, w) // so that the AWS CLI's stsmfa must ask
		cmd.start(t)
		id := x.Window("^stsmfa$", time.Minute)
		if shot := os.Getenv("STSMFA_DIALOG_SCREENSHOT"); shot != "" {
			x.Screenshot(id, shot)
		}
		x.Type(w.Code())
		x.Key("Return")
		if code := cmd.wait(t); code != 0 {
			t.Fatalf("aws exited %d: %s", code, cmd.stderr.String())
		}
		if !w.stored("mfa").matches(parseProcess(t, cmd.stdout.String())) {
			t.Error("the AWS CLI got another session than the stored one")
		}
	})
}

// expireMFA makes the stored [mfa] session look expired, so the next command refreshes it.
func expireMFA(t *testing.T, w *world) {
	t.Helper()
	s := w.stored("mfa")
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	w.Write(t, w.CredPath, strings.Replace(testkit.ReadFile(t, w.CredPath), "stsmfa_expiration = "+s.Expiration, "stsmfa_expiration = "+past, 1))
}
