// Package cli holds stsmfa's commands, one file each. Rules for output:
//   - stdout carries data only (export lines, JSON); a command that prints nothing on success prints nothing.
//   - prompts go to the terminal device (/dev/tty), never stdout or stderr.
//   - everything else (success lines, warnings, errors, --debug) goes to stderr; errors are one line,
//     prefixed "stsmfa: ", lower-case, naming the fix; secrets never appear.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/exitcode"
	"github.com/stsmfa/stsmfa/internal/prompt"
	"github.com/stsmfa/stsmfa/internal/session"
)

// Version, Commit and Date are stamped at build time (goreleaser, .goreleaser.yaml):
// -ldflags "-X github.com/stsmfa/stsmfa/internal/cli.Version=v1.2.3 -X ...Commit=abc123 -X ...Date=2026-12-01T00:00:00Z".
var Version, Commit, Date = "", "", ""

// Options are the process's streams and clock; tests replace them.
type Options struct {
	Args   []string
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
	// Terminal opens the user's terminal, its prompts cancelled with ctx; nil result = no terminal.
	// Default: /dev/tty (CONIN$/CONOUT$ on Windows).
	Terminal func(ctx context.Context) session.Terminal
	// StderrIsTerminal and StdoutIsTerminal enable colour on each stream; default: detected.
	StderrIsTerminal *bool
	StdoutIsTerminal *bool
}

// Main runs stsmfa for this process and returns its exit code.
func Main() int {
	exitOnInterrupt()
	return Run(Options{Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr})
}

// app is the state shared by all commands of one run.
type app struct {
	Options
	debug       bool
	timeout     time.Duration
	lockTimeout time.Duration
	color       bool // colour on stderr
	colorOut    bool // colour on stdout (status's table): decided for stdout itself
	ctx         context.Context
}

// Run executes one command line and returns the exit code.
func Run(o Options) int {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Terminal == nil {
		o.Terminal = openTerminal
	}
	a := &app{Options: o}
	colorOK := os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	a.color = colorOK && isTerminal(o.StderrIsTerminal, o.Stderr)
	a.colorOut = colorOK && isTerminal(o.StdoutIsTerminal, o.Stdout)

	// The first Ctrl-C (SIGINT) cancels the context: the prompt, a dialog, the lock wait and the AWS
	// calls end and stsmfa exits 130 with the files as they were (writes are atomic renames, and a
	// session already paid for with a code is still stored). A second Ctrl-C kills it as before.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	a.ctx = ctx

	root := a.rootCmd()
	root.SetArgs(o.Args)
	root.SetOut(o.Stdout)
	root.SetErr(o.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code // a child's exit status (exec on Windows: Ctrl-C went to it), already reported by it
	}
	if ctx.Err() != nil && session.KindOf(err) != session.KindCancelled && exitcode.Of(err) != exitcode.Cancelled {
		err = exitcode.CancelledErr("interrupted")
	}
	if strings.HasPrefix(err.Error(), "unknown command ") { // cobra's, untyped
		err = exitcode.UsageErr("%s (see: stsmfa --help)", strings.TrimSuffix(err.Error(), ` for "stsmfa"`))
	}
	fmt.Fprintf(o.Stderr, "stsmfa: %s\n", oneLine(describe(err)))
	return exitCode(err)
}

// exitCode is the documented exit code of err: session's kinds map onto the table, anything else
// carries its own code or is 1.
func exitCode(err error) int {
	switch session.KindOf(err) {
	case session.KindUsage:
		return exitcode.Usage
	case session.KindFiles:
		return exitcode.Files
	case session.KindRefused:
		return exitcode.Refused
	case session.KindNetwork:
		return exitcode.Network
	case session.KindNoCode:
		return exitcode.NoCode
	case session.KindCancelled:
		return exitcode.Cancelled
	}
	return exitcode.Of(err)
}

// fieldFix is how a fix that concerns a request field is worded with this command line's flags.
var fieldFix = map[session.Field]string{
	session.FieldTarget:       "choose another --target",
	session.FieldSerial:       "or pass --serial-number",
	session.FieldTokenCommand: "or pass --token-command",
	session.FieldLockTimeout:  "or raise --lock-timeout",
	session.FieldTimeout:      "or raise --timeout",
	session.FieldProfile:      "pass --profile with the profile that holds the IAM user's long-term keys",
	session.FieldTokenTimeout: "or raise --token-timeout",
}

// describe is the one line the user reads: session's message and, where the fix is a flag, the flag.
func describe(err error) string {
	msg := err.Error()
	if fix := fieldFix[session.FieldOf(err)]; fix != "" && !strings.Contains(msg, fix) {
		msg += "; " + fix
	}
	return msg
}

