//go:build windows

package awsfile

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// modeBitsProtect: Go reports every Windows file as mode 0666 (0444 when its Read-only attribute is
// set); who may read a file is decided by its ACL, which a new file inherits from its directory (for
// %USERPROFILE%\.aws: the user, SYSTEM and Administrators). Mode bits say nothing there, so no
// warning is given from them.
const modeBitsProtect = false

// readOnlyErr is the refusal to write a file whose Read-only attribute is set.
func readOnlyErr(path string) error {
	return fmt.Errorf("%s is read-only (its Read-only attribute is set); clear it with: attrib -R \"%s\"", path, path)
}

// replaceFile renames tmp over real. Windows refuses to replace a file that another process holds
// open without FILE_SHARE_DELETE (the AWS CLI and most programs reading it, an editor, a virus
// scanner); such holds are short, so the rename is retried for up to renameBudget.
func (e *Editor) replaceFile(tmp, real string) error {
	return renameRetrying(os.Rename, isBusy, tmp, real, e.renameBudget(), nil)
}

// isBusy reports whether a failed rename means that another program holds the target open.
// MoveFileEx says ERROR_ACCESS_DENIED for a target opened without FILE_SHARE_DELETE (read-only
// targets are refused before any write), ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION for others.
func isBusy(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
