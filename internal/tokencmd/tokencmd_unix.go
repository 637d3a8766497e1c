//go:build unix

package tokencmd

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// setProcessGroup puts the command in a process group of its own, so that a timeout kills everything
// it started. With foreground, its group also becomes the terminal's foreground group for the run:
// it may then read the terminal (a background group reading it would be stopped) and Ctrl-C reaches
// it rather than stsmfa.
func setProcessGroup(c *exec.Cmd, tty *os.File, foreground bool) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if foreground && tty != nil {
		c.SysProcAttr.Foreground = true
		c.SysProcAttr.Ctty = int(tty.Fd())
	}
}

// isForeground reports whether this process is in tty's foreground process group.
func isForeground(tty *os.File) bool {
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// restoreForeground gives the terminal's foreground back to this process's group. A process outside
// the foreground group that changes it is sent SIGTTOU (which would stop it) unless it blocks or
// ignores that signal.
func restoreForeground(tty *os.File) {
	withoutSIGTTOU(func() {
		_ = unix.IoctlSetPointerInt(int(tty.Fd()), unix.TIOCSPGRP, unix.Getpgrp())
	})
}

// killGroup kills the command and every process in its group.
func killGroup(c *exec.Cmd) {
	if c.Process == nil {
		return
	}
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGKILL); err != nil {
		_ = c.Process.Kill()
	}
}

// signalled reports whether the command was ended by the named signal ("interrupt").
func signalled(ee *exec.ExitError, name string) bool {
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal().String() == name
}

// drainPipe reads what is left in a pollable pipe without blocking (the reading goroutine has been
// stopped by a deadline, possibly before it read the last bytes).
func drainPipe(r *os.File, add func([]byte)) {
	rc, err := r.SyscallConn()
	if err != nil {
		return
	}
	b := make([]byte, 4096)
	_ = rc.Read(func(fd uintptr) bool {
		for {
			n, err := unix.Read(int(fd), b)
			if n > 0 {
				add(b[:n])
			}
			if n <= 0 || err != nil {
				return true
			}
		}
	})
}
