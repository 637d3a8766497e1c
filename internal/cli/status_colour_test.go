package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Colour is decided per stream: `stsmfa status > st.txt` from a terminal (stderr a terminal, stdout a
// file) gets no escape codes in the table; a terminal on stdout gets them.
func TestStatusColourPerStream(t *testing.T) {
	home := t.TempDir()
	creds, conf := filepath.Join(home, "credentials"), filepath.Join(home, "config")
	exp := time.Now().Add(5 * time.Hour).UTC().Format(time.RFC3339)
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = x\n[mfa]\naws_access_key_id = ASIAEXAMPLEEXAMPLE01\naws_secret_access_key = y\naws_session_token = z\nstsmfa_expiration = "+exp+"\nstsmfa_source = default\n"), 0o600)
	os.WriteFile(conf, nil, 0o600)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", conf)
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "xterm")
	for _, c := range []struct {
		stderrTTY, stdoutTTY, wantEsc bool
	}{{true, false, false}, {false, true, true}, {true, true, true}, {false, false, false}} {
		var out, errb bytes.Buffer
		e, o := c.stderrTTY, c.stdoutTTY
		if code := Run(Options{Args: []string{"status"}, Stdout: &out, Stderr: &errb, StderrIsTerminal: &e, StdoutIsTerminal: &o}); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if !strings.Contains(out.String(), "mfa") {
			t.Fatalf("no table: %q", out.String())
		}
		if got := strings.Contains(out.String(), "\x1b["); got != c.wantEsc {
			t.Errorf("stderr tty %v, stdout tty %v: escape codes on stdout = %v, want %v:\n%q", c.stderrTTY, c.stdoutTTY, got, c.wantEsc, out.String())
		}
	}
}
