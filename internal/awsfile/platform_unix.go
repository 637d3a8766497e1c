//go:build !windows

package awsfile

import (
	"fmt"
	"os"
)

// modeBitsProtect: on Unix a file's mode bits say who may read it, so a write keeps them at most 0600
// and says when it took access away from group or others.
const modeBitsProtect = true

// readOnlyErr is the refusal to write a file without the owner-write bit.
func readOnlyErr(path string) error {
	return fmt.Errorf("%s is read-only; chmod u+w %s", path, path)
}

// replaceFile renames tmp over real. On Unix a rename replaces the name even while other processes
// hold the old file open (they keep reading the old bytes), so there is nothing to wait for.
func (e *Editor) replaceFile(tmp, real string) error { return os.Rename(tmp, real) }
