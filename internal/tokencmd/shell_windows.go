//go:build windows

package tokencmd

import (
	"os/exec"
	"syscall"
)

// shellCommand runs a token command line through cmd.exe, exactly as typed: cmd /s /c "LINE" strips
// the outer quotes and runs LINE, so quoted paths with spaces work ("C:\My Tools\code.cmd"). Go's own
// quoting of arguments (backslash before each inner quote) is not cmd's, hence the literal command
// line. /d: no AutoRun commands from the registry, which could print to stdout.
func shellCommand(command string) *exec.Cmd {
	cmd := exec.Command("cmd.exe")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd.exe /d /s /c "` + command + `"`}
	return cmd
}