// isTerminal is the override when given, else whether w is a terminal that shows colours (on
// Windows: a console that accepts virtual-terminal sequences).
func isTerminal(override *bool, w io.Writer) bool {
	if override != nil {
		return *override
	}
	f, ok := w.(*os.File)
	return ok && colourTerminal(f)
}

// exitError passes a child process's exit status through without a message.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func version() string {
	if Version == "" && Commit == "" {
		bi, _ := debug.ReadBuildInfo()
		return buildInfoVersion(bi)
	}
	v := Version
	if v == "" {
		v = "dev"
	}
	if Commit != "" {
		v += " (commit " + Commit
		if Date != "" {
			v += ", built " + Date
		}
		v += ")"
	}
	return v
}

// Command is the whole command tree, for generating man pages and completions (cmd/stsmfa-docs).
func Command() *cobra.Command {
	a := &app{Options: Options{Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now, Terminal: openTerminal}}
	return a.rootCmd()
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "stsmfa",
		Short: "MFA session credentials for the AWS CLI and SDKs, in one command",
		Long: `stsmfa trades an IAM user's long-term keys and one MFA code for temporary credentials
(STS GetSessionToken) and puts them where the AWS CLI and SDKs find them: a named profile
(login), your shell (env), one command (exec), or every SDK on demand (credential-process).

Exit codes: 0 ok, 1 not valid (status --check) or unexpected, 2 usage, 3 AWS files,
4 AWS refused, 5 AWS unreachable, 6 no MFA code available, 130 cancelled.`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.UsageErr("%v (see: %s --help)", err, c.CommandPath())
	})
	pf := root.PersistentFlags()
	pf.BoolVar(&a.debug, "debug", false, "explain each step on stderr (never prints secrets)")
	pf.DurationVar(&a.timeout, "timeout", 30*time.Second, "give up on an AWS call after this long (> 0)")
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if a.timeout <= 0 {
			return exitcode.UsageErr("--timeout must be longer than 0 (got %s): it bounds each AWS call, e.g. --timeout 30s", a.timeout)
		}
		return nil
	}
	root.AddCommand(a.loginCmd(), a.envCmd(), a.execCmd(), a.credentialProcessCmd(), a.setupCmd(), a.statusCmd(), a.logoutCmd())
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return root
}

// wrapArgs turns cobra's argument errors into usage errors (exit 2).
func wrapArgs(f cobra.PositionalArgs) cobra.PositionalArgs {
	if f == nil {
		return nil
	}
	return func(c *cobra.Command, args []string) error {
		if err := f(c, args); err != nil {
			return exitcode.UsageErr("%v (see: %s --help)", err, c.CommandPath())
		}
		return nil
	}
}

func (a *app) debugf(format string, args ...any) {
	if a.debug {
		fmt.Fprintf(a.Stderr, "stsmfa: debug: "+format+"\n", args...)
	}
}

func (a *app) warn(msg string) { fmt.Fprintf(a.Stderr, "stsmfa: warning: %s\n", msg) }

// paint colours s for stderr; paintOut for stdout. Each stream decides for itself: a table piped
// into a file from a terminal gets no escape codes.
func (a *app) paint(code, s string) string { return colour(a.color, code, s) }

func (a *app) paintOut(code, s string) string { return colour(a.colorOut, code, s) }

