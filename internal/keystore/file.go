package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// PassphraseVar gives the file backend's passphrase without a prompt (scripts, CI).
const PassphraseVar = "STSMFA_FILE_PASSPHRASE"

// fileStore keeps one age file per profile (DIR/PROFILE.age), encrypted to age's scrypt recipient:
// a passphrase, stretched by scrypt (work factor 2^18 by default), then ChaCha20-Poly1305. Files are
// written like every other stsmfa file (sibling lock, temporary file, fsync, rename, 0600).
type fileStore struct {
	o      Options
	dir    string
	pass   string
	work   int
	editor *awsfile.Editor
}

func openFile(o Options) (Backend, error) {
	dir := o.getenv("STSMFA_FILE_DIR")
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return nil, unavailable(File, fmt.Sprintf("no configuration directory: %v (set HOME, or STSMFA_FILE_DIR)", err))
		}
		dir = filepath.Join(base, "stsmfa", "keys")
	}
	work := 18 // age's default
	if v := o.getenv("STSMFA_FILE_WORK_FACTOR"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n > 22 {
			return nil, fault.UsageErr("STSMFA_FILE_WORK_FACTOR %q must be a whole number from 10 to 22 (log2 of scrypt's N; default 18)", v)
		}
		work = n
	}
	return &fileStore{o: o, dir: dir, work: work, editor: &awsfile.Editor{}}, nil
}

func (f *fileStore) Name() string { return File }

func (f *fileStore) path(profile string) string {
	e := url.PathEscape(profile)
	if strings.HasPrefix(e, ".") {
		e = "%2E" + e[1:]
	}
	return filepath.Join(f.dir, e+".age")
}

// existing is one file of the store, to check a passphrase against ("" when there is none).
func (f *fileStore) existing() string {
	m, _ := filepath.Glob(filepath.Join(f.dir, "*.age"))
	if len(m) == 0 {
		return ""
	}
	return m[0]
}

// passphrase is asked once per run: STSMFA_FILE_PASSPHRASE, else a person. A store that has files
// already must open with it: one passphrase for all of them.
func (f *fileStore) passphrase() (string, error) {
	if f.pass != "" {
		return f.pass, nil
	}
	p := f.o.getenv(PassphraseVar)
	from := PassphraseVar
	if p == "" {
		if f.o.Passphrase == nil {
			return "", unavailable(File, "its passphrase cannot be asked here (no terminal or dialog); set "+PassphraseVar)
		}
		var err error
		from = "the passphrase"
		if p, err = f.o.Passphrase("Passphrase of stsmfa's key files in "+f.dir+": ", f.existing() == ""); err != nil {
			return "", err
		}
		if p == "" {
			return "", fault.UsageErr("the passphrase is empty; nothing was read or written")
		}
	}
	if ex := f.existing(); ex != "" {
		if _, err := f.open(ex, p); err != nil {
			return "", fault.New(fault.Files, fault.FieldBackend, nil, "%s does not open %s: wrong passphrase? nothing was written", from, ex)
		}
	}
	f.pass = p
	return p, nil
}

func (f *fileStore) open(path, pass string) (Item, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Item{}, err
	}
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return Item{}, err
	}
	r, err := age.Decrypt(bytes.NewReader(b), id)
	if err != nil {
		return Item{}, err
	}
	plain, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return Item{}, err
	}
	return decode(string(plain))
}

func (f *fileStore) Get(profile string) (Item, error) {
	path := f.path(profile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return Item{}, fmt.Errorf("%s: %w", describe(f, profile), ErrNotFound)
	}
	pass, err := f.passphrase()
	if err != nil {
		return Item{}, err
	}
	it, err := f.open(path, pass)
	if err != nil {
		return Item{}, fault.New(fault.Files, fault.FieldBackend, err, "cannot open %s (%s): %v", describe(f, profile), path, err)
	}
	return it, nil
}

func (f *fileStore) Set(profile string, it Item) error {
	pass, err := f.passphrase()
	if err != nil {
		return err
	}
	rcp, err := age.NewScryptRecipient(pass)
	if err != nil {
		return fault.UsageErr("the passphrase cannot be used: %v", err)
	}
	rcp.SetWorkFactor(f.work)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rcp)
	if err != nil {
		return fault.FilesErr("cannot encrypt %s: %v", describe(f, profile), err)
	}
	io.WriteString(w, it.encode())
	if err := w.Close(); err != nil {
		return fault.FilesErr("cannot encrypt %s: %v", describe(f, profile), err)
	}
	path := f.path(profile)
	if err := f.editor.ReplaceWhole(path, func([]byte) ([]byte, error) { return buf.Bytes(), nil }); err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "cannot write %s: %v", path, err)
	}
	return nil
}

func (f *fileStore) Delete(profile string) error {
	err := os.Remove(f.path(profile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fault.FilesErr("cannot delete %s: %v", f.path(profile), err)
	}
	return nil
}
