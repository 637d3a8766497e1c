//go:build !windows

package awsfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestChownWhenRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	if err := os.Chown(p, 4321, 4322); err != nil {
		t.Fatal(err)
	}
	var e Editor
	if err := e.Update(p, Credentials, setKey("default", "region", "x")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if s := st.Sys().(*syscall.Stat_t); s.Uid != 4321 || s.Gid != 4322 {
		t.Fatalf("owner %d:%d", s.Uid, s.Gid)
	}
}
