package session

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// ReuseOnly (the front build's request) answers from the cache or says ErrRefreshNeeded having asked
// for nothing, called nothing, locked nothing and written nothing — for MFA and role profiles alike.
func TestReuseOnly(t *testing.T) {
	w := worldEnv(t)
	const role = "arn:aws:iam::" + testkit.Account + ":role/admin"
	w.AddRoleProfile(t, "prod", role, "")
	snapshot := func() string {
		var all []byte
		for _, p := range []string{w.CredPath, w.ConfPath} {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		entries, _ := os.ReadDir(filepath.Join(w.Home, ".cache", "stsmfa"))
		for _, e := range entries {
			all = append(all, e.Name()...)
		}
		return string(all)
	}
	tty := &codeTerminal{w: w}
	reuseOnly := func(profile string) (*Result, error) {
		env := newEnv(w, tty)
		env.OpenPrompt = func(PromptSpec) (Terminal, error) {
			t.Errorf("ReuseOnly opened a prompt for %s", profile)
			return tty, nil
		}
		return Ensure(context.Background(), env, Request{Profile: profile, MinRemaining: DefaultMargin, ReuseOnly: true})
	}

	for _, p := range []string{"default", "mfa", "prod"} {
		before := snapshot()
		res, err := reuseOnly(p)
		if !errors.Is(err, ErrRefreshNeeded) || res != nil {
			t.Errorf("%s with nothing cached: %v, %v; want ErrRefreshNeeded", p, res, err)
		}
		if snapshot() != before {
			t.Errorf("%s with nothing cached: ReuseOnly changed the files or the cache", p)
		}
	}
	if n := w.Server.Calls("GetSessionToken") + w.Server.Calls("AssumeRole"); n != 0 || tty.prompts != 0 {
		t.Fatalf("ReuseOnly made %d calls and %d prompts", n, tty.prompts)
	}

	// a session and a role session cached: served as they are
	for _, p := range []string{"default", "prod"} {
		if _, err := Ensure(context.Background(), newEnv(w, tty), Request{Profile: p, MinRemaining: DefaultMargin}); err != nil {
			t.Fatal(err)
		}
	}
	calls := w.Server.Calls("GetSessionToken") + w.Server.Calls("AssumeRole")
	before := snapshot()
	for _, p := range []string{"default", "mfa", "prod"} {
		res, err := reuseOnly(p)
		if err != nil || !res.Reused || res.Session.SessionToken == "" {
			t.Errorf("%s cached: %+v, %v; want the cached session", p, res, err)
		}
	}
	if snapshot() != before || w.Server.Calls("GetSessionToken")+w.Server.Calls("AssumeRole") != calls {
		t.Error("ReuseOnly on a cached session wrote or called something")
	}
}
