package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/session"
)

// LogoutOptions are the flags of `logout`.
type LogoutOptions struct {
	app     *app
	Profile string
	All     bool
}

// NewCmdLogout is `logout`: it parses the flags into LogoutOptions and runs runF on them (logoutRun
// when nil).
func NewCmdLogout(a *app, runF func(*LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{app: a}
	c := &cobra.Command{
		Use:   "logout",
		Short: "Remove the sessions stsmfa stored for a profile (or all of them)",
		Long: `logout removes what stsmfa wrote for the profile: the session keys of its login targets in the
credentials file (a section left empty goes too; keys you added stay), role sessions in stsmfa's cache,
and the AWS CLI cache entries stsmfa wrote for them. Every other byte of the AWS files stays.

--profile names a source (all its sessions), a login target (that one) or a role profile; default:
$AWS_PROFILE, $AWS_DEFAULT_PROFILE, else default. --all removes every session stsmfa stored.

AWS cannot revoke session credentials once issued: removed sessions stay valid until they expire for
anyone who copied them. To cut them off now, revoke the role's active sessions in the IAM console, or
deactivate the IAM user's access key.`,
		Example: `  stsmfa logout                 # the sessions of the default source
  stsmfa logout --profile prod  # one role's session
  stsmfa logout --all`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if opts.All && opts.Profile != "" {
				return fault.UsageErr("--all and --profile do not go together")
			}
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(opts)
		},
	}
	c.Flags().StringVarP(&opts.Profile, "profile", "p", "", "source, login target or role profile (default: $AWS_PROFILE, else default)")
	c.Flags().BoolVar(&opts.All, "all", false, "remove every session stsmfa stored")
	return c
}

// logoutRun removes the sessions and says which, and how long copies of them stay valid.
func logoutRun(opts *LogoutOptions) error {
	a := opts.app
	name := sourceProfile(opts.Profile)
	removed, err := session.Logout(&session.Env{Debugf: a.debugf, Editor: a.editor()}, name, opts.All)
	if err != nil {
		return err
	}
	if len(removed) == 0 {
		what := "profile " + name
		if opts.All {
			what = "any profile"
		}
		fmt.Fprintf(a.Stderr, "stsmfa: no session stored for %s; nothing to remove\n", what)
		return nil
	}
	var names []string
	var last time.Time
	for _, r := range removed {
		n := r.Profile
		if r.Role {
			n += " (role)"
		}
		names = append(names, n)
		if r.Session.Expiration.After(last) {
			last = r.Session.Expiration
		}
	}
	fmt.Fprintf(a.Stderr, "removed the session of %s\n", strings.Join(names, ", "))
	if last.After(a.Now()) {
		fmt.Fprintf(a.Stderr, "stsmfa: AWS cannot revoke issued session credentials: a copy stays valid until it expires (the last at %s); to cut them off now, revoke the role's active sessions in IAM or deactivate the access key\n",
			last.Local().Format("2006-01-02 15:04 MST"))
	}
	return nil
}
