package session

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// farAWS answers GetSessionToken with credentials that expire at exp (through session.AWS: what a
// proxy, or a stand-in that is not AWS, could send).
type farAWS struct{ exp time.Time }

func (a farAWS) CallerIdentity(context.Context) (cred.Identity, error) { return cred.Identity{}, nil }
func (a farAWS) ListMFADevices(context.Context) ([]string, error)      { return nil, nil }
func (a farAWS) Endpoint(context.Context) string                       { return "https://stub" }
func (a farAWS) GetSessionToken(_ context.Context, serial, _ string, _ time.Duration) (cred.Session, error) {
	return cred.Session{AccessKeyID: "ASIAFARFARFARFARFAR1", SecretAccessKey: "s", SessionToken: "t", Expiration: a.exp, Serial: serial}, nil
}
func (a farAWS) AssumeRole(context.Context, cred.Hop, string, time.Duration, bool, string, string) (cred.Session, error) {
	return cred.Session{}, errors.New("not used")
}

// An answer that claims to last longer than any AWS session (expiring in 9999) is refused: exit 5,
// the code may be spent, nothing stored. Before, it was stored and later shown valid.
func TestAnswerTooLongLived(t *testing.T) {
	w := worldEnv(t)
	before, _ := os.ReadFile(w.CredPath)
	for _, exp := range []time.Time{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), w.Now().Add(37 * time.Hour)} {
		env := newEnv(w, &codeTerminal{w: w})
		env.Dial = func(Conn) (AWS, error) { return farAWS{exp}, nil }
		w.Advance(30 * time.Second)
		_, err := Ensure(context.Background(), env, Request{Profile: "default", Force: true})
		if fault.Code(err) != fault.Network || !errors.Is(err, fault.ErrCodeMaybeSpent) || !strings.Contains(err.Error(), "later than AWS lets any such session last") {
			t.Errorf("expiring %s: got %v (exit %d), want exit 5, code maybe spent", exp, err, fault.Code(err))
		}
		if after, _ := os.ReadFile(w.CredPath); string(after) != string(before) {
			t.Errorf("expiring %s: the credentials file changed", exp)
		}
	}
}
