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
