//go:build !windows

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

const n = 32

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkOneSession: every answer is the same, valid, stored session; one code, one GetSessionToken.
func checkOneSession(t *testing.T, w *world, procs []*proc) {
	t.Helper()
	codes := make([]int, len(procs))
	for i, p := range procs {
		codes[i] = p.wait(t)
	}
	want := w.stored("mfa")
	var first string
	for i, p := range procs {
		if codes[i] != 0 {
			t.Errorf("process %d exited %d: %s", i, codes[i], p.stderr.String())
			continue
		}
		out := p.stdout.String()
		if !want.matches(parseProcess(t, out)) {
			t.Errorf("process %d answered another session than the stored one", i)
		}
		if first == "" {
			first = out
		} else if out != first {
			t.Errorf("process %d answered differently from process 0", i)
		}
		w.noSecrets("stderr", p.stderr.String())
	}
	if got := w.runs(); got != 1 {
		t.Errorf("the token command ran %d times for %d processes, want 1", got, len(procs))
	}
	if got := w.Server.Calls("GetSessionToken"); got != 1 {
		t.Errorf("the stand-in answered %d GetSessionToken calls for %d processes, want 1", got, len(procs))
	}
}

// TestOneCodeForManyProcesses: 32 concurrent `stsmfa credential-process` with an empty cache. The
// token command is held open until all 32 have found the cache empty and reached the lock, so every
// one of them really needed a refresh; then exactly one runs it and calls STS, and all 32 print the
// same session.
func TestOneCodeForManyProcesses(t *testing.T) {
	w := newWorld(t)
	w.mfaProcess(w.gatedCmd)
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = w.stsmfa("credential-process", "--debug").start(t)
	}
	releaseWhenAllWait(t, w, procs)
	checkOneSession(t, w, procs)
}

// stsmfaChildren counts running processes of the built binary doing credential-process.
func stsmfaChildren(bin string) int {
	count := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		argv := strings.Split(string(data), "\x00")
		if len(argv) > 1 && argv[0] == bin && argv[1] == "credential-process" {
			count++
		}
	}
	return count
}

// TestOneCodeForManyAWSCLIs: the same through 32 concurrent `aws configure export-credentials`
// resolving the credential_process profile. The token command is held open until all 32 AWS CLIs
// have started their stsmfa.
func TestOneCodeForManyAWSCLIs(t *testing.T) {
	ci.SkipShort(t, "32 concurrent AWS CLIs")
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	w := credProcWorld(t, func(w *world) string { return w.gatedCmd })
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = w.tool(aws, "configure", "export-credentials", "--profile", "work", "--format", "process").start(t)
	}
	waitFor(t, "the token command to start", 2*time.Minute, func() bool { return w.runs() >= 1 })
	waitFor(t, "all 32 AWS CLIs to run stsmfa", 2*time.Minute, func() bool {
		for i, p := range procs {
			if !p.running() {
				t.Fatalf("aws %d exited early: %s", i, p.stderr.String())
			}
		}
		return stsmfaChildren(w.bin) == n
	})
	w.openGate()
	checkOneSession(t, w, procs)
}

// holder starts a credential-process that takes the lock and then waits in a token command that
// prints nothing until the gate opens.
func holder(t *testing.T, w *world) *proc {
	t.Helper()
	h := w.stsmfa("credential-process", "--debug", "--token-command", w.gatedCmd).start(t)
	h.waitStderr(t, "holding the session lock", time.Minute)
	waitFor(t, "the holder's token command", time.Minute, func() bool { return w.runs() == 1 })
	return h
}

// TestKilledHolderReleasesLock: a process SIGKILLed while it holds the lock (inside its token command)
// does not block the others: the kernel drops its flock and a waiter proceeds at once.
func TestKilledHolderReleasesLock(t *testing.T) {
	ci.SkipShort(t, "kills a lock holder")
	w := newWorld(t)
	h := holder(t, w)
	waiter := w.stsmfa("credential-process", "--debug", "--token-command", w.codeCmd).start(t)
	waiter.waitStderr(t, "waiting for the session lock", time.Minute)
	time.Sleep(300 * time.Millisecond)
	if !waiter.running() {
		t.Fatalf("the waiter did not wait for the holder: %s", waiter.stderr.String())
	}
	if strings.Contains(waiter.stderr.String(), "holding the session lock") {
		t.Fatal("the waiter took the lock while the holder had it")
	}
	if err := syscall.Kill(h.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := h.wait(t); code != -1 {
		t.Errorf("holder exit code %d, want death by signal", code)
	}
	if code := waiter.wait(t); code != 0 {
		t.Fatalf("waiter exited %d: %s", code, waiter.stderr.String())
	}
	if !w.stored("mfa").matches(parseProcess(t, waiter.stdout.String())) {
		t.Error("the waiter answered another session than the stored one")
	}
	if w.runs() != 2 || w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("%d token command runs (want 2: killed holder + waiter), %d GetSessionToken (want 1)", w.runs(), w.Server.Calls("GetSessionToken"))
	}
}

