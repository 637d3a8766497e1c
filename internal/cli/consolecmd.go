package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/federation"
	"github.com/stsmfa/stsmfa/internal/session"
)

// consoleOptions are the console command's flags.
type consoleOptions struct {
	sf          sessionFlags
	print       bool
	destination string
	region      string
}

func (a *app) consoleCmd() *cobra.Command {
	o := &consoleOptions{}
	c := &cobra.Command{
		Use:   "console",
		Short: "Open the AWS console as a role profile's MFA session",
		Long: `console opens the AWS console in the browser, signed in as the role of --profile, through AWS's
federation endpoint. AWS signs in only a role session assumed with the IAM user's long-term keys
(not an MFA session from GetSessionToken, not a role reached through another role), so the role is
assumed directly with the keys and one MFA code; a role session stsmfa cached that was assumed that
way is reused without a code, and the new one is cached for env, exec and credential-process too.

The sign-in URL is a secret (it signs anyone in for 15 minutes): it is printed on stdout only with
--print or when there is no display, and otherwise handed to the browser in a private file (0600)
that is deleted once the browser has read it; it never appears in a command line or a log.

For a plain IAM-user profile (keys, no role) no MFA console session can be made from the keys:
console says why and prints the account's own sign-in page instead.`,
		Example: `  stsmfa console --profile prod
  stsmfa console --profile prod --destination s3 --region eu-west-1
  stsmfa console --profile prod --print`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return a.consoleRun(c, o) },
	}
	o.sf.register(c)
	f := c.Flags()
	f.BoolVar(&o.print, "print", false, "print the sign-in URL on stdout instead of opening a browser (it is a secret)")
	f.StringVar(&o.destination, "destination", "", "console page to open: an https URL, or a service such as s3, ec2, iam (default: the console home)")
	f.StringVar(&o.region, "region", "", "the console's region (default: the profile's region)")
	return c
}

func (a *app) consoleRun(c *cobra.Command, o *consoleOptions) error {
	req, err := o.sf.request()
	if err != nil {
		return err
	}
	req.Console = true
	// a role session with less than the shortest console session left is not worth signing in with
	if !c.Flags().Changed("min-remaining") && req.MinRemaining < federation.MinSession {
		req.MinRemaining = federation.MinSession
	}
	if o.destination != "" {
		if _, err := federation.Destination(federation.PartitionOf("", ""), o.destination, ""); err != nil {
			return fault.UsageErr("--destination %v", err)
		}
	}
	plan, err := session.PlanFor(req)
	if err != nil {
		return err
	}
	if !plan.IsRole() {
		return a.plainConsole(req)
	}
	res, err := a.ensure(req)
	if err != nil {
		return err
	}
	region := o.region
	if region == "" {
		region = res.Region
	}
	part := federation.PartitionOf(res.Plan.Last().RoleARN, region)
	dest, err := federation.Destination(part, o.destination, region)
	if err != nil {
		return fault.UsageErr("--destination %v", err)
	}
	// the console session lasts as long as the role session has left (15m–12h); the role was assumed
	// with the long-term keys, the only case in which AWS takes SessionDuration
	left := res.Session.Expiration.Sub(a.Now()).Truncate(time.Second)
	dur := min(max(left, federation.MinSession), federation.MaxSession)
	endpoint := federation.Endpoint(part, os.Getenv)
	a.debugf("federation endpoint %s; console session %s; destination %s", endpoint, dur, dest)
	client := &federation.Client{Endpoint: endpoint, Timeout: a.timeout}
	token, err := client.SigninToken(a.ctx, res.Session, dur)
	if err != nil {
		return err
	}
	signin := federation.LoginURL(endpoint, token, dest)
	who := fmt.Sprintf("role profile %s", res.Plan.Profile)
	if o.print || !hasDisplay(os.Getenv) {
		why := ""
		if !o.print {
			why = " (no display to open a browser on)"
		}
		fmt.Fprintln(a.Stdout, signin)
		fmt.Fprintf(a.Stderr, "stsmfa: console sign-in URL for %s%s: a secret, good for one sign-in within 15 minutes; console session %s\n", who, why, cred.Human(dur))
		return nil
	}
	if err := openSecretURL(a.ctx, signin, os.Getenv, a.debugf); err != nil {
		return err
	}
	fmt.Fprintf(a.Stderr, "stsmfa: opened the AWS console as %s (console session %s)\n", who, cred.Human(dur))
	return nil
}

// plainConsole is console for a plain IAM-user profile: AWS makes no console session with MFA from
// keys, so it says why and prints the account's own sign-in page, where the user signs in with
// password and MFA.
func (a *app) plainConsole(req session.Request) error {
	env := &session.Env{Now: a.Now, Debugf: a.debugf, Warn: a.warn, Timeout: a.timeout, Editor: a.editor(), Dial: DialAWS}
	p, err := session.PlainAccount(a.ctx, env, req)
	if err != nil {
		return err
	}
	arn := ""
	if p.Partition != "" {
		arn = "arn:" + p.Partition + ":"
	}
	part := federation.PartitionOf(arn, p.Region)
	fmt.Fprintf(a.Stderr, "stsmfa: profile %s holds an IAM user's keys, not a role: AWS signs keys in to the console only without MFA (GetFederationToken), which a policy requiring MFA denies everything; sign in with the user's password and MFA on the account's page:\n", p.Plan.Source)
	fmt.Fprintln(a.Stdout, federation.SignInPage(part, p.Account))
	return nil
}
