//go:build !windows

package awsfile

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// within fails the test if fn does not return within 5 s (a FIFO blocks forever).
func within(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s blocked", what)
		return nil
	}
}

// TestNotRegularRefusedAtOnce: a FIFO, a socket or a directory where a file is expected is refused at
// once by every reader and writer, and left as it is (issue 21).
func TestNotRegularRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sub := filepath.Join(dir, "dir")
	os.Mkdir(sub, 0o700)
	for _, c := range []struct{ path, what string }{{fifo, "FIFO"}, {sock, "socket"}, {sub, "directory"}} {
		t.Run(c.what, func(t *testing.T) {
			var e Editor
			for name, fn := range map[string]func() error{
				"Load":          func() error { _, err := Load(c.path, Credentials); return err },
				"Reload":        func() error { _, err := Reload(&File{path: c.path, kind: Config}); return err },
				"ReadRegular":   func() error { _, err := ReadRegular(c.path); return err },
				"CheckWritable": func() error { return CheckWritable(c.path) },
				"Update":        func() error { return e.Update(c.path, Credentials, setKey("a", "b", "c")) },
				"ReplaceWhole":  func() error { return e.ReplaceWhole(c.path, func([]byte) ([]byte, error) { return []byte("x"), nil }) },
			} {
				err := within(t, name, fn)
				var nr *NotRegularError
				if !errors.As(err, &nr) || !strings.Contains(err.Error(), c.what) {
					t.Errorf("%s: got %v, want a refusal naming a %s", name, err, c.what)
				}
			}
			fi, err := os.Lstat(c.path)
			if err != nil || fi.Mode().IsRegular() {
				t.Fatalf("%s was replaced: %v %v", c.path, fi, err)
			}
		})
	}
}

// TestNullDeviceReadOnly: the null device reads as an empty file and is never replaced, even by
// root. As root the test makes its own node of it (mknod), so that a broken build cannot replace the
// machine's /dev/null.
func TestNullDeviceReadOnly(t *testing.T) {
	null := os.DevNull
	if os.Geteuid() == 0 {
		null = filepath.Join(t.TempDir(), "null")
		st, err := os.Stat(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(st.Sys().(*syscall.Stat_t).Rdev)); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Load(null, Config)
	if err != nil || len(f.Profiles()) != 0 {
		t.Fatalf("Load(/dev/null): %v %v", f, err)
	}
	var e Editor
	if err := e.Update(null, Config, func(*File) error { return nil }); err != nil {
		t.Fatalf("an edit that changes nothing: %v", err)
	}
	err = e.Update(null, Config, setKey("default", "region", "x"))
	if err == nil || !strings.Contains(err.Error(), "null device") {
		t.Fatalf("Update(/dev/null): %v", err)
	}
	if err := CheckWritable(null); err == nil || !strings.Contains(err.Error(), "null device") {
		t.Fatalf("CheckWritable(/dev/null): %v", err)
	}
	fi, err := os.Stat(null)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v %v", fi, err)
	}
}

