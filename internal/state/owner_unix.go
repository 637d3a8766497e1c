//go:build !windows

package state

import (
	"io/fs"
	"syscall"
)

// owner is the uid of the file's owner.
func owner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
