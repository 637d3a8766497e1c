package awsfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"

const baseCreds = "# keep me\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + secret + "\n"

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func setKey(profile, key, value string) func(*File) error {
	return func(f *File) error { return f.Set(profile, key, value) }
}

// noTemp fails if a temp file is left in dir.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), tmpInfix) {
			t.Fatalf("temp file left behind: %s", e.Name())
		}
	}
}

func TestUpdateWritesAndKeepsBytes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	var e Editor
	if err := e.Update(p, Credentials, setKey("mfa", "aws_access_key_id", "ASIAX")); err != nil {
		t.Fatal(err)
	}
	want := baseCreds + "\n[mfa]\naws_access_key_id = ASIAX\n"
	if got := testkit.ReadFile(t, p); got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	lp, err := editLockPath(p)
	if err != nil {
		t.Fatal(err)
	}
	lst, err := os.Stat(lp)
	if err != nil || lst.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v %v", lst, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("the directory holds more than the file (a lock file?): %v", ents)
	}
	noTemp(t, dir)
}

func TestUpdateNoChangeNoWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	before, _ := os.Stat(p)
	var e Editor
	if err := e.Update(p, Credentials, setKey("default", "aws_access_key_id", "AKIAIOSFODNN7EXAMPLE")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if !os.SameFile(before, after) {
		t.Fatal("file was rewritten although nothing changed")
	}
	// a missing file is not created when fn changes nothing
	q := filepath.Join(dir, "none")
	if err := e.Update(q, Credentials, func(*File) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(q); err == nil {
		t.Fatal("file created without changes")
	}
}

func TestUpdateFnErrorWritesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	var e Editor
	boom := errors.New("boom")
	err := e.Update(p, Credentials, func(f *File) error {
		f.Set("x", "k", "v")
		return boom
	})
	if !errors.Is(err, boom) || testkit.ReadFile(t, p) != baseCreds {
		t.Fatalf("err %v, content changed: %v", err, testkit.ReadFile(t, p) != baseCreds)
	}
}

func TestSymlinkStaysSymlink(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "real"), 0o700)
	os.MkdirAll(filepath.Join(dir, "links"), 0o700)
	target := filepath.Join(dir, "real", "creds")
	writeFile(t, target, baseCreds, 0o600)
	mid := filepath.Join(dir, "links", "mid")
	link := filepath.Join(dir, "links", "credentials")
	if err := os.Symlink("../real/creds", mid); err != nil { // relative target
		t.Fatal(err)
	}
	if err := os.Symlink(mid, link); err != nil {
		t.Fatal(err)
	}
	var e Editor
	if err := e.Update(link, Credentials, setKey("default", "region", "eu-west-1")); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{link, mid} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a symlink", l)
		}
	}
	if got := testkit.ReadFile(t, target); got != baseCreds+"region = eu-west-1\n" {
		t.Fatalf("target not updated: %q", got)
	}
	if a, b := FileKey(link), FileKey(target); a != b {
		t.Fatalf("a link and its target lock differently: %s, %s", a, b)
	}
	if _, err := os.Stat(target + ".lock"); err == nil {
		t.Fatal("a lock file beside the real file")
	}
	noTemp(t, filepath.Join(dir, "real"))

	// a dangling link: its target is created, the link stays
	dangling := filepath.Join(dir, "links", "dangling")
	os.Symlink("../real/new", dangling)
	if err := e.Update(dangling, Credentials, setKey("a", "k", "v")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(dangling); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("dangling link replaced")
	}
	if got := testkit.ReadFile(t, filepath.Join(dir, "real", "new")); got != "[a]\nk = v\n" {
		t.Fatalf("new target %q", got)
	}
}

func TestReadOnlyRefused(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o400)
	var e Editor
	err := e.Update(p, Credentials, setKey("default", "region", "x"))
	want := p + " is read-only; chmod u+w " + p
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if testkit.ReadFile(t, p) != baseCreds {
		t.Fatal("file changed")
	}
	noTemp(t, dir)
}

func TestMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nope", "credentials")
	var e Editor
	err := e.Update(p, Credentials, setKey("a", "k", "v"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "nope")) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("directory created")
	}
}

func TestCreatesDefaultAWSDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	p, err := CredentialsPath()
	if err != nil || p != filepath.Join(home, ".aws", "credentials") {
		t.Fatalf("CredentialsPath = %q, %v", p, err)
	}
	var warns []string
	e := Editor{Warn: func(m string) { warns = append(warns, m) }}
	if err := e.Update(p, Credentials, setKey("default", "aws_access_key_id", "AKIA")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(home, ".aws"))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("~/.aws: %v %v", st, err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], filepath.Join(home, ".aws")) {
		t.Fatalf("warnings %q", warns)
	}
}

func TestPaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SOMEVAR", "sub")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "~/x/$SOMEVAR/creds")
	t.Setenv("AWS_CONFIG_FILE", "/etc/${SOMEVAR}/$UNSET_VAR_XYZ")
	if p, _ := CredentialsPath(); p != filepath.Join(home, "x/sub/creds") {
		t.Fatalf("credentials path %q", p)
	}
	if p, _ := ConfigPath(); p != "/etc/sub/$UNSET_VAR_XYZ" {
		t.Fatalf("config path %q", p)
	}
	t.Setenv("AWS_CONFIG_FILE", "")
	if p, _ := ConfigPath(); p != filepath.Join(home, ".aws", "config") {
		t.Fatalf("config path %q", p)
	}
}

func TestModeTightened(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		mode, want os.FileMode
		warn       bool
	}{{0o644, 0o600, true}, {0o600, 0o600, false}, {0o640, 0o600, true}, {0o200, 0o200, false}} {
		p := filepath.Join(dir, "credentials")
		writeFile(t, p, baseCreds, c.mode)
		var warns []string
		e := Editor{Warn: func(m string) { warns = append(warns, m) }}
		if c.mode&0o400 == 0 {
			os.Chmod(p, 0o600) // we must be able to read it; root can anyway
			os.Chmod(p, c.mode)
		}
		if err := e.Update(p, Credentials, setKey("default", "region", "r"+c.mode.String())); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != c.want || (len(warns) > 0) != c.warn {
			t.Fatalf("mode %v: got %v, warnings %q", c.mode, st.Mode().Perm(), warns)
		}
		if c.warn && !strings.Contains(warns[0], p) {
			t.Fatalf("warning does not name the file: %q", warns[0])
		}
	}
}

func TestStaleTempRemoved(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	stale := filepath.Join(dir, ".credentials"+tmpInfix+"12345")
	writeFile(t, stale, "partial", 0o600)
	other := filepath.Join(dir, ".config"+tmpInfix+"1")
	writeFile(t, other, "not ours", 0o600)
	var e Editor
	if err := e.Update(p, Credentials, setKey("default", "region", "x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Fatal("stale temp file not removed")
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatal("another file's temp file removed")
	}
}

func TestWriteFaults(t *testing.T) {
	for _, step := range []string{"create", "write", "fsync", "rename"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel() // each Editor carries its own fault: parallel steps cannot see each other's
			dir := t.TempDir()
			p := filepath.Join(dir, "credentials")
			writeFile(t, p, baseCreds, 0o600)
			e := Editor{hooks: hooks{fault: func(op, path string) error {
				if op == step {
					return syscall.EACCES
				}
				return nil
			}}}
			err := e.Update(p, Credentials, setKey("default", "aws_secret_access_key", "NEWSECRETVALUE123"))
			if err == nil || !strings.Contains(err.Error(), p) || !errors.Is(err, syscall.EACCES) {
				t.Fatalf("got %v", err)
			}
			if strings.Contains(err.Error(), "NEWSECRETVALUE123") || strings.Contains(err.Error(), secret) {
				t.Fatalf("error leaks a secret: %v", err)
			}
			if testkit.ReadFile(t, p) != baseCreds {
				t.Fatal("file changed")
			}
			noTemp(t, dir)
		})
	}
}

