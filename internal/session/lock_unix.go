//go:build !windows

package session

import (
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// refreshLock is the refresh lock of sessions stored in the credentials file at credPath: the
// directory that holds the real file, opened read-only for flock(2) (see lockPath's comment).
func refreshLock(credPath, source string) (*flock.Flock, string, error) {
	real, err := awsfile.RealPath(credPath)
	if err != nil {
		return nil, "", fault.FilesCause(err)
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	dir := filepath.Dir(real)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		// no directory yet: nothing is stored there to share; a per-user lock file serves
		path, err := lockPath(credPath, source)
		if err != nil {
			return nil, "", err
		}
		return flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600)), path, nil
	}
	return flock.New(dir, flock.SetFlag(os.O_RDONLY)), dir, nil
}
