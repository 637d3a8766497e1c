//go:build !windows

package wine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
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
// the fixes. (--prompt terminal: with the default, auto, Windows would show its PowerShell dialog;
// Wine's powershell.exe is a stub that shows none, which fails as fast, exit 6, checked below.)
func TestNoConsoleFailsFast(t *testing.T) {
	w := newWorld(t)
	if r := w.mustSts(6, "login"); r.took.Seconds() > 20 || w.Server.Calls("GetSessionToken") != 0 {
		t.Errorf("auto, no console, Wine's stub powershell.exe: %s", r)
	}
	r := w.mustSts(6, "login", "--prompt", "terminal")
	if !strings.Contains(r.stderr, "no terminal (CONIN$ cannot be opened)") || !strings.Contains(r.stderr, "--token-command") {
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

// setRegion puts region into [default] (and [profile mfa], when there) of the config file.
func (w *world) setRegion(region string) {
	w.t.Helper()
	lines := strings.SplitAfter(w.read(w.conf), "\r\n")
	n := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "region = ") {
			lines[i], n = "region = "+region+"\r\n", n+1
		}
	}
	if n == 0 {
		w.t.Fatalf("config has no region to replace:\n%s", strings.Join(lines, ""))
	}
	w.write(w.conf, strings.Join(lines, ""))
}

// env --format cmd, saved as a batch file and called by cmd.exe; a second batch file checks every
// variable.
func TestEnvFormatCmdCalled(t *testing.T) {
	w := newWorld(t)
	keys := w.loggedIn()
	w.setRegion("eu^west&1=x") // cmd-safe characters: literal inside set "NAME=value"
	check := []string{
		"@echo off",
		`stsmfa env --format cmd > "%~dp0session.cmd"`,
		"if errorlevel 1 exit /b 9", // not ||: Wine's cmd runs the || branch after success too
		`call "%~dp0session.cmd"`,
	}
	for i, v := range [][2]string{
		{"AWS_ACCESS_KEY_ID", keys["aws_access_key_id"]},
		{"AWS_SECRET_ACCESS_KEY", keys["aws_secret_access_key"]},
		{"AWS_SESSION_TOKEN", keys["aws_session_token"]},
		{"AWS_CREDENTIAL_EXPIRATION", keys["stsmfa_expiration"]},
		{"AWS_REGION", "eu^west&1=x"},
		{"AWS_DEFAULT_REGION", "eu^west&1=x"},
	} {
		check = append(check, fmt.Sprintf(`if not "%%%s%%"=="%s" (echo %s differs & exit /b %d)`, v[0], v[1], v[0], i+1))
	}
	check = append(check, "echo all set")
	r := w.run(nil, "cmd", "/c", w.win(w.batch("check.cmd", check...)))
	if r.code != 0 || !strings.Contains(r.stdout, "all set") {
		t.Fatalf("the batch file did not find the session's variables:\n%s\n%s", r, w.read(w.dir+"/session.cmd"))
	}
	w.onlyCRLF(w.dir + "/session.cmd")

	// a value cmd cannot hold safely in every use of the file (%, !, ") is refused, nothing printed
	w.setRegion(nasty)
	r = w.sts("env", "--format", "cmd")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "AWS_REGION cannot be written safely for cmd") || strings.Contains(r.stderr, "INJECTED") {
		t.Errorf("env --format cmd with %%, ! and \" in a value:\n%s", r)
	}
}

// snippet is docs/windows.md's recipe NAME with CRLF line ends, as a Windows editor saves it.
func snippet(t *testing.T, name string) string {
	return strings.ReplaceAll(testkit.Snippet(t, name), "\n", "\r\n")
}

// wineTemp works around a Wine bug: Wine's cmd runs the command of a `for /f ... in ('COMMAND')` with
// its output in a file under %TEMP% and reads nothing back when that path has non-ASCII letters, as
// the lane's C:\users\Zoë Ünal\Temp has (Windows' cmd uses a pipe). The for /f tests run with an
// ASCII %TEMP%; everything else keeps the user's.
const wineTemp = `set "TEMP=C:\windows\temp" & set "TMP=C:\windows\temp"`

// nasty is a region holding every character cmd treats specially, and a command that would run if
// any of them escaped the recipe's quoting.
const nasty = `a%PATH%b%NOPE%c!OS!d^e&f"g=h&echo INJECTED>injected.txt`

// sessionVarsOK checks printenv output against the world's stored session and the region.
func (w *world) sessionVarsOK(out, region string) {
	w.t.Helper()
	env := printenv(w.t, out)
	keys := w.mfa()
	mustEqual(w.t, "AWS_ACCESS_KEY_ID", env["AWS_ACCESS_KEY_ID"], keys["aws_access_key_id"])
	mustEqual(w.t, "AWS_SECRET_ACCESS_KEY", env["AWS_SECRET_ACCESS_KEY"], keys["aws_secret_access_key"])
	mustEqual(w.t, "AWS_SESSION_TOKEN", env["AWS_SESSION_TOKEN"], keys["aws_session_token"])
	mustEqual(w.t, "AWS_CREDENTIAL_EXPIRATION", env["AWS_CREDENTIAL_EXPIRATION"], keys["stsmfa_expiration"])
	mustEqual(w.t, "AWS_REGION", env["AWS_REGION"], region)
	mustEqual(w.t, "AWS_DEFAULT_REGION", env["AWS_DEFAULT_REGION"], region)
	if _, err := os.Stat(filepath.Join(w.dir, "injected.txt")); err == nil {
		w.t.Error("a command hidden in a value ran")
	}
}

