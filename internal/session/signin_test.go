package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// Profiles the AWS CLI signs in itself are refused with the command that signs them in, as sources and
// as the source of a role; nothing else about them is read.
func TestSignedInElsewhereRefused(t *testing.T) {
	creds, _ := awsfile.Parse("credentials", awsfile.Credentials, []byte("[keys]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n"))
	conf, _ := awsfile.Parse("config", awsfile.Config, []byte(`[profile web]
login_session = arn:aws:iam::123456789012:user/alice
[profile sso]
sso_session = corp
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
[profile legacy]
sso_start_url = https://old.awsapps.com/start
[profile web-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = web
[profile sso-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = sso-admin-mid
[profile sso-admin-mid]
role_arn = arn:aws:iam::123456789012:role/mid
source_profile = sso
[profile keys-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = keys
`))
	for name, want := range map[string]string{
		"web":       "run aws login --profile web",
		"sso":       "run aws sso login --profile sso",
		"legacy":    "run aws sso login --profile legacy",
		"web-admin": "role profile web-admin takes its source credentials from profile web, which signs in with aws login (login_session); stsmfa does not serve it: run aws login --profile web",
		"sso-admin": "role profile sso-admin-mid takes its source credentials from profile sso, which signs in with IAM Identity Center (sso_session)",
	} {
		_, err := ResolvePlan(creds, conf, name, nil)
		if err == nil || !strings.Contains(err.Error(), want) || fault.Code(err) != fault.NotValid || !errors.Is(err, ErrSignedInElsewhere) {
			t.Errorf("%s: %v (exit %d), want %q, exit %d", name, err, fault.Code(err), want, fault.NotValid)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: not one line: %q", name, err)
		}
	}
	if p, err := ResolvePlan(creds, conf, "keys-admin", nil); err != nil || p.Source != "keys" {
		t.Errorf("a role of a source with keys: %+v, %v", p, err)
	}
	// a target that is such a profile would shadow it
	if err := checkTarget(creds, conf, "web", "keys"); err == nil || !strings.Contains(err.Error(), "login_session") {
		t.Errorf("target web: %v", err)
	}
}
