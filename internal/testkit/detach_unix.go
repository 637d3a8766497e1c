//go:build !windows

package testkit

import (
	"os/exec"
	"syscall"
)

// Detach starts cmd in a new session, so it has no controlling terminal (no /dev/tty).
func Detach(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
}