// docs/windows.md's batch file for the current cmd window, in the three uses that replace the old
// "Refresh token? (y/n)" batch file: first login with a code, forced refresh, reuse without a code;
// a failed login stops it with stsmfa's exit code; a region full of cmd's special characters arrives
// exactly and runs nothing.
func TestReadmeBatchFile(t *testing.T) {
	w := newWorld(t)
	w.write(filepath.Join(w.dir, "awsmfa.cmd"), snippet(t, "cmd-batch"))
	runner := w.win(w.batch("run.cmd",
		"@echo off",
		wineTemp,
		`call "%~dp0awsmfa.cmd" %*`,
		`if errorlevel 1 exit /b %errorlevel%`,
		`winhelper printenv AWS_* > "%~dp0env.json"`))
	envJSON := filepath.Join(w.dir, "env.json")

	r := w.run(nil, "cmd", "/c", runner, w.nextCode())
	if r.code != 0 || !strings.Contains(r.stderr, "new session") {
		t.Fatalf("first login through awsmfa.cmd:\n%s", r)
	}
	w.sessionVarsOK(w.read(envJSON), "eu-west-1")
	first := w.mfa()["aws_access_key_id"]

	used := w.nextCode()
	r = w.run(nil, "cmd", "/c", runner, "--force", used)
	if r.code != 0 || w.mfa()["aws_access_key_id"] == first {
		t.Fatalf("forced refresh through awsmfa.cmd:\n%s", r)
	}
	w.sessionVarsOK(w.read(envJSON), "eu-west-1")

	// a wrong code: the batch file ends with stsmfa's exit code, 4 (run by itself: Wine's `call`
	// turns a called batch file's exit /b 4 into errorlevel 1), and sets nothing
	r = w.run(nil, "cmd", "/c", w.win(filepath.Join(w.dir, "awsmfa.cmd")), "--force", "000000")
	if r.code != 4 || !strings.Contains(r.stderr, "AWS rejected the MFA code") {
		t.Errorf("awsmfa.cmd with a wrong code: want exit 4 (AWS refused)\n%s", r)
	}
	os.Remove(envJSON)
	// the code the forced refresh spent (w.Code() could be the next window's by now: the stand-in's
	// clock is real time plus the offset)
	r = w.run(nil, "cmd", "/c", runner, "--force", used)
	if r.code == 0 {
		t.Errorf("awsmfa.cmd with a used code: want a failure\n%s", r)
	}
	if _, err := os.Stat(envJSON); err == nil {
		t.Error("the batch file went on after a failed login")
	}

	w.setRegion(nasty) // after the logins: the AWS SDK refuses such a region for a call
	r = w.run(nil, "cmd", "/c", runner)
	if r.code != 0 || !strings.Contains(r.stderr, "reusing session") {
		t.Fatalf("reuse through awsmfa.cmd:\n%s", r)
	}
	w.sessionVarsOK(w.read(envJSON), nasty)
}

// docs/windows.md's one-liner, typed at an interactive cmd prompt (cmd reading its commands from stdin).
// Wine's interactive cmd expands a defined %VARIABLE% inside a for variable's value once more
// (Windows' cmd expands percent signs before it substitutes for variables, never after), so the
// value here names only an undefined one; the batch-file test has %PATH% too.
func TestReadmeOneLiner(t *testing.T) {
	w := newWorld(t)
	w.loggedIn()
	typedNasty := strings.ReplaceAll(nasty, "%PATH%", "%%100%")
	w.setRegion(typedNasty)
	line := strings.TrimSpace(snippet(t, "cmd-oneliner"))
	typed := filepath.Join(w.dir, "typed.txt")
	w.write(typed, wineTemp+"\r\n"+line+"\r\n"+`winhelper printenv AWS_* > env.json`+"\r\n")
	r := w.runStdin(typed, nil, "cmd")
	if r.code != 0 {
		t.Fatalf("cmd:\n%s", r)
	}
	defer func() {
		if t.Failed() {
			t.Logf("cmd:\n%s", r)
		}
	}()
	w.sessionVarsOK(w.read(filepath.Join(w.dir, "env.json")), typedNasty)
}

