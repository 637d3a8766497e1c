package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

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
