package awsfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReplaceWhole writes a file that is not an INI file (a JSON cache entry) with the same guarantees
// as Update: the Editor's lock, then a temporary file in the real file's directory, fsync, rename and
// directory fsync (or a write in place, see writeInPlace); symlinks are followed, an existing stricter
// mode is kept, new files are 0600; a file another program changed meanwhile is read again and fn
// called again. The directory is created 0700 when missing. fn gets the current bytes (nil when
// absent) and returns the new ones, or nil to leave the file as it is. A FIFO, socket, directory or
// device there is refused at once.
func (e *Editor) ReplaceWhole(path string, fn func(old []byte) ([]byte, error)) error {
	real, err := realPath(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		return fmt.Errorf("cannot create directory %s: %w", filepath.Dir(real), err)
	}
	t := &target{path: path, real: real}
	if err := e.lock(t); err != nil {
		return err
	}
	defer t.unlock()
	for try := 0; ; try++ {
		e.recoverJournal(t)
		data, fi, null, err := readRegular(real)
		t.existed, t.old, t.info = false, nil, nil
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return readErr(path, err)
		default:
			t.existed, t.old, t.info = true, data, fi
		}
		nb, err := fn(t.old)
		if err != nil || nb == nil || (t.existed && string(nb) == string(t.old)) {
			return err
		}
		if null {
			return nullDeviceErr(path)
		}
		if t.existed && t.info.Mode().Perm()&0o200 == 0 {
			return readOnlyErr(path)
		}
		if err := e.write(t, nb, t.newMode()); errors.Is(err, errChanged) {
			if try < maxRedo {
				continue
			}
			return redoErr(path)
		} else if err != nil {
			return err
		}
		e.warnTightened(t)
		return nil
	}
}
