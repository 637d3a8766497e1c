//go:build !windows

package cli

import (
	"syscall"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// runChild replaces stsmfa with the command at path: its exit status and signals are then the
// caller's own. Every file stsmfa opened is close-on-exec, so no lock or terminal is inherited.
func runChild(path string, args, env []string) error {
	if err := syscall.Exec(path, args, env); err != nil {
		return fault.UsageErr("cannot run %s: %v", path, err)
	}
	return nil
}
