//go:build !windows

package session

import (
	"context"
	"os/exec"
)

// shellCommand runs a token command line through the shell, as ssh runs ProxyCommand.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	return exec.CommandContext(ctx, "/bin/sh", "-c", command)
}
