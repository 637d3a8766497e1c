// Package state says where stsmfa keeps its own files: $XDG_CACHE_HOME/stsmfa (the OS's user cache
// directory), one subdirectory per kind (locks, roles, steps, front). It owns the paths, not what is
// in them.
package state

import (
	"os"
	"path/filepath"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// Dir is stsmfa's directory sub under the user's cache directory, not created.
func Dir(sub string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fault.FilesErr("no cache directory: %v (set HOME or XDG_CACHE_HOME)", err)
	}
	return filepath.Join(dir, "stsmfa", sub), nil
}

// MakeDir is Dir, created 0700 when missing.
func MakeDir(sub string) (string, error) {
	dir, err := Dir(sub)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fault.New(fault.Files, fault.FieldNone, err, "cannot create %s: %v", dir, err)
	}
	return dir, nil
}
