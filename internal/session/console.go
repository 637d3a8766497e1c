package session

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// consoleChainErr: AWS signs no role session of a chain in to the console (the last role is assumed
// with the previous role's session), so no code is spent on one.
func consoleChainErr(p *Plan) error {
	var names []string
	for _, h := range p.Roles {
		names = append(names, h.Profile)
	}
	return fault.RefusedErr("role profile %s is reached through another role (%s → %s): AWS signs no role session made by role chaining in to the console; point its %s at a profile with the IAM user's long-term keys, or open the console for %s",
		p.Profile, p.Source, strings.Join(names, " → "), KeySourceProfile, p.Roles[0].Profile)
}

// Plain is what the console of a plain source profile (an IAM user's keys, no role) needs: the plan,
// and the account and partition of its user for the account's sign-in page.
type Plain struct {
	Plan      *Plan
	Account   string
	Partition string // from an ARN: aws, aws-cn, aws-us-gov; "" when only GetCallerIdentity's ARN could tell
	Region    string
	Arn       string // the user's ARN when GetCallerIdentity was called
}

// PlanFor resolves what req.Profile stands for, reading the two files and nothing else.
func PlanFor(req Request) (*Plan, error) {
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return nil, fault.FilesCause(err)
	}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return nil, fault.FilesCause(err)
	}
	creds, err := awsfile.Load(credPath, awsfile.Credentials)
	if err != nil {
		return nil, fault.FilesCause(err)
	}
	conf, err := awsfile.Load(confPath, awsfile.Config)
	if err != nil {
		return nil, fault.FilesCause(err)
	}
	return ResolvePlan(creds, conf, req.Profile, nil)
}

// PlainAccount finds the account of a plain source profile without a code: from its MFA device's ARN
// (mfa_serial, the request's, or the one a cached session of the source was made with), else from
// GetCallerIdentity signed with the long-term keys.
func PlainAccount(ctx context.Context, env *Env, req Request) (*Plain, error) {
	r := &run{env: env, req: req}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	var err error
	if r.credPath, err = awsfile.CredentialsPath(); err != nil {
		return nil, fault.FilesCause(err)
	}
	if r.confPath, err = awsfile.ConfigPath(); err != nil {
		return nil, fault.FilesCause(err)
	}
	if err := r.load(); err != nil {
		return nil, err
	}
	out := &Plain{Plan: r.plan, Region: r.src.Region}
	serial := r.src.Serial
	if serial == "" {
		if s, ok := Latest(r.creds, r.plan.Source, ""); ok {
			serial = s.Serial
		}
	}
	if acct, part, ok := arnAccount(serial); ok {
		r.env.debugf("account %s from the MFA device's ARN", acct)
		out.Account, out.Partition = acct, part
		return out, nil
	}
	if err := r.keys(); err != nil {
		return nil, err
	}
	clients, err := r.dial(nil)
	if err != nil {
		return nil, err
	}
	r.env.debugf("calling GetCallerIdentity for the account of profile %s", r.plan.Source)
	id, err := clients.CallerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	out.Account, out.Arn = id.Account, id.Arn
	if _, part, ok := arnAccount(id.Arn); ok {
		out.Partition = part
	}
	return out, nil
}

// arnAccount is the account and partition of arn:PARTITION:SERVICE::ACCOUNT:…
func arnAccount(arn string) (account, partition string, ok bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 || f[0] != "arn" || len(f[4]) != 12 {
		return "", "", false
	}
	for _, c := range f[4] {
		if c < '0' || c > '9' {
			return "", "", false
		}
	}
	return f[4], f[1], true
}
