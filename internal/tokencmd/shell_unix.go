//go:build !windows

package tokencmd

import (
	"os/exec"
)

// shellCommand runs a token command line through the shell, as ssh runs ProxyCommand.
func shellCommand(command string) *exec.Cmd {
	return exec.Command("/bin/sh", "-c", command)
}
