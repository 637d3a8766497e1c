package testkit

import (
	"flag"
	"testing"

	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// TestSkipShort: under -short the test skips, saying the full suite runs it, also under CI=true
// (CI runs without -short); without -short it runs.
func TestSkipShort(t *testing.T) {
	was := testing.Short()
	defer flag.Set("test.short", map[bool]string{true: "true", false: "false"}[was])
	t.Setenv("CI", "true")
	for _, short := range []bool{true, false} {
		flag.Set("test.short", map[bool]string{true: "true", false: "false"}[short])
		r := run(t, func(tb testing.TB) { ci.SkipShort(tb, "starts 50 AWS CLIs") })
		if r.skipped != short || r.failed {
			t.Errorf("-short=%v: skipped %v failed %v", short, r.skipped, r.failed)
		}
		if short && r.msg != "starts 50 AWS CLIs: runs in the full suite (go test without -short)" {
			t.Errorf("-short: %q", r.msg)
		}
	}
}