// TestEditKeepsConcurrentAppend: a line another program appends between the Editor's read and its
// rename (here: while the temporary file is fsynced) survives; the edit is done again on it.
func TestEditKeepsConcurrentAppend(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	appended := 0
	e := Editor{hooks: hooks{fault: func(op, path string) error {
		if op == "fsync" && appended < 2 {
			appended++
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString("\n[other" + strings.Repeat("x", appended) + "]\nregion = x\n")
			return err
		}
		return nil
	}}}
	calls := 0
	err := e.Update(p, Credentials, func(f *File) error { calls++; return f.Set("mfa", "aws_access_key_id", "ASIAX") })
	if err != nil {
		t.Fatal(err)
	}
	got := testkit.ReadFile(t, p)
	for _, want := range []string{"[otherx]", "[otherxx]", "[mfa]\naws_access_key_id = ASIAX", "# keep me"} {
		if !strings.Contains(got, want) {
			t.Errorf("lost %q: %q", want, got)
		}
	}
	if calls != 3 {
		t.Errorf("edit done %d times, want 3", calls)
	}
	noTemp(t, dir)

	// the pair: the config changes while it is written, after the credentials were
	cp, fp := filepath.Join(dir, "c2"), filepath.Join(dir, "f2")
	writeFile(t, cp, baseCreds, 0o600)
	writeFile(t, fp, "[default]\nregion = us-east-1\n", 0o600)
	once := false
	e = Editor{hooks: hooks{fault: func(op, path string) error {
		if op == "fsync" && path == fp && !once {
			once = true
			return os.WriteFile(fp, []byte("[default]\nregion = us-east-1\n[profile other]\noutput = json\n"), 0o600)
		}
		return nil
	}}}
	err = e.UpdatePair(cp, fp, func(c, f *File) error {
		if err := c.Set("mfa", "aws_access_key_id", "ASIAX"); err != nil {
			return err
		}
		return f.Set("mfa", "region", "us-east-1")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testkit.ReadFile(t, fp); !strings.Contains(got, "[profile other]") || !strings.Contains(got, "[profile mfa]") {
		t.Errorf("config lost an edit: %q", got)
	}
	if got := testkit.ReadFile(t, cp); strings.Count(got, "[mfa]") != 1 {
		t.Errorf("credentials: %q", got)
	}
}

// TestHardLinkKept: a file with a second hard link is written in place, so both names see the edit.
func TestHardLinkKept(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds+"[long]\naws_access_key_id = AKIAXXXXXXXXXXXXXXXX\n", 0o644)
	other := filepath.Join(dir, "backup-link")
	if err := os.Link(p, other); err != nil {
		t.Fatal(err)
	}
	var warned []string
	e := Editor{Warn: func(m string) { warned = append(warned, m) }}
	if err := CheckWritable(p); err != nil {
		t.Fatal(err)
	}
	// shrink (a section removed) then grow
	if err := e.Update(p, Credentials, func(f *File) error { f.RemoveProfile("long"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := testkit.ReadFile(t, other); got != baseCreds {
		t.Fatalf("the other link: %q", got)
	}
	if err := e.Update(p, Credentials, setKey("mfa", "aws_access_key_id", "ASIAX")); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(p)
	b, _ := os.Stat(other)
	if !os.SameFile(a, b) {
		t.Fatal("the hard link was broken")
	}
	if got := testkit.ReadFile(t, other); got != baseCreds+"\n[mfa]\naws_access_key_id = ASIAX\n" {
		t.Fatalf("the other link: %q", got)
	}
	if a.Mode().Perm() != 0o600 || len(warned) == 0 {
		t.Errorf("mode %v, warnings %q: want 0600 and a notice", a.Mode().Perm(), warned)
	}
	if _, err := os.Stat(journalPath(p)); err == nil {
		t.Error("journal left behind")
	}
	noTemp(t, dir)
}

// TestRenameBusyWritesInPlace: a file that cannot be renamed over (EBUSY: bind-mounted on its own)
// is written in place.
func TestRenameBusyWritesInPlace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	before, _ := os.Stat(p)
	e := Editor{hooks: hooks{fault: func(op, path string) error {
		if op == "rename" {
			return &os.LinkError{Op: "rename", Old: "tmp", New: path, Err: syscall.EBUSY}
		}
		return nil
	}}}
	if err := e.Update(p, Credentials, setKey("mfa", "aws_access_key_id", "ASIAX")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if !os.SameFile(before, after) || testkit.ReadFile(t, p) != baseCreds+"\n[mfa]\naws_access_key_id = ASIAX\n" {
		t.Fatalf("not written in place: %q", testkit.ReadFile(t, p))
	}
	noTemp(t, dir)
}

// TestJournalCompletesTornWrite: an in-place write stopped half way is completed by the next write.
func TestJournalCompletesTornWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	fi, _ := os.Stat(p)
	want := baseCreds + "\n[mfa]\naws_access_key_id = ASIAX\n"
	var e Editor
	tg := &target{path: p, real: p, existed: true, info: fi, old: []byte(baseCreds)}
	if e.writeJournal(tg, []byte(want)) == "" {
		t.Fatal("no journal")
	}
	writeFile(t, p, want[:len(baseCreds)+5], 0o600) // torn
	var warned []string
	e.Warn = func(m string) { warned = append(warned, m) }
	if err := e.Update(p, Credentials, setKey("mfa", "region", "x")); err != nil {
		t.Fatal(err)
	}
	if got := testkit.ReadFile(t, p); got != want+"region = x\n" || len(warned) != 1 {
		t.Fatalf("got %q, warnings %q", got, warned)
	}
	if _, err := os.Stat(journalPath(p)); err == nil {
		t.Error("journal left behind")
	}
}

// TestBindMountedFile: a credentials file bind-mounted on its own (as docker run -v does) is
// known to need an in-place write before anything is spent, and written in place. It runs itself
// again in a private mount namespace (unshare); where none can be made, the EBUSY hook test above
// covers the write.
func TestBindMountedFile(t *testing.T) {
	if os.Getenv("STSMFA_TEST_BIND") == "" {
		if testing.Short() {
			t.Skip("process-level test")
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			testkit.SkipUnlessCI(t, "unshare (util-linux) is not installed")
			t.Fatal(err)
		}
		args := []string{"-m"}
		if os.Geteuid() != 0 {
			args = []string{"-rm"}
		}
		if out, err := exec.Command(unshare, append(args, "true")...).CombinedOutput(); err != nil {
			t.Skipf("no private mount namespace here (%v: %s)", err, out)
		}
		cmd := exec.Command(unshare, append(args, os.Args[0], "-test.run=^TestBindMountedFile$", "-test.v")...)
		cmd.Env = append(os.Environ(), "STSMFA_TEST_BIND=1", "TMPDIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestBindMountedFile") {
			t.Fatalf("in the namespace: %v\n%s", err, out)
		}
		return
	}
	dir := t.TempDir()
	host := filepath.Join(dir, "host-credentials")
	writeFile(t, host, baseCreds, 0o600)
	os.Mkdir(filepath.Join(dir, "container"), 0o700)
	p := filepath.Join(dir, "container", "credentials")
	writeFile(t, p, "", 0o600)
	if err := syscall.Mount(host, p, "", syscall.MS_BIND, ""); err != nil {
		t.Fatalf("bind mount: %v", err)
	}
	defer syscall.Unmount(p, 0)
	if err := os.Rename(host, p); !errors.Is(err, syscall.EBUSY) {
		t.Fatalf("rename over the bind mount: %v, want EBUSY", err)
	}
	if err := CheckWritable(p); err != nil {
		t.Fatalf("CheckWritable: %v", err)
	}
	var e Editor
	if err := e.Update(p, Credentials, setKey("mfa", "aws_access_key_id", "ASIAX")); err != nil {
		t.Fatal(err)
	}
	if got := testkit.ReadFile(t, host); got != baseCreds+"\n[mfa]\naws_access_key_id = ASIAX\n" {
		t.Fatalf("host file: %q", got)
	}
	// a bind-mounted file that is read-only to its writer is known before anything is spent
	os.Chmod(host, 0o400)
	if os.Geteuid() != 0 {
		if err := CheckWritable(p); err == nil {
			t.Fatal("CheckWritable of a read-only bind-mounted file passed")
		}
	}
}
