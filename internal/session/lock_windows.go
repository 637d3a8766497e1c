//go:build windows

package session

import (
	"os"

	"github.com/gofrs/flock"
)

// refreshLock is the refresh lock of a source's sessions stored in the credentials file at credPath:
// a file in stsmfa's lock directory named after both (Windows cannot lock a directory).
func refreshLock(credPath, source string) (*flock.Flock, string, error) {
	path, err := lockPath(credPath, source)
	if err != nil {
		return nil, "", err
	}
	return flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600)), path, nil
}
