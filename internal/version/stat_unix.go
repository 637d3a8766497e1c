//go:build unix

package version

import (
	"fmt"
	"io/fs"
	"syscall"
)

func statID(st fs.FileInfo) string {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d %d %d %d", s.Dev, s.Ino, st.Size(), st.ModTime().UnixNano())
	}
	return fmt.Sprintf("0 0 %d %d", st.Size(), st.ModTime().UnixNano())
}
