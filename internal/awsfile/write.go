package awsfile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/stsmfa/stsmfa/internal/state"
)

// Editor makes locked, atomic edits to AWS files.
type Editor struct {
	Warn        func(msg string) // optional: non-fatal notices; lower-case, no period
	LockTimeout time.Duration    // default 10s

	hooks hooks // test seams; the zero value is the real behaviour
}

// hooks let this package's tests and benchmarks change one Editor's writes. They live on the Editor,
// not in package variables, so a fault set by one test cannot leak into another.
type hooks struct {
	// fault is called before each step of a write ("create", "write", "fsync", "rename") with the
	// real path of the file being written; a non-nil error makes that step fail.
	fault func(op, path string) error
	// skipSync leaves out the fsyncs (file and directory), to show what they cost.
	skipSync bool
	// renameBudget replaces DefaultRenameBudget (Windows: how long a busy target is retried).
	renameBudget time.Duration
}

// DefaultLockTimeout is the lock wait when Editor.LockTimeout is zero.
const DefaultLockTimeout = 10 * time.Second

func (e *Editor) fault(op, path string) error {
	if e != nil && e.hooks.fault != nil {
		return e.hooks.fault(op, path)
	}
	return nil
}

func (e *Editor) skipSync() bool { return e != nil && e.hooks.skipSync }

func (e *Editor) warn(format string, args ...any) {
	if e != nil && e.Warn != nil {
		e.Warn(fmt.Sprintf(format, args...))
	}
}

// target is one file being edited under its lock.
type target struct {
	path    string // as given (used in messages)
	real    string // symlinks resolved: the file that is replaced
	kind    Kind
	lock    *flock.Flock
	existed bool
	null    bool // the null device: read as empty, never written
	info    fs.FileInfo
	old     []byte
	f       *File
}

// realPath follows a chain of symlinks (relative targets are relative to the link's directory).
// A dangling link yields its final target, which is then created.
func realPath(path string) (string, error) {
	p := path
	for i := 0; ; i++ {
		if i > 40 {
			return "", fmt.Errorf("%s: too many levels of symbolic links", path)
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		t, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p = t
	}
}

func isDefaultAWSDir(dir string) bool {
	home, err := os.UserHomeDir()
	return err == nil && home != "" && filepath.Clean(dir) == filepath.Join(home, ".aws")
}

// prepare resolves the path and makes sure its directory exists.
func (e *Editor) prepare(path string, kind Kind) (*target, error) {
	if path == "" {
		return nil, errors.New("empty file path")
	}
	real, err := realPath(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(real)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if !isDefaultAWSDir(dir) {
			return nil, fmt.Errorf("cannot write %s: directory %s does not exist", path, dir)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create directory %s: %w", dir, err)
		}
		e.warn("created directory %s", dir)
	} else if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return &target{path: path, real: real, kind: kind}, nil
}

// lock takes the Editor's lock of a target, waiting at most the Editor's LockTimeout; t.unlock
// releases it. The lock file is not in the user's directory (see editLockPath).
func (e *Editor) lock(t *target) error {
	timeout := DefaultLockTimeout
	if e != nil && e.LockTimeout > 0 {
		timeout = e.LockTimeout
	}
	lockPath, err := editLockPath(t.real)
	if err != nil {
		return fmt.Errorf("cannot lock %s: %w", t.path, err)
	}
	t.lock = flock.New(lockPath, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ok, err := t.lock.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("cannot lock %s: %w", lockPath, err)
	}
	if !ok {
		return fmt.Errorf("timed out after %s waiting for the lock %s (another process is writing %s)", timeout, lockPath, t.path)
	}
	return nil
}

// editLockPath is the lock file of the Editor's writes of real: in stsmfa's lock directory
// (state.LockDir, never the user's own), named after the file's identity (fileKey), so that every
// process writing the same file takes the same lock, whatever path or cache directory it uses.
func editLockPath(real string) (string, error) {
	dir, err := state.LockDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte("edit\x00" + FileKey(real)))
	return filepath.Join(dir, hex.EncodeToString(sum[:12])+".lock"), nil
}

