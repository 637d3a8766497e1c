package cli

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/session"
)

// These tests parse command lines into each command's options through runF, running nothing: the
// flags, their defaults and the errors cobra and NewCmdX give. The logic is tested by calling xRun.

// testApp is an app whose streams are buffers and whose clock is statusNow.
func testApp() (a *app, stdout, stderr *bytes.Buffer) {
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	a = &app{Options: Options{Stdout: stdout, Stderr: stderr, Now: func() time.Time { return statusNow }}, ctx: context.Background()}
	return a, stdout, stderr
}

// parse runs `stsmfa ARGS` through the real root with the command of the same name replaced by cmd
// (built by a NewCmdX with a runF that captures the options). It returns Execute's error.
func parse(t *testing.T, a *app, cmd *cobra.Command, args ...string) error {
	t.Helper()
	a.ctx = context.Background()
	root := a.rootCmd()
	for _, c := range root.Commands() {
		if c.Name() == cmd.Name() {
			root.RemoveCommand(c)
		}
	}
	cmd.Args = wrapArgs(cmd.Args)
	root.AddCommand(cmd)
	root.SetArgs(args)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	return root.ExecuteContext(a.ctx)
}

// usageErr checks that err is a usage error (exit 2) whose message starts with want.
func usageErr(t *testing.T, args []string, err error, want string) {
	t.Helper()
	if err == nil || fault.Code(err) != fault.Usage || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%q: error %v (exit %d); want exit %d, %q", args, err, fault.Code(err), fault.Usage, want)
	}
}

func TestStatusOptions(t *testing.T) {
	for _, c := range []struct {
		args []string
		want StatusOptions
	}{
		{[]string{"status"}, StatusOptions{}},
		{[]string{"status", "--check", "--min-remaining", "5m", "-p", "x"}, StatusOptions{Check: true, MinRemaining: 5 * time.Minute, Profile: "x"}},
		{[]string{"status", "--prompt", "--profile=work"}, StatusOptions{Prompt: true, Profile: "work"}},
		{[]string{"status", "--json"}, StatusOptions{JSON: true}},
		{[]string{"--debug", "status", "--check", "--min-remaining", "0s"}, StatusOptions{Check: true}},
	} {
		a, _, _ := testApp()
		var got *StatusOptions
		err := parse(t, a, NewCmdStatus(a, func(o *StatusOptions) error { got = o; return nil }), c.args...)
		if err != nil || got == nil {
			t.Errorf("%q: error %v, ran %v", c.args, err, got != nil)
			continue
		}
		c.want.app = a
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q: options %+v; want %+v", c.args, *got, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "--check", "--prompt"}, "--check and --prompt do not go together"},
		{[]string{"status", "--json", "--check"}, "--json does not go with --check or --prompt"},
		{[]string{"status", "--prompt", "--json", "--min-remaining", "1h"}, "--json does not go with --check or --prompt"},
		{[]string{"status", "--min-remaining", "1h"}, "--min-remaining only goes with --check"},
		{[]string{"status", "--check", "--min-remaining", "-1s"}, "--min-remaining must not be negative"},
		{[]string{"status", "--check", "--min-remaining", "30"}, `invalid argument "30" for "--min-remaining" flag: time: missing unit in duration "30" (see: stsmfa status --help)`},
		{[]string{"status", "--nosuch"}, "unknown flag: --nosuch (see: stsmfa status --help)"},
		{[]string{"status", "mfa"}, `unknown command "mfa" for "stsmfa status" (see: stsmfa status --help)`},
		{[]string{"--timeout", "0s", "status"}, "--timeout must be longer than 0 (got 0s)"},
	} {
		a, _, _ := testApp()
		ran := false
		err := parse(t, a, NewCmdStatus(a, func(*StatusOptions) error { ran = true; return nil }), c.args...)
		if ran {
			t.Errorf("%q: ran the command", c.args)
		}
		usageErr(t, c.args, err, c.want)
	}
}

// sessionDefaults are the shared session flags as registered, with nothing given.
func sessionDefaults() sessionFlags {
	return sessionFlags{minRemaining: session.DefaultMargin, lockTimeout: session.DefaultLockTimeout}
}

