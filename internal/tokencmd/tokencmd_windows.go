package tokencmd

import (
	"os"
	"os/exec"
)

// Windows has no process groups in the POSIX sense nor a foreground group to hand over: the command
// is killed alone on timeout.
func setProcessGroup(c *exec.Cmd, tty *os.File, foreground bool) {}

func isForeground(tty *os.File) bool { return true }

func restoreForeground(tty *os.File) {}

func killGroup(c *exec.Cmd) {
	if c.Process != nil {
		_ = c.Process.Kill()
	}
}

func signalled(ee *exec.ExitError, name string) bool { return false }

func drainPipe(r *os.File, add func([]byte)) {}
