//go:build !windows

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// completionFixture is a HOME whose two AWS files hold every kind of profile completion tells apart.
func completionFixture(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(home, ".aws", name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("credentials", `[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
[work]
aws_access_key_id = AKIAIOSFODNN7EXAMPL2
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE2
[mfa]
aws_access_key_id = ASIAIOSFODNN7EXAMPLE
aws_secret_access_key = x
aws_session_token = y
stsmfa_source = default
stsmfa_expiration = 2030-01-01T00:00:00Z
`)
	write("config", `[default]
region = eu-west-1
[profile prod-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = default
[profile prod-ro]
role_arn = arn:aws:iam::123456789012:role/readonly
source_profile = work
[profile web]
login_session = arn:aws:iam::123456789012:user/alice
[profile sso]
sso_session = corp
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
[profile auto]
credential_process = /usr/bin/stsmfa credential-process --profile work
[profile plain]
region = us-east-1
`)
	return home
}

// installed builds the front as DIR/stsmfa with the engine beside it as DIR/stsmfa-engine (the
// packages' layout, so __complete goes the way it does for users: front, then engine), built with
// flags (nil: a plain release-like build).
func installed(t *testing.T, flags []string) string {
	t.Helper()
	dir := t.TempDir()
	root := testkit.ModuleRoot(t)
	for _, b := range [][2]string{{"stsmfa", "./cmd/stsmfa-front"}, {"stsmfa-engine", "./cmd/stsmfa"}} {
		args := append(append([]string{"build"}, flags...), "-o", filepath.Join(dir, b[0]), b[1])
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func completionEnv(home, bin string) []string {
	env := []string{"HOME=" + home, "PATH=" + bin + ":/usr/bin:/bin", "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "LANG=C.UTF-8", "TERM=dumb"}
	return append(env, testkit.CoverEnv()...)
}

// The completion scripts of `stsmfa completion SHELL` and of the packages (cmd/stsmfa-docs), loaded
// into the real bash (with bash-completion), zsh (compinit, TAB typed into an interactive zsh on a
// pseudo-terminal) and fish (complete -C): a prefix typed after each flag completes exactly the
// profiles of the fixture that flag takes.
func TestCompletionInRealShells(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs shells")
	}
	testkit.RequireTool(t, "/usr/share/bash-completion/bash_completion")
	testkit.RequireTool(t, "/usr/bin/bash")
	testkit.RequireTool(t, "/usr/bin/zsh")
	testkit.RequireTool(t, "/usr/bin/fish")
	bin := installed(t, testkit.BuildFlags())
	home := completionFixture(t)
	env := completionEnv(home, bin)

	// the packaged files, generated as the release does
	docs := t.TempDir()
	gen := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "run", "./cmd/stsmfa-docs", docs)
	gen.Dir = testkit.ModuleRoot(t)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("stsmfa-docs: %v\n%s", err, out)
	}
	scripts := map[string]map[string]string{"packaged": {}, "completion": {}}
	for shell, file := range map[string]string{"bash": "stsmfa.bash", "zsh": "stsmfa.zsh", "fish": "stsmfa.fish"} {
		scripts["packaged"][shell] = filepath.Join(docs, "completions", file)
		cmd := exec.Command(filepath.Join(bin, "stsmfa"), "completion", shell)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil || len(out) == 0 {
			t.Fatalf("stsmfa completion %s: %v", shell, err)
		}
		dir := filepath.Join(t.TempDir(), shell)
		os.MkdirAll(dir, 0o700)
		p := filepath.Join(dir, "stsmfa."+shell)
		os.WriteFile(p, out, 0o600)
		scripts["completion"][shell] = p
	}

	cases := []struct {
		line string
		want []string
	}{
		{"stsmfa exec --profile ", []string{"auto", "default", "mfa", "prod-admin", "prod-ro", "work"}},
		{"stsmfa login -p pr", []string{"prod-admin", "prod-ro"}},
		{"stsmfa env --profile w", []string{"work"}}, // web signs in with aws login: not a session stsmfa makes
		{"stsmfa status --profile w", []string{"web", "work"}},
		{"stsmfa login -t ", []string{"mfa", "work-mfa"}},
		{"stsmfa setup-credential-process new --profile ", []string{"default", "prod-admin", "prod-ro", "work"}},
		{"stsmfa logout -p m", []string{"mfa"}},
		{"stsmfa credential-process --profile a", []string{"auto"}},
		{"stsmfa console --profile p", []string{"prod-admin", "prod-ro"}},
	}
	td := filepath.Join(testkit.ModuleRoot(t), "internal", "e2e", "testdata")
	for _, from := range []string{"completion", "packaged"} {
		for _, shell := range []string{"bash", "zsh", "fish"} {
			script := scripts[from][shell]
			for _, c := range cases {
				var cmd *exec.Cmd
				switch shell {
				case "bash":
					cmd = exec.Command("/usr/bin/bash", "--norc", "--noprofile", filepath.Join(td, "complete.bash"), script, c.line)
				case "zsh":
					fpath := filepath.Join(t.TempDir(), "fpath")
					os.MkdirAll(fpath, 0o700)
					b, _ := os.ReadFile(script)
					os.WriteFile(filepath.Join(fpath, "_stsmfa"), b, 0o600)
					cmd = exec.Command("/usr/bin/zsh", "-f", filepath.Join(td, "complete.zsh"), fpath, c.line)
				case "fish":
					cmd = exec.Command("/usr/bin/fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, c.line)
				}
				cmd.Env = env
				cmd.Dir = t.TempDir() // nothing to offer if a shell fell back to file names
				start := time.Now()
				out, err := cmd.Output()
				if err != nil {
					t.Errorf("%s (%s) %q: %v\n%s", shell, from, c.line, err, out)
					continue
				}
				got := candidates(string(out))
				if !slices.Equal(got, c.want) {
					t.Errorf("%s (%s): %q<TAB> offers %q, want %q", shell, from, c.line, got, c.want)
				}
				t.Logf("%s (%s) %q: %q in %s", shell, from, c.line, got, time.Since(start).Round(time.Millisecond))
			}
		}
	}
}

// candidates are the distinct first fields of out's lines (fish prints "name<TAB>description"), sorted.
func candidates(out string) []string {
	seen := map[string]bool{}
	got := []string{}
	for _, l := range strings.Split(out, "\n") {
		l, _, _ = strings.Cut(strings.TrimSpace(l), "\t")
		if l != "" && !seen[l] {
			seen[l] = true
			got = append(got, l)
		}
	}
	sort.Strings(got)
	return got
}

// With 1,000 profiles in each file, completing --profile takes under 100 ms: the whole process, front
// and engine, as the shell runs it (stsmfa __complete), built without the race detector or coverage,
// the median of 11 runs.
func TestCompletionSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the programs and times them")
	}
	bin := installed(t, nil)
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	var creds, conf strings.Builder
	for i := 0; i < 1000; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&creds, "[user%04d]\naws_access_key_id = AKIAIOSFODNN7EX%05d\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n", i, i)
			fmt.Fprintf(&conf, "[profile user%04d]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/user%04d\n\n", i, i)
		case 1:
			fmt.Fprintf(&creds, "[user%04d-mfa]\naws_access_key_id = ASIAIOSFODNN7EX%05d\naws_secret_access_key = x\naws_session_token = %s\nstsmfa_source = user%04d\nstsmfa_expiration = 2030-01-01T00:00:00Z\n\n", i, i, strings.Repeat("T", 400), i-1)
			fmt.Fprintf(&conf, "[profile role%04d]\nrole_arn = arn:aws:iam::123456789012:role/r%04d\nsource_profile = user%04d\nregion = eu-west-1\n\n", i, i, i-1)
		default:
			fmt.Fprintf(&creds, "[other%04d]\nregion = us-east-1\n\n", i)
			fmt.Fprintf(&conf, "[profile sso%04d]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n\n", i)
		}
	}
	os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds.String()), 0o600)
	os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(conf.String()), 0o600)
	env := completionEnv(home, bin)
	run := func() (time.Duration, string) {
		cmd := exec.Command(filepath.Join(bin, "stsmfa"), "__complete", "exec", "--profile", "role00")
		cmd.Env = env
		start := time.Now()
		out, err := cmd.Output()
		d := time.Since(start)
		if err != nil {
			t.Fatalf("__complete: %v", err)
		}
		return d, string(out)
	}
	_, out := run() // warm the page cache
	got := candidates(out)
	if len(got) != 34 || got[0] != ":4" || got[1] != "role0001" || got[33] != "role0097" { // the directive, role0001, role0004 … role0097
		t.Fatalf("completion of role00: %q", got)
	}
	var times []time.Duration
	for i := 0; i < 11; i++ {
		d, _ := run()
		times = append(times, d)
	}
	slices.Sort(times)
	med := times[len(times)/2]
	t.Logf("stsmfa __complete exec --profile role00 with 1,000 profiles per file: median %s, min %s, max %s", med, times[0], times[len(times)-1])
	if med > 100*time.Millisecond {
		t.Errorf("completion took %s (median of %d runs), want under 100ms", med, len(times))
	}
}
