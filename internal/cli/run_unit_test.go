package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// The commands' xRun functions called directly: a temporary HOME (newStatusHome), buffers for the
// streams, the clock at statusNow, and a session that is still valid, so nothing asks for a code or
// calls AWS.

// validHome is a HOME whose [mfa] session of [default] has 2h left at statusNow.
func validHome(t *testing.T) *statusHome {
	t.Helper()
	h := newStatusHome(t)
	t.Setenv(promptVar, "")
	h.write(t, h.source("default")+h.target("mfa", "default", at(2*time.Hour)), "")
	return h
}

func TestLoginRun(t *testing.T) {
	h := validHome(t)
	a, out, errb := testApp()
	if err := loginRun(&LoginOptions{app: a, Session: sessionDefaults()}); err != nil || out.Len() != 0 {
		t.Fatalf("login: %v, stdout %q", err, out)
	}
	want := "mfa: reusing session, " + a.untilText(statusNow.Add(2*time.Hour)) + "; no code needed (--force to refresh)\n"
	if errb.String() != want {
		t.Errorf("login: stderr %q; want %q", errb, want)
	}
	a, _, errb = testApp()
	if err := loginRun(&LoginOptions{app: a, Session: sessionDefaults(), Quiet: true}); err != nil || errb.Len() != 0 {
		t.Errorf("login --quiet: %v, stderr %q", err, errb)
	}
	h.noSecrets(t, "login", out.String(), errb.String())

	// refused before anything is read or asked
	for _, c := range []struct {
		opts LoginOptions
		want string
	}{
		{LoginOptions{Code: "12345", HasCode: true}, "the MFA code given on the command line must be exactly 6 digits"},
		{LoginOptions{Code: "", HasCode: true}, "the MFA code given on the command line must be exactly 6 digits"},
		{LoginOptions{Targets: []string{"a", " , "}}, `--target " , " names no profile`},
		{LoginOptions{Session: sessionFlags{duration: "40h"}}, "--duration"},
	} {
		a, out, errb := testApp()
		c.opts.app = a
		c.opts.Session.minRemaining, c.opts.Session.lockTimeout = sessionDefaults().minRemaining, sessionDefaults().lockTimeout
		err := loginRun(&c.opts)
		if fault.Code(err) != fault.Usage || !strings.HasPrefix(err.Error(), c.want) || out.Len()+errb.Len() != 0 {
			t.Errorf("%+v: %v, stdout %q, stderr %q; want a usage error %q", c.opts, err, out, errb, c.want)
		}
	}
}

