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

func (a *app) credentialProcessCmd() *cobra.Command {
	var sf sessionFlags
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
			res, err := a.sessionFor(&sf)
			if err != nil {
				return err
			}
			return a.writeProcessJSON(res.Session, "")
		},
	}
	sf.register(c)
	return c
}
