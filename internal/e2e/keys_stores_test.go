//go:build linux

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// TestKeysSecretService: stsmfa keys import into a real GNOME Keyring (the OS's own store, the
// default) inside a private D-Bus session; login then refreshes with the keys from it, and
// secret-tool finds the item from outside.
func TestKeysSecretService(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dbus and gnome-keyring")
	}
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			testkit.SkipUnlessCI(t, "%s is not installed (apt-get install dbus-daemon dbus-user-session gnome-keyring libsecret-tools)", tool)
		}
	}
	w := newWorld(t)
	w.mfaProcess(w.codeCmd)
	before := testkit.ReadFile(t, w.CredPath)
	script := `printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 9
"$0" keys import || exit 10
"$0" login --debug 2>&1 || exit 11
echo ==lookup
secret-tool lookup service stsmfa username default`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, w.bin)
	cmd.Env = append(w.Env(), "XDG_RUNTIME_DIR="+w.Home, "XDG_DATA_HOME="+filepath.Join(w.Home, "data"))
	cmd.Dir = w.Home
	out, err := cmd.CombinedOutput()
	text := string(out)
	log, lookup, _ := strings.Cut(text, "==lookup\n")
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	for _, want := range []string{"moved the keys of profile default (****" + w.User.AccessKeyID[16:] + ")", "into secret-service", "from the secret-service key store", "mfa: new session valid"} {
		if !strings.Contains(log, want) {
			t.Errorf("output lacks %q:\n%s", want, log)
		}
	}
	w.noSecrets("stsmfa's output", log)
	if !strings.Contains(lookup, `"AccessKeyId":"`+w.User.AccessKeyID+`"`) || !strings.Contains(lookup, w.User.SecretAccessKey) {
		t.Error("secret-tool does not find the key pair stsmfa stored")
	}
	want := strings.Replace(before, "aws_access_key_id = "+w.User.AccessKeyID+"\naws_secret_access_key = "+w.User.SecretAccessKey+"\n", "", 1)
	if got := testkit.ReadFile(t, w.CredPath); !strings.HasPrefix(got, want) || strings.Contains(got, w.User.SecretAccessKey) {
		t.Errorf("credentials file after import:\n%s", got)
	}
}

// TestKeysNoStore: headless (no D-Bus session bus): import without --backend names the choices in
// one line, exits 3 and changes nothing: never a silent plaintext fallback.
func TestKeysNoStore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stsmfa")
	}
	w := newWorld(t)
	creds, conf := testkit.ReadFile(t, w.CredPath), testkit.ReadFile(t, w.ConfPath)
	p := w.stsmfa("keys", "import")
	if code := p.run(t); code != 3 {
		t.Fatalf("exit %d: %s", code, p.stderr.String())
	}
	msg := p.stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "no D-Bus session bus") || !strings.Contains(msg, "choose one of: secret-service, pass, file") ||
		!strings.Contains(msg, "--backend, STSMFA_BACKEND or stsmfa_backend") {
		t.Errorf("message: %q", msg)
	}
	if testkit.ReadFile(t, w.CredPath) != creds || testkit.ReadFile(t, w.ConfPath) != conf {
		t.Error("files changed")
	}
}

// TestKeysPass: import into the real pass (throwaway GNUPGHOME and store); login reads them back.
func TestKeysPass(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gpg")
	}
	for _, tool := range []string{"pass", "gpg", "gpgconf"} {
		if _, err := exec.LookPath(tool); err != nil {
			testkit.SkipUnlessCI(t, "%s is not installed (apt-get install pass gnupg)", tool)
		}
	}
	w := newWorld(t)
	w.mfaProcess(w.codeCmd)
	gh, store := filepath.Join(w.dir, "gnupg"), filepath.Join(w.dir, "store")
	os.Mkdir(gh, 0o700)
	env := []string{"GNUPGHOME=" + gh, "PASSWORD_STORE_DIR=" + store}
	t.Cleanup(func() {
		c := exec.Command("gpgconf", "--kill", "gpg-agent")
		c.Env = append(os.Environ(), env...)
		c.Run()
	})
	for _, args := range [][]string{
		{"gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "stsmfa test <stsmfa-test@example.invalid>", "default", "default", "never"},
		{"pass", "init", "stsmfa-test@example.invalid"},
	} {
		c := exec.Command(args[0], args[1:]...)
		c.Env = append(os.Environ(), env...)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run := func(args ...string) *proc {
		p := w.stsmfa(args...)
		p.cmd.Env = append(p.cmd.Env, env...)
		p.mustRun(t)
		return p
	}
	run("keys", "import", "--backend", "pass")
	if _, err := os.Stat(filepath.Join(store, "stsmfa", "default.gpg")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(testkit.ReadFile(t, w.CredPath), w.User.SecretAccessKey) {
		t.Fatal("the secret is still in the credentials file")
	}
	p := run("login", "--debug")
	if !strings.Contains(p.stderr.String(), "from the pass key store") {
		t.Errorf("login: %s", p.stderr.String())
	}
	w.noSecrets("login", p.stderr.String())
}
