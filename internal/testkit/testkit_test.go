package testkit

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a helper ended the test instead of ending this one.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder on its own goroutine (Skip and Fatalf end it) and returns the recorder.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestSkipUnlessCI(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-tool")
	for _, c := range []struct {
		ci         string
		skip, fail bool
	}{{"", true, false}, {"false", true, false}, {"true", false, true}} {
		t.Run("CI="+c.ci, func(t *testing.T) {
			t.Setenv("CI", c.ci)
			r := run(t, func(tb testing.TB) { SkipUnlessCI(tb, "%s is not installed", "zsh") })
			if r.skipped != c.skip || r.failed != c.fail || !strings.HasPrefix(r.msg, "zsh is not installed; ") {
				t.Errorf("SkipUnlessCI: skipped %v failed %v %q", r.skipped, r.failed, r.msg)
			}
			r = run(t, func(tb testing.TB) { RequireTool(tb, missing) })
			if r.skipped != c.skip || r.failed != c.fail || !strings.Contains(r.msg, missing) {
				t.Errorf("RequireTool(missing): skipped %v failed %v %q", r.skipped, r.failed, r.msg)
			}
			var got string
			r = run(t, func(tb testing.TB) { got = RequireTool(tb, "/") })
			if r.skipped || r.failed || got != "/" {
				t.Errorf("RequireTool(present) = %q: skipped %v failed %v %q", got, r.skipped, r.failed, r.msg)
			}
		})
	}
}

// TestBinaryBuiltLikeTests: the stsmfa the tests run has the race detector exactly when this test
// binary has it, and under coverage writes its counters where this test binary writes its own.
func TestBinaryBuiltLikeTests(t *testing.T) {
	bin := Binary(t)
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if race := strings.Contains(string(out), "\tbuild\t-race=true\n"); race != raceEnabled {
		t.Errorf("stsmfa built with race=%v, the tests run with race=%v:\n%s", race, raceEnabled, out)
	}
	dir := CoverDir()
	if dir == "" {
		if testing.CoverMode() != "" {
			t.Log("coverage is on but has no directory: stsmfa is built without -cover")
		}
		return
	}
	t.Logf("stsmfa writes its coverage counters to %s", dir)
	before, _ := filepath.Glob(filepath.Join(dir, "covcounters.*"))
	cmd := exec.Command(bin, "--version")
	cmd.Env = append([]string{"HOME=" + t.TempDir()}, CoverEnv()...)
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "GOCOVERDIR") {
		t.Fatalf("stsmfa --version: %v\n%s", err, out)
	}
	after, _ := filepath.Glob(filepath.Join(dir, "covcounters.*"))
	if len(after) <= len(before) {
		t.Errorf("stsmfa wrote no coverage counters to %s", dir)
	}
}
