package session

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/awssignin"
	"github.com/stsmfa/stsmfa/internal/cmdline"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// Keys of a role profile, exactly those the AWS CLI reads (AWS-NOTES.md, "Roles with MFA").
const (
	KeyRoleARN         = "role_arn"
	KeySourceProfile   = "source_profile"
	KeyExternalID      = "external_id"
	KeyRoleSessionName = "role_session_name"
	KeyDurationSeconds = "duration_seconds"
	KeyCredentialProc  = "credential_process"
)

// Plan is what a profile name stands for: the source profile holding long-term keys and the roles
// assumed from it, first to last. A plan with no roles is a plain MFA session of the source.
type Plan struct {
	Asked   string // the name the user gave
	Profile string // the profile it stands for: the source, or the last role's profile
	Via     string // how Asked led to Profile ("" when they are the same)
	Implied string // a profile stsmfa wrote that Asked named: the session is refreshed in place there
	Source  string
	Roles   []cred.Hop
}

// IsRole reports whether the plan ends in an assumed role.
func (p *Plan) IsRole() bool { return len(p.Roles) > 0 }

// Last is the role the plan ends in (only when IsRole).
func (p *Plan) Last() cred.Hop { return p.Roles[len(p.Roles)-1] }

// profileValue reads a key of a profile the way botocore merges the two files: the credentials
// file's section wins over the config file's.
func profileValue(creds, conf *awsfile.File, profile, key string) (string, bool) {
	if v, ok := creds.Get(profile, key); ok {
		return strings.TrimSpace(v), true
	}
	v, ok := conf.Get(profile, key)
	return strings.TrimSpace(v), ok
}

// resolveName follows the two ways a name can stand for another profile: a profile stsmfa wrote
// (stsmfa_source, or stsmfa_role_profile for a role session) and a config profile whose
// credential_process runs stsmfa for another profile.
func resolveName(creds, conf *awsfile.File, name string) (profile, implied, via string) {
	profile = name
	for i := 0; i < 3; i++ {
		if rp, _ := creds.Get(profile, KeyRoleProfile); rp != "" && rp != profile {
			if implied == "" {
				implied = profile
			}
			via = fmt.Sprintf("%s in %s", KeyRoleProfile, creds.Path())
			profile = rp
			continue
		}
		if src, _ := creds.Get(profile, KeySource); src != "" && src != profile {
			if implied == "" {
				implied = profile
			}
			via = fmt.Sprintf("%s in %s", KeySource, creds.Path())
			profile = src
			continue
		}
		if cp, _ := conf.Get(profile, KeyCredentialProc); cp != "" {
			if p, ok := cmdline.ProcessProfile(cp); ok && p != profile {
				via = fmt.Sprintf("the stsmfa credential_process of profile %s in %s", profile, conf.Path())
				profile = p
				continue
			}
		}
		break
	}
	if profile == name && !creds.HasProfile(name) && !conf.HasProfile(name) {
		// AWS_PROFILE=mfa before the first login: the default target of a source stands for it. At
		// most one source has name as its DefaultTarget: look that one up rather than every profile.
		src, ok := "default", name == "mfa"
		if s, cut := strings.CutSuffix(name, "-mfa"); cut && s != "default" {
			src, ok = s, true
		}
		k, _ := creds.Get(src, "aws_access_key_id")
		if b, _ := conf.Get(src, KeyBackend); k == "" {
			k = b // keys moved to a key store (stsmfa keys import)
		}
		if ok && k != "" && DefaultTarget(src) == name {
			return src, name, fmt.Sprintf("where stsmfa stores the MFA session of profile %s", src)
		}
	}
	return profile, implied, via
}

