package ci

import "testing"

// SkipShort skips a slow test under go test -short, the quick lane to run while working: the
// process-level tests that take a second or more, and those that drive real clients, dialogs or
// Wine. The full suite (go test without -short, as CI runs it) runs every test, so this skip is not
// one SkipUnlessCI forbids under CI=true.
func SkipShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip(what + ": runs in the full suite (go test without -short)")
	}
}
