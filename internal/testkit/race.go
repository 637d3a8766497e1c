package testkit

import "runtime/debug"

// raceEnabled: this test binary runs with the race detector (its build info says -race=true), so the
// stsmfa it builds does too. Read from the build info rather than set by a build tag, so that no file
// under internal/ has a constraint other than an OS one.
var raceEnabled = func() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}()
