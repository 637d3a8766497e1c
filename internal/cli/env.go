package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/answer"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/shellenv"
)

func (a *app) envCmd() *cobra.Command {
	var sf sessionFlags
	var format string
	var unset bool
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
			if unset {
				if format == "process" {
					return fault.UsageErr("--unset works with shell formats, not process")
				}
				out, err := shellenv.Unset(format, answer.EnvNames)
				if err != nil {
					return fault.UsageErr("%v", err)
				}
				_, err = fmt.Fprint(a.Stdout, out)
				return err
			}
			if _, err := shellenv.Set(format, nil); err != nil && format != "process" {
				return fault.UsageErr("%v", err) // bad --format: fail before asking for a code
			}
			res, err := a.sessionFor(&sf)
			if err != nil {
				return err
			}
			out, err := answer.EnvLines(res, format, os.Getenv)
			if err != nil {
				return fault.UsageErr("%v", err)
			}
			a.debugf("printing the variables for %s (values not shown)", format)
			_, err = a.Stdout.Write(out)
			return err
		},
	}
	sf.register(c)
	c.Flags().StringVar(&format, "format", "bash", "bash, zsh, fish, powershell, cmd, json, dotenv; or the AWS CLI's process, env, env-no-export, windows-cmd")
	c.Flags().BoolVar(&unset, "unset", false, "print lines that remove the variables instead")
	return c
}
