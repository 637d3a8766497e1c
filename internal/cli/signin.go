package cli

import (
	"errors"
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
func signedInStatus(creds, conf *awsfile.File, now time.Time, keep func(profile, source string) bool, warn func(kind, format string, args ...any)) []profileStatus {
	var out []profileStatus
	for _, p := range awssignin.List(creds, conf) {
		if !keep(p.Name, "") {
			continue
		}
		ps := profileStatus{Profile: p.Name, Kind: p.KindName(), State: StateMissing, SignIn: p.Command()}
		tok, err := p.ReadToken(os.Getenv)
		switch {
		case errors.Is(err, awssignin.ErrNotSignedIn):
		case err != nil:
			warn(ProblemMalformedFile, "%v; sign in again with: %s", err, p.Command())
		default:
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
