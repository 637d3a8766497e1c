package awsfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Writing in place. A rename replaces a name, not a file: a second hard link keeps the old bytes, and
// a file bind-mounted on its own (docker run -v ~/.aws/credentials:…) cannot be renamed over at all
// (EBUSY). Such a file is overwritten in place, as atomically as a file written in place can be:
//
//   - under the Editor's lock, after checking that the file is still what was read (unchanged) and is
//     still the same file (its inode);
//   - the new bytes are first saved, fsynced, in a journal beside the file (.NAME.stsmfa-journal,
//     created by a rename, so it is whole or absent), with the SHA-256 of the old bytes;
//   - the new bytes go in with one write at offset 0. A shorter content is padded with newlines to the
//     old length for that write, and the file then truncated: a reader never sees old bytes after the
//     new ones, only blank lines, which every reader ignores;
//   - fsync, then the journal is removed.
//
// A run stopped during the write leaves the journal. The next Editor write of the file (under the
// lock) finds it: a file holding the old or the new bytes is left as it is; any other content is a
// torn write, completed from the journal, with a notice. A reader that reads while the write itself
// is under way may see a mix of old and new bytes within the write (the kernel copies a page at a
// time); the write is a few microseconds for a credentials file.

const journalHeader = "stsmfa in-place write journal v1\n"

func journalPath(real string) string {
	return filepath.Join(filepath.Dir(real), "."+filepath.Base(real)+".stsmfa-journal")
}

// writeInPlace writes data into t.real in place (see above).
func (e *Editor) writeInPlace(t *target, data []byte, mode fs.FileMode) error {
	if err := e.unchanged(t); err != nil {
		return err
	}
	journal := e.writeJournal(t, data)
	if err := e.overwrite(t, data, mode); err != nil {
		if !errors.Is(err, errChanged) {
			// put the old bytes back if any new ones went in; if even that fails the journal stays
			// and the next write completes this one
			if rerr := e.overwrite(t, t.old, t.info.Mode().Perm()); rerr != nil {
				return fmt.Errorf("cannot write %s in place: %w", t.path, err)
			}
		}
		if journal != "" {
			os.Remove(journal)
		}
		if errors.Is(err, errChanged) {
			return err
		}
		return fmt.Errorf("cannot write %s in place: %w", t.path, err)
	}
	if journal != "" {
		os.Remove(journal)
	}
	return nil
}

// overwrite puts data into the file t was read from (the same inode, else errChanged) with one write
// at offset 0, then truncates it, sets mode and fsyncs.
func (e *Editor) overwrite(t *target, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(t.real, writeFlags, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || (t.info != nil && !os.SameFile(fi, t.info)) {
		return errChanged
	}
	buf := data
	if n := int(fi.Size()); len(data) < n {
		buf = append(append(make([]byte, 0, n), data...), bytes.Repeat([]byte{'\n'}, n-len(data))...)
	}
	if err := e.fault("write", t.real); err != nil {
		return err
	}
	if _, err := f.WriteAt(buf, 0); err != nil {
		return err
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return err
	}
	if fi.Mode().Perm() != mode {
		if err := f.Chmod(mode); err != nil {
			return err
		}
	}
	if err := e.fault("fsync", t.real); err != nil {
		return err
	}
	if !e.skipSync() {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return f.Close()
}

// writeJournal saves data (and the hash of t.old) in the journal of t.real; it returns the journal's
// path, or "" when the directory takes no file (then the write goes on without one).
func (e *Editor) writeJournal(t *target, data []byte) string {
	dir := filepath.Dir(t.real)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(t.real)+tmpInfix+"journal-*")
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(t.old)
	_, err = tmp.WriteString(journalHeader + hex.EncodeToString(sum[:]) + "\n")
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil && !e.skipSync() {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	jp := journalPath(t.real)
	if err == nil {
		err = os.Rename(tmp.Name(), jp)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return ""
	}
	if d, derr := os.Open(dir); derr == nil {
		if !e.skipSync() {
			d.Sync()
		}
		d.Close()
	}
	return jp
}

// recoverJournal finishes an in-place write of t.real that a stopped run left half done (see above).
func (e *Editor) recoverJournal(t *target) {
	jp := journalPath(t.real)
	j, err := ReadRegular(jp)
	if err != nil {
		return
	}
	rest, ok := strings.CutPrefix(string(j), journalHeader)
	oldSum, newData, ok2 := strings.Cut(rest, "\n")
	if !ok || !ok2 {
		os.Remove(jp)
		return
	}
	cur, fi, null, err := readRegular(t.real)
	if err != nil || null {
		return
	}
	sum := sha256.Sum256(cur)
	if string(cur) == newData || hex.EncodeToString(sum[:]) == oldSum {
		os.Remove(jp)
		return
	}
	torn := &target{path: t.path, real: t.real, existed: true, info: fi, old: cur}
	if err := e.overwrite(torn, []byte(newData), fi.Mode().Perm()); err != nil {
		e.warn("%s was left half written by an stsmfa run stopped while writing it in place, and completing that write failed: %v; its intended content is in %s", t.path, err, jp)
		return
	}
	os.Remove(jp)
	e.warn("%s had been left half written by an stsmfa run stopped while writing it in place; that write was completed", t.path)
}
