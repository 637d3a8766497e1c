//go:build !race

package testkit

// raceEnabled: this test binary runs without the race detector, so the stsmfa it builds does too.
const raceEnabled = false
