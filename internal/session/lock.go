package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/state"
)

// DefaultLockTimeout bounds how long a process waits for another one that is refreshing the same
// source's session (the holder may be waiting for a person to type a code).
const DefaultLockTimeout = 2 * time.Minute

// lockPath is the per-source refresh lock, shared by every process using the same credentials file.
func lockPath(credPath, source string) (string, error) {
	abs, err := filepath.Abs(credPath)
	if err != nil {
		return "", err
	}
	dir, err := state.MakeDir("locks")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs + "\x00" + source))
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
	path, err := lockPath(credPath, source)
	if err != nil {
		return nil, err
	}
	l := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	if ok, err := l.TryLock(); err != nil {
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
	ok, err := l.TryLockContext(ctx, 25*time.Millisecond)
	if ok {
		return func() { _ = l.Unlock() }, nil
	}
	if errors.Is(err, context.DeadlineExceeded) || err == nil {
		return nil, fault.WithField(fault.NoCodeErr("another stsmfa process has been refreshing the session of profile %q for %s; gave up waiting (finish or stop it)", source, timeout), fault.FieldLockTimeout)
	}
	if errors.Is(err, context.Canceled) {
		return nil, fault.CancelledErr("cancelled while waiting for another stsmfa process")
	}
	return nil, fault.FilesErr("cannot lock %s: %v", path, err)
}
