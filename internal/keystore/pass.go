package keystore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// passStore keeps each profile's item as the entry stsmfa/PROFILE of the standard unix password
// manager (pass: gpg-encrypted files, often in git). The item goes to `pass insert`'s stdin and
// comes back on `pass show`'s stdout; it is never in an argv and never quoted in an error.
type passStore struct {
	o   Options
	bin string
}

func openPass(o Options) (Backend, error) {
	bin, err := exec.LookPath("pass")
	if err != nil {
		return nil, unavailable(Pass, "pass is not installed")
	}
	dir := o.getenv("PASSWORD_STORE_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".password-store")
	}
	if _, err := os.Stat(filepath.Join(dir, ".gpg-id")); err != nil {
		return nil, unavailable(Pass, fmt.Sprintf("no password store at %s (run pass init GPG-ID first, or set PASSWORD_STORE_DIR)", dir))
	}
	return &passStore{o: o, bin: bin}, nil
}

func (p *passStore) Name() string { return Pass }

// entry is the pass path of a profile's item; PathEscape keeps a name with / inside one entry.
func entry(profile string) string {
	e := url.PathEscape(profile)
	if strings.HasPrefix(e, ".") {
		e = "%2E" + e[1:]
	}
	return Service + "/" + e
}

func (p *passStore) run(stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), p.o.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", fault.New(fault.Files, fault.FieldBackend, ctx.Err(), "pass %s did not finish within %s (a gpg passphrase prompt nobody answered?)", args[0], p.o.Timeout)
	}
	if err != nil {
		// pass's and gpg's stderr name the entry and the problem, never the content
		return "", fmt.Errorf("pass %s: %v: %s", args[0], err, strings.Join(strings.Fields(errb.String()), " "))
	}
	return out.String(), nil
}

func (p *passStore) Get(profile string) (Item, error) {
	name := entry(profile)
	dir := p.o.getenv("PASSWORD_STORE_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".password-store")
	}
	if _, err := os.Stat(filepath.Join(dir, name+".gpg")); errors.Is(err, os.ErrNotExist) {
		return Item{}, fmt.Errorf("%s: %w", describe(p, profile), ErrNotFound)
	}
	out, err := p.run("", "show", name)
	if err != nil {
		return Item{}, fault.New(fault.Files, fault.FieldBackend, err, "cannot read %s: %v", describe(p, profile), err)
	}
	it, err := decode(out)
	if err != nil {
		return Item{}, fault.FilesErr("%s (pass entry %s): %v", describe(p, profile), name, err)
	}
	return it, nil
}

func (p *passStore) Set(profile string, it Item) error {
	if _, err := p.run(it.encode()+"\n", "insert", "--multiline", "--force", entry(profile)); err != nil {
		return fault.New(fault.Files, fault.FieldBackend, err, "cannot write %s: %v", describe(p, profile), err)
	}
	return nil
}

func (p *passStore) Delete(profile string) error {
	if _, err := p.Get(profile); errors.Is(err, ErrNotFound) {
		return nil
	}
	if _, err := p.run("", "rm", "--force", entry(profile)); err != nil {
		return fault.New(fault.Files, fault.FieldBackend, err, "cannot delete %s: %v", describe(p, profile), err)
	}
	return nil
}
