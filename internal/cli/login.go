package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/session"
)

// LoginOptions are the flags and argument of `login`, its aliases folded in.
type LoginOptions struct {
	app     *app
	Session sessionFlags
	Targets []string // --target, --mfa-profile-name and --update-profile, as given
	Code    string   // CODE or --token-code, as given
	HasCode bool     // whether a code was given
	Force   bool
	Quiet   bool
}

// NewCmdLogin is `login`: it parses the flags into LoginOptions and runs runF on them (loginRun when
// nil).
func NewCmdLogin(a *app, runF func(*LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{app: a}
	var mfaProfileName, updateProfile []string
	var durationSeconds, tokenCode string
	c := &cobra.Command{
		Use:   "login [CODE]",
		Short: "Get an MFA session and store it in named profiles",
		Long: `login trades the source profile's long-term keys and one MFA code for temporary credentials
(STS GetSessionToken) and writes them into each --target profile of the credentials file, so that
"aws --profile mfa ..." and every SDK use them. A session that is still valid for longer than
--min-remaining is reused without a prompt or any AWS call.

The code comes from the argument ("123 456" is fine), else --token-command or mfa_process (a command,
or a preset: ykman:NAME, op:ITEM, bw:ITEM, pass:PATH), else a prompt on the terminal, or without one a
desktop dialog (zenity, kdialog, osascript, Windows; see --prompt). A code AWS already took is never
sent again: a token command is run again at the next 30-second step.
The MFA device comes from --serial-number, mfa_serial, $AWS_MFA_SERIAL, else IAM (and is then saved).

Each target gets aws_access_key_id, aws_secret_access_key, aws_session_token and three keys the AWS
tools ignore: stsmfa_expiration (RFC 3339 UTC), stsmfa_source and stsmfa_mfa_serial.

--profile may name a role profile (role_arn + source_profile, as the AWS CLI reads them): the role is
assumed with the source's MFA session, so one code serves every role of that source. The role session
is cached by stsmfa and written into the AWS CLI's own cache, so plain "aws --profile ROLE" uses it
without a prompt; --target also stores it in the credentials file. A role that asks for more than 1h
(duration_seconds or --duration) is assumed directly with a code of its own.`,
		Example: `  stsmfa login                          # default -> [mfa], prompts for the code
  stsmfa login 123456 --profile work    # work -> [work-mfa]
  stsmfa login --target mfa-eu --target mfa-us --duration 36h
  stsmfa login --profile prod           # role profile: AssumeRole with the MFA session, no second code
  stsmfa login --profile prod -t prod-session   # also store the role session in [prod-session]
  stsmfa login --update-profile mfa --duration-seconds 3600 --token-code 123456   # aws configure mfa-login's flags`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			// the names of the tools stsmfa replaces: awsmfa's --mfa-profile-name and the AWS CLI's
			// --update-profile for --target, --duration-seconds for --duration, --token-code for CODE
			opts.Targets = append(append(opts.Targets, mfaProfileName...), updateProfile...)
			if c.Flags().Changed("duration-seconds") {
				if c.Flags().Changed("duration") && opts.Session.duration != durationSeconds {
					return fault.UsageErr("--duration and --duration-seconds disagree; give one")
				}
				opts.Session.duration = durationSeconds
			}
			if c.Flags().Changed("token-code") {
				if len(args) == 1 && strings.TrimSpace(args[0]) != strings.TrimSpace(tokenCode) {
					return fault.UsageErr("the code is given twice (CODE and --token-code); give it once")
				}
				args = []string{tokenCode}
			}
			if len(args) == 1 {
				opts.Code, opts.HasCode = args[0], true
			}
			if runF != nil {
				return runF(opts)
			}
			return loginRun(opts)
		},
	}
	opts.Session.register(c)
	f := c.Flags()
	f.StringArrayVarP(&opts.Targets, "target", "t", nil, "profile to store the session in; repeatable (default: mfa for default, else SOURCE-mfa)")
	f.StringArrayVar(&mfaProfileName, "mfa-profile-name", nil, "same as --target (awsmfa's name)")
	f.StringArrayVar(&updateProfile, "update-profile", nil, "same as --target (aws configure mfa-login's name)")
	f.StringVar(&durationSeconds, "duration-seconds", "", "same as --duration (the AWS CLI's name)")
	f.StringVar(&tokenCode, "token-code", "", "the MFA code, same as the CODE argument (the AWS CLI's name)")
	f.BoolVarP(&opts.Force, "force", "f", false, "get a new session even if the stored one is still valid")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing on success")
	return c
}

// loginRun gets the session and stores it in the targets, then says so on stderr.
func loginRun(opts *LoginOptions) error {
	a := opts.app
	req, err := opts.Session.request()
	if err != nil {
		return err
	}
	if opts.HasCode {
		req.Code = session.NormalizeCode(opts.Code) // "123 456", as authenticator apps show it
		if err := session.CheckCode(req.Code, "given on the command line"); err != nil {
			return err
		}
	}
	for _, t := range opts.Targets {
		if strings.Trim(t, ", \t") == "" {
			return fault.UsageErr("--target %q names no profile: give a profile name, or leave the flag out for the default target", t)
		}
	}
	req.Targets = dedupe(opts.Targets)
	req.Force = opts.Force
	req.StoreReused = true
	res, err := a.ensure(req)
	if err != nil {
		return err
	}
	if opts.Quiet {
		return nil
	}
	shown := res.Targets
	if res.Plan.IsRole() {
		shown = append([]string{res.Plan.Profile}, res.Targets...)
	}
	names := a.paint("1", strings.Join(shown, ", "))
	why := ""
	if res.Why != "" {
		why = " (" + res.Why + ")"
	}
	if res.Plan.IsRole() {
		state := "new role session"
		if res.Reused {
			state = "reusing role session,"
		}
		fmt.Fprintf(a.Stderr, "%s: %s %s%s\n", names, state, a.paint("32", a.untilText(res.Session.Expiration)), why)
	} else if res.Reused {
		fmt.Fprintf(a.Stderr, "%s: reusing session, %s; no code needed (--force to refresh)\n", names,
			a.paint("32", a.untilText(res.Session.Expiration)))
	} else {
		fmt.Fprintf(a.Stderr, "%s: new session %s\n", names, a.paint("32", a.untilText(res.Session.Expiration)))
	}
	a.warnEnvOverrides(shown)
	return nil
}

// credentialVars are the variables every AWS SDK reads before any profile.
var credentialVars = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"}

// warnEnvOverrides tells the user when variables in this shell would hide the profiles just written.
func (a *app) warnEnvOverrides(targets []string) {
	var set []string
	for _, v := range credentialVars {
		if os.Getenv(v) != "" {
			set = append(set, v)
		}
	}
	if len(set) > 0 {
		a.warn(fmt.Sprintf("%s set in this shell override profile %s for most AWS tools; clear them with: eval \"$(stsmfa env --unset)\"",
			strings.Join(set, ", "), targets[0]))
	}
}

func dedupe(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}