// parsed runs args through parse with the command newCmd builds, and returns the options runF got
// (nil when it did not run) and Execute's error.
func parsed[O any](t *testing.T, newCmd func(*app, func(*O) error) *cobra.Command, args ...string) (*app, *O, error) {
	t.Helper()
	a, _, _ := testApp()
	var got *O
	err := parse(t, a, newCmd(a, func(o *O) error { got = o; return nil }), args...)
	return a, got, err
}

// optionsCase is a command line and the options it parses into (app and the session flags' command
// are filled in by the test).
type optionsCase[O any] struct {
	args []string
	want O
}

// checkOptions parses each case and compares the options runF got; fix sets what the case cannot
// know (the app, the cobra command the session flags ask about).
func checkOptions[O any](t *testing.T, newCmd func(*app, func(*O) error) *cobra.Command, fix func(got, want *O, a *app), cases []optionsCase[O]) {
	t.Helper()
	for _, c := range cases {
		a, got, err := parsed(t, newCmd, c.args...)
		if err != nil || got == nil {
			t.Errorf("%q: error %v, ran %v", c.args, err, got != nil)
			continue
		}
		fix(got, &c.want, a)
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q: options\n%+v\nwant\n%+v", c.args, *got, c.want)
		}
	}
}

// checkUsageErrors parses each command line and wants a usage error starting with the text given,
// the command not run.
func checkUsageErrors[O any](t *testing.T, newCmd func(*app, func(*O) error) *cobra.Command, cases map[string][]string) {
	t.Helper()
	for want, args := range cases {
		_, got, err := parsed(t, newCmd, args...)
		if got != nil {
			t.Errorf("%q: ran the command", args)
		}
		usageErr(t, args, err, want)
	}
}

func TestLoginOptions(t *testing.T) {
	sf := func(f func(s *sessionFlags)) sessionFlags { s := sessionDefaults(); f(&s); return s }
	fix := func(got, want *LoginOptions, a *app) { want.app = a; got.Session.cmd = nil }
	checkOptions(t, NewCmdLogin, fix, []optionsCase[LoginOptions]{
		{[]string{"login"}, LoginOptions{Session: sessionDefaults()}},
		{[]string{"login", "123 456", "-p", "work", "-t", "a", "-t", "b,c", "--mfa-profile-name", "d", "--update-profile", "e", "-f", "-q"},
			LoginOptions{Session: sf(func(s *sessionFlags) { s.profile = "work" }), Targets: []string{"a", "b,c", "d", "e"}, Code: "123 456", HasCode: true, Force: true, Quiet: true}},
		{[]string{"login", "--token-code", "123456", "--duration-seconds", "3600"},
			LoginOptions{Session: sf(func(s *sessionFlags) { s.duration = "3600" }), Code: "123456", HasCode: true}},
		{[]string{"login", "123456", "--token-code", " 123456", "--duration", "3600", "--duration-seconds", "3600"},
			LoginOptions{Session: sf(func(s *sessionFlags) { s.duration = "3600" }), Code: " 123456", HasCode: true}},
		{[]string{"login", "--serial-number", "arn:aws:iam::1:mfa/x", "--token-command", "ykman:aws", "--prompt", "dialog", "--token-timeout", "1m",
			"--min-remaining", "5m", "--lock-timeout", "10s"},
			LoginOptions{Session: sf(func(s *sessionFlags) {
				s.serial, s.tokenCommand, s.prompt, s.tokenTimeout = "arn:aws:iam::1:mfa/x", "ykman:aws", "dialog", time.Minute
				s.minRemaining, s.lockTimeout = 5*time.Minute, 10*time.Second
			})}},
	})
	checkUsageErrors(t, NewCmdLogin, map[string][]string{
		"the code is given twice (CODE and --token-code); give it once":   {"login", "111111", "--token-code", "222222"},
		"--duration and --duration-seconds disagree; give one":            {"login", "--duration", "1h", "--duration-seconds", "3600"},
		"accepts at most 1 arg(s), received 2 (see: stsmfa login --help)": {"login", "1", "2"},
		`invalid argument "soon" for "--token-timeout" flag`:              {"login", "--token-timeout", "soon"},
		"flag needs an argument: 't' in -t (see: stsmfa login --help)":    {"login", "-t"},
	})
}

