//go:build windows

package awsfile

import (
	"io/fs"
	"os"
)

// openNoBlock opens path read-only (Windows has no FIFOs in the file system to block on).
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

// isNullDevice: Windows has no device nodes in the file system that os.Stat reports as such.
func isNullDevice(fs.FileInfo) bool { return false }
