package awsfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReplaceWhole: a new file is 0600 in a new 0700 directory; a symlink stays a symlink and its target
// gets the bytes; an unchanged answer writes nothing; a read-only file is refused, untouched.
func TestReplaceWhole(t *testing.T) {
	dir := t.TempDir()
	e := &Editor{}
	p := filepath.Join(dir, "cli", "cache", "k.json")
	if err := e.ReplaceWhole(p, func(old []byte) ([]byte, error) {
		if old != nil {
			t.Errorf("old = %q for a new file", old)
		}
		return []byte(`{"a":1}`), nil
	}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{p: 0o600, filepath.Dir(p): 0o700} {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v err %v, want %04o", path, st.Mode().Perm(), err, want)
		}
	}
	real := filepath.Join(dir, "real.json")
	os.WriteFile(real, []byte("old"), 0o400|0o200)
	link := filepath.Join(dir, "link.json")
	os.Symlink(real, link)
	if err := e.ReplaceWhole(link, func(old []byte) ([]byte, error) {
		if string(old) != "old" {
			t.Errorf("old = %q", old)
		}
		return []byte("new"), nil
	}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want the existing 0600 kept", st.Mode().Perm())
	}
	os.Chmod(real, 0o400)
	err := e.ReplaceWhole(real, func([]byte) ([]byte, error) { return []byte("x"), nil })
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only file: %v", err)
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Errorf("a refused write changed the file: %q", b)
	}
}

// CheckWritable answers without changing anything: no file created, no temp file left.
func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	if err := CheckWritable(p); err != nil {
		t.Errorf("absent file in a writable directory: %v", err)
	}
	os.WriteFile(p, []byte("[a]\n"), 0o400)
	if err := CheckWritable(p); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only file: %v", err)
	}
	if err := CheckWritable(filepath.Join(dir, "missing-dir", "credentials")); err == nil {
		t.Errorf("a missing directory that is not ~/.aws must be refused")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("CheckWritable left files behind: %v", ents)
	}
}
