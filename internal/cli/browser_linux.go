package cli

import (
	"os"
	"syscall"
	"time"
)

// atime is path's access time; zero when it cannot be read.
func atime(path string) time.Time {
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return time.Unix(s.Atim.Sec, s.Atim.Nsec)
	}
	return time.Time{}
}