func TestCredentialProcessRun(t *testing.T) {
	validHome(t)
	a, out, errb := testApp()
	if err := credentialProcessRun(&CredentialProcessOptions{app: a, Session: sessionDefaults()}); err != nil || errb.Len() != 0 {
		t.Fatalf("credential-process: %v, stderr %q", err, errb)
	}
	var got struct {
		Version         int
		AccessKeyID     string
		SessionToken    string
		Expiration      string
		SecretAccessKey string
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Version != 1 || got.AccessKeyID != "ASIAMFA" || got.Expiration != at(2*time.Hour) ||
		!strings.HasPrefix(got.SessionToken, "token-of-mfa-") || !strings.HasPrefix(got.SecretAccessKey, "st/mfa+") {
		t.Errorf("credential-process printed %q (%v)", out, err)
	}
}

func TestEnvRun(t *testing.T) {
	validHome(t)
	a, out, errb := testApp()
	if err := envRun(&EnvOptions{app: a, Session: sessionDefaults(), Format: "bash", Unset: true}); err != nil || errb.Len() != 0 ||
		!strings.Contains(out.String(), "unset AWS_ACCESS_KEY_ID") {
		t.Errorf("env --unset: %v, stdout %q, stderr %q", err, out, errb)
	}
	a, out, errb = testApp()
	if err := envRun(&EnvOptions{app: a, Session: sessionDefaults(), Format: "fish"}); err != nil || errb.Len() != 0 ||
		!strings.Contains(out.String(), "set -gx AWS_SESSION_TOKEN 'token-of-mfa-") {
		t.Errorf("env --format fish: %v, stdout %q, stderr %q", err, out, errb)
	}
	// a bad format fails before asking for a code: no session is needed for it
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	a, out, _ = testApp()
	if err := envRun(&EnvOptions{app: a, Session: sessionDefaults(), Format: "nosuch"}); fault.Code(err) != fault.Usage || out.Len() != 0 {
		t.Errorf("env --format nosuch: %v, stdout %q; want a usage error", err, out)
	}
}

func TestExecRunNotFound(t *testing.T) {
	validHome(t)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none")) // a code would be needed
	a, out, errb := testApp()
	err := execRun(&ExecOptions{app: a, Session: sessionDefaults(), Command: []string{"stsmfa-no-such-command"}})
	if fault.Code(err) != 127 || !strings.HasPrefix(err.Error(), "cannot run stsmfa-no-such-command: ") || out.Len()+errb.Len() != 0 {
		t.Errorf("exec of a missing command: %v (exit %d), stdout %q, stderr %q; want exit 127 before asking for a code", err, fault.Code(err), out, errb)
	}
}

func TestLogoutRun(t *testing.T) {
	h := validHome(t)
	a, out, errb := testApp()
	if err := logoutRun(&LogoutOptions{app: a}); err != nil || out.Len() != 0 {
		t.Fatalf("logout: %v, stdout %q", err, out)
	}
	lines := strings.Split(errb.String(), "\n")
	if len(lines) != 3 || lines[0] != "removed the session of mfa" || !strings.HasPrefix(lines[1], "stsmfa: AWS cannot revoke issued session credentials") {
		t.Errorf("logout: stderr %q", errb)
	}
	if b, _ := os.ReadFile(h.creds); strings.Contains(string(b), "[mfa]") {
		t.Errorf("logout left [mfa]:\n%s", b)
	}
	a, _, errb = testApp()
	if err := logoutRun(&LogoutOptions{app: a, All: true}); err != nil || errb.String() != "stsmfa: no session stored for any profile; nothing to remove\n" {
		t.Errorf("logout --all with nothing stored: %v, stderr %q", err, errb)
	}
}

func TestSetupRun(t *testing.T) {
	h := validHome(t)
	exe := filepath.Join(t.TempDir(), "stsmfa")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.write(t, h.source("default"), "[default]\nregion = eu-west-1\n")
	a, out, errb := testApp()
	if err := setupRun(&SetupOptions{app: a, Name: "work", Command: exe}); err != nil || out.Len() != 0 ||
		errb.String() != "wrote [profile work] to "+h.conf+"; try: aws sts get-caller-identity --profile work\n" {
		t.Fatalf("setup: %v, stdout %q, stderr %q", err, out, errb)
	}
	want := "[default]\nregion = eu-west-1\n\n[profile work]\ncredential_process = " + exe + " credential-process --profile default\nregion = eu-west-1\n"
	if b, _ := os.ReadFile(h.conf); string(b) != want {
		t.Errorf("config:\n%s\nwant\n%s", b, want)
	}
	a, _, errb = testApp()
	if err := setupRun(&SetupOptions{app: a, Name: "work", Command: exe}); err != nil || errb.String() != "[profile work] in "+h.conf+" is already set up\n" {
		t.Errorf("setup again: %v, stderr %q", err, errb)
	}
	for _, c := range []struct {
		opts SetupOptions
		code int
		want string
	}{
		{SetupOptions{Name: "default"}, fault.Usage, `NAME "default" is the source profile`},
		{SetupOptions{Name: "mfa"}, fault.Usage, `NAME "mfa" is where stsmfa stores the session of profile "default"`},
		{SetupOptions{Name: "x", Profile: "no such"}, fault.Usage, `the profile name "no such" has spaces or shell characters`},
		{SetupOptions{Name: "x", Profile: "nosuch"}, fault.Files, `source profile "nosuch" not found in ` + h.creds},
	} {
		a, _, _ := testApp()
		c.opts.app, c.opts.Command = a, exe
		if err := setupRun(&c.opts); fault.Code(err) != c.code || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: %v (exit %d); want exit %d, %q", c.opts, err, fault.Code(err), c.code, c.want)
		}
	}
}