// FileKey names the file at path (symlinks followed) by what is shared: the device and inode of its
// directory and its name there (the file's own inode changes with every atomic write). Two processes
// that see one file under different paths (a bind mount, a sandbox) get the same key. When the
// directory cannot be examined, the absolute path stands in.
func FileKey(path string) string {
	real, err := realPath(path)
	if err != nil {
		real = path
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	if id, ok := dirID(filepath.Dir(real)); ok {
		return id + "/" + filepath.Base(real)
	}
	return real
}

// read reads the target's file under its lock (after finishing a write that an earlier run left
// half done, see recoverJournal) and parses it; when the bytes are those known holds (a File the caller
// read before), a copy of known is edited instead of parsing them again. Anything but a regular
// file (or the null device, read as empty) is refused.
func (e *Editor) read(t *target, known *File) error {
	e.recoverJournal(t)
	data, fi, null, err := readRegular(t.real)
	t.existed, t.old, t.info, t.null = false, nil, nil, false
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.f = &File{path: t.path, kind: t.kind, deflt: -1, prof: map[string]int{}}
		return nil
	case err != nil:
		return readErr(t.path, err)
	}
	t.existed, t.old, t.info, t.null = true, data, fi, null
	if known != nil && known.kind == t.kind && known.content() == string(data) {
		t.f = known.Clone()
		t.f.path = t.path
		return nil
	}
	t.f, err = Parse(t.path, t.kind, data)
	return err
}

// readErr words a failed read of path.
func readErr(path string, err error) error {
	var nr *NotRegularError
	if errors.As(err, &nr) {
		return err
	}
	return fmt.Errorf("cannot read %s: %w", path, err)
}

func (t *target) unlock() {
	if t.lock != nil {
		t.lock.Unlock()
	}
}

// pending returns the new content if it differs from what is on disk, checked to be writable.
func (t *target) pending() ([]byte, bool, error) {
	nb := t.f.Bytes()
	if bytes.Equal(nb, t.old) && (t.existed || len(nb) == 0) {
		return nil, false, nil
	}
	if t.null {
		return nil, false, nullDeviceErr(t.path)
	}
	if t.existed && t.info.Mode().Perm()&0o200 == 0 {
		return nil, false, readOnlyErr(t.path)
	}
	return nb, true, nil
}

// maxRedo is how many times an edit is done again on a file that another program changed between
// stsmfa's read and its write (see errChanged).
const maxRedo = 10

// errChanged: the file is no longer what was read under the lock (another program, one that takes no
// lock, wrote it meanwhile); the edit must be done again on what is there now.
var errChanged = errors.New("changed by another program while being edited")

// redoErr is the error when other programs kept changing a file through every redo.
func redoErr(path string) error {
	return fmt.Errorf("cannot write %s: another program kept changing it while stsmfa edited it (%d tries); try again", path, maxRedo+1)
}

// Update locks the file, re-reads it under the lock, calls fn, and writes only if the bytes changed.
// If another program (one that takes no lock: an editor, `>>` in a shell) changes the file between
// that read and the write, nothing of its change is lost: the write notices (the file is read again
// just before the rename) and the edit is done again, fn called on the new content. fn may thus be
// called more than once and must only edit the File it is given.
func (e *Editor) Update(path string, kind Kind, fn func(f *File) error) error {
	t, err := e.prepare(path, kind)
	if err != nil {
		return err
	}
	if err := e.lock(t); err != nil {
		return err
	}
	defer t.unlock()
	for try := 0; ; try++ {
		if err := e.read(t, nil); err != nil {
			return err
		}
		if err := fn(t.f); err != nil {
			return err
		}
		nb, changed, err := t.pending()
		if err != nil || !changed {
			return err
		}
		if err := e.write(t, nb, t.newMode()); errors.Is(err, errChanged) {
			if try < maxRedo {
				continue
			}
			return redoErr(t.path)
		} else if err != nil {
			return err
		}
		e.warnTightened(t)
		return nil
	}
}