func TestMalformedFiles(t *testing.T) {
	cases := map[string]struct {
		content string
		line    int
	}{
		"duplicate section":   {"[a]\nk = v\n[a]\naws_secret_access_key = " + secret + "\n", 3},
		"duplicate key":       {"[a]\naws_secret_access_key = x\nAWS_Secret_Access_Key = " + secret + "\n", 3},
		"bom":                 {"\ufeff[a]\naws_secret_access_key = " + secret + "\n", 1},
		"no delimiter":        {"[a]\nk = v\n" + secret + "\n", 3},
		"key before section":  {"aws_secret_access_key = " + secret + "\n[a]\n", 1},
		"empty key":           {"[a]\n = " + secret + "\n", 2},
		"nested without '='":  {"[a]\ns3 =\n  " + secret + "\n", 3},
		"invalid utf-8":       {"[a]\nk = v\nk2 = \xff" + secret + "\n", 3},
		"duplicate in crlf":   {"[a]\r\nk = v\r\n\r\n[b]\r\n[a]\r\nx = " + secret + "\r\n", 5},
		"continuation header": {"[a]\nk = v\n[b]\nk = " + secret + "\n[a]\n", 5},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "credentials")
			writeFile(t, p, c.content, 0o600)
			var e Editor
			called := false
			err := e.Update(p, Credentials, func(f *File) error { called = true; return f.Set("a", "k", "x") })
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Path != p || pe.Line != c.line || called {
				t.Fatalf("got %v (line want %d), fn called %v", err, c.line, called)
			}
			if !strings.HasPrefix(err.Error(), p+":") || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("bad message %q", err)
			}
			if testkit.ReadFile(t, p) != c.content {
				t.Fatal("file changed")
			}
			noTemp(t, dir)
			if _, err := Load(p, Credentials); !errors.As(err, &pe) {
				t.Fatalf("Load: %v", err)
			}
		})
	}
}

func TestLockTimeout(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	lp, err := editLockPath(p)
	if err != nil {
		t.Fatal(err)
	}
	holder := flock.New(lp)
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	defer holder.Unlock()
	e := Editor{LockTimeout: 50 * time.Millisecond}
	err = e.Update(p, Credentials, setKey("default", "region", "x"))
	if err == nil || !strings.Contains(err.Error(), lp) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("got %v", err)
	}
	if testkit.ReadFile(t, p) != baseCreds {
		t.Fatal("file changed")
	}
}

func TestUpdatePair(t *testing.T) {
	dir := t.TempDir()
	cp, fp := filepath.Join(dir, "credentials"), filepath.Join(dir, "config")
	conf := "[default]\nregion = us-east-1\n"
	writeFile(t, cp, baseCreds, 0o600)
	writeFile(t, fp, conf, 0o600)
	both := func(c, f *File) error {
		if err := c.Set("mfa", "aws_access_key_id", "ASIAPAIR"); err != nil {
			return err
		}
		return f.Set("mfa", "region", "eu-west-1")
	}
	// the config write fails: the credentials file must be back to its old bytes
	e := Editor{hooks: hooks{fault: func(op, path string) error {
		if op == "rename" && path == fp {
			return syscall.EIO
		}
		return nil
	}}}
	err := e.UpdatePair(cp, fp, both)
	if err == nil || !strings.Contains(err.Error(), fp) {
		t.Fatalf("got %v", err)
	}
	if testkit.ReadFile(t, cp) != baseCreds || testkit.ReadFile(t, fp) != conf {
		t.Fatal("files not restored")
	}
	noTemp(t, dir)
	// a new credentials file is removed again on failure
	cp2 := filepath.Join(dir, "credentials2")
	e = Editor{hooks: hooks{fault: func(op, path string) error {
		if op == "fsync" && path == fp {
			return syscall.EIO
		}
		return nil
	}}}
	err = e.UpdatePair(cp2, fp, both)
	if _, serr := os.Stat(cp2); err == nil || serr == nil {
		t.Fatalf("new credentials file left after failure: %v", err)
	}
	// success
	e = Editor{}
	if err := e.UpdatePair(cp, fp, both); err != nil {
		t.Fatal(err)
	}
	if testkit.ReadFile(t, cp) != baseCreds+"\n[mfa]\naws_access_key_id = ASIAPAIR\n" ||
		testkit.ReadFile(t, fp) != conf+"\n[profile mfa]\nregion = eu-west-1\n" {
		t.Fatalf("got %q / %q", testkit.ReadFile(t, cp), testkit.ReadFile(t, fp))
	}
	// same real file refused
	link := filepath.Join(dir, "link")
	os.Symlink(cp, link)
	for _, pair := range [][2]string{{cp, cp}, {cp, link}, {filepath.Join(dir, "n1"), filepath.Join(dir, ".", "n1")}} {
		if err := e.UpdatePair(pair[0], pair[1], both); err == nil || !strings.Contains(err.Error(), "same file") {
			t.Fatalf("%v: got %v", pair, err)
		}
	}
}