// Two refreshes at once on Windows: the second waits on the session lock (LockFileEx) while the
// first runs its token command, then reuses the first one's session: one code, one GetSessionToken.
func TestConcurrentRefreshOneCode(t *testing.T) {
	w := newWorld(t)
	gate := filepath.Join(w.dir, "gate")
	script := w.batch("gated code.cmd",
		"@echo off",
		`echo run>>"%~dp0count.txt"`,
		`winhelper waitfor "%~dp0gate"`,
		`type "%~dp0code.txt"`)
	w.write(w.conf, strings.Replace(w.read(w.conf), "[default]\r\n", "[default]\r\nmfa_process = \""+w.win(script)+"\"\r\n", 1))
	count := func() int {
		b, _ := os.ReadFile(filepath.Join(w.dir, "count.txt"))
		return strings.Count(string(b), "run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := w.start(ctx, "", nil, stsmfaExe, "--debug", "credential-process")
	waitUntil(t, "the first process runs its token command", func() bool { return count() == 1 })
	b := w.start(ctx, "", nil, stsmfaExe, "--debug", "credential-process")
	waitUntil(t, "the second process waits for the session lock", func() bool {
		return strings.Contains(b.errSoFar(), "waiting for the session lock")
	})
	time.Sleep(500 * time.Millisecond) // it would have taken the lock and run the token command by now
	if strings.Contains(b.errSoFar(), "holding the session lock") || count() != 1 {
		t.Fatalf("the second process did not wait for the first:\n%s", b.errSoFar())
	}
	w.write(filepath.Join(w.dir, "code.txt"), w.nextCode()+"\r\n")
	w.write(gate, "")
	ra, rb := a.wait(), b.wait()
	if ra.code != 0 || rb.code != 0 {
		t.Fatalf("first:\n%s\nsecond:\n%s", ra, rb)
	}
	if ra.stdout != rb.stdout || !strings.Contains(ra.stdout, w.mfa()["aws_access_key_id"]) {
		t.Errorf("the two processes print different sessions:\n%s\n%s", ra.stdout, rb.stdout)
	}
	if n, calls := count(), w.Server.Calls("GetSessionToken"); n != 1 || calls != 1 {
		t.Errorf("%d token command runs and %d GetSessionToken calls, want 1 and 1", n, calls)
	}
	if !strings.Contains(rb.stderr, "reusing the session") {
		t.Errorf("the second process did not reuse the first one's session:\n%s", rb.stderr)
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Replacing the credentials file while another program holds it open for reading without
// FILE_SHARE_DELETE, as the AWS CLI does while it reads it: Windows refuses the rename (Wine too),
// stsmfa retries and succeeds once the reader lets go; a reader that keeps it open past the 3-second
// budget gets a clear error, both files unchanged and no temporary file left.
func TestReplaceFileHeldOpen(t *testing.T) {
	w := newWorld(t)
	w.loggedIn()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hold := func(ms int) *proc {
		h := w.start(ctx, "", nil, helperExe, "hold", w.win(w.cred), fmt.Sprint(ms))
		waitUntil(t, "the helper holds the credentials file", func() bool { return strings.Contains(h.outSoFar(), "held") })
		return h
	}

	h := hold(1500)
	before := w.mfa()["aws_access_key_id"]
	r := w.mustSts(0, "login", "--force", w.nextCode())
	if hr := h.wait(); hr.code != 0 {
		t.Fatalf("helper:\n%s", hr)
	}
	if w.mfa()["aws_access_key_id"] == before {
		t.Fatalf("the held file was not replaced:\n%s", r)
	}
	if r.took < 500*time.Millisecond {
		t.Errorf("login took %s: the file cannot have been replaced while it was held", r.took)
	}
	w.onlyCRLF(w.cred)
	t.Logf("replaced after the reader let go: login took %s", r.took)

	cred, conf := w.read(w.cred), w.read(w.conf)
	h = hold(8000)
	r = w.mustSts(3, "login", "--force", w.nextCode())
	for _, s := range []string{"nothing was changed", "cannot write " + w.win(w.cred) + ": another program keeps it open", "close that program"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("message lacks %q:\n%s", s, r)
		}
	}
	t.Logf("held past the budget: %s", strings.TrimSpace(r.stderr))
	if r.took < 3*time.Second || r.took > 7*time.Second {
		t.Errorf("gave up after %s, want about the 3s budget", r.took)
	}
	if w.read(w.cred) != cred || w.read(w.conf) != conf {
		t.Error("a file changed although the write failed")
	}
	ents, _ := os.ReadDir(w.dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "stsmfa-tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	h.wait()
	w.mustSts(0, "login", "--force", w.nextCode())
}

// AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE as a Windows user may write them (PowerShell does not
// expand them, the AWS CLI does, with Python's ntpath): ~\ and %USERPROFILE%.
func TestPathVariablesExpandedAsTheAWSCLIDoes(t *testing.T) {
	w := newWorld(t)
	rel := strings.TrimPrefix(w.win(w.dir), `C:\users\Zoë Ünal`)
	r := w.run([]string{`AWS_SHARED_CREDENTIALS_FILE=~` + rel + `\credentials`, `AWS_CONFIG_FILE=%USERPROFILE%` + rel + `\config`},
		stsmfaExe, "login", w.nextCode())
	if r.code != 0 || !strings.HasPrefix(w.mfa()["aws_access_key_id"], "ASIA") || section(w.read(w.conf), "profile mfa")["region"] != "eu-west-1" {
		t.Fatalf("login with ~\\ and %%USERPROFILE%% in the file variables:\n%s", r)
	}
}
