package state

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// LockDir is the directory of stsmfa's lock files: never a directory of the user's (no *.lock beside
// ~/.aws/credentials or the AWS CLI's cache entries), and the same for every process of the user
// whatever its XDG_CACHE_HOME (a Flatpak or snap IDE sets its own). On Unix it is /tmp/stsmfa-UID,
// created 0700; one that is not a directory, is a symbolic link, or belongs to another user (who
// could have made it first to read or block the locks) is not used: then the cache directory's
// "locks" serves. On Windows it is the cache directory's "locks" (%LocalAppData% is per user).
func LockDir() (string, error) {
	if runtime.GOOS != "windows" {
		dir := filepath.Join("/tmp", "stsmfa-"+strconv.Itoa(os.Getuid()))
		if err := privateDir(dir); err == nil {
			return dir, nil
		}
	}
	return MakeDir("locks")
}

// privateDir makes sure dir is a directory of this user's, not a symbolic link, with no access for
// group or others, creating it (0700) when missing.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return err
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if uid, ok := owner(st); !ok || uid != os.Getuid() {
		return fmt.Errorf("%s belongs to another user", dir)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	return nil
}
