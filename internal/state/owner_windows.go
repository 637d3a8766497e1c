//go:build windows

package state

import "io/fs"

// owner is not used on Windows (LockDir is under the user's own %LocalAppData%).
func owner(fs.FileInfo) (int, bool) { return 0, false }
