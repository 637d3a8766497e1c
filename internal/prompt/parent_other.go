//go:build !linux && !darwin && !windows

package prompt

// processName is not known on this system; Parent gives the pid alone.
func processName(int) string { return "" }
