//go:build !windows

package cli

import (
	"os/exec"
	"syscall"

	"github.com/stsmfa/stsmfa/internal/exitcode"
)

// runChild replaces stsmfa with the command: its exit status and signals are then the caller's own.
func runChild(args, env []string) error {
	path, err := exec.LookPath(args[0])
	if err != nil {
		return exitcode.UsageErr("cannot run %s: %v", args[0], err)
	}
	if err := syscall.Exec(path, args, env); err != nil {
		return exitcode.UsageErr("cannot run %s: %v", path, err)
	}
	return nil
}
