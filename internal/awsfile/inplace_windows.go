//go:build windows

package awsfile

import (
	"io/fs"
	"os"
)

const writeFlags = os.O_WRONLY

// needsInPlace is false on Windows: a rename there keeps no second link to worry about (hard links
// of AWS files are not made there) and a busy target is retried (replaceFile).
func needsInPlace(string, fs.FileInfo) bool { return false }

func renameImpossible(error) bool { return false }

func noNewFiles(error) bool { return false }

// dirID is not used on Windows: the absolute path names the file.
func dirID(string) (string, bool) { return "", false }
