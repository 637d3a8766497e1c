package cli

import (
	"os"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/awssignin"
	"github.com/stsmfa/stsmfa/internal/cred"
)

// signedInStatus lists the profiles the AWS CLI signs in itself (aws login, IAM Identity Center) with
// the expiry its own token cache records. stsmfa reads those files and never refreshes them; the
// state is that of the cached credentials (aws login) or access token (IAM Identity Center), which the
// AWS CLI and SDKs renew by themselves while a refresh token lasts.
// A cache file that cannot be read or parsed counts as no sign-in (state missing): the AWS CLI signs
// in again over it.
func signedInStatus(creds, conf *awsfile.File, now time.Time, keep func(profile, source string) bool) []profileStatus {
	var out []profileStatus
	for _, p := range awssignin.List(creds, conf) {
		if !keep(p.Name, "") {
			continue
		}
		ps := profileStatus{Profile: p.Name, Kind: p.KindName(), State: StateMissing, SignIn: p.Command()}
		if tok, err := p.ReadToken(os.Getenv); err == nil {
			ps.State = state(cred.Session{SessionToken: "-", Expiration: tok.Expires}, now)
			ps.setExpiry(cred.Session{Expiration: tok.Expires}, now)
		}
		out = append(out, ps)
	}
	return out
}

// signedInByCLI reports whether the AWS CLI signs profile name in itself.
func signedInByCLI(creds, conf *awsfile.File, name string) bool {
	_, ok := awssignin.Of(creds, conf, name)
	return ok
}
