//go:build windows

package testkit

import "os/exec"

// Detach is a no-op on Windows.
func Detach(cmd *exec.Cmd) {}
