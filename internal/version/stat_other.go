//go:build !unix

package version

import (
	"fmt"
	"io/fs"
)

func statID(st fs.FileInfo) string {
	return fmt.Sprintf("0 0 %d %d", st.Size(), st.ModTime().UnixNano())
}
