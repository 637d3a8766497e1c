//go:build !windows

package front_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

var (
	pairOnce sync.Once
	pairDir  string
	pairErr  error
	pairOut  []byte
)

// pair builds the front (cmd/stsmfa-front) as DIR/bin/stsmfa, once per test process, with an
// engine beside it that notes each run in $FRONT_TEST_ENGINE_LOG and becomes the full build
// (testdata/engine), keeping the argv[0] the front gave it.
func pair(t *testing.T) (front, engineLog string) {
	t.Helper()
	full := testkit.Binary(t)
	pairOnce.Do(func() {
		if pairDir, pairErr = os.MkdirTemp("", "stsmfa-front-"); pairErr != nil {
			return
		}
		bin := filepath.Join(pairDir, "bin")
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		for _, args := range [][]string{
			append(append([]string{"build"}, testkit.BuildFlags()...), "-o", filepath.Join(bin, "stsmfa"), "./cmd/stsmfa-front"),
			{"build", "-o", filepath.Join(bin, "stsmfa-engine"), "./internal/front/testdata/engine"},
		} {
			cmd := exec.Command(gobin, args...)
			cmd.Dir = testkit.ModuleRoot(t)
			if pairOut, pairErr = cmd.CombinedOutput(); pairErr != nil {
				return
			}
		}
		pairErr = os.Symlink(full, filepath.Join(bin, "stsmfa-engine.full"))
	})
	if pairErr != nil {
		t.Fatalf("building the front: %v\n%s", pairErr, pairOut)
	}
	return filepath.Join(pairDir, "bin", "stsmfa"), filepath.Join(t.TempDir(), "engine.log")
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func run(t *testing.T, w *testkit.World, bin string, extra []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(w.Env(), testkit.CoverEnv()...), extra...)
	cmd.Dir = w.Home
	testkit.Detach(cmd) // no terminal: nobody to ask for a code
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %q: %v", bin, args, err)
	}
	return result{out.String(), errb.String(), code}
}

// check runs args through the front and through the full build and requires the same stdout, stderr
// and exit code; served says whether the front must answer itself (the engine not run) or hand over.
func check(t *testing.T, w *testkit.World, served bool, extra []string, args ...string) result {
	t.Helper()
	front, log := pair(t)
	extra = append(extra[:len(extra):len(extra)], "FRONT_TEST_ENGINE_LOG="+log) // in both: exec's child sees it
	want := run(t, w, testkit.Binary(t), extra, args...)
	os.Remove(log)
	got := run(t, w, front, extra, args...)
	if clockless(got) != clockless(want) {
		t.Errorf("stsmfa %q: the front's answer differs from the full build's\nfront: %s\nfull: %s", args, got, want)
	}
	ran, _ := os.ReadFile(log)
	switch {
	case served && len(ran) > 0:
		t.Errorf("stsmfa %q: the front handed a cached answer to the engine (want it served without the engine)\n%s", args, want)
	case !served && len(ran) == 0:
		t.Errorf("stsmfa %q: the front answered itself (want it handed to the engine)\n%s", args, got)
	}
	return got
}

// clockless masks what depends on the moment a run starts — time left ("11h59m", "59m"), status
// --json's "now" and remaining_seconds — so two runs a second or a minute apart compare equal (under
// -race on a busy CI machine a run takes most of a second).
func clockless(r result) result {
	for _, m := range []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`"now": "[^"]*"`), `"now": "NOW"`},
		{regexp.MustCompile(`"remaining_seconds": [0-9]+`), `"remaining_seconds": N`},
		{regexp.MustCompile(`\b([0-9]+h)?[0-9]+m\b`), "LEFT"},
	} {
		r.stdout = m.re.ReplaceAllString(r.stdout, m.with)
		r.stderr = m.re.ReplaceAllString(r.stderr, m.with)
	}
	return r
}

func login(t *testing.T, w *testkit.World, args ...string) {
	t.Helper()
	r := run(t, w, testkit.Binary(t), nil, append([]string{"login"}, args...)...)
	if r.code != 0 {
		t.Fatalf("login %q: %s", args, r)
	}
}

