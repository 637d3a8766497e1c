package session

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsapi"
	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/testkit"
)

// worldEnv points this process at a test world: its files, cache dir and stand-in endpoints, with
// every AWS_* variable of the machine cleared. Tests using it cannot run in parallel.
func worldEnv(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
		}
	}
	for _, kv := range w.Env() {
		if k, v, _ := strings.Cut(kv, "="); k != "PATH" {
			t.Setenv(k, v)
		}
	}
	return w
}

// codeTerminal answers every prompt with the world's current code, counting prompts.
type codeTerminal struct {
	w       *testkit.World
	mu      sync.Mutex
	prompts int
}

func (c *codeTerminal) Prompt(string) (string, error) {
	c.mu.Lock()
	c.prompts++
	c.mu.Unlock()
	return c.w.Code(), nil
}

func newEnv(w *testkit.World, tty Terminal) *Env {
	return &Env{Now: w.Now, Terminal: tty, Timeout: 10 * time.Second, Editor: &awsfile.Editor{}, Dial: dialAWS}
}

// dialAWS is what the program wires in (cli.DialAWS): the SDK clients of internal/awsapi.
func dialAWS(c Conn) (AWS, error) {
	client, err := awsapi.Dial(awsapi.Config(c))
	if err != nil {
		return nil, err
	}
	return client, nil
}

// One code, one GetSessionToken, the same session in every target — signed with the source's keys
// even when stale AWS_* credentials and AWS_PROFILE sit in the environment.
func TestEnsureTargetsAndStaleEnv(t *testing.T) {
	w := worldEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "ASIASTALESTALESTALE1")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "stale")
	t.Setenv("AWS_SESSION_TOKEN", "stale")
	t.Setenv("AWS_PROFILE", "nonexistent")
	tty := &codeTerminal{w: w}
	res, err := Ensure(context.Background(), newEnv(w, tty), Request{Profile: "default", Targets: []string{"a", "b", "c"}, MinRemaining: DefaultMargin, StoreReused: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reused || tty.prompts != 1 || w.Server.Calls("GetSessionToken") != 1 {
		t.Fatalf("reused %v, prompts %d, GetSessionToken %d; want a new session from one prompt and one call",
			res.Reused, tty.prompts, w.Server.Calls("GetSessionToken"))
	}
	creds, err := awsfile.Load(w.CredPath, awsfile.Credentials)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "b", "c"} {
		if !holds(creds, p, res.Session) {
			t.Errorf("profile %s does not hold the session", p)
		}
	}
	// asked again: reused, no prompt, no call
	res, err = Ensure(context.Background(), newEnv(w, tty), Request{Profile: "default", Targets: []string{"a", "b", "c"}, MinRemaining: DefaultMargin, StoreReused: true})
	if err != nil || !res.Reused || tty.prompts != 1 || w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("second Ensure: err %v reused %v prompts %d calls %d", err, res != nil && res.Reused, tty.prompts, w.Server.Calls("GetSessionToken"))
	}
}

// Concurrent callers with no session: the lock lets one of them prompt and call STS; the others find
// its session under the lock.
func TestEnsureConcurrentOnePrompt(t *testing.T) {
	w := worldEnv(t)
	tty := &codeTerminal{w: w}
	const n = 6
	var wg sync.WaitGroup
	keys := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Ensure(context.Background(), newEnv(w, tty), Request{Profile: "default", MinRemaining: DefaultMargin, StoreReused: true})
			errs[i] = err
			if err == nil {
				keys[i] = res.Session.AccessKeyID
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
		if keys[i] != keys[0] {
			t.Errorf("caller %d got another session (%s vs %s)", i, cred.MaskKey(keys[i]), cred.MaskKey(keys[0]))
		}
	}
	if tty.prompts != 1 || w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("%d callers: %d prompts, %d GetSessionToken calls; want 1 and 1", n, tty.prompts, w.Server.Calls("GetSessionToken"))
	}
}
