package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/exitcode"
	"github.com/stsmfa/stsmfa/internal/session"
)

// markerVar tells a nested stsmfa which source profile the surrounding `stsmfa exec` serves.
const markerVar = "STSMFA_PROFILE"

// staleVars are removed from the child: each can override or break the session's variables.
var staleVars = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
}

func (a *app) execCmd() *cobra.Command {
	var sf sessionFlags
	c := &cobra.Command{
		Use:   "exec [flags] -- COMMAND [ARGS...]",
		Short: "Run a command with the MFA session in its environment",
		Long: `exec runs COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_CREDENTIAL_EXPIRATION set to the session, AWS_REGION and AWS_DEFAULT_REGION set to the profile's
region (unless already set), and AWS_PROFILE and stale credential variables removed. --profile may
name a role profile: the command then runs as the role.
On Unix stsmfa replaces itself with COMMAND, so exit codes and signals are COMMAND's own.
Running exec inside exec is refused unless both serve the same source profile.`,
		Example: `  stsmfa exec -- aws s3 ls
  stsmfa exec --profile work -- terraform plan`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			req, err := sf.request()
			if err != nil {
				return err
			}
			outer := os.Getenv(markerVar)
			if outer != "" && sf.profile == "" && req.ProfileFrom == "" {
				req.Profile = outer // the outer exec removed AWS_PROFILE: default to the profile it serves
			}
			if outer != "" && outer != session.SourceOf(req.Profile) {
				return exitcode.UsageErr("already inside `stsmfa exec` for profile %q; exit it before starting one for %q", outer, req.Profile)
			}
			// find the command before asking for a code: a typo must not cost an MFA code
			path, err := exec.LookPath(args[0])
			if err != nil {
				code := 126 // found but not runnable, as shells say
				if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
					code = 127
				}
				return &exitcode.Error{Code: code, Msg: fmt.Sprintf("cannot run %s: %v", args[0], err)}
			}
			res, err := a.ensure(req)
			if err != nil {
				return err
			}
			env := childEnv(os.Environ(), res.Plan.Profile)
			for _, v := range append(sessionVars(res.Session), regionVars(res.Region, os.Getenv)...) {
				env = append(env, v.Name+"="+v.Value)
			}
			a.debugf("running %s with %s set and %s removed (values not shown)", path, strings.Join(envNames, ", "), strings.Join(staleVars, ", "))
			return runChild(path, args, env)
		},
	}
	sf.register(c)
	// everything after COMMAND is COMMAND's own: stsmfa exec aws s3 ls --profile x
	c.Flags().SetInterspersed(false)
	return c
}

// childEnv drops stale AWS variables and adds the nesting marker.
func childEnv(environ []string, source string) []string {
	out := make([]string, 0, len(environ)+6)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		drop := name == markerVar
		for _, s := range staleVars {
			if strings.EqualFold(name, s) {
				drop = true
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return append(out, markerVar+"="+source)
}