// ResolvePlan works out what name stands for: the source user and the chain of roles, as the AWS CLI
// resolves role_arn / source_profile, refusing what stsmfa cannot serve.
func ResolvePlan(creds, conf *awsfile.File, name string, warn func(string)) (*Plan, error) {
	p := &Plan{Asked: name}
	p.Profile, p.Implied, p.Via = resolveName(creds, conf, name)
	var rev []cred.Hop
	seen := map[string]bool{}
	var path []string
	cur := p.Profile
	for {
		path = append(path, cur)
		if seen[cur] {
			return nil, fault.FilesErr("profiles %s form a loop through %s; point the last one at a profile with long-term keys", strings.Join(path, " → "), KeySourceProfile)
		}
		seen[cur] = true
		arn, isRole := profileValue(creds, conf, cur, KeyRoleARN)
		if !isRole || arn == "" {
			if len(rev) > 0 && !creds.HasProfile(cur) && !conf.HasProfile(cur) {
				prev := rev[len(rev)-1].Profile
				return nil, fault.FilesErr("profile %q names %s = %s (line %d of %s), which does not exist; add it with: aws configure --profile %s",
					prev, KeySourceProfile, cur, conf.Line(prev, KeySourceProfile), conf.Path(), cur)
			}
			if err := signedInElsewhere(creds, conf, cur, rev); err != nil {
				return nil, err
			}
			p.Source = cur
			break
		}
		for _, k := range []string{"credential_source", "web_identity_token_file"} {
			if _, ok := profileValue(creds, conf, cur, k); ok {
				return nil, fault.FilesErr("role profile %q gets its source credentials from %s, which stsmfa does not serve (it needs %s naming a profile with an IAM user's long-term keys)", cur, k, KeySourceProfile)
			}
		}
		h := cred.Hop{Profile: cur, RoleARN: arn}
		h.ExternalID, _ = profileValue(creds, conf, cur, KeyExternalID)
		h.SessionName, _ = profileValue(creds, conf, cur, KeyRoleSessionName)
		h.Serial, _ = profileValue(creds, conf, cur, KeyMFASerial)
		if v, ok := profileValue(creds, conf, cur, KeyDurationSeconds); ok && v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				// botocore parses it with int() and drops what does not parse; stsmfa does the same, and says so
				if warn != nil {
					warn(fmt.Sprintf("%s = %s in profile %s is not a whole number of seconds; ignored, as the AWS CLI ignores it", KeyDurationSeconds, v, cur))
				}
			} else {
				h.Duration = time.Duration(n) * time.Second
			}
		}
		if h.SessionName != "" && !validSessionName(h.SessionName) {
			return nil, fault.FilesErr("%s = %s in profile %s must be 2–64 characters of letters, digits and + = , . @ - _", KeyRoleSessionName, h.SessionName, cur)
		}
		rev = append(rev, h)
		sp, _ := profileValue(creds, conf, cur, KeySourceProfile)
		if sp == "" {
			return nil, fault.FilesErr("role profile %q has %s but no %s; add %s = PROFILE (a profile with the IAM user's long-term keys)", cur, KeyRoleARN, KeySourceProfile, KeySourceProfile)
		}
		if sp == cur {
			// the AWS CLI allows a role profile to be its own source only when it holds static keys
			if k, _ := creds.Get(cur, "aws_access_key_id"); k == "" {
				return nil, fault.FilesErr("role profile %q names itself as %s but holds no long-term keys; point %s at a profile with keys", cur, KeySourceProfile, KeySourceProfile)
			}
			p.Source = cur
			break
		}
		cur = sp
	}
	for i := len(rev) - 1; i >= 0; i-- {
		p.Roles = append(p.Roles, rev[i])
	}
	return p, nil
}

// ErrSignedInElsewhere is the cause of refusing a profile that the AWS CLI signs in itself.
var ErrSignedInElsewhere = errors.New("signed in by the AWS CLI")

// signedInElsewhere refuses a source that `aws login` or IAM Identity Center signs in: stsmfa neither
// makes nor refreshes those sessions, so it points at the command that does, with the exit code of a
// missing session (as status --check), before anything is read, asked or written.
func signedInElsewhere(creds, conf *awsfile.File, name string, roles []cred.Hop) error {
	sp, ok := awssignin.Of(creds, conf, name)
	if !ok {
		return nil
	}
	if len(roles) == 0 {
		return fault.New(fault.NotValid, fault.FieldNone, ErrSignedInElsewhere,
			"profile %s signs in with %s (%s), not with an MFA code; stsmfa does not make its sessions: run %s, then use the profile directly", name, sp.What(), sp.Key, sp.Command())
	}
	role := roles[len(roles)-1].Profile
	return fault.New(fault.NotValid, fault.FieldNone, ErrSignedInElsewhere,
		"role profile %s takes its source credentials from profile %s, which signs in with %s (%s); stsmfa does not serve it: run %s, then use profile %s with the AWS CLI or an SDK directly", role, name, sp.What(), sp.Key, sp.Command(), role)
}

func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}
