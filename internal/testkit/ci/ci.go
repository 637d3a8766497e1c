// Package ci holds the one rule for tests that need a tool or file from outside: skip on a developer's
// machine, fail under CI=true (where .ci/run must have installed it). It imports nothing of the
// project, so every package's tests can use it (testkit itself imports fakeaws).
package ci

import (
	"fmt"
	"os"
	"testing"
)

// SkipUnlessCI skips the test with the message, or fails it under CI=true: no test may skip in CI.
func SkipUnlessCI(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; under CI=true no test may skip: install it in .ci/run", msg)
	}
	t.Skip(msg + "; skipping (under CI=true this fails)")
}
