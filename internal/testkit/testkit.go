// Package testkit is shared by stsmfa's end-to-end tests: it builds the real binary once, starts the
// stand-in STS/IAM, and makes a throwaway HOME whose ~/.aws holds a sample IAM user. Nothing here can
// reach real AWS: every endpoint is the stand-in on 127.0.0.1.
package testkit

import (
	"errors"
	"flag"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/totp"
)

// Sample IAM user written into every World.
const (
	Account = "123456789012"
	User    = "alice"
	Serial  = "arn:aws:iam::123456789012:mfa/alice-phone"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// Binary builds ./cmd/stsmfa once per test process and returns the path of the executable. It is
// built the way this test binary was (BuildFlags), so the race detector and coverage see the
// processes the tests start too.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stsmfa-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "stsmfa")
		args := append(append([]string{"build"}, BuildFlags()...), "-o", binPath, "./cmd/stsmfa")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), args...)
		cmd.Dir = ModuleRoot(t)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building stsmfa: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// BuildFlags are the go build flags that match this test binary: -race when it runs with the race
// detector, and -cover (same mode, every package of the module) when it collects coverage and has a
// directory for it (CoverDir). A binary built with -cover must be run with CoverEnv in its
// environment, or it warns on stderr that it has nowhere to write.
func BuildFlags() []string {
	var flags []string
	if raceEnabled {
		flags = append(flags, "-race")
	}
	if mode := testing.CoverMode(); mode != "" && CoverDir() != "" {
		flags = append(flags, "-cover", "-covermode="+mode, "-coverpkg=github.com/stsmfa/stsmfa/...")
	}
	return flags
}

// CoverDir is where this test binary writes its coverage data, and so where the processes it starts
// should write theirs: the -test.gocoverdir flag (go test -cover sets it to a directory of its own;
// scripts/coverage.sh passes one that outlives the run), else $GOCOVERDIR. Empty without coverage.
func CoverDir() string {
	if testing.CoverMode() == "" {
		return ""
	}
	if f := flag.Lookup("test.gocoverdir"); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	return os.Getenv("GOCOVERDIR")
}

// CoverEnv is the environment a process built by Binary needs for coverage: GOCOVERDIR=CoverDir(),
// or nothing when coverage is off.
func CoverEnv() []string {
	if d := CoverDir(); d != "" {
		return []string{"GOCOVERDIR=" + d}
	}
	return nil
}

// RaceEnv is what a process built with the race detector (BuildFlags) needs to exit at once: the race
// runtime otherwise sleeps a second before every exit (GORACE atexit_sleep_ms, default 1000) so that
// other goroutines can finish printing their reports. A race is reported when it happens and still
// fails the process (exit 66); the sleep only cost the suite a second per process it starts.
// Nothing without the race detector.
func RaceEnv() []string {
	if raceEnabled {
		return []string{"GORACE=atexit_sleep_ms=0"}
	}
	return nil
}

// Snippet returns the fenced block that follows "<!-- snippet: NAME -->" in the documentation (the
// recipes users copy from there), ending in a newline. The marker must be in exactly one of
// SnippetDocs, once.
func Snippet(t testing.TB, name string) string {
	t.Helper()
	marker := "<!-- snippet: " + name + " -->\n"
	docs := SnippetDocs(t)
	var where, rest string
	for _, file := range docs {
		doc := ReadFile(t, filepath.Join(ModuleRoot(t), file))
		switch n := strings.Count(doc, marker); {
		case n == 0:
			continue
		case n > 1 || where != "":
			t.Fatalf("snippet %q is marked more than once (%s)", name, strings.TrimPrefix(where+", "+file, ", "))
		}
		where = file
		_, rest, _ = strings.Cut(doc, marker)
	}
	if where == "" {
		t.Fatalf("no snippet %q in %s", name, strings.Join(docs, ", "))
	}
	if !strings.HasPrefix(rest, "```") {
		t.Fatalf("snippet %q in %s: no fenced block right after the marker", name, where)
	}
	_, rest, _ = strings.Cut(rest, "\n")
	body, _, ok := strings.Cut(rest, "\n```\n")
	if !ok {
		t.Fatalf("snippet %q in %s: unterminated block", name, where)
	}
	return body + "\n"
}

// SnippetDocs are the files Snippet reads, relative to the module root: README.md and every page in
// docs/.
func SnippetDocs(t testing.TB) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(ModuleRoot(t), "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{"README.md"}
	for _, p := range pages {
		docs = append(docs, "docs/"+filepath.Base(p))
	}
	return docs
}

// ModuleRoot is the directory holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// World is a stand-in AWS plus a HOME with ~/.aws/credentials ([default] = alice's long-term keys)
// and ~/.aws/config ([default] region eu-west-1, output json, mfa_serial of alice's device).
type World struct {
	Server   *fakeaws.Server
	User     fakeaws.User
	Seed     string
	Home     string
	CredPath string
	ConfPath string
	// Offset moves the stand-in's clock and Code's clock together, so a test can reach the next
	// 30-second MFA window without sleeping.
	mu     sync.Mutex
	offset time.Duration
}

