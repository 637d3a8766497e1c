package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/version"
)

// Every command's --help ends with real examples (they also end up in the man pages), and
// --version prints the stamped version, commit and date.
func TestHelpEndsWithExamples(t *testing.T) {
	for _, c := range Command().Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no examples", c.Name())
			continue
		}
		var out, errb bytes.Buffer
		if code := Run(Options{Args: []string{c.Name(), "--help"}, Stdout: &out, Stderr: &errb}); code != 0 {
			t.Fatalf("%s --help exited %d", c.Name(), code)
		}
		help := out.String()
		ex := strings.Index(help, "Examples:")
		if ex < 0 || !strings.Contains(help[ex:], "stsmfa "+c.Name()) {
			t.Errorf("%s --help shows no example of itself:\n%s", c.Name(), help)
		}
	}
}

func TestVersionStamp(t *testing.T) {
	defer func(v, c, d string) { version.Version, version.Commit, version.Date = v, c, d }(version.Version, version.Commit, version.Date)
	version.Version, version.Commit, version.Date = "v1.2.3", "abc1234", "2026-12-01T00:00:00Z"
	var out bytes.Buffer
	Run(Options{Args: []string{"--version"}, Stdout: &out, Stderr: &out})
	if got := out.String(); got != "stsmfa version v1.2.3 (commit abc1234, built 2026-12-01T00:00:00Z)\n" {
		t.Errorf("--version printed %q", got)
	}
}