// TestFailedWriteKeepsMode: a write that fails leaves the original file's mode alone (0644 stays
// 0644) and says nothing about tightening it; only a successful write tightens, and warns.
func TestFailedWriteKeepsMode(t *testing.T) {
	failOn := func(op, file string) hooks {
		return hooks{fault: func(o, path string) error {
			if o == op && path == file {
				return syscall.EIO
			}
			return nil
		}}
	}
	mode := func(p string) os.FileMode {
		t.Helper()
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	t.Run("Update", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "credentials")
		writeFile(t, p, baseCreds, 0o644)
		var warns []string
		e := Editor{Warn: func(m string) { warns = append(warns, m) }, hooks: failOn("rename", p)}
		if err := e.Update(p, Credentials, setKey("default", "region", "x")); !errors.Is(err, syscall.EIO) {
			t.Fatalf("got %v", err)
		}
		if got := mode(p); got != 0o644 || testkit.ReadFile(t, p) != baseCreds || len(warns) != 0 {
			t.Fatalf("after a failed write: mode %04o (want 0644), content changed %v, warnings %q",
				got, testkit.ReadFile(t, p) != baseCreds, warns)
		}
		noTemp(t, dir)
	})
	t.Run("UpdatePair", func(t *testing.T) {
		// the credentials file is written, the config write fails, the credentials file is restored:
		// bytes and mode as before
		dir := t.TempDir()
		cp, fp := filepath.Join(dir, "credentials"), filepath.Join(dir, "config")
		conf := "[default]\nregion = us-east-1\n"
		writeFile(t, cp, baseCreds, 0o644)
		writeFile(t, fp, conf, 0o640)
		var warns []string
		e := Editor{Warn: func(m string) { warns = append(warns, m) }, hooks: failOn("rename", fp)}
		err := e.UpdatePair(cp, fp, func(c, f *File) error {
			if err := c.Set("mfa", "aws_access_key_id", "ASIAPAIR"); err != nil {
				return err
			}
			return f.Set("mfa", "region", "eu-west-1")
		})
		if !errors.Is(err, syscall.EIO) {
			t.Fatalf("got %v", err)
		}
		if mode(cp) != 0o644 || mode(fp) != 0o640 || testkit.ReadFile(t, cp) != baseCreds || testkit.ReadFile(t, fp) != conf || len(warns) != 0 {
			t.Fatalf("after a failed pair write: modes %04o/%04o (want 0644/0640), contents %q / %q, warnings %q",
				mode(cp), mode(fp), testkit.ReadFile(t, cp), testkit.ReadFile(t, fp), warns)
		}
		noTemp(t, dir)
		// the same pair written successfully: both tightened, one warning each
		e.hooks = hooks{}
		err = e.UpdatePair(cp, fp, func(c, f *File) error {
			if err := c.Set("mfa", "aws_access_key_id", "ASIAPAIR"); err != nil {
				return err
			}
			return f.Set("mfa", "region", "eu-west-1")
		})
		if err != nil || mode(cp) != 0o600 || mode(fp) != 0o600 || len(warns) != 2 ||
			!strings.Contains(warns[0], cp) || !strings.Contains(warns[1], fp) {
			t.Fatalf("successful pair write: %v, modes %04o/%04o, warnings %q", err, mode(cp), mode(fp), warns)
		}
	})
}

