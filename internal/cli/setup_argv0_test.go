package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// argv[0] is the caller's choice: `exec -a sh stsmfa setup-credential-process x` wrote
// credential_process = /usr/bin/sh … (issue 21). The running program is written instead.
func TestSetupIgnoresForeignArgv0(t *testing.T) {
	w := testkit.NewWorld(t)
	w.Write(t, w.ConfPath, "[default]\nregion = eu-west-1\n\n[profile argv0]\n")
	cmd := w.Command(t, "setup-credential-process", "argv0")
	cmd.Args[0] = "sh"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, _ := os.ReadFile(w.ConfPath)
	sh, _ := exec.LookPath("sh")
	if strings.Contains(string(b), "credential_process = "+sh) || !strings.Contains(string(b), "credential_process = "+testkit.Binary(t)+" credential-process") {
		t.Errorf("config after setup with argv[0] sh:\n%s", b)
	}
}
