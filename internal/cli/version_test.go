package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// TestBuildInfoVersion: --version of a build nobody stamped, from what Go recorded in it.
func TestBuildInfoVersion(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	info := func(mod string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/stsmfa/stsmfa", Version: mod}, Settings: settings}
	}
	for _, c := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "dev"},
		{"go install …@v1.2.3", info("v1.2.3", nil), "v1.2.3"},
		{"go install …@pseudo-version", info("v0.0.0-20261201100000-0123456789ab", nil), "v0.0.0-20261201100000-0123456789ab"},
		{"go build -buildvcs=false", info("(devel)", nil), "dev"},
		{"no main module version", info("", nil), "dev"},
		{"source build, clean", info("v0.0.0-20261201100000-0123456789ab", vcs("false")),
			"dev (commit 0123456789ab, 2026-12-01T10:00:00Z)"},
		{"source build, changed tree", info("v0.0.0-20261201100000-0123456789ab+dirty", vcs("true")),
			"dev (commit 0123456789ab+dirty, 2026-12-01T10:00:00Z)"},
		{"source build, before go stamped versions", info("(devel)", vcs("true")),
			"dev (commit 0123456789ab+dirty, 2026-12-01T10:00:00Z)"},
		{"source build at a release tag", info("v1.2.3", vcs("false")),
			"v1.2.3 (commit 0123456789ab, 2026-12-01T10:00:00Z)"},
		{"source build at a release tag, changed tree", info("v1.2.3+dirty", vcs("true")),
			"v1.2.3 (commit 0123456789ab+dirty, 2026-12-01T10:00:00Z)"},
		{"short revision, no time", info("(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}}),
			"dev (commit abc123)"},
	} {
		if got := buildInfoVersion(c.bi); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestVersionOfSourceBuild: stsmfa built with go build in a git checkout says which commit it is,
// with +dirty when the tree has changes. In a git worktree (.git is a file, which go build does not
// read) it builds a clone of the checkout's commit instead.
func TestVersionOfSourceBuild(t *testing.T) {
	ci.SkipShort(t, "a go build of stsmfa")
	if _, err := exec.LookPath("git"); err != nil {
		ci.SkipUnlessCI(t, "git is not installed")
	}
	root := testkit.ModuleRoot(t)
	git := func(dir string, args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		ci.SkipUnlessCI(t, "%s is not a git checkout", root)
	}
	src := root
	if fi, _ := os.Stat(filepath.Join(root, ".git")); !fi.IsDir() {
		src = worktreeClone(t, root, git)
	}
	bin := filepath.Join(t.TempDir(), "stsmfa")
	// -buildvcs=true: the default (auto) stamps too, but a GOFLAGS=-buildvcs=false must not hide it
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-buildvcs=true", "-o", bin, "./cmd/stsmfa")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rev := git(src, "rev-parse", "HEAD")
	sec, err := strconv.ParseInt(git(src, "log", "-1", "--format=%ct"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	dirty := ""
	if git(src, "status", "--porcelain") != "" {
		dirty = "+dirty"
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("stsmfa --version: %v", err)
	}
	got := strings.TrimSpace(string(out))
	t.Logf("%s", got)
	want := " (commit " + rev[:12] + dirty + ", " + time.Unix(sec, 0).UTC().Format(time.RFC3339) + ")"
	if !strings.HasPrefix(got, "stsmfa version ") || !strings.HasSuffix(got, want) {
		t.Errorf("stsmfa --version printed %q, want stsmfa version …%s", got, want)
	}
}

// worktreeClone makes a checkout go build reads (a .git directory) of the worktree root: a clone of
// its commit with its working tree copied over it, so the build and its +dirty are the worktree's.
func worktreeClone(t *testing.T, root string, git func(dir string, args ...string) string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "clone")
	git(root, "clone", "-q", "--shared", "--no-checkout", root, src)
	git(src, "checkout", "-q", git(root, "rev-parse", "HEAD"))
	for _, name := range strings.Split(git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, name))
		if name == "" || os.IsNotExist(err) {
			continue // deleted in the worktree: below
		}
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range strings.Split(git(root, "ls-files", "-z", "--deleted"), "\x00") {
		if name != "" {
			os.Remove(filepath.Join(src, name))
		}
	}
	return src
}
