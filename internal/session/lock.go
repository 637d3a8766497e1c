package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/gofrs/flock"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/state"
)

// DefaultLockTimeout bounds how long a process waits for another one that is refreshing the same
// source's session (the holder may be waiting for a person to type a code).
const DefaultLockTimeout = 2 * time.Minute

// The refresh lock. Every process that may refresh a session stored in one credentials file must
// take the same lock, wherever it keeps its own files: a Flatpak or snap IDE sets its own
// XDG_CACHE_HOME (and a sandbox its own /tmp), yet shares ~/.aws with the terminal. So the lock is
// keyed to what they share, the credentials file: on Unix it is flock(2) on the directory that holds
// the real file (symlinks followed; the same inode for every process that sees the file, whatever
// path or mount it sees it under), which creates no file anywhere. It is one lock per directory: a
// refresh of one source makes a refresh of another source stored in the same file wait for it (both
// are seldom at the same moment; the waiter then refreshes its own). Windows locks a file named
// after the credentials file (awsfile.FileKey) and the source in stsmfa's lock directory.

// lockPath is the per-user file named after the credentials file and the source: the lock file on
// Windows, and beside it the note a refresh that ended with the person giving up leaves (see
// gaveUpPath).
func lockPath(credPath, source string) (string, error) {
	dir, err := state.LockDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(awsfile.FileKey(credPath) + "\x00" + source))
	return filepath.Join(dir, hex.EncodeToString(sum[:8])+".lock"), nil
}

// lockSource takes the refresh lock for a source, waiting at most timeout.
func lockSource(ctx context.Context, credPath, source string, timeout time.Duration) (unlock func(), err error) {
	return takeLock(ctx, credPath, source, timeout, false)
}

// lockSourceIfHeld waits for the source's refresh lock only when another process holds it (it may be
// getting a code right now) and returns holding it; when nobody holds it, it returns nil at once.
func lockSourceIfHeld(ctx context.Context, credPath, source string, timeout time.Duration) (unlock func(), err error) {
	return takeLock(ctx, credPath, source, timeout, true)
}

func takeLock(ctx context.Context, credPath, source string, timeout time.Duration, onlyIfHeld bool) (unlock func(), err error) {
	l, path, err := refreshLock(credPath, source)
	if err != nil {
		return nil, err
	}
	ok, err := l.TryLock()
	if err != nil && path != "" {
		// a directory that cannot be flocked (NFS turns flock into a POSIX lock, which needs a file
		// open for writing): the per-user lock file serves, shared by processes with the same /tmp
		if path, err = lockPath(credPath, source); err != nil {
			return nil, err
		}
		l = flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
		ok, err = l.TryLock()
	}
	if err != nil {
		return nil, fault.FilesErr("cannot lock %s: %v", path, err)
	} else if ok {
		if onlyIfHeld {
			_ = l.Unlock()
			return nil, nil
		}
		return func() { _ = l.Unlock() }, nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ok, err = l.TryLockContext(ctx, 25*time.Millisecond)
	if ok {
		return func() { _ = l.Unlock() }, nil
	}
	if errors.Is(err, context.DeadlineExceeded) || err == nil {
		return nil, fault.WithField(fault.NoCodeErr("another stsmfa process has been refreshing a session stored in %s for %s; gave up waiting to refresh profile %q (finish or stop it)", credPath, timeout, source), fault.FieldLockTimeout)
	}
	if errors.Is(err, context.Canceled) {
		return nil, fault.CancelledErr("cancelled while waiting for another stsmfa process")
	}
	return nil, fault.FilesErr("cannot lock %s: %v", path, err)
}

// lockAll takes the refresh locks of every source (each lock once: on Unix they are one), in order,
// for a change of sessions that must not interleave with a refresh (logout).
func lockAll(ctx context.Context, credPath string, sources []string, timeout time.Duration) (unlock func(), err error) {
	var unlocks []func()
	unlock = func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	seen := map[string]bool{}
	sort.Strings(sources)
	for _, s := range sources {
		_, path, err := refreshLock(credPath, s)
		if err != nil {
			unlock()
			return nil, err
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		u, err := lockSource(ctx, credPath, s, timeout)
		if err != nil {
			unlock()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return unlock, nil
}
