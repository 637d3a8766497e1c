package awsfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckWritable reports whether a write of path could succeed, without changing it: the real file
// (symlinks followed) must not be read-only, and its directory must let a temporary file be created
// there (the atomic rename needs one). Callers use it before spending something they cannot get back,
// such as an MFA code.
func CheckWritable(path string) error {
	real, err := realPath(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if st, err := os.Stat(real); err == nil {
		if st.Mode().Perm()&0o200 == 0 {
			return readOnlyErr(path)
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
		return fmt.Errorf("cannot write %s: its directory %s does not accept new files: %w", path, dir, err)
	}
	tmp.Close()
	os.Remove(tmp.Name())
	return nil
}
