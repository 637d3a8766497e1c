package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/answer"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// ExecOptions are the flags of `exec` and the command line it runs.
type ExecOptions struct {
	app     *app
	Session sessionFlags
	Server  serverFlags // --server, --imds (server.go)
	Command []string    // COMMAND [ARGS...]
}

// NewCmdExec is `exec`: it parses the flags into ExecOptions and runs runF on them (execRun when nil).
func NewCmdExec(a *app, runF func(*ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{app: a}
	c := &cobra.Command{
		Use:   "exec [flags] -- COMMAND [ARGS...]",
		Short: "Run a command with the MFA session in its environment",
		Long: `exec runs COMMAND with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_CREDENTIAL_EXPIRATION set to the session, AWS_REGION and AWS_DEFAULT_REGION set to the profile's
region (unless already set), and AWS_PROFILE and stale credential variables removed. --profile may
name a role profile: the command then runs as the role.
On Unix stsmfa replaces itself with COMMAND, so exit codes and signals are COMMAND's own.
Running exec inside exec is refused unless both serve the same source profile.
With --server (or --imds) COMMAND gets no keys but a credentials endpoint on 127.0.0.1 that serves
it, renewed, for as long as it runs; stsmfa asks for the next code before the MFA session ends.`,
		Example: `  stsmfa exec -- aws s3 ls
  stsmfa exec --profile work -- terraform plan
  stsmfa exec --server --profile prod -- terraform apply`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Command = args
			if runF != nil {
				return runF(opts)
			}
			return execRun(opts)
		},
	}
	opts.Session.register(c)
	opts.Server.register(c)
	// everything after COMMAND is COMMAND's own: stsmfa exec aws s3 ls --profile x
	c.Flags().SetInterspersed(false)
	return c
}

// execRun finds the command, gets the session and runs the command with it.
func execRun(opts *ExecOptions) error {
	a, args := opts.app, opts.Command
	req, err := opts.Session.request()
	if err != nil {
		return err
	}
	mode, serve, err := opts.Server.mode()
	if err != nil {
		return err
	}
	if outer, ok := answer.ExecInExec(opts.Session.profile, &req, os.Getenv); !ok {
		return fault.UsageErr("already inside `stsmfa exec` for profile %q; exit it before starting one for %q", outer, req.Profile)
	}
	// find the command before asking for a code: a typo must not cost an MFA code
	path, err := exec.LookPath(args[0])
	if err != nil {
		code := 126 // found but not runnable, as shells say
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = 127
		}
		return &fault.Error{Code: code, Msg: fmt.Sprintf("cannot run %s: %v", args[0], err)}
	}
	if serve {
		// no HandOver: the server answers from the cache, so a session it cannot store is refused now
		return a.execServe(mode, req, path, args)
	}
	req.HandOver = true // the command runs with a new session even when it could not be stored
	res, err := a.ensure(req)
	if err != nil {
		return err
	}
	env := answer.ChildEnv(os.Environ(), res, os.Getenv)
	a.debugf("running %s with %s set and %s removed (values not shown)", path, strings.Join(answer.EnvNames, ", "), strings.Join(answer.StaleVars, ", "))
	return runChild(path, args, env)
}