// The front answers the cached path exactly as the full build does, and hands every other command
// line to the engine untouched.
func TestFrontMatchesFull(t *testing.T) {
	w := testkit.NewWorld(t)
	const role = "arn:aws:iam::" + testkit.Account + ":role/admin"
	w.AddRoleProfile(t, "prod", role, "region = us-west-2\n")

	// before any session: nothing cached, so everything but status is the engine's
	check(t, w, false, nil, "credential-process")
	check(t, w, true, nil, "status", "--check")
	check(t, w, true, nil, "status", "--prompt")
	check(t, w, false, nil, "exec", "--", "/usr/bin/env")

	login(t, w, w.Code())
	login(t, w, "--profile", "prod")

	for _, args := range [][]string{
		{"credential-process"},
		{"credential-process", "--profile", "default"},
		{"credential-process", "-p", "default"},
		{"credential-process", "--profile=default"},
		{"credential-process", "--profile", "prod"},
		{"status", "--check"},
		{"status", "--check", "--min-remaining", "1h"},
		{"status", "--check", "--min-remaining", "13h"}, // exit 1, silent
		{"status", "--check", "--profile", "prod"},
		{"status", "--check", "--profile", "nosuch"},
		{"status", "--prompt"},
		{"status", "--prompt", "-p", "prod"},
		{"status", "--prompt", "--profile", "nosuch"},
		{"exec", "--", "/usr/bin/env"},
		{"exec", "/usr/bin/env"},
		{"exec", "--profile", "prod", "--", "/usr/bin/env"},
		{"exec", "--", "sh", "-c", "exit 42"},
		{"env"},
		{"env", "--profile", "prod"},
		{"env", "--format", "fish"},
		{"env", "--format=powershell"},
		{"env", "--format", "cmd"},
		{"env", "--format", "json"},
		{"env", "--format", "dotenv"},
		{"env", "--format", "process"},
		{"env", "--format", "env-no-export", "-p", "prod"},
		{"env", "--format", "windows-cmd"},
	} {
		check(t, w, true, nil, args...)
	}
	check(t, w, true, nil, "--version")
	check(t, w, true, nil, "-v")
	check(t, w, true, []string{"AWS_PROFILE=prod"}, "credential-process")
	check(t, w, true, []string{"AWS_DEFAULT_PROFILE=prod"}, "status", "--prompt")
	check(t, w, true, []string{"AWS_REGION=ap-south-1", "STSMFA_PROFILE=default"}, "exec", "/usr/bin/env") // inside exec
	check(t, w, true, []string{"STSMFA_PROMPT=terminal"}, "credential-process")
	check(t, w, true, []string{"AWS_REGION=ap-south-1"}, "env") // a region already set wins

	for _, c := range []struct {
		extra []string
		args  []string
	}{
		{nil, []string{"--help"}},
		{nil, []string{"status"}},
		{nil, []string{"status", "--json"}},
		{nil, []string{"login"}}, // reuses, and says so
		{nil, []string{"credential-process", "--profile", "nosuch"}},
		{nil, []string{"credential-process", "--bogus"}},
		{nil, []string{"credential-process", "-pdefault"}},
		{nil, []string{"status", "--check", "--prompt"}},
		{nil, []string{"status", "--check", "--min-remaining", "-1h"}},
		{nil, []string{"exec", "--", "no-such-command-here"}},
		{nil, []string{"exec"}},
		{nil, []string{"env", "--unset"}},
		{nil, []string{"env", "--format", "bogus"}},
		{[]string{"STSMFA_PROMPT=nowhere"}, []string{"env"}},
		{[]string{"STSMFA_PROMPT=bogus"}, []string{"credential-process"}},
		{[]string{"STSMFA_PROFILE=other"}, []string{"exec", "--profile", "default", "--", "/usr/bin/env"}},
		{[]string{"STSMFA_PROFILE=default", "AWS_PROFILE=prod"}, []string{"exec", "/usr/bin/env"}},
	} {
		check(t, w, false, c.extra, c.args...)
	}

	// a group-readable credentials file: the warning is the engine's to give
	if err := os.Chmod(w.CredPath, 0o640); err != nil {
		t.Fatal(err)
	}
	check(t, w, true, nil, "status", "--check") // --check reads only, warns about nothing
	if err := os.Chmod(w.CredPath, 0o600); err != nil {
		t.Fatal(err)
	}

	// the sessions run out: whatever needs a refresh is the engine's (no terminal, no token command:
	// it fails at once with exit 6), status answers from the files
	expire(t, w)
	r := check(t, w, false, nil, "credential-process")
	if r.code != 6 {
		t.Errorf("credential-process on an expired session without a way to get a code: %s", r)
	}
	check(t, w, false, nil, "exec", "--", "/usr/bin/env")
	check(t, w, false, nil, "env")
	check(t, w, true, nil, "status", "--check")
	check(t, w, true, nil, "status", "--prompt")
}

