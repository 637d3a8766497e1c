//go:build !windows

package e2e

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
	"github.com/stsmfa/stsmfa/internal/totp"
)

// TestSendOnceUnderLoad: 200 logins, each a separate stsmfa process with its own user, device and
// code, while two busy loops load both cores (the condition under which the SDK used to see a
// complete 200 answer as a failed request and re-send the code). The stand-in counts every code it
// receives per device: every code must arrive exactly once, and every login must succeed.
func TestSendOnceUnderLoad(t *testing.T) {
	ci.SkipShort(t, "200 logins under load")
	const logins = 200
	w := newWorld(t)
	var creds, conf strings.Builder
	type user struct{ profile, serial, seed string }
	users := make([]user, logins)
	for i := range users {
		u := fakeaws.User{Account: testkit.Account, Name: fmt.Sprintf("load%03d", i),
			MFA: []fakeaws.Device{{Serial: fmt.Sprintf("arn:aws:iam::%s:mfa/load%03d", testkit.Account, i), Seed: totp.NewSecret()}}}
		w.Server.AddUser(u)
		users[i] = user{profile: u.Name, serial: u.MFA[0].Serial, seed: u.MFA[0].Seed}
	}
	for _, got := range w.Server.Users() {
		if strings.HasPrefix(got.Name, "load") {
			fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", got.Name, got.AccessKeyID, got.SecretAccessKey)
			w.extraSecrets = append(w.extraSecrets, got.SecretAccessKey)
		}
	}
	for _, u := range users {
		fmt.Fprintf(&conf, "[profile %s]\nregion = eu-west-1\nmfa_serial = %s\n", u.profile, u.serial)
	}
	w.Write(t, w.CredPath, creds.String())
	w.Write(t, w.ConfPath, conf.String())

	ctx, stop := context.WithCancel(context.Background())
	var busy sync.WaitGroup
	for i := 0; i < 2; i++ {
		busy.Add(1)
		go func() {
			defer busy.Done()
			runtime.LockOSThread()
			for n := 0; ctx.Err() == nil; n++ {
			}
		}()
	}
	defer func() { stop(); busy.Wait() }()

	failed := 0
	for _, u := range users {
		code, err := totp.Code(u.seed, w.Now())
		if err != nil {
			t.Fatal(err)
		}
		p := w.stsmfa("login", "--profile", u.profile, "--timeout", "20s", code)
		if rc := p.run(t); rc != 0 {
			failed++
			t.Errorf("login %s exited %d: %s", u.profile, rc, p.stderr.String())
		}
		w.noSecrets("stderr", p.stderr.String())
		if failed > 5 {
			t.Fatal("too many failures")
		}
	}
	stop()
	busy.Wait()
	resent := 0
	for _, u := range users {
		total, repeated := w.Server.CodesSent(u.serial)
		if total != 1 || repeated != 0 {
			t.Errorf("%s: the stand-in received %d codes (%d repeated), want exactly 1", u.profile, total, repeated)
		}
		resent += repeated
	}
	if got := w.Server.Calls("GetSessionToken"); got != logins {
		t.Errorf("GetSessionToken answered %d times for %d logins", got, logins)
	}
	t.Logf("%d logins under load: %d failed, %d codes re-sent", logins, failed, resent)
}
