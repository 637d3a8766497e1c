//go:build !windows

package wine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// winUser is the Windows user of the lane's prefix, so %USERPROFILE% (C:\users\Zoë Ünal) and every
// path under it have a space and non-ASCII letters.
const winUser = "Zoë Ünal"

// The lane is set up once per test process: Windows builds of stsmfa and winhelper, the
// bcryptprimitives shim, and a WINEPREFIX booted once (wineboot takes 10-60 s) with a persistent
// wineserver that TestMain stops.
var (
	laneOnce sync.Once
	theLane  *lane
	laneErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theLane != nil {
		theLane.close()
	}
	os.Exit(code)
}

type lane struct {
	dir     string   // everything of the lane, removed at the end
	prefix  string   // WINEPREFIX
	profile string   // Unix path of C:\users\Zoë Ünal
	env     []string // the environment every wine command starts from
	setup   time.Duration
}

// Windows paths of the lane's programs (C:\stsmfa is on the Windows PATH through WINEPATH).
const (
	stsmfaExe = `C:\stsmfa\stsmfa.exe`
	helperExe = `C:\stsmfa\winhelper.exe`
)

// tools the lane needs, with the Debian package that has each.
var laneTools = [][2]string{{"wine", "wine"}, {"wineboot", "wine"}, {"wineserver", "wine"},
	{"x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64-win32"}}

// getLane returns the lane, setting it up on first use; without Wine or mingw the test skips (fails
// under CI=true).
func getLane(t *testing.T) *lane {
	t.Helper()
	ci.SkipShort(t, "the Windows lane (Wine)")
	if runtime.GOARCH != "amd64" {
		ci.SkipUnlessCI(t, "the Windows lane runs windows/amd64 builds under wine64 and needs an amd64 host, not %s", runtime.GOARCH)
	}
	for _, tool := range laneTools {
		if _, err := exec.LookPath(tool[0]); err != nil {
			ci.SkipUnlessCI(t, "%s is not installed (apt-get install wine wine64 gcc-mingw-w64-x86-64-win32; it is in Debian's %s)", tool[0], tool[1])
		}
	}
	root := testkit.ModuleRoot(t)
	laneOnce.Do(func() { theLane, laneErr = newLane(root) })
	if laneErr != nil {
		t.Fatalf("setting up the Windows lane: %v", laneErr)
	}
	return theLane
}

func newLane(root string) (*lane, error) {
	start := time.Now()
	dir, err := os.MkdirTemp("", "stsmfa-wine-")
	if err != nil {
		return nil, err
	}
	l := &lane{dir: dir, prefix: filepath.Join(dir, "prefix")}
	l.profile = filepath.Join(l.prefix, "drive_c", "users", winUser)
	if err := l.init(root); err != nil {
		l.close()
		return nil, err
	}
	l.setup = time.Since(start)
	return l, nil
}

func (l *lane) init(root string) error {
	dir := l.dir
	l.env = []string{
		"PATH=" + os.Getenv("PATH"), // finds wine and wineserver
		"HOME=" + filepath.Join(dir, "home"),
		"USER=" + winUser, // wineboot names the profile after it
		"LOGNAME=" + winUser,
		"LANG=C.UTF-8",
		"WINEPREFIX=" + l.prefix,
		"WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree,mshtml=", // no Mono or Gecko installer
		`WINEPATH=C:\stsmfa`,
	}
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o700); err != nil {
		return err
	}
	out := filepath.Join(dir, "out")
	goEnv := append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	steps := []struct {
		name string
		cmd  *exec.Cmd
	}{
		{"wineboot -i", l.command(context.Background(), "wineboot", "-i")},
		{"go build stsmfa.exe", goCmd(root, goEnv, gobin, "build", "-o", filepath.Join(out, "stsmfa.exe"), "./cmd/stsmfa")},
		{"go build winhelper.exe", goCmd(root, goEnv, gobin, "build", "-o", filepath.Join(out, "winhelper.exe"), "./internal/wine/testdata/winhelper")},
		{"mingw shim", goCmd(root, os.Environ(), "x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", filepath.Join(out, "bcryptprimitives.dll"),
			filepath.Join(root, "internal", "wine", "testdata", "bcryptprimitives.c"), "-ladvapi32")},
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = runLogged(s.name, s.cmd)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// wineboot's wineserver lingers a few seconds; wait for it, then keep one running for the whole lane
	if err := runLogged("wineserver -w", l.command(context.Background(), "wineserver", "-w")); err != nil {
		return err
	}
	if _, err := os.Stat(l.profile); err != nil {
		return fmt.Errorf("wineboot made no profile for %q: %v", winUser, err)
	}
	bin := filepath.Join(l.prefix, "drive_c", "stsmfa")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"stsmfa.exe", "winhelper.exe"} {
		if err := os.Rename(filepath.Join(out, f), filepath.Join(bin, f)); err != nil {
			return err
		}
	}
	if err := os.Rename(filepath.Join(out, "bcryptprimitives.dll"), filepath.Join(l.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")); err != nil {
		return err
	}
	if err := runLogged("wineserver -p", l.command(context.Background(), "wineserver", "-p")); err != nil {
		return err
	}
	// the first program of a session starts Wine's services; let them start now, outside any test
	if err := runLogged("warm-up", l.command(context.Background(), "wine", stsmfaExe, "--version")); err != nil {
		return err
	}
	return nil
}