func colour(on bool, code, s string) string {
	if !on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (a *app) editor() *awsfile.Editor { return &awsfile.Editor{Warn: a.warn} }

// sessionFlags are the flags every command that may need a fresh session shares with login.
type sessionFlags struct {
	profile      string
	serial       string
	duration     string
	tokenCommand string
	prompt       string
	tokenTimeout time.Duration
	minRemaining time.Duration
	lockTimeout  time.Duration
	cmd          *cobra.Command
}

func (s *sessionFlags) register(c *cobra.Command) {
	f := c.Flags()
	f.StringVarP(&s.profile, "profile", "p", "", "source profile with long-term keys, or a role profile (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, else default)")
	f.StringVar(&s.serial, "serial-number", "", "MFA device serial or ARN (default: mfa_serial, $AWS_MFA_SERIAL, else found via IAM)")
	f.StringVar(&s.duration, "duration", "", "session length: seconds or 12h, 36h (900s–36h; root 1h; default: mfa_session_duration, else 12h)")
	f.StringVar(&s.prompt, "prompt", "", "how to ask for a code: "+prompt.ModeList()+" (default: $"+promptVar+", mfa_prompt, else auto: the terminal, else a dialog when a display is available)")
	f.StringVar(&s.tokenCommand, "token-command", "", "command that prints the MFA code, or ykman:NAME, op:ITEM, bw:ITEM, pass:PATH (default: mfa_process, else a terminal prompt)")
	f.DurationVar(&s.tokenTimeout, "token-timeout", 0, "stop the token command after this long (> 0; default: mfa_process_timeout, else 2m)")
	f.DurationVar(&s.minRemaining, "min-remaining", session.DefaultMargin, "reuse a session only if it stays valid longer than this")
	f.DurationVar(&s.lockTimeout, "lock-timeout", session.DefaultLockTimeout, "how long to wait for another stsmfa refreshing the same profile (> 0)")
	s.cmd = c
}

// request builds a session request from the flags; positional code and targets are added by login.
func (s *sessionFlags) request() (session.Request, error) {
	req := session.Request{
		Profile:      sourceProfile(s.profile),
		ProfileFrom:  profileFrom(s.profile),
		Serial:       s.serial,
		SerialFrom:   "--serial-number",
		TokenCommand: s.tokenCommand,
		TokenFrom:    "--token-command",
		TokenTimeout: s.tokenTimeout,
		DurationFrom: "--duration",
		MinRemaining: s.minRemaining,
		LockTimeout:  s.lockTimeout,
	}
	if s.prompt != "" || (s.cmd != nil && s.cmd.Flags().Changed("prompt")) {
		req.Prompt, req.PromptFrom = s.prompt, "--prompt"
	} else if v := os.Getenv(promptVar); v != "" {
		req.Prompt, req.PromptFrom = v, promptVar
	}
	if req.PromptFrom != "" {
		if _, err := prompt.ParseMode(req.Prompt); err != nil || strings.TrimSpace(req.Prompt) == "" {
			return req, exitcode.UsageErr("%s %q: not a way to ask; use one of %s", req.PromptFrom, req.Prompt, prompt.ModeList())
		}
	}
	if s.cmd != nil && s.cmd.Flags().Changed("token-timeout") {
		if s.tokenTimeout <= 0 {
			return req, exitcode.UsageErr("--token-timeout must be longer than 0 (got %s): it bounds each run of the token command, e.g. --token-timeout 5m", s.tokenTimeout)
		}
		req.TokenTimeoutFrom = "--token-timeout"
	}
	if s.lockTimeout <= 0 {
		return req, exitcode.UsageErr("--lock-timeout must be longer than 0 (got %s): it bounds the wait for another stsmfa, e.g. --lock-timeout 2m", s.lockTimeout)
	}
	if s.cmd != nil && s.cmd.Flags().Changed("duration") && strings.TrimSpace(s.duration) == "" {
		return req, exitcode.UsageErr("--duration is empty: give seconds or a duration like 12h, or leave the flag out for the default")
	}
	if s.duration != "" {
		d, err := session.ParseDuration(s.duration)
		if err != nil {
			return req, exitcode.UsageErr("--duration %q: %v", s.duration, err)
		}
		if err := session.CheckDuration(d, false, "--duration"); err != nil {
			return req, err
		}
		req.Duration = d
	}
	if s.minRemaining < 0 {
		return req, exitcode.UsageErr("--min-remaining must not be negative")
	}
	return req, nil
}

// sourceProfile is the profile a command serves: --profile, else AWS_PROFILE, else AWS_DEFAULT_PROFILE
// (which the AWS CLI also honours), else default.
func sourceProfile(flag string) string {
	name, _ := session.ProfileName(flag, os.Getenv)
	return name
}

// profileFrom names the variable the profile came from when it was not given with --profile, so
// errors about it can say so.
func profileFrom(flag string) string {
	_, from := session.ProfileName(flag, os.Getenv)
	return from
}

// ensure runs session.Ensure with this run's terminal, clock and diagnostics.
func (a *app) ensure(req session.Request) (*session.Result, error) {
	env := &session.Env{
		Now:     a.Now,
		Debugf:  a.debugf,
		Info:    func(m string) { fmt.Fprintf(a.Stderr, "stsmfa: %s\n", m) },
		Warn:    a.warn,
		Timeout: a.timeout,
		Editor:  a.editor(),
	}
	var opened io.Closer
	env.OpenPrompt = func(spec session.PromptSpec) (session.Terminal, error) {
		t, c, err := a.openPrompt(spec)
		opened = c
		return t, err
	}
	defer func() {
		if opened != nil {
			opened.Close()
		}
	}()
	return session.Ensure(a.ctx, env, req)
}

// sessionFor gets the session the shared flags ask for (env, credential-process).
func (a *app) sessionFor(sf *sessionFlags) (*session.Result, error) {
	req, err := sf.request()
	if err != nil {
		return nil, err
	}
	return a.ensure(req)
}

// untilText is the expiry as people read it: "valid 11h59m, until 2026-11-22 11:44 KST".
func (a *app) untilText(exp time.Time) string {
	return fmt.Sprintf("valid %s, until %s", session.Human(exp.Sub(a.Now())), exp.Local().Format("2006-01-02 15:04 MST"))
}