// Without its engine the front still serves the cache, and says how to repair the installation for
// anything else; in the packages' layout (bin/stsmfa, libexec/stsmfa/stsmfa-engine) it finds it.
func TestEngineLayouts(t *testing.T) {
	front, log := pair(t)
	w := testkit.NewWorld(t)
	login(t, w, w.Code())
	b, err := os.ReadFile(front)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(t.TempDir(), "stsmfa")
	if err := os.WriteFile(alone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := run(t, w, alone, nil, "credential-process"); r.code != 0 || !strings.Contains(r.stdout, `"Version":1`) {
		t.Errorf("credential-process without the engine: %s", r)
	}
	if r := run(t, w, alone, nil, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "stsmfa version ") {
		t.Errorf("--version without the engine: %s", r)
	}
	r := run(t, w, alone, nil, "status")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "stsmfa-engine is not installed") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("status without the engine: want one line naming stsmfa-engine, exit 1\n%s", r)
	}

	root := t.TempDir()
	engine, err := os.ReadFile(filepath.Join(filepath.Dir(front), "stsmfa-engine"))
	if err != nil {
		t.Fatal(err)
	}
	libexec := filepath.Join(root, "libexec", "stsmfa")
	for path, data := range map[string][]byte{filepath.Join(root, "bin", "stsmfa"): b, filepath.Join(libexec, "stsmfa-engine"): engine} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(testkit.Binary(t), filepath.Join(libexec, "stsmfa-engine.full")); err != nil {
		t.Fatal(err)
	}
	if r := run(t, w, filepath.Join(root, "bin", "stsmfa"), []string{"FRONT_TEST_ENGINE_LOG=" + log}, "status"); r.code != 0 || !strings.Contains(r.stdout, "valid") {
		t.Errorf("status through libexec/stsmfa/stsmfa-engine: %s", r)
	}
	if ran, _ := os.ReadFile(log); string(ran) != "status\n" {
		t.Errorf("the engine in libexec ran with %q; want \"status\\n\"", ran)
	}

	// run through a symlink elsewhere (as Homebrew links bin/stsmfa into the cask): the engine is the
	// one beside the real file
	os.Remove(log)
	link := filepath.Join(t.TempDir(), "stsmfa")
	if err := os.Symlink(filepath.Join(root, "bin", "stsmfa"), link); err != nil {
		t.Fatal(err)
	}
	if r := run(t, w, link, []string{"FRONT_TEST_ENGINE_LOG=" + log}, "status", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"schema_version": 1`) {
		t.Errorf("status --json through a symlink to the front: %s", r)
	}
	if ran, _ := os.ReadFile(log); string(ran) != "status --json\n" {
		t.Errorf("through a symlink, the engine ran with %q; want \"status --json\\n\"", ran)
	}
}

// The front and the engine answer for each other only at one version: an engine run by a front of
// another version refuses, naming its file; the front serves only once the engine it would hand over
// to has stamped it (after a replaced engine, it hands over again); STSMFA_FRONT=0 hands every run
// over; a front run as the engine (a link or copy in the engine's place) fails at once instead of
// running itself forever.
func TestFrontEngineVersions(t *testing.T) {
	front, log := pair(t)
	w := testkit.NewWorld(t)
	login(t, w, w.Code())
	logLine := []string{"FRONT_TEST_ENGINE_LOG=" + log}
	served := func(extra ...string) bool {
		t.Helper()
		os.Remove(log)
		r := run(t, w, front, append(logLine, extra...), "credential-process")
		if r.code != 0 || !strings.Contains(r.stdout, `"Version":1`) {
			t.Fatalf("credential-process: %s", r)
		}
		ran, _ := os.ReadFile(log)
		return len(ran) == 0
	}
	if served() {
		t.Fatal("served before the engine stamped this version")
	}
	if !served() {
		t.Fatal("handed over after the engine stamped this version")
	}
	if served("STSMFA_FRONT=0") {
		t.Fatal("served with STSMFA_FRONT=0")
	}

	// the engine of another front's version refuses and names itself
	engine := filepath.Join(filepath.Dir(front), "stsmfa-engine")
	r := run(t, w, testkit.Binary(t), []string{"STSMFA_HANDOVER=v0.0.1-other\n1 2 3 4 " + engine}, "credential-process")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "v0.0.1-other") || !strings.Contains(r.stderr, "replace "+engine) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("engine run by a front of another version: want one line naming the engine's file, exit 1\n%s", r)
	}

	// a front in the engine's place: one line at once, no loop
	dir := t.TempDir()
	b, err := os.ReadFile(front)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "stsmfa"), b, 0o755)
	os.Symlink(filepath.Join(dir, "stsmfa"), filepath.Join(dir, "stsmfa-engine"))
	start := time.Now()
	r = run(t, w, filepath.Join(dir, "stsmfa"), nil, "login")
	if r.code != 1 || !strings.Contains(r.stderr, "is the front itself") || time.Since(start) > 20*time.Second {
		t.Errorf("engine linked to the front: %s", r)
	}
	// an engine that is not executable is named as such, not "not installed"
	os.Remove(filepath.Join(dir, "stsmfa-engine"))
	os.WriteFile(filepath.Join(dir, "stsmfa-engine"), b, 0o644)
	r = run(t, w, filepath.Join(dir, "stsmfa"), nil, "login")
	if r.code != 1 || !strings.Contains(r.stderr, "not an executable file") || !strings.Contains(r.stderr, "chmod 755") {
		t.Errorf("engine of mode 0644: %s", r)
	}
}

// --debug on a run the front serves explains the front's steps (and nothing else changes: the same
// answer on stdout); on a run it hands over, the engine's own lines come, not the front's.
func TestFrontDebug(t *testing.T) {
	front, log := pair(t)
	w := testkit.NewWorld(t)
	login(t, w, w.Code())
	extra := []string{"FRONT_TEST_ENGINE_LOG=" + log}
	run(t, w, front, extra, "status") // the engine stamps the pair
	os.Remove(log)
	plain := run(t, w, front, extra, "credential-process")
	r := run(t, w, front, extra, "--debug", "credential-process")
	if ran, _ := os.ReadFile(log); len(ran) > 0 {
		t.Fatalf("--debug credential-process was handed over: %s", ran)
	}
	if r.code != 0 || r.stdout != plain.stdout || !strings.Contains(r.stderr, "stsmfa: debug: front: served from the cache") {
		t.Errorf("--debug credential-process through the front: %s", r)
	}
	m := regexp.MustCompile(`"SecretAccessKey":"([^"]+)"`).FindStringSubmatch(plain.stdout)
	if m == nil || strings.Contains(r.stderr, m[1]) || strings.Contains(r.stderr, w.User.SecretAccessKey) {
		t.Errorf("--debug printed a secret key (or credential-process printed none): %s", r)
	}
	r = run(t, w, front, extra, "status", "--check", "--debug")
	if r.code != 0 || !strings.Contains(r.stderr, "stsmfa: debug: front: profile default") {
		t.Errorf("status --check --debug through the front: %s", r)
	}
	os.Remove(log)
	r = run(t, w, front, extra, "--debug", "credential-process", "--profile", "nosuch")
	if ran, _ := os.ReadFile(log); len(ran) == 0 || strings.Contains(r.stderr, "debug: front:") {
		t.Errorf("a run the front cannot serve: handed over with the front's lines dropped? %s", r)
	}
}

