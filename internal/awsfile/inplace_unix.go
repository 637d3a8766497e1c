//go:build !windows

package awsfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// writeFlags opens a file to be written in place: without waiting (a FIFO put there meanwhile).
const writeFlags = os.O_WRONLY | syscall.O_NONBLOCK

// needsInPlace reports whether a rename would cut the file off from a name it is also seen under:
// another hard link, or a mount of the file on its own (see isMountRoot).
func needsInPlace(real string, fi fs.FileInfo) bool {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
		return true
	}
	return isMountRoot(real)
}

// renameImpossible: the rename failed because the target is a mount point (EBUSY) or on another file
// system than its directory (EXDEV): the file can only be written in place.
func renameImpossible(err error) bool {
	return errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EXDEV)
}

// noNewFiles: the directory does not let a new file be created (the file itself may be writable).
func noNewFiles(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// dirID is the device and inode of dir.
func dirID(dir string) (string, bool) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d:%d", uint64(st.Dev), uint64(st.Ino)), true
}
