package awsfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckWritable reports whether a write of path could succeed, without changing it: the real file
// (symlinks followed) must be a regular file (not a FIFO, socket, directory or device; the null
// device is read-only) without the read-only bit, and the write the Editor would make must be
// possible: a temporary file in its directory and a rename over the file, or, for a file that is
// written in place (a second hard link, a file mounted on its own, a directory that takes no new
// file), the file opened for writing. Callers use it before spending something they cannot get
// back, such as an MFA code.
func CheckWritable(path string) error {
	real, err := realPath(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	st, err := os.Stat(real)
	exists := err == nil
	if exists {
		null, err := checkRegular(path, st)
		if err != nil {
			return err
		}
		if null {
			return nullDeviceErr(path)
		}
		if st.Mode().Perm()&0o200 == 0 {
			return readOnlyErr(path)
		}
		if needsInPlace(real, st) {
			return probeInPlace(path, real)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	dir := filepath.Dir(real)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && isDefaultAWSDir(dir) {
		return nil // created 0700 on the first write
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(real)+tmpInfix+"probe-*")
	if err != nil {
		if exists && noNewFiles(err) && probeInPlace(path, real) == nil {
			return nil // written in place
		}
		return fmt.Errorf("cannot write %s: its directory %s does not accept new files: %w", path, dir, err)
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return nil
}

// probeInPlace checks that the file can be opened for writing (nothing is written).
func probeInPlace(path, real string) error {
	f, err := os.OpenFile(real, writeFlags, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f.Close()
}
