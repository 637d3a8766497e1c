//go:build !windows

package cli

import "syscall"

// detachTerminal starts a new session: this test process and its children have no /dev/tty.
func detachTerminal() { _, _ = syscall.Setsid() }
