package awsfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPrefetch: the first Load of the prefetched file takes the File read ahead (as the file was
// then), later Loads read the file; another path or kind is not served from it; a read ahead that
// failed leaves the read and its error to Load.
func TestPrefetch(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	Prefetch(p, Credentials)
	if f, err := Load(p, Config); err != nil || f.HasProfile("default") == false {
		t.Fatalf("another kind: %v", err) // read as config, [default] is a profile there too
	}
	if f, err := Load(filepath.Join(dir, "other"), Credentials); err != nil || len(f.Profiles()) != 0 {
		t.Fatalf("another path: %v %v", f.Profiles(), err)
	}
	prefetched.Lock()
	var pending *prefetch
	if len(prefetched.p) == 1 {
		pending = prefetched.p[0]
	}
	prefetched.Unlock()
	if pending == nil {
		t.Fatal("the read ahead was taken by a Load of another path or kind")
	}
	<-pending.done // the file changes after it was read ahead
	writeFile(t, p, baseCreds+"[later]\nk = v\n", 0o600)
	f, err := Load(p, Credentials)
	if err != nil || f.HasProfile("later") {
		t.Fatalf("the first Load must return the file as read ahead: %v %v", f.Profiles(), err)
	}
	if f, err = Load(p, Credentials); err != nil || !f.HasProfile("later") {
		t.Fatalf("the second Load must read the file: %v %v", f.Profiles(), err)
	}
	// a read ahead that failed: Load reads, and reports its own error
	writeFile(t, p, "[a]\n[a]\n", 0o600)
	Prefetch(p, Credentials)
	if _, err := Load(p, Credentials); err == nil {
		t.Fatal("a malformed file was loaded")
	}
	os.Remove(p)
	Prefetch(p, Credentials)
	if f, err := Load(p, Credentials); err != nil || len(f.Profiles()) != 0 {
		t.Fatalf("missing file: %v %v", f.Profiles(), err)
	}
}