func TestEnvExecCredentialProcessOptions(t *testing.T) {
	sf := func(f func(s *sessionFlags)) sessionFlags { s := sessionDefaults(); f(&s); return s }
	checkOptions(t, NewCmdEnv, func(got, want *EnvOptions, a *app) { want.app = a; got.Session.cmd = nil }, []optionsCase[EnvOptions]{
		{[]string{"env"}, EnvOptions{Session: sessionDefaults(), Format: "bash"}},
		{[]string{"env", "--format", "fish", "-p", "work"}, EnvOptions{Session: sf(func(s *sessionFlags) { s.profile = "work" }), Format: "fish"}},
		{[]string{"env", "--unset", "--format=nosuch"}, EnvOptions{Session: sessionDefaults(), Format: "nosuch", Unset: true}},
	})
	checkUsageErrors(t, NewCmdEnv, map[string][]string{
		"--unset works with shell formats, not process":                 {"env", "--unset", "--format", "process"},
		`unknown command "x" for "stsmfa env" (see: stsmfa env --help)`: {"env", "x"},
	})

	checkOptions(t, NewCmdExec, func(got, want *ExecOptions, a *app) { want.app = a; got.Session.cmd = nil }, []optionsCase[ExecOptions]{
		{[]string{"exec", "-p", "work", "--", "aws", "s3", "ls", "--profile", "x"},
			ExecOptions{Session: sf(func(s *sessionFlags) { s.profile = "work" }), Command: []string{"aws", "s3", "ls", "--profile", "x"}}},
		// everything after COMMAND is COMMAND's own
		{[]string{"exec", "aws", "--profile", "x"}, ExecOptions{Session: sessionDefaults(), Command: []string{"aws", "--profile", "x"}}},
	})
	checkUsageErrors(t, NewCmdExec, map[string][]string{
		"requires at least 1 arg(s), only received 0 (see: stsmfa exec --help)": {"exec", "-p", "work"},
	})

	checkOptions(t, NewCmdCredentialProcess, func(got, want *CredentialProcessOptions, a *app) { want.app = a; got.Session.cmd = nil }, []optionsCase[CredentialProcessOptions]{
		{[]string{"credential-process", "--profile", "prod", "--prompt", "terminal", "--lock-timeout", "1m"},
			CredentialProcessOptions{Session: sf(func(s *sessionFlags) { s.profile, s.prompt, s.lockTimeout = "prod", "terminal", time.Minute })}},
	})
	checkUsageErrors(t, NewCmdCredentialProcess, map[string][]string{
		"unknown flag: --target (see: stsmfa credential-process --help)": {"credential-process", "--target", "x"},
	})
}

func TestSetupLogoutOptions(t *testing.T) {
	fixSetup := func(got, want *SetupOptions, a *app) { want.app = a }
	checkOptions(t, NewCmdSetup, fixSetup, []optionsCase[SetupOptions]{
		{[]string{"setup-credential-process", "work"}, SetupOptions{Name: "work"}},
		{[]string{"setup-credential-process", "-p", "default", "work", "--command", "/usr/bin/stsmfa", "-f"},
			SetupOptions{Name: "work", Profile: "default", Command: "/usr/bin/stsmfa", Force: true}},
	})
	checkUsageErrors(t, NewCmdSetup, map[string][]string{
		"accepts 1 arg(s), received 0 (see: stsmfa setup-credential-process --help)": {"setup-credential-process"},
		"accepts 1 arg(s), received 2 (see: stsmfa setup-credential-process --help)": {"setup-credential-process", "a", "b"},
	})

	checkOptions(t, NewCmdLogout, func(got, want *LogoutOptions, a *app) { want.app = a }, []optionsCase[LogoutOptions]{
		{[]string{"logout"}, LogoutOptions{}},
		{[]string{"logout", "--all"}, LogoutOptions{All: true}},
		{[]string{"logout", "-p", "prod"}, LogoutOptions{Profile: "prod"}},
	})
	checkUsageErrors(t, NewCmdLogout, map[string][]string{
		"--all and --profile do not go together": {"logout", "--all", "-p", "x"},
		"unknown shorthand flag: 'a' in -a":      {"logout", "-a"},
	})
}
