package cli

import (
	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/answer"
	"github.com/stsmfa/stsmfa/internal/cred"
)

// writeProcessJSON prints s in the credential_process format (answer.ProcessJSON).
func (a *app) writeProcessJSON(s cred.Session, indent string) error {
	out, err := answer.ProcessJSON(s, indent)
	if err != nil {
		return err
	}
	_, err = a.Stdout.Write(out)
	return err
}

// CredentialProcessOptions are the flags of `credential-process`.
type CredentialProcessOptions struct {
	app     *app
	Session sessionFlags
}

// NewCmdCredentialProcess is `credential-process`: it parses the flags into CredentialProcessOptions
// and runs runF on them (credentialProcessRun when nil).
func NewCmdCredentialProcess(a *app, runF func(*CredentialProcessOptions) error) *cobra.Command {
	opts := &CredentialProcessOptions{app: a}
	c := &cobra.Command{
		Use:   "credential-process",
		Short: "Print the session as credential_process JSON (for ~/.aws/config)",
		Long: `credential-process prints the session in the credential_process format the AWS CLI and every SDK
understand, and nothing else on stdout. Use it from a config profile (see setup-credential-process):

  [profile work]
  credential_process = /usr/local/bin/stsmfa credential-process --profile default

A stored session is reused. When many processes ask at once, one asks for the code and calls STS;
the others wait for it. Without a terminal it asks in a desktop dialog when a display is available
(--prompt, STSMFA_PROMPT, mfa_prompt). With no way to get a code it still waits for another stsmfa
that is refreshing the same profile, and otherwise fails at once, saying how to fix it.`,
		Example: `  stsmfa credential-process --profile default        # what credential_process runs
  stsmfa credential-process --profile prod | jq .Expiration   # a role profile
  stsmfa setup-credential-process work --profile default     # writes the credential_process line for you`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return credentialProcessRun(opts)
		},
	}
	opts.Session.register(c)
	return c
}

// credentialProcessRun gets the session and prints it as credential_process JSON.
func credentialProcessRun(opts *CredentialProcessOptions) error {
	res, err := opts.app.sessionFor(&opts.Session)
	if err != nil {
		return err
	}
	return opts.app.writeProcessJSON(res.Session, "")
}
