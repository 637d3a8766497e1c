//go:build !windows

package e2e

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

func execWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.mfaProcess(w.codeCmd)
	return w
}

// TestExecExitCodes: the command's exit code is stsmfa's; one code serves every run.
func TestExecExitCodes(t *testing.T) {
	w := execWorld(t)
	for _, want := range []int{0, 1, 42, 255} {
		p := w.stsmfa("exec", "--", "/bin/sh", "-c", "exit "+strconv.Itoa(want))
		if got := p.run(t); got != want {
			t.Errorf("exit %d, want %d; stderr: %s", got, want, p.stderr.String())
		}
		if p.stderr.String() != "" {
			t.Errorf("stderr: %q", p.stderr.String())
		}
	}
	if w.runs() != 1 || w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("%d code runs, %d GetSessionToken calls; want 1 and 1", w.runs(), w.Server.Calls("GetSessionToken"))
	}
}

// startReady starts stsmfa exec with a shell command that prints its pid and then "ready", and
// returns the process and that pid.
func startReady(t *testing.T, w *world, script string) (*proc, int) {
	t.Helper()
	cmd := w.Command(t, "exec", "--", "/bin/sh", "-c", script)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &p.stderr
	p.start(t)
	lines := make(chan string, 2)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	var got []string
	for len(got) < 2 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the command ended early: %v; stderr: %s", got, p.stderr.String())
			}
			got = append(got, l)
		case <-time.After(time.Minute):
			t.Fatalf("the command did not get ready; stderr: %s", p.stderr.String())
		}
	}
	pid, err := strconv.Atoi(got[0])
	if err != nil || got[1] != "ready" {
		t.Fatalf("unexpected output %q", got)
	}
	return p, pid
}

// TestExecSignals: stsmfa replaces itself with the command (same pid), so a SIGTERM sent to the
// stsmfa process reaches the command: it dies of SIGTERM, or its handler runs.
func TestExecSignals(t *testing.T) {
	w := execWorld(t)
	t.Run("default-action", func(t *testing.T) {
		p, pid := startReady(t, w, `echo $$; echo ready; exec sleep 60`)
		if pid != p.cmd.Process.Pid {
			t.Errorf("the command runs as pid %d, stsmfa was %d: not replaced", pid, p.cmd.Process.Pid)
		}
		if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		p.wait(t)
		ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
			t.Errorf("status %v, want killed by SIGTERM", p.cmd.ProcessState)
		}
	})
	t.Run("handler", func(t *testing.T) {
		p, _ := startReady(t, w, `trap 'exit 7' TERM; echo $$; echo ready; while :; do sleep 0.05; done`)
		if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t); code != 7 {
			t.Errorf("exit %d, want 7 from the command's TERM handler", code)
		}
	})
	t.Run("interrupt", func(t *testing.T) {
		p, _ := startReady(t, w, `trap 'exit 9' INT; echo $$; echo ready; while :; do sleep 0.05; done`)
		if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t); code != 9 {
			t.Errorf("exit %d, want 9 from the command's INT handler", code)
		}
	})
}