// UpdatePair is Update for the credentials and config files together (locks: credentials first,
// then config). If writing the config fails, the credentials file is restored to its previous bytes
// before the locks are released.
func (e *Editor) UpdatePair(credPath, confPath string, fn func(creds, conf *File) error) error {
	return e.updatePair(credPath, confPath, nil, nil, fn)
}

// UpdatePairFrom is UpdatePair of the files creds and conf were read from, for a caller that has
// read them already: under the locks each file is still read again, and when its bytes are those the
// File holds, fn gets a copy of that File (Clone) instead of a new parse. Every guarantee of
// UpdatePair holds; creds and conf themselves are not changed.
func (e *Editor) UpdatePairFrom(creds, conf *File, fn func(creds, conf *File) error) error {
	return e.updatePair(creds.Path(), conf.Path(), creds, conf, fn)
}

func (e *Editor) updatePair(credPath, confPath string, knownCreds, knownConf *File, fn func(creds, conf *File) error) error {
	tc, err := e.prepare(credPath, Credentials)
	if err != nil {
		return err
	}
	tf, err := e.prepare(confPath, Config)
	if err != nil {
		return err
	}
	if sameFile(tc.real, tf.real) {
		return fmt.Errorf("%s and %s are the same file; the credentials and config files must differ", credPath, confPath)
	}
	if err := e.lock(tc); err != nil {
		return err
	}
	defer tc.unlock()
	if err := e.lock(tf); err != nil {
		return err
	}
	defer tf.unlock()
	var before *target // the credentials file as it was before this call wrote it (for restore)
	for try := 0; ; try++ {
		if try == maxRedo+1 {
			return redoErr(credPath + " or " + confPath)
		}
		if try > 0 {
			knownCreds, knownConf = nil, nil
		}
		if err := e.read(tc, knownCreds); err != nil {
			return err
		}
		if err := e.read(tf, knownConf); err != nil {
			return err
		}
		if err := fn(tc.f, tf.f); err != nil {
			return err
		}
		nc, cchanged, err := tc.pending()
		if err != nil {
			return err
		}
		nf, fchanged, err := tf.pending()
		if err != nil {
			return err
		}
		if cchanged {
			old := *tc
			if err := e.write(tc, nc, tc.newMode()); errors.Is(err, errChanged) {
				continue
			} else if err != nil {
				return err
			}
			if before == nil {
				before = &old
			}
		}
		if fchanged {
			if err := e.write(tf, nf, tf.newMode()); errors.Is(err, errChanged) {
				continue // the credentials written stay: done again, the edit leaves them as they are
			} else if err != nil {
				if before != nil {
					if rerr := e.restore(before); rerr != nil {
						return fmt.Errorf("%w; restoring %s also failed: %v", err, tc.path, rerr)
					}
				}
				return err
			}
		}
		if before != nil {
			e.warnTightened(before)
		}
		if fchanged {
			e.warnTightened(tf)
		}
		return nil
	}
}

// restore puts back the bytes and mode a target had when it was read (before: a copy of the target
// then), removing the file if it did not exist: after a failed UpdatePair nothing is changed, the mode
// included.
func (e *Editor) restore(before *target) error {
	if !before.existed {
		return os.Remove(before.real)
	}
	cur := &target{path: before.path, real: before.real, kind: before.kind}
	if err := e.read(cur, nil); err != nil {
		return err
	}
	return e.write(cur, before.old, before.info.Mode().Perm())
}

// newMode is the mode a successful write gives the file: 0600 for a new file, else the old mode
// without any group/others bits.
func (t *target) newMode() fs.FileMode {
	if !t.existed {
		return 0o600
	}
	return t.info.Mode().Perm() & 0o600
}

// warnTightened says, after a successful write, that group/others lost access to the file. Not on
// Windows, where the mode bits do not say who may read a file (see modeBitsProtect).
func (e *Editor) warnTightened(t *target) {
	if old := t.info; modeBitsProtect && t.existed && old.Mode().Perm()&0o077 != 0 {
		e.warn("%s was accessible to group or others (mode %04o); tightened to %04o", t.path, old.Mode().Perm(), t.newMode())
	}
}