// NewWorld starts a stand-in and writes the sample files; both are cleaned up with t.
func NewWorld(t testing.TB) *World {
	t.Helper()
	w, err := Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// Start is NewWorld for callers without a testing.TB (testscript setup, the demo): it starts the
// stand-in and writes the sample files under home. Close stops the stand-in.
func Start(home string) (*World, error) {
	w := &World{Seed: totp.NewSecret(), Home: home}
	w.User = fakeaws.User{
		Account:         Account,
		Name:            User,
		AccessKeyID:     "AKIA" + strings.Repeat("ALICE", 4)[:16],
		SecretAccessKey: "alice/secret+key=" + strings.Repeat("x", 23),
		MFA:             []fakeaws.Device{{Serial: Serial, Seed: w.Seed}},
	}
	w.Server = fakeaws.New()
	w.Server.AddUser(w.User)
	w.Server.SetClock(w.Now)
	if err := w.Server.Start(); err != nil {
		return nil, err
	}
	aws := filepath.Join(w.Home, ".aws")
	if err := os.MkdirAll(aws, 0o700); err != nil {
		w.Close()
		return nil, err
	}
	w.CredPath = filepath.Join(aws, "credentials")
	w.ConfPath = filepath.Join(aws, "config")
	err := errors.Join(
		os.WriteFile(w.CredPath, []byte("# alice's long-term keys\n[default]\naws_access_key_id = "+w.User.AccessKeyID+
			"\naws_secret_access_key = "+w.User.SecretAccessKey+"\n"), 0o600),
		os.WriteFile(w.ConfPath, []byte("[default]\nregion = eu-west-1\noutput = json\nmfa_serial = "+Serial+"\n"), 0o600))
	if err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Close stops the stand-in.
func (w *World) Close() { w.Server.Close() }

// Write writes a file with mode 0600.
func (w *World) Write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// AddRoleProfile adds a role to the stand-in (up to 12h, MFA required by its trust policy) and a
// config profile for it with source_profile default, plus extra lines ("region = us-west-2\n").
func (w *World) AddRoleProfile(t testing.TB, profile, arn, extra string) {
	t.Helper()
	w.Server.AddRole(fakeaws.Role{ARN: arn, MaxSessionDuration: 43200, RequireMFA: true})
	conf, err := os.ReadFile(w.ConfPath)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(t, w.ConfPath, string(conf)+"\n[profile "+profile+"]\nrole_arn = "+arn+"\nsource_profile = default\n"+extra)
}

// Now is the stand-in's clock: real time plus the offset.
func (w *World) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Now().Add(w.offset)
}

// Advance moves the stand-in's clock (and Code's) forward, e.g. 30s for the next MFA window.
func (w *World) Advance(d time.Duration) {
	w.mu.Lock()
	w.offset += d
	w.mu.Unlock()
}

// Offset is how far Advance has moved the stand-in's clock.
func (w *World) Offset() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.offset
}

// Code is the MFA code alice's device shows now (stand-in clock).
func (w *World) Code() string {
	c, err := totp.Code(w.Seed, w.Now())
	if err != nil {
		panic(err) // the seed is ours and valid
	}
	return c
}

// Env is a clean environment for running stsmfa or an AWS client in this world: HOME and the AWS file
// paths point into it, the Go SDK's STS/IAM endpoints at the stand-in, and no AWS_* variable of the
// developer's machine leaks in.
func (w *World) Env() []string {
	env := []string{
		"HOME=" + w.Home,
		"XDG_CACHE_HOME=" + filepath.Join(w.Home, ".cache"),
		"PATH=" + os.Getenv("PATH"),
		"AWS_SHARED_CREDENTIALS_FILE=" + w.CredPath,
		"AWS_CONFIG_FILE=" + w.ConfPath,
		"AWS_ENDPOINT_URL_STS=" + w.Server.URL(),
		"AWS_ENDPOINT_URL_IAM=" + w.Server.URL(),
		"STSMFA_FEDERATION_ENDPOINT=" + w.Server.URL() + "/federation", // console sign-in: never the real one
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=2",
		"NO_COLOR=1",
		"TZ=UTC",
	}
	env = append(append(env, CoverEnv()...), RaceEnv()...)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SYSTEMROOT=") {
			env = append(env, kv)
		}
	}
	return env
}

// Command runs the built stsmfa in this world, detached from any terminal (its own session), so a
// prompt can only come from a test that gives it a pseudo-terminal.
func (w *World) Command(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = w.Env()
	cmd.Dir = w.Home
	Detach(cmd)
	return cmd
}

// ReadFile is a file's content, or fails the test.
func ReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// SkipUnlessCI skips the test, or fails it under CI=true: a test may skip on a developer's machine
// when a tool or file it needs is missing, never in CI, where .ci/run installs everything the tests
// need. The message says what is missing and how to get it.
var SkipUnlessCI = ci.SkipUnlessCI

// RequireTool returns path if it exists; otherwise it skips the test, or fails it under CI=true
// (SkipUnlessCI).
func RequireTool(t testing.TB, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		SkipUnlessCI(t, "%s is not installed (.ci/run names the Debian packages)", path)
	}
	return path
}

// RequireBoto3 is RequireTool for boto3 (and botocore) under /usr/bin/python3.
func RequireBoto3(t testing.TB) string {
	t.Helper()
	py := RequireTool(t, "/usr/bin/python3")
	if err := exec.Command(py, "-c", "import boto3").Run(); err != nil {
		SkipUnlessCI(t, "boto3 is not installed for %s (apt-get install python3-boto3)", py)
	}
	return py
}
