package awsfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReplaceWhole writes a file that is not an INI file (a JSON cache entry) with the same guarantees
// as Update: the sibling lock, then a temporary file in the real file's directory, fsync, rename and
// directory fsync; symlinks are followed, an existing stricter mode is kept, new files are 0600. The
// directory is created 0700 when missing. fn gets the current bytes (nil when absent) and returns the
// new ones, or nil to leave the file as it is.
func (e *Editor) ReplaceWhole(path string, fn func(old []byte) ([]byte, error)) error {
	real, err := realPath(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		return fmt.Errorf("cannot create directory %s: %w", filepath.Dir(real), err)
	}
	t := &target{path: path, real: real}
	if err := e.lockSibling(t); err != nil {
		return err
	}
	defer t.unlock()
	data, err := os.ReadFile(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cannot read %s: %w", path, err)
	default:
		if t.info, err = os.Stat(real); err != nil {
			return fmt.Errorf("cannot read %s: %w", path, err)
		}
		t.existed, t.old = true, data
	}
	nb, err := fn(t.old)
	if err != nil || nb == nil || (t.existed && string(nb) == string(t.old)) {
		return err
	}
	if t.existed && t.info.Mode().Perm()&0o200 == 0 {
		return readOnlyErr(path)
	}
	if err := e.write(t, nb, t.newMode()); err != nil {
		return err
	}
	e.warnTightened(t)
	return nil
}