// The front links none of what it exists to avoid.
func TestFrontDependencies(t *testing.T) {
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-deps", "./cmd/stsmfa-front")
	cmd.Dir = testkit.ModuleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list printed %d packages", len(deps))
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/aws/", "net/http", "crypto/tls", "github.com/spf13/cobra", "github.com/stsmfa/stsmfa/internal/cli"} {
			if d == banned || strings.HasPrefix(d, banned) {
				t.Errorf("the front links %s", d)
			}
		}
	}
}

// expire makes every stored session look expired: the MFA session's stsmfa_expiration an hour ago,
// and the role cache gone.
func expire(t *testing.T, w *testkit.World) {
	t.Helper()
	b, err := os.ReadFile(w.CredPath)
	if err != nil {
		t.Fatal(err)
	}
	past := "stsmfa_expiration = " + time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	w.Write(t, w.CredPath, regexp.MustCompile(`stsmfa_expiration = \S+`).ReplaceAllString(string(b), past))
	if err := os.RemoveAll(filepath.Join(w.Home, ".cache", "stsmfa", "roles")); err != nil {
		t.Fatal(err)
	}
}

// As installed: setup-credential-process, run through the front (handed to the engine), names the
// front in credential_process, and the AWS CLI gets the session from it — served by the front alone.
func TestAWSCLIThroughFront(t *testing.T) {
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	front, log := pair(t)
	w := testkit.NewWorld(t)
	login(t, w, w.Code())
	env := []string{"FRONT_TEST_ENGINE_LOG=" + log}
	if r := run(t, w, front, env, "setup-credential-process", "work", "--profile", "default"); r.code != 0 {
		t.Fatalf("setup-credential-process through the front: %s", r)
	}
	conf, err := os.ReadFile(w.ConfPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := "credential_process = " + front + " credential-process --profile default"; !strings.Contains(string(conf), want) {
		t.Fatalf("the config file does not have %q:\n%s", want, conf)
	}
	os.Remove(log)
	r := run(t, w, aws, env, "configure", "export-credentials", "--profile", "work", "--format", "process")
	if r.code != 0 {
		t.Fatalf("aws configure export-credentials: %s", r)
	}
	b, err := os.ReadFile(w.CredPath)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`(?m)^\[mfa\]\naws_access_key_id = (\S+)`).FindStringSubmatch(string(b))
	if key == nil || !strings.Contains(r.stdout, `"AccessKeyId": "`+key[1]+`"`) {
		t.Errorf("the AWS CLI did not get the [mfa] session through the front:\n%s\ncredentials:\n%s", r, b)
	}
	if ran, _ := os.ReadFile(log); len(ran) > 0 {
		t.Errorf("the AWS CLI's credential_process call went to the engine: %q", ran)
	}
}

