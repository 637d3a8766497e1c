//go:build !windows

package wine

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// login at the default paths (%USERPROFILE%\.aws under a user name with a space and non-ASCII
// letters): the code as argument, reuse without a code, a forced refresh, status and status --check;
// the CRLF files stay CRLF and nothing is said about POSIX modes.
func TestDefaultPathsLoginReuseStatus(t *testing.T) {
	w := defaultPathsWorld(t)
	if got := w.win(w.cred); got != `C:\users\Zoë Ünal\.aws\credentials` {
		t.Fatalf("default credentials file %s", got)
	}
	w.mustSts(1, "status", "--check") // no session yet
	r := w.mustSts(0, "login", w.nextCode())
	if !strings.Contains(r.stderr, "mfa: new session valid") {
		t.Errorf("login did not say it made a session:\n%s", r)
	}
	if strings.Contains(r.stderr, "warning") || strings.Contains(r.stderr, "mode 0") {
		t.Errorf("login warned on Windows (POSIX modes mean nothing there):\n%s", r)
	}
	first := w.mfa()
	if !strings.HasPrefix(first["aws_access_key_id"], "ASIA") || first["stsmfa_source"] != "default" {
		t.Fatalf("[mfa] not written to %s: %v", w.cred, first)
	}
	if c := section(w.read(w.conf), "profile mfa"); c["region"] != "eu-west-1" {
		t.Errorf("[profile mfa] in %s: %v", w.conf, c)
	}
	w.onlyCRLF(w.cred)
	w.onlyCRLF(w.conf)

	// reuse: no code, no terminal, no token command
	r = w.mustSts(0, "login")
	if !strings.Contains(r.stderr, "reusing session") || w.mfa()["aws_access_key_id"] != first["aws_access_key_id"] {
		t.Errorf("second login did not reuse the session:\n%s", r)
	}
	// forced refresh: a new session in place
	r = w.mustSts(0, "login", "--force", w.nextCode())
	if w.mfa()["aws_access_key_id"] == first["aws_access_key_id"] || strings.Contains(r.stderr, "warning") {
		t.Errorf("forced login kept the old session or warned:\n%s", r)
	}
	w.onlyCRLF(w.cred)
	if calls := w.Server.Calls("GetSessionToken"); calls != 2 {
		t.Errorf("%d GetSessionToken calls, want 2", calls)
	}

	r = w.mustSts(0, "status")
	if !strings.Contains(r.stdout, "mfa") || !strings.Contains(r.stdout, "valid") || strings.Contains(r.stdout+r.stderr, "\x1b[") {
		t.Errorf("status:\n%s", r)
	}
	w.mustSts(0, "status", "--check")
	w.mustSts(1, "status", "--check", "--min-remaining", "13h")
	r = w.mustSts(0, "status", "--json")
	var st struct {
		Profiles []struct{ Profile, State string }
		Problems []struct{ Kind, Message string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	if len(st.Problems) != 0 || len(st.Profiles) != 1 || st.Profiles[0].State != "valid" {
		t.Errorf("status --json on Windows: profiles %v, problems %v (no file_permissions problem may come from mode bits)", st.Profiles, st.Problems)
	}
}

// AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE with Windows paths (spaces, non-ASCII), the code
// from a token command that is a .cmd file: --token-command with a quoted path, then mfa_process.
func TestTokenCommandAndPathVariables(t *testing.T) {
	w := newWorld(t)
	if p := w.win(w.cred); !strings.Contains(p, `\Zoë Ünal\stsmfa tests\`) {
		t.Fatalf("credentials path %s", p)
	}
	script := w.batch("mfa code.cmd",
		"@echo off",
		`echo run>>"%~dp0count.txt"`,
		`type "%~dp0code.txt"`)
	w.write(w.dir+"/code.txt", w.nextCode()+"\r\n")
	r := w.mustSts(0, "login", "--token-command", `"`+w.win(script)+`"`)
	if !strings.Contains(r.stderr, "mfa: new session valid") {
		t.Fatalf("login with a token command:\n%s", r)
	}
	if n := strings.Count(w.read(w.dir+"/count.txt"), "run"); n != 1 {
		t.Errorf("token command ran %d times, want 1", n)
	}
	first := w.mfa()["aws_access_key_id"]

	// the same .cmd as mfa_process in the config file, for a forced refresh (no mode check on Windows)
	w.write(w.conf, strings.Replace(w.read(w.conf), "[default]\r\n", "[default]\r\nmfa_process = \""+w.win(script)+"\"\r\n", 1))
	w.write(w.dir+"/code.txt", w.nextCode()+"\r\n")
	r = w.mustSts(0, "login", "--force")
	if w.mfa()["aws_access_key_id"] == first {
		t.Errorf("mfa_process: no new session\n%s", r)
	}
	if n := strings.Count(w.read(w.dir+"/count.txt"), "run"); n != 2 {
		t.Errorf("token command ran %d times in all, want 2", n)
	}
	w.onlyCRLF(w.cred)
	w.onlyCRLF(w.conf)
}

// login with neither a code nor a token command, and no console: it fails at once, exit 6, naming
// the fixes.
func TestNoConsoleFailsFast(t *testing.T) {
	w := newWorld(t)
	r := w.mustSts(6, "login")
	if !strings.Contains(r.stderr, "no terminal to ask for the MFA code") || !strings.Contains(r.stderr, "--token-command") {
		t.Errorf("no-terminal message:\n%s", r)
	}
	if r.took.Seconds() > 20 {
		t.Errorf("took %s", r.took)
	}
	if w.Server.Calls("GetSessionToken") != 0 {
		t.Error("called STS without a code")
	}
}

// loggedIn logs the world in and returns the session's keys.
func (w *world) loggedIn() map[string]string {
	w.t.Helper()
	w.mustSts(0, "login", w.nextCode())
	return w.mfa()
}

func mustEqual(t *testing.T, what string, got *string, want string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s is not set, want %q", what, want)
	} else if *got != want {
		t.Errorf("%s = %q, want %q", what, *got, want)
	}
}

// exec: the command's exit code is stsmfa's (0, 1, 42; 127 when not found), and the child's
// environment has the session and none of the stale variables.
func TestExec(t *testing.T) {
	w := newWorld(t)
	keys := w.loggedIn()
	for _, code := range []int{0, 1, 42} {
		w.mustSts(code, "exec", "--", "cmd", "/c", fmt.Sprintf("exit %d", code))
	}
	r := w.mustSts(127, "exec", "--", "no-such-program")
	if !strings.Contains(r.stderr, "no-such-program") {
		t.Errorf("exec of a missing program:\n%s", r)
	}
	stale := []string{"AWS_PROFILE=mfa", "AWS_ACCESS_KEY_ID=AKIASTALE", "aws_secret_access_key=stale",
		"AWS_SESSION_TOKEN=stale", "Aws_Security_Token=stale", "AWS_ROLE_ARN=arn:aws:iam::1:role/stale"}
	r = w.run(stale, stsmfaExe, "exec", "--", helperExe, "printenv", "AWS_*", "STSMFA_PROFILE")
	if r.code != 0 {
		t.Fatalf("exec printenv:\n%s", r)
	}
	env := printenv(t, r.stdout)
	for name, v := range env {
		switch strings.ToUpper(name) {
		case "AWS_PROFILE", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN":
			t.Errorf("stale %s=%v reached the child", name, *v)
		}
	}
	upper := map[string]*string{}
	for k, v := range env {
		upper[strings.ToUpper(k)] = v
	}
	mustEqual(t, "AWS_ACCESS_KEY_ID", upper["AWS_ACCESS_KEY_ID"], keys["aws_access_key_id"])
	mustEqual(t, "AWS_SECRET_ACCESS_KEY", upper["AWS_SECRET_ACCESS_KEY"], keys["aws_secret_access_key"])
	mustEqual(t, "AWS_SESSION_TOKEN", upper["AWS_SESSION_TOKEN"], keys["aws_session_token"])
	mustEqual(t, "AWS_CREDENTIAL_EXPIRATION", upper["AWS_CREDENTIAL_EXPIRATION"], keys["stsmfa_expiration"])
	mustEqual(t, "AWS_REGION", upper["AWS_REGION"], "eu-west-1")
	mustEqual(t, "STSMFA_PROFILE", upper["STSMFA_PROFILE"], "default")
	for k := range env {
		if strings.EqualFold(k, "AWS_SECRET_ACCESS_KEY") && k != "AWS_SECRET_ACCESS_KEY" {
			t.Errorf("the stale lower-case %s is still there beside the session's", k)
		}
	}
}

// credential-process prints the AWS credential_process JSON of the stored session.
func TestCredentialProcess(t *testing.T) {
	w := newWorld(t)
	keys := w.loggedIn()
	r := w.mustSts(0, "credential-process")
	var out struct {
		Version                                                int
		AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("credential-process: %v\n%s", err, r)
	}
	if out.Version != 1 || out.AccessKeyId != keys["aws_access_key_id"] || out.SecretAccessKey != keys["aws_secret_access_key"] ||
		out.SessionToken != keys["aws_session_token"] || out.Expiration != keys["stsmfa_expiration"] {
		t.Errorf("credential-process printed %+v for %v", out, keys)
	}
	if w.Server.Calls("GetSessionToken") != 1 {
		t.Error("credential-process did not reuse the stored session")
	}
}