func parseEnv0(out string) map[string]string {
	env := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(out, "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

// TestExecEnvironment: the command sees the session and none of the variables that would override
// or break it; everything else is passed on.
func TestExecEnvironment(t *testing.T) {
	w := execWorld(t)
	p := w.stsmfa("exec", "--", "/usr/bin/env", "-0")
	p.cmd.Env = append(p.cmd.Env,
		"AWS_PROFILE=default", "AWS_DEFAULT_PROFILE=other",
		"AWS_ACCESS_KEY_ID=AKIASTALESTALESTALE1", "AWS_SECRET_ACCESS_KEY=stale-secret",
		"AWS_SESSION_TOKEN=stale-token", "AWS_SECURITY_TOKEN=stale-legacy-token",
		"AWS_CREDENTIAL_EXPIRATION=2000-01-01T00:00:00Z", "AWS_ROLE_ARN=arn:aws:iam::1:role/x",
		"AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/x", "STSMFA_UNRELATED=kept = as is")
	env := parseEnv0(p.mustRun(t))
	s := w.stored("mfa")
	for k, want := range map[string]string{
		"AWS_ACCESS_KEY_ID":         s.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":     s.SecretAccessKey,
		"AWS_SESSION_TOKEN":         s.SessionToken,
		"AWS_CREDENTIAL_EXPIRATION": s.Expiration,
		"STSMFA_PROFILE":            "default",
		"STSMFA_UNRELATED":          "kept = as is",
		"HOME":                      w.Home,
		"AWS_CONFIG_FILE":           w.ConfPath,
	} {
		if env[k] != want {
			t.Errorf("%s = %q in the command, want %q", k, env[k], want)
		}
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s = %q is still in the command's environment", k, v)
		}
	}
	if p.stderr.String() != "" {
		t.Errorf("stderr: %q", p.stderr.String())
	}
}

// TestExecArgv: the command's argv is exactly what was given: no secret in it (argv is visible to
// every user of the machine, the environment is not).
func TestExecArgv(t *testing.T) {
	w := execWorld(t)
	out := w.stsmfa("exec", "--", "/bin/cat", "/proc/self/cmdline").mustRun(t)
	if out != "/bin/cat\x00/proc/self/cmdline\x00" {
		t.Errorf("argv %q", out)
	}
	w.noSecrets("argv", out)
	// flags after COMMAND are the command's own
	out = w.stsmfa("exec", "/bin/echo", "--profile", "x", "-c", "--").mustRun(t)
	if out != "--profile x -c --\n" {
		t.Errorf("echo printed %q", out)
	}
}

// TestExecRealClient: the AWS CLI inside exec signs with the session (env credentials), even though
// AWS_PROFILE was set around stsmfa.
func TestExecRealClient(t *testing.T) {
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	w := execWorld(t)
	p := w.stsmfa("exec", "--", aws, "sts", "get-caller-identity", "--endpoint-url", w.Server.URL(), "--output", "text", "--query", "Arn")
	p.cmd.Env = append(p.cmd.Env, "AWS_PROFILE=default")
	out := p.mustRun(t)
	if strings.TrimSpace(out) != "arn:aws:iam::123456789012:user/alice" {
		t.Errorf("caller %q", out)
	}
}

// TestExecNesting: exec inside exec is refused for another profile (exit 2, before any code is asked
// for) and allowed for the same one, which reuses the session.
func TestExecNesting(t *testing.T) {
	w := execWorld(t)
	bobCode := w.addUser("work") // a second source profile: bob, with his own MFA device

	p := w.stsmfa("exec", "--profile", "default", "--", w.bin, "exec", "--profile", "work", "--", "/bin/true")
	if code := p.run(t); code != 2 {
		t.Fatalf("nested exec for another profile: exit %d, want 2; stderr: %s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), `already inside `+"`stsmfa exec`"+` for profile "default"`) {
		t.Errorf("stderr: %s", p.stderr.String())
	}
	if w.runs() != 1 {
		t.Errorf("%d code runs, want 1 (the outer exec only)", w.runs())
	}

	p = w.stsmfa("exec", "--", w.bin, "exec", "--profile", "default", "--", "/bin/sh", "-c", `echo "$STSMFA_PROFILE $AWS_ACCESS_KEY_ID"`)
	out := p.mustRun(t)
	if want := "default " + w.stored("mfa").AccessKeyID + "\n"; out != want {
		t.Errorf("nested same-profile exec printed %q, want %q", out, want)
	}
	// without --profile the inner exec serves the outer one's profile (AWS_PROFILE is gone inside)
	p = w.stsmfa("exec", "--profile", "work", "--token-command", bobCode, "--", w.bin, "exec", "--", "/bin/sh", "-c", `echo "$STSMFA_PROFILE"`)
	p.cmd.Env = append(p.cmd.Env, "AWS_PROFILE=work")
	if out := p.mustRun(t); out != "work\n" {
		t.Errorf("nested exec without --profile printed %q, want work", out)
	}
	if w.Server.Calls("GetSessionToken") != 2 {
		t.Errorf("%d GetSessionToken calls, want 2 (default once, work once)", w.Server.Calls("GetSessionToken"))
	}
}

// TestExecUsage: a missing command is a usage error (2), a command that cannot be found exits 127 as
// in shells; both are found before any code is asked for.
func TestExecUsage(t *testing.T) {
	w := execWorld(t)
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"exec"}, 2},
		{[]string{"exec", "--"}, 2},
		{[]string{"exec", "--", "/no/such/program"}, 127},
		{[]string{"exec", "no-such-program-stsmfa"}, 127},
	} {
		args := c.args
		p := w.stsmfa(args...)
		if code := p.run(t); code != c.want {
			t.Errorf("%q: exit %d, want %d", args, code, c.want)
		}
		if p.stdout.String() != "" || !strings.HasPrefix(p.stderr.String(), "stsmfa: ") {
			t.Errorf("%q: stdout %q stderr %q", args, p.stdout.String(), p.stderr.String())
		}
	}
	if w.runs() != 0 {
		t.Errorf("a code was asked for %d times", w.runs())
	}
}
