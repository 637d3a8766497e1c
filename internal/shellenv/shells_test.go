//go:build !windows

package shellenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// The real shells read what Set and Unset print, in the ways docs/usage.md documents:
//
//	eval "$(stsmfa env)"                  bash, zsh
//	stsmfa env --format fish | source     fish
//
// and a child process (env -0) then shows what was exported. PowerShell and cmd are not installable
// from this project's package sources; their quoting is covered by the unit tests in shellenv_test.go.

type shell struct {
	format string
	path   string
	// argv runs script with the file of lines as its first argument.
	argv func(script, file string) []string
	// apply is the documented way to evaluate a file of lines; then is the rest of the script.
	apply string
}

var shells = []shell{
	{"bash", "/bin/bash", func(s, f string) []string { return []string{"--noprofile", "--norc", "-c", s, "bash", f} }, `eval "$(cat "$1")"`},
	{"zsh", "/usr/bin/zsh", func(s, f string) []string { return []string{"-f", "-c", s, "zsh", f} }, `eval "$(cat "$1")"`},
	{"fish", "/usr/bin/fish", func(s, f string) []string { return []string{"--no-config", "-c", s, f} }, `cat $argv[1] | source`},
}

// run evaluates the files in order in the shell (a fresh environment holding only PATH plus extra)
// and returns the environment a child process then sees.
func (sh shell) run(t *testing.T, extra []string, files ...string) map[string]string {
	t.Helper()
	script := ""
	for i := range files {
		a := sh.apply
		if sh.format == "fish" {
			a = strings.ReplaceAll(a, "$argv[1]", "$argv["+string(rune('1'+i))+"]")
		} else {
			a = strings.ReplaceAll(a, "$1", "$"+string(rune('1'+i)))
		}
		script += a + "\n"
	}
	script += "exec /usr/bin/env -0\n"
	args := sh.argv(script, files[0])
	args = append(args, files[1:]...)
	cmd := exec.Command(sh.path, args...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "LC_ALL=C.UTF-8"}, extra...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", sh.format, err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%s wrote to stderr: %s", sh.format, stderr.String())
	}
	env := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShellsSetNastyValues(t *testing.T) {
	vars := nastyVars(nasty)
	for _, sh := range shells {
		t.Run(sh.format, func(t *testing.T) {
			testkit.RequireTool(t, sh.path)
			out, err := Set(sh.format, vars)
			if err != nil {
				t.Fatal(err)
			}
			env := sh.run(t, nil, writeFile(t, "set", out))
			for _, v := range vars {
				got, ok := env[v.Name]
				if !ok {
					t.Errorf("%s is not exported", v.Name)
				} else if got != v.Value {
					t.Errorf("%s = %q, want %q", v.Name, got, v.Value)
				}
			}
		})
	}
}

// TestShellsSetReplaces: the lines overwrite values already in the environment (stale keys).
func TestShellsSetReplaces(t *testing.T) {
	vars := []Var{
		{"AWS_ACCESS_KEY_ID", "ASIAQUOTEDEXAMPLE1"},
		{"AWS_SECRET_ACCESS_KEY", "wJalr/XUtnFEMI+K7MDENG/bPxRfiCY=EXAMPLE"},
		{"AWS_SESSION_TOKEN", "FwoGZXIvYXdzEB0aDH/+abc/def+ghi=="},
		{"AWS_CREDENTIAL_EXPIRATION", "2026-11-22T11:44:00Z"},
	}
	stale := []string{"AWS_ACCESS_KEY_ID=AKIASTALE", "AWS_SECRET_ACCESS_KEY=stale", "AWS_SESSION_TOKEN=stale"}
	for _, sh := range shells {
		t.Run(sh.format, func(t *testing.T) {
			testkit.RequireTool(t, sh.path)
			out, err := Set(sh.format, vars)
			if err != nil {
				t.Fatal(err)
			}
			env := sh.run(t, stale, writeFile(t, "set", out))
			for _, v := range vars {
				if env[v.Name] != v.Value {
					t.Errorf("%s = %q, want %q", v.Name, env[v.Name], v.Value)
				}
			}
		})
	}
}

// TestShellsUnset: after the set lines, the unset lines leave none of the variables in the
// environment; unrelated variables stay.
func TestShellsUnset(t *testing.T) {
	vars := nastyVars(nasty[:8])
	var names []string
	for _, v := range vars {
		names = append(names, v.Name)
	}
	for _, sh := range shells {
		t.Run(sh.format, func(t *testing.T) {
			testkit.RequireTool(t, sh.path)
			set, err := Set(sh.format, vars)
			if err != nil {
				t.Fatal(err)
			}
			unset, err := Unset(sh.format, names)
			if err != nil {
				t.Fatal(err)
			}
			before := sh.run(t, []string{"KEEP_ME=1"}, writeFile(t, "set", set))
			if before[names[1]] != vars[1].Value {
				t.Fatalf("the set lines did not work: %q", before[names[1]])
			}
			env := sh.run(t, []string{"KEEP_ME=1", names[0] + "=inherited"}, writeFile(t, "set", set), writeFile(t, "unset", unset))
			for _, n := range names {
				if v, ok := env[n]; ok {
					t.Errorf("%s is still set (%q)", n, v)
				}
			}
			if env["KEEP_ME"] != "1" {
				t.Errorf("an unrelated variable was removed")
			}
		})
	}
}

// TestShellsUnsetWhenAbsent: unsetting variables that are not set is quiet (no error output).
func TestShellsUnsetWhenAbsent(t *testing.T) {
	for _, sh := range shells {
		t.Run(sh.format, func(t *testing.T) {
			testkit.RequireTool(t, sh.path)
			unset, err := Unset(sh.format, []string{"STSMFA_NOT_SET_1", "STSMFA_NOT_SET_2"})
			if err != nil {
				t.Fatal(err)
			}
			env := sh.run(t, nil, writeFile(t, "unset", unset))
			if _, ok := env["STSMFA_NOT_SET_1"]; ok {
				t.Error("variable appeared")
			}
		})
	}
}
