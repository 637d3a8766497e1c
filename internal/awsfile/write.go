package awsfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
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

// lockSibling takes the sibling lock <real file>.lock of a target, waiting at most the Editor's
// LockTimeout; t.unlock releases it.
func (e *Editor) lockSibling(t *target) error {
	timeout := DefaultLockTimeout
	if e != nil && e.LockTimeout > 0 {
		timeout = e.LockTimeout
	}
	lockPath := t.real + ".lock"
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

// lockAndRead takes the sibling lock of the real file, then reads and parses the file; when the
// bytes are those known (a File the caller read before) holds, a copy of known is edited instead of
// parsing them again.
func (e *Editor) lockAndRead(t *target, known *File) error {
	if err := e.lockSibling(t); err != nil {
		return err
	}
	data, err := os.ReadFile(t.real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.f = &File{path: t.path, kind: t.kind, deflt: -1, prof: map[string]int{}}
		return nil
	case err != nil:
		return fmt.Errorf("cannot read %s: %w", t.path, err)
	}
	if t.info, err = os.Stat(t.real); err != nil {
		return fmt.Errorf("cannot read %s: %w", t.path, err)
	}
	t.existed, t.old = true, data
	if known != nil && known.kind == t.kind && known.content() == string(data) {
		t.f = known.Clone()
		t.f.path = t.path
		return nil
	}
	t.f, err = Parse(t.path, t.kind, data)
	return err
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
	if t.existed && t.info.Mode().Perm()&0o200 == 0 {
		return nil, false, readOnlyErr(t.path)
	}
	return nb, true, nil
}

// Update locks the file, re-reads it under the lock, calls fn, and writes only if the bytes changed.
func (e *Editor) Update(path string, kind Kind, fn func(f *File) error) error {
	t, err := e.prepare(path, kind)
	if err != nil {
		return err
	}
	defer t.unlock()
	if err := e.lockAndRead(t, nil); err != nil {
		return err
	}
	if err := fn(t.f); err != nil {
		return err
	}
	nb, changed, err := t.pending()
	if err != nil || !changed {
		return err
	}
	if err := e.write(t, nb, t.newMode()); err != nil {
		return err
	}
	e.warnTightened(t)
	return nil
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
	defer tc.unlock()
	if err := e.lockAndRead(tc, knownCreds); err != nil {
		return err
	}
	defer tf.unlock()
	if err := e.lockAndRead(tf, knownConf); err != nil {
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
		if err := e.write(tc, nc, tc.newMode()); err != nil {
			return err
		}
	}
	if fchanged {
		if err := e.write(tf, nf, tf.newMode()); err != nil {
			if cchanged {
				if rerr := e.restore(tc); rerr != nil {
					return fmt.Errorf("%w; restoring %s also failed: %v", err, tc.path, rerr)
				}
			}
			return err
		}
	}
	if cchanged {
		e.warnTightened(tc)
	}
	if fchanged {
		e.warnTightened(tf)
	}
	return nil
}

// restore puts a target's original bytes back with its original mode (removes it if it did not
// exist): after a failed UpdatePair nothing is changed, the mode included.
func (e *Editor) restore(t *target) error {
	if !t.existed {
		return os.Remove(t.real)
	}
	return e.write(t, t.old, t.info.Mode().Perm())
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

// write replaces t.real atomically with data and mode: temp file in the same directory, fchmod,
// fsync, rename (on Windows retried while another program holds the file open), fsync of the
// directory. On error the temp file is removed and the old file is intact, bytes and mode.
func (e *Editor) write(t *target, data []byte, mode fs.FileMode) (err error) {
	removeStale(t.real)
	dir := filepath.Dir(t.real)
	fail := func(step string, err error) error { return fmt.Errorf("cannot write %s: %s: %w", t.path, step, err) }
	if err := e.fault("create", t.real); err != nil {
		return fail("create temporary file", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(t.real)+tmpInfix+"*")
	if err != nil {
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
	if err = e.fault("rename", t.real); err == nil {
		err = e.replaceFile(tmp.Name(), t.real)
	}
	var busy *busyError
	if errors.As(err, &busy) {
		return fmt.Errorf("cannot write %s: %w", t.path, err)
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
