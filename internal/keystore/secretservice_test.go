//go:build linux

package keystore

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// TestSecretService runs itself again inside a private D-Bus session with a real GNOME Keyring
// (unlocked with a throwaway password), stores and reads keys through the Secret Service, and looks
// at the item from outside with secret-tool.
func TestSecretService(t *testing.T) {
	if os.Getenv("STSMFA_TEST_IN_DBUS") == "1" {
		inSession(t)
		return
	}
	if testing.Short() {
		t.Skip("starts dbus and gnome-keyring")
	}
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			ci.SkipUnlessCI(t, "%s is not installed (apt-get install dbus-daemon dbus-user-session gnome-keyring libsecret-tools)", tool)
		}
	}
	home := t.TempDir()
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c",
		`printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" -test.run='^TestSecretService$' -test.v`, os.Args[0])
	cmd.Env = append(os.Environ(), "STSMFA_TEST_IN_DBUS=1", "HOME="+home, "XDG_DATA_HOME="+home+"/data", "XDG_RUNTIME_DIR="+home, "DISPLAY=", "WAYLAND_DISPLAY=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestSecretService") {
		t.Fatalf("in a D-Bus session: %v\n%s", err, out)
	}
}

func inSession(t *testing.T) {
	b, err := Open("", Options{}) // the OS's own store: it answers now
	if err != nil {
		t.Fatal(err)
	}
	if b.Name() != SecretService {
		t.Fatalf("default = %s", b.Name())
	}
	exercise(t, b)
	if err := b.Set("bob", Item{AccessKeyID: "AKIABOBBOBBOBBOBBOB1", SecretAccessKey: secret}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("secret-tool", "lookup", "service", Service, "username", "bob").Output()
	if err != nil || !strings.Contains(string(out), `"AccessKeyId":"AKIABOBBOBBOBBOBBOB1"`) {
		t.Fatalf("secret-tool lookup: %v %q", err, out)
	}
	// what another Secret Service client wrote is not taken for a key pair
	c := exec.Command("secret-tool", "store", "--label=x", "service", Service, "username", "carol")
	c.Stdin = strings.NewReader("not json")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get("carol"); err == nil || strings.Contains(err.Error(), "not json") {
		t.Fatalf("foreign item: %v", err)
	}
}
