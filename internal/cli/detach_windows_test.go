//go:build windows

package cli

// detachTerminal is a no-op on Windows, where prompts use the console.
func detachTerminal() {}
