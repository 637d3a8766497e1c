package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// completionFiles points AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE at a fixture with one
// profile of each kind completion tells apart.
func completionFiles(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	conf := filepath.Join(dir, "config")
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n[mfa]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\naws_session_token = y\nstsmfa_source = default\n[stale]\naws_access_key_id = ASIAIOSFODNN7EXAMPLF\naws_secret_access_key = x\naws_session_token = y\n"), 0o600)
	os.WriteFile(conf, []byte("[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/team/admin\nsource_profile = default\n[profile web]\nlogin_session = arn:aws:iam::123456789012:user/alice\n[profile auto]\ncredential_process = stsmfa credential-process --profile default\n[profile other]\ncredential_process = other-tool\n"), 0o600)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", conf)
}

// complete runs cobra's __complete in process, as every shell's script does, and splits its answer the
// way they do: "name<TAB>description" lines, then ":DIRECTIVE".
func complete(t *testing.T, args ...string) (names, descs []string, directive string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Run(Options{Args: append([]string{"__complete"}, args...), Stdout: &out, Stderr: &errb}); code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", args, code, errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	directive = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		n, d, _ := strings.Cut(l, "\t")
		names, descs = append(names, n), append(descs, d)
	}
	return names, descs, directive
}

func TestCompletionCandidates(t *testing.T) {
	completionFiles(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"exec", "--profile", ""}, []string{"default", "mfa", "admin", "auto"}},
		{[]string{"env", "-p", "a"}, []string{"admin", "auto"}},
		{[]string{"credential-process", "--profile", "w"}, nil}, // aws login: not for stsmfa to serve
		{[]string{"status", "--profile", "w"}, []string{"web"}},
		{[]string{"logout", "--profile", ""}, []string{"default", "mfa", "admin"}},
		{[]string{"setup-credential-process", "x", "--profile", ""}, []string{"default", "admin"}},
		{[]string{"login", "-t", ""}, []string{"mfa"}}, // default's default target is mfa: listed once
		{[]string{"login", "--target", "m"}, []string{"mfa"}},
		{[]string{"login", "--profile", "d", "-t", "x"}, nil},
		{[]string{"console", "--profile", "ad"}, []string{"admin"}},
	} {
		names, _, dir := complete(t, c.args...)
		if !slices.Equal(names, c.want) || dir != ":4" {
			t.Errorf("%q: %q %s, want %q :4 (no file completion)", c.args, names, dir, c.want)
		}
	}
	_, descs, _ := complete(t, "exec", "--profile", "")
	if want := []string{"long-term keys", "MFA session of default", "role team/admin", "stsmfa credential_process of default"}; !slices.Equal(descs, want) {
		t.Errorf("descriptions %q, want %q", descs, want)
	}
	// a file that cannot be read completes nothing, and no error
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "nothing"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "nothing"))
	if names, _, dir := complete(t, "exec", "--profile", ""); len(names) != 0 || dir != ":4" {
		t.Errorf("no files: %q %s", names, dir)
	}
}

// PowerShell is not packaged for Debian, so its script is checked here: it calls `stsmfa __complete`
// with the typed words (and "" for a new word), reads the last line as the directive and splits each
// other line at a tab; the same request, answered in process, gives the names.
func TestCompletionPowerShellScript(t *testing.T) {
	completionFiles(t)
	for _, gen := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return Command().GenPowerShellCompletionWithDesc(b) }, // the packaged stsmfa.ps1
		func(b *bytes.Buffer) error { // stsmfa completion powershell
			return runTo(b, "completion", "powershell")
		},
	} {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		for _, want := range []string{
			`$RequestComp="$Program __complete $Arguments"`,
			`$RequestComp="$RequestComp" + ' ""'`,
			"[int]$Directive = $Out[-1].TrimStart(':')",
			"$Name, $Description = $_.Split(\"`t\",2)",
			"Register-ArgumentCompleter -CommandName 'stsmfa'",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("the PowerShell script lacks %s", want)
			}
		}
	}
	names, _, dir := complete(t, "console", "-p", "")
	if !slices.Equal(names, []string{"default", "mfa", "admin", "auto"}) || dir != ":4" {
		t.Errorf("console -p: %q %s", names, dir)
	}
}

func runTo(b *bytes.Buffer, args ...string) error {
	var errb bytes.Buffer
	if code := Run(Options{Args: args, Stdout: b, Stderr: &errb}); code != 0 {
		return &os.PathError{Op: "run", Path: strings.Join(args, " "), Err: os.ErrInvalid}
	}
	return nil
}