func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(sa, sb)
	}
	// not both existing: compare resolved directories
	da, err1 := filepath.EvalSymlinks(filepath.Dir(a))
	db, err2 := filepath.EvalSymlinks(filepath.Dir(b))
	return err1 == nil && err2 == nil && da == db && filepath.Base(a) == filepath.Base(b)
}

const tmpInfix = ".stsmfa-tmp-"

// removeStale deletes temp files left by killed writers (called while holding the lock).
func removeStale(real string) {
	dir, prefix := filepath.Dir(real), "."+filepath.Base(real)+tmpInfix
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, ent := range ents {
		if strings.HasPrefix(ent.Name(), prefix) {
			os.Remove(filepath.Join(dir, ent.Name()))
		}
	}
}

// write replaces t.real with data and mode. Normally atomically (writeRename): temp file in the same
// directory, fchmod, fsync, rename, fsync of the directory. A file that a rename would cut off from
// where it is also seen — a second hard link, a file bind-mounted on its own (a container's
// -v ~/.aws/credentials:…, where the rename fails with "device or resource busy") — is written in
// place instead (writeInPlace). Either way the file is read again just before it is replaced: if
// another program changed it since t was read, nothing is written and errChanged returned.
func (e *Editor) write(t *target, data []byte, mode fs.FileMode) error {
	if t.existed && needsInPlace(t.real, t.info) {
		return e.writeInPlace(t, data, mode)
	}
	err := e.writeRename(t, data, mode)
	if errors.Is(err, errNoRename) && t.existed {
		return e.writeInPlace(t, data, mode)
	}
	return err
}

// errNoRename: the file cannot be replaced by a rename (see renameImpossible).
var errNoRename = errors.New("cannot be replaced by a rename")

// unchanged re-reads t.real and returns errChanged unless it is still what t was read as.
func (e *Editor) unchanged(t *target) error {
	if err := e.fault("recheck", t.real); err != nil {
		return err
	}
	data, _, _, err := readRegular(t.real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if t.existed {
			return errChanged
		}
		return nil
	case err != nil:
		return readErr(t.path, err)
	case !t.existed || !bytes.Equal(data, t.old):
		return errChanged
	}
	return nil
}

// writeRename replaces t.real atomically with data and mode: temp file in the same directory,
// fchmod, fsync, rename (on Windows retried while another program holds the file open), fsync of the
// directory. On error the temp file is removed and the old file is intact, bytes and mode.
func (e *Editor) writeRename(t *target, data []byte, mode fs.FileMode) (err error) {
	removeStale(t.real)
	dir := filepath.Dir(t.real)
	fail := func(step string, err error) error { return fmt.Errorf("cannot write %s: %s: %w", t.path, step, err) }
	if err := e.fault("create", t.real); err != nil {
		return fail("create temporary file", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(t.real)+tmpInfix+"*")
	if err != nil {
		if t.existed && noNewFiles(err) {
			return errNoRename // the directory takes no new file; the file itself may still be writable
		}
		return fail("create temporary file", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = e.fault("write", t.real); err == nil {
		_, err = tmp.Write(data)
	}
	if err != nil {
		return fail("write", err)
	}
	if err = tmp.Chmod(mode); err != nil {
		return fail("chmod", err)
	}
	if t.existed {
		if err = keepOwner(tmp, t.info); err != nil {
			return fail("chown", err)
		}
	}
	if err = e.fault("fsync", t.real); err == nil && !e.skipSync() {
		err = tmp.Sync()
	}
	if err != nil {
		return fail("fsync", err)
	}
	if err = tmp.Close(); err != nil {
		return fail("close", err)
	}
	if err = e.unchanged(t); err != nil {
		return err
	}
	if err = e.fault("rename", t.real); err == nil {
		err = e.replaceFile(tmp.Name(), t.real)
	}
	var busy *busyError
	if errors.As(err, &busy) {
		return fmt.Errorf("cannot write %s: %w", t.path, err)
	}
	if err != nil && renameImpossible(err) {
		return errNoRename
	}
	if err != nil {
		return fail("rename", err)
	}
	if d, derr := os.Open(dir); derr == nil && !e.skipSync() { // best effort: not every filesystem syncs directories
		d.Sync()
		d.Close()
	}
	return nil
}