// TestClone: a clone and its original are edited independently, also the index of the sections after
// an edit (reindexSection moves them, lazyEdit renumbers them), for a parsed File and one from Load.
func TestClone(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, string(bigCredentials(50)), 0o600)
	loaded, err := Load(p, Credentials)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, f *File) {
		t.Helper()
		g := mustParse(t, f.Bytes())
		if err := sameView(g, f); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if f.lz == nil {
			if err := sameIndex(f, g); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
	}
	for _, f := range []*File{mustParse(t, bigCredentials(50)), loaded} {
		lazy := f.lz != nil
		orig := string(f.Bytes())
		c := f.Clone()
		if (c.lz != nil) != lazy {
			t.Fatalf("a clone of a File from Load must stay one (and of a parsed File be parsed)")
		}
		if err := c.Set("profile-00010", "new_key", "x"); err != nil {
			t.Fatal(err)
		}
		if string(f.Bytes()) != orig {
			t.Fatal("editing the clone changed the original")
		}
		check("original after the clone's edit", f)
		if err := f.Set("profile-00005", "other", "y"); err != nil {
			t.Fatal(err)
		}
		check("clone after the original's edit", c)
		check("original after its edit", f)
		if v, _ := c.Get("profile-00005", "other"); v != "" {
			t.Error("editing the original changed the clone")
		}
		if lazy && (f.lz == nil || c.lz == nil) {
			t.Error("an edit of an existing profile's section built the whole index")
		}
	}
}

// TestReload: the same bytes give the same File back (nothing parsed again); other bytes, or a missing
// file, give what Load gives.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	f, err := Load(p, Credentials)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := Reload(f); err != nil || g != f {
		t.Fatalf("unchanged file: %p %v, want the same File %p", g, err, f)
	}
	f.full() // with its whole index, the same bytes still give f
	if g, err := Reload(f); err != nil || g != f {
		t.Fatalf("unchanged file, indexed: %v", err)
	}
	writeFile(t, p, baseCreds+"[mfa]\nk = v\n", 0o600)
	g, err := Reload(f)
	if err != nil || g == f || !g.HasProfile("mfa") {
		t.Fatalf("changed file: %v, has mfa %v", err, g.HasProfile("mfa"))
	}
	os.Remove(p)
	if g, err = Reload(g); err != nil || len(g.Profiles()) != 0 {
		t.Fatalf("missing file: %v %v", g.Profiles(), err)
	}
	writeFile(t, p, "[a]\n[a]\n", 0o600)
	if _, err := Reload(g); err == nil {
		t.Fatal("a malformed file was reloaded")
	}
}

// TestUpdatePairFrom: with files unchanged since they were read, fn edits copies of the Files read
// (the originals stay as they were); a file changed meanwhile is read afresh under the lock.
func TestUpdatePairFrom(t *testing.T) {
	dir := t.TempDir()
	cp, fp := filepath.Join(dir, "credentials"), filepath.Join(dir, "config")
	writeFile(t, cp, baseCreds, 0o600)
	writeFile(t, fp, "[default]\nregion = eu-west-1\n", 0o600)
	c, _ := Load(cp, Credentials)
	f, _ := Load(fp, Config)
	e := &Editor{}
	err := e.UpdatePairFrom(c, f, func(creds, conf *File) error {
		if creds == c || conf == f {
			t.Error("fn got the caller's Files, not copies")
		}
		if err := creds.Set("mfa", "aws_access_key_id", "ASIA1"); err != nil {
			return err
		}
		return conf.Set("mfa", "region", "eu-west-1")
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.HasProfile("mfa") || f.HasProfile("mfa") {
		t.Error("the caller's Files were changed")
	}
	if got := testkit.ReadFile(t, cp); got != baseCreds+"\n[mfa]\naws_access_key_id = ASIA1\n" {
		t.Errorf("credentials: %q", got)
	}
	if got := testkit.ReadFile(t, fp); got != "[default]\nregion = eu-west-1\n\n[profile mfa]\nregion = eu-west-1\n" {
		t.Errorf("config: %q", got)
	}
	// c is now stale: the file has [mfa]; UpdatePairFrom must read it again and keep [mfa]
	err = e.UpdatePairFrom(c, f, func(creds, conf *File) error {
		if !creds.HasProfile("mfa") {
			t.Error("fn got the stale File instead of the file's new bytes")
		}
		return creds.Set("other", "k", "v")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testkit.ReadFile(t, cp); !strings.Contains(got, "[mfa]") || !strings.Contains(got, "[other]") {
		t.Errorf("credentials after the second update: %q", got)
	}
}