// Many processes at once with nothing cached, through the front (as the AWS SDKs call
// credential_process in parallel): the fronts that find no session hand over, and the engines share
// one code and one GetSessionToken under the source's lock, as the full program alone does.
func TestConcurrentThroughFront(t *testing.T) {
	front, log := pair(t)
	w := testkit.NewWorld(t)
	dir := t.TempDir()
	codeFile, runs := filepath.Join(dir, "code"), filepath.Join(dir, "runs")
	script := filepath.Join(dir, "code.sh")
	w.Write(t, script, fmt.Sprintf("#!/bin/sh\necho run >>%q\ncat %q\n", runs, codeFile))
	if err := os.Chmod(script, 0o700); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(w.ConfPath)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(t, w.ConfPath, strings.Replace(string(conf), "[default]\n", "[default]\nmfa_process = "+script+"\n", 1))
	w.Write(t, codeFile, w.Code()+"\n")

	const n = 8
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = run(t, w, front, []string{"FRONT_TEST_ENGINE_LOG=" + log}, "credential-process")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 || r.stdout != results[0].stdout || !strings.Contains(r.stdout, `"SessionToken"`) {
			t.Errorf("process %d: %s\nprocess 0: %s", i, r, results[0])
		}
	}
	ran, _ := os.ReadFile(runs)
	handed, _ := os.ReadFile(log)
	if got := w.Server.Calls("GetSessionToken"); got != 1 || strings.Count(string(ran), "run") != 1 {
		t.Errorf("%d processes: %d GetSessionToken calls, the token command ran %d times; want 1 and 1", n, got, strings.Count(string(ran), "run"))
	}
	// a front that starts after the refresh is stored serves the new session itself
	if h := strings.Count(string(handed), "credential-process"); h < 1 || h > n {
		t.Errorf("the engine ran %d times; want 1 to %d", h, n)
	}
}
