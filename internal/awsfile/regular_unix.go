//go:build !windows

package awsfile

import (
	"io/fs"
	"os"
	"syscall"
)

// openNoBlock opens path read-only without waiting for a writer (a FIFO) or a carrier (a device).
// On a regular file O_NONBLOCK changes nothing.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// isNullDevice reports whether fi is a node of the null device (the device /dev/null is).
func isNullDevice(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	if err != nil || null.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	a, ok1 := fi.Sys().(*syscall.Stat_t)
	b, ok2 := null.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && a.Rdev == b.Rdev
}