// TestLockTimeout: a waiter gives up after --lock-timeout with exit 6 and a message saying what to
// do; it never runs its own token command.
func TestLockTimeout(t *testing.T) {
	ci.SkipShort(t, "waits out --lock-timeout")
	w := newWorld(t)
	holder(t, w)
	for _, args := range [][]string{
		{"credential-process"},
		{"env"},
		{"exec", "--", "true"},
		{"login"},
	} {
		t.Run(args[0], func(t *testing.T) {
			full := append(append(args[:1:1], "--lock-timeout", "1s", "--token-command", w.codeCmd), args[1:]...)
			p := w.stsmfa(full...)
			code := p.run(t)
			if code != 6 {
				t.Fatalf("exit %d, want 6; stderr: %s", code, p.stderr.String())
			}
			if p.elapsed < time.Second {
				t.Errorf("gave up after %s, before --lock-timeout 1s", p.elapsed)
			}
			msg := p.stderr.String()
			for _, s := range []string{"another stsmfa process", "gave up waiting", "--lock-timeout"} {
				if !strings.Contains(msg, s) {
					t.Errorf("stderr lacks %q: %s", s, msg)
				}
			}
			if strings.Count(msg, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", msg)
			}
			if p.stdout.String() != "" {
				t.Errorf("stdout: %q", p.stdout.String())
			}
		})
	}
	if w.runs() != 1 {
		t.Errorf("the token command ran %d times, want 1 (the holder's)", w.runs())
	}
}

// TestNoCodeSourceFailsFast: no terminal, no token command, no valid cache, nobody refreshing: exit 6
// at once, with the fix on stderr and nothing on stdout. (While another process holds the lock they
// wait for it instead: TestNoCodeWaitsForRefresh.)
func TestNoCodeSourceFailsFast(t *testing.T) {
	ci.SkipShort(t, "every command, with and without a lock holder")
	commands := [][]string{{"credential-process"}, {"env"}, {"exec", "--", "true"}, {"login"}}
	check := func(t *testing.T, w *world, extra []string) {
		for _, args := range commands {
			t.Run(args[0], func(t *testing.T) {
				full := append(append(args[:1:1], extra...), args[1:]...)
				p := w.stsmfa(full...)
				code := p.run(t)
				if code != 6 {
					t.Fatalf("exit %d, want 6; stderr: %s", code, p.stderr.String())
				}
				// generous bound against a hang; the real figure comes from bench/run.sh
				if p.elapsed > 5*time.Second {
					t.Errorf("took %s to fail", p.elapsed)
				}
				msg := p.stderr.String()
				for _, s := range []string{"no terminal", "mfa_process", "--token-command", "stsmfa login"} {
					if !strings.Contains(msg, s) {
						t.Errorf("stderr lacks %q: %s", s, msg)
					}
				}
				if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "stsmfa: ") {
					t.Errorf("stderr is not one stsmfa line: %q", msg)
				}
				if p.stdout.String() != "" {
					t.Errorf("stdout: %q", p.stdout.String())
				}
			})
		}
	}
	t.Run("empty-cache", func(t *testing.T) {
		check(t, newWorld(t), nil)
	})
	t.Run("cache-too-short", func(t *testing.T) {
		w := newWorld(t)
		w.stsmfa("login", w.Code()).mustRun(t)
		check(t, w, []string{"--min-remaining", "13h"})
	})
	t.Run("aws-cli", func(t *testing.T) {
		aws := testkit.RequireTool(t, "/usr/bin/aws")
		w := newWorld(t)
		w.stsmfa("setup-credential-process", "work").mustRun(t)
		p := w.tool(aws, "configure", "export-credentials", "--profile", "work", "--format", "process")
		if code := p.run(t); code == 0 {
			t.Fatal("the AWS CLI got credentials without any code source")
		}
		if !strings.Contains(p.stderr.String(), "mfa_process") {
			t.Errorf("the AWS CLI does not pass on stsmfa's fix: %s", p.stderr.String())
		}
		if p.stdout.String() != "" {
			t.Errorf("stdout: %q", p.stdout.String())
		}
	})
}
