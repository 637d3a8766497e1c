//go:build !windows

package session

import (
	"io/fs"
	"syscall"
)

// fileOwner is the uid of a file's owner.
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
