package keystore

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

// exercise holds a backend to the Backend contract, and returns what a second profile's item
// looked like from outside (for the caller to check where it landed).
func exercise(t *testing.T, b Backend) {
	t.Helper()
	if _, err := b.Get("alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: %v, want ErrNotFound", err)
	}
	if err := b.Delete("alice"); err != nil {
		t.Fatalf("Delete of nothing: %v", err)
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	one := Item{AccessKeyID: "AKIAALICEALICEALICE1", SecretAccessKey: secret, Created: created}
	if err := b.Set("alice", one); err != nil {
		t.Fatal(err)
	}
	got, err := b.Get("alice")
	if err != nil || got.AccessKeyID != one.AccessKeyID || got.SecretAccessKey != secret || !got.Created.Equal(created) {
		t.Fatalf("Get = %+v, %v", got.AccessKeyID, err)
	}
	two := Item{AccessKeyID: "AKIAALICEALICEALICE2", SecretAccessKey: "x/y+z" + secret[5:]}
	if err := b.Set("alice", two); err != nil {
		t.Fatal(err)
	}
	if err := b.Set("odd/name", one); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get("alice"); err != nil || got != two {
		t.Fatalf("after replace: %v %v", got.AccessKeyID, err)
	}
	if got, err := b.Get("odd/name"); err != nil || got.AccessKeyID != one.AccessKeyID {
		t.Fatalf("odd/name: %v %v", got.AccessKeyID, err)
	}
	if err := b.Delete("alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get("alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if got, err := b.Get("odd/name"); err != nil || got.AccessKeyID != one.AccessKeyID {
		t.Fatalf("Delete took the other profile too: %v", err)
	}
	b.Delete("odd/name")
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	o := Options{Getenv: env(map[string]string{"STSMFA_FILE_DIR": dir, PassphraseVar: "correct horse", "STSMFA_FILE_WORK_FACTOR": "10"})}
	b, err := Open(File, o)
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, b)
	if err := b.Set("bob", Item{AccessKeyID: "AKIABOBBOBBOBBOBBOB1", SecretAccessKey: secret}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "bob.age"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), "age-encryption.org/v1\n-> scrypt ") || strings.Contains(string(raw), "AKIABOB") || strings.Contains(string(raw), secret) {
		t.Fatalf("not an age scrypt file, or plaintext inside:\n%q", raw)
	}
	if st, _ := os.Stat(filepath.Join(dir, "bob.age")); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	// a wrong passphrase neither reads nor writes (one passphrase for the whole store)
	o.Getenv = env(map[string]string{"STSMFA_FILE_DIR": dir, PassphraseVar: "wrong", "STSMFA_FILE_WORK_FACTOR": "10"})
	wrong, _ := Open(File, o)
	if _, err := wrong.Get("bob"); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase read: %v", err)
	}
	if err := wrong.Set("carol", Item{AccessKeyID: "AKIACAROL", SecretAccessKey: "s"}); err == nil {
		t.Fatal("wrong passphrase wrote")
	}
	// no passphrase and no way to ask: one line, nothing written
	o.Getenv = env(map[string]string{"STSMFA_FILE_DIR": dir})
	none, _ := Open(File, o)
	err = none.Set("carol", Item{AccessKeyID: "AKIACAROL", SecretAccessKey: "s"})
	if fault.FieldOf(err) != fault.FieldBackend || !strings.Contains(err.Error(), PassphraseVar) {
		t.Fatalf("no passphrase: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "carol.age")); err == nil {
		t.Fatal("carol.age written")
	}
}

func TestUnknownAndAbsent(t *testing.T) {
	_, err := Open("kwallet", Options{})
	if fault.Code(err) != fault.Usage || !strings.Contains(err.Error(), strings.Join(Names(), ", ")) {
		t.Fatalf("unknown: %v", err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	// headless: no session bus. One line naming the choices; no plaintext fallback, no autolaunched bus.
	_, err = Open("", Options{Getenv: env(map[string]string{})})
	if err == nil || fault.FieldOf(err) != fault.FieldBackend || !strings.Contains(err.Error(), "no D-Bus session bus") ||
		!strings.Contains(err.Error(), "secret-service, pass, file") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("headless: %v", err)
	}
	_, err = Open(Keychain, Options{})
	if err == nil || !strings.Contains(err.Error(), "unknown key backend") {
		t.Fatalf("keychain on linux: %v", err)
	}
}

// TestPass runs the real pass against a throwaway store and GNUPGHOME.
func TestPass(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pass is a POSIX tool")
	}
	if testing.Short() {
		t.Skip("runs gpg")
	}
	for _, tool := range []string{"pass", "gpg", "gpgconf"} {
		if _, err := exec.LookPath(tool); err != nil {
			ci.SkipUnlessCI(t, "%s is not installed (apt-get install pass gnupg)", tool)
		}
	}
	dir := t.TempDir()
	gh, store := filepath.Join(dir, "gnupg"), filepath.Join(dir, "store")
	os.Mkdir(gh, 0o700)
	t.Setenv("GNUPGHOME", gh)
	t.Setenv("PASSWORD_STORE_DIR", store)
	t.Cleanup(func() { exec.Command("gpgconf", "--kill", "gpg-agent").Run() })
	run := func(name string, args ...string) {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	// before pass init: one line naming the fix
	if _, err := Open(Pass, Options{}); err == nil || !strings.Contains(err.Error(), "pass init") {
		t.Fatalf("no store: %v", err)
	}
	run("gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "stsmfa test <stsmfa-test@example.invalid>", "default", "default", "never")
	run("pass", "init", "stsmfa-test@example.invalid")
	b, err := Open(Pass, Options{})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, b)
	if err := b.Set("bob", Item{AccessKeyID: "AKIABOBBOBBOBBOBBOB1", SecretAccessKey: secret}); err != nil {
		t.Fatal(err)
	}
	// pass itself shows what stsmfa stored, as stsmfa/bob
	out, err := exec.Command("pass", "show", "stsmfa/bob").Output()
	if err != nil || !strings.Contains(string(out), `"AccessKeyId":"AKIABOBBOBBOBBOBBOB1"`) || !strings.Contains(string(out), secret) {
		t.Fatalf("pass show stsmfa/bob: %v %q", err, out)
	}
	raw, _ := os.ReadFile(filepath.Join(store, "stsmfa", "bob.gpg"))
	if len(raw) == 0 || strings.Contains(string(raw), "AKIABOB") {
		t.Fatal("the entry is not gpg-encrypted")
	}
}