// runLogged runs a setup command with its output in a file, not a pipe: wineboot starts a wineserver
// that keeps its output open long after wineboot ends.
func runLogged(name string, cmd *exec.Cmd) error {
	f, err := os.CreateTemp("", "stsmfa-wine-log-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(f.Name())
		return fmt.Errorf("%s: %v\n%s", name, err, b)
	}
	return nil
}

func goCmd(dir string, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	return cmd
}

// close stops the prefix's wineserver (and every Windows process of the lane) and removes the lane.
func (l *lane) close() {
	l.command(context.Background(), "wineserver", "-k").Run()
	os.RemoveAll(l.dir)
}

// command is a Unix command (wine, wineserver) in the lane's environment plus extra.
func (l *lane) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append([]string(nil), l.env...)
	cmd.Dir = l.dir
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// winPath is the Windows path of a Unix path inside the prefix's drive C:.
func (l *lane) winPath(t testing.TB, unix string) string {
	t.Helper()
	rel, err := filepath.Rel(filepath.Join(l.prefix, "drive_c"), unix)
	if err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("%s is not on drive C: of the prefix", unix)
	}
	return `C:\` + strings.ReplaceAll(rel, "/", `\`)
}

// result of one wine command.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// world is one test's stand-in STS (testkit.World: server and clock) and its own AWS files under the
// Windows profile: C:\users\Zoë Ünal\stsmfa tests\<test>\credentials and config, CRLF like files made
// on Windows, named by AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE (or at the default
// %USERPROFILE%\.aws\, see defaultPaths).
type world struct {
	*testkit.World
	l      *lane
	t      *testing.T
	dir    string // the test's directory (Unix path)
	cred   string // Unix paths of the AWS files
	conf   string
	vars   []string // environment of every stsmfa run: endpoints, file paths
	stsmfa string
}

const (
	crlfCreds  = "# alice's long-term keys\r\n[default]\r\naws_access_key_id = %s\r\naws_secret_access_key = %s\r\n"
	crlfConfig = "[default]\r\nregion = eu-west-1\r\noutput = json\r\nmfa_serial = %s\r\n"
)

func newWorld(t *testing.T) *world { return makeWorld(t, false) }

// defaultPathsWorld uses %USERPROFILE%\.aws\credentials and config (no AWS_* path variables); only
// one test may use it.
func defaultPathsWorld(t *testing.T) *world { return makeWorld(t, true) }

func makeWorld(t *testing.T, defaultPaths bool) *world {
	t.Helper()
	l := getLane(t)
	w := &world{World: testkit.NewWorld(t), l: l, t: t, stsmfa: stsmfaExe}
	w.dir = filepath.Join(l.profile, "stsmfa tests", strings.ReplaceAll(t.Name(), "/", "-"))
	if err := os.MkdirAll(w.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(w.dir) })
	w.vars = []string{
		"AWS_ENDPOINT_URL_STS=" + w.Server.URL(),
		"AWS_ENDPOINT_URL_IAM=" + w.Server.URL(),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=2",
		"NO_COLOR=1",
	}
	awsDir := w.dir
	if defaultPaths {
		awsDir = filepath.Join(l.profile, ".aws")
		if err := os.MkdirAll(awsDir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(awsDir) })
	}
	w.cred, w.conf = filepath.Join(awsDir, "credentials"), filepath.Join(awsDir, "config")
	if !defaultPaths {
		w.vars = append(w.vars, "AWS_SHARED_CREDENTIALS_FILE="+w.win(w.cred), "AWS_CONFIG_FILE="+w.win(w.conf))
	}
	w.write(w.cred, fmt.Sprintf(crlfCreds, w.User.AccessKeyID, w.User.SecretAccessKey))
	w.write(w.conf, fmt.Sprintf(crlfConfig, testkit.Serial))
	return w
}

func (w *world) win(unix string) string { return w.l.winPath(w.t, unix) }

func (w *world) write(path, content string) {
	w.t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) read(path string) string {
	w.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// nextCode moves the stand-in's clock to the next 30-second step and returns that step's code, so
// every login of a test has a code the stand-in has not seen.
func (w *world) nextCode() string {
	w.Advance(30 * time.Second)
	return w.Code()
}

// cmd is `wine ARGS...` in the test's directory with the world's variables plus extra, in a session of
// its own: no terminal, so no console, unless the test gives it one (onConsole).
func (w *world) cmd(ctx context.Context, extra []string, args ...string) *exec.Cmd {
	cmd := w.l.command(ctx, "wine", args...)
	cmd.Env = append(append(cmd.Env, w.vars...), extra...)
	cmd.Dir = w.dir
	testkit.Detach(cmd)
	return cmd
}

// run runs `wine ARGS...` to the end (at most 2 minutes), stdin empty.
func (w *world) run(extra []string, args ...string) result {
	w.t.Helper()
	return w.runStdin("", extra, args...)
}

// runStdin is run with stdin read from a file (none when stdin is "").
func (w *world) runStdin(stdin string, extra []string, args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := w.start(ctx, stdin, extra, args...)
	return p.wait()
}

// proc is a wine command running with its output in files: processes that Wine starts on the way
// (services.exe and its kind) may inherit the handles and outlive the command, and a pipe would then
// never close.
type proc struct {
	w              *world
	cmd            *exec.Cmd
	args           []string
	ctx            context.Context
	stdout, stderr *os.File
	start          time.Time
}

func (w *world) start(ctx context.Context, stdin string, extra []string, args ...string) *proc {
	w.t.Helper()
	p := &proc{w: w, cmd: w.cmd(ctx, extra, args...), args: args, ctx: ctx}
	var err error
	if stdin != "" {
		f, err := os.Open(stdin)
		if err != nil {
			w.t.Fatal(err)
		}
		w.t.Cleanup(func() { f.Close() })
		p.cmd.Stdin = f
	}
	if p.stdout, err = os.CreateTemp(w.t.TempDir(), "stdout-"); err != nil {
		w.t.Fatal(err)
	}
	if p.stderr, err = os.CreateTemp(w.t.TempDir(), "stderr-"); err != nil {
		w.t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	return p
}

// errSoFar and outSoFar are what the command has written to stderr and stdout so far.
func (p *proc) errSoFar() string {
	b, _ := os.ReadFile(p.stderr.Name())
	return string(b)
}

func (p *proc) outSoFar() string {
	b, _ := os.ReadFile(p.stdout.Name())
	return string(b)
}

func (p *proc) wait() result {
	p.w.t.Helper()
	err := p.cmd.Wait()
	r := result{took: time.Since(p.start)}
	p.stdout.Close()
	p.stderr.Close()
	bo, _ := os.ReadFile(p.stdout.Name())
	be, _ := os.ReadFile(p.stderr.Name())
	r.stdout, r.stderr = string(bo), string(be)
	var ee *exec.ExitError
	switch {
	case p.ctx.Err() != nil:
		p.w.t.Fatalf("wine %s: still running at the deadline\n%s", strings.Join(p.args, " "), r)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		p.w.t.Fatalf("wine %s: %v", strings.Join(p.args, " "), err)
	}
	// no stsmfa run (directly or from a batch file) may warn about POSIX file modes on Windows
	if strings.Contains(r.stderr, "tightened to") || strings.Contains(r.stderr, "open to other users") {
		p.w.t.Errorf("wine %s: a warning about file modes on Windows:\n%s", strings.Join(p.args, " "), r)
	}
	return r
}

// sts runs the Windows stsmfa with args.
func (w *world) sts(args ...string) result {
	w.t.Helper()
	return w.run(nil, append([]string{w.stsmfa}, args...)...)
}

// mustSts runs stsmfa and fails the test unless it exits with want.
func (w *world) mustSts(want int, args ...string) result {
	w.t.Helper()
	r := w.sts(args...)
	if r.code != want {
		w.t.Fatalf("stsmfa %s: want exit %d\n%s", strings.Join(args, " "), want, r)
	}
	return r
}

// batch writes a batch file (CRLF lines) into the test's directory and returns its Unix path.
func (w *world) batch(name string, lines ...string) string {
	w.t.Helper()
	p := filepath.Join(w.dir, name)
	w.write(p, strings.Join(lines, "\r\n")+"\r\n")
	return p
}

// section returns the keys of one profile of an INI file.
func section(content, name string) map[string]string {
	out := map[string]string{}
	in := false
	for _, line := range strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			in = line == "["+name+"]"
			continue
		}
		if k, v, ok := strings.Cut(line, "="); in && ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// mfa is the [mfa] section of the world's credentials file.
func (w *world) mfa() map[string]string {
	w.t.Helper()
	return section(w.read(w.cred), "mfa")
}

// onlyCRLF fails unless every line of the file ends in CRLF.
func (w *world) onlyCRLF(path string) {
	w.t.Helper()
	s := w.read(path)
	if n, m := strings.Count(s, "\n"), strings.Count(s, "\r\n"); n != m || !strings.HasSuffix(s, "\r\n") {
		w.t.Errorf("%s: %d line ends, %d of them CRLF; want CRLF only:\n%q", path, n, m, s)
	}
}

// printenv parses winhelper printenv's JSON.
func printenv(t *testing.T, out string) map[string]*string {
	t.Helper()
	var m map[string]*string
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &m); err != nil {
		t.Fatalf("winhelper printenv: %v\n%s", err, out)
	}
	return m
}
