//go:build race

package testkit

// raceEnabled: this test binary runs with the race detector, so the stsmfa it builds does too.
const raceEnabled = true
