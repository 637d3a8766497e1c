package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/answer"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/shellenv"
)

// EnvOptions are the flags of `env`.
type EnvOptions struct {
	app     *app
	Session sessionFlags
	Format  string
	Unset   bool
}

// NewCmdEnv is `env`: it parses the flags into EnvOptions and runs runF on them (envRun when nil).
func NewCmdEnv(a *app, runF func(*EnvOptions) error) *cobra.Command {
	opts := &EnvOptions{app: a}
	c := &cobra.Command{
		Use:   "env",
		Short: "Print shell lines that put the MFA session in the environment",
		Long: `env prints the lines that set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_CREDENTIAL_EXPIRATION (and AWS_REGION / AWS_DEFAULT_REGION from the profile, unless already set)
for a shell to evaluate (or, with --unset, remove the credential variables). --profile may name a role
profile. A stored session is
reused; otherwise one code is asked for on the terminal, else in a dialog (or by --token-command /
mfa_process).`,
		Example: `  eval "$(stsmfa env)"                              # bash, zsh
  stsmfa env --format fish | source
  stsmfa env --format powershell | Invoke-Expression
  eval "$(stsmfa env --unset)"
  stsmfa env --format env-no-export > .env          # the AWS CLI's names: process, env, env-no-export, windows-cmd`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if opts.Unset && opts.Format == "process" {
				return fault.UsageErr("--unset works with shell formats, not process")
			}
			if runF != nil {
				return runF(opts)
			}
			return envRun(opts)
		},
	}
	opts.Session.register(c)
	c.Flags().StringVar(&opts.Format, "format", "bash", "bash, zsh, fish, powershell, cmd, json, dotenv; or the AWS CLI's process, env, env-no-export, windows-cmd")
	c.Flags().BoolVar(&opts.Unset, "unset", false, "print lines that remove the variables instead")
	return c
}

// envRun prints the lines that set the session's variables (or, with Unset, remove them).
func envRun(opts *EnvOptions) error {
	a := opts.app
	if opts.Unset {
		out, err := shellenv.Unset(opts.Format, answer.EnvNames)
		if err != nil {
			return formatErr(opts.Format, err)
		}
		_, err = fmt.Fprint(a.Stdout, out)
		return err
	}
	if _, err := shellenv.Set(opts.Format, nil); err != nil && opts.Format != "process" {
		return formatErr(opts.Format, err) // bad --format: fail before asking for a code
	}
	res, err := a.sessionFor(&opts.Session)
	if err != nil {
		return err
	}
	out, err := answer.EnvLines(res, opts.Format, os.Getenv)
	if err != nil {
		return fault.UsageErr("%v", err)
	}
	a.debugf("printing the variables for %s (values not shown)", opts.Format)
	_, err = a.Stdout.Write(out)
	return err
}

// formatErr words shellenv's refusal of a format in --format's terms; the list names every format env
// takes, process (the AWS CLI's credential_process JSON) included.
func formatErr(format string, err error) error {
	switch {
	case errors.Is(err, shellenv.ErrUnknownFormat):
		return fault.UsageErr("unknown --format %q; use one of %s, process", format, strings.Join(shellenv.Formats, ", "))
	case errors.Is(err, shellenv.ErrNotShell):
		return fault.UsageErr("--unset works with shell formats (bash, zsh, fish, powershell, cmd), not %s", format)
	}
	return fault.UsageErr("%v", err)
}
