//go:build !windows

package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/shellenv"
	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// The shells run stsmfa the documented way. PowerShell and cmd are not installable from this
// project's package sources (Debian, npm): their quoting is unit-tested in internal/shellenv.
var envShells = []struct {
	format, path string
	argv         func(script string) []string
	set, unset   string // %s = the stsmfa binary
}{
	{"bash", "/bin/bash", func(s string) []string { return []string{"--noprofile", "--norc", "-c", s} },
		`eval "$(%s env)"`, `eval "$(%s env --unset)"`},
	{"zsh", "/usr/bin/zsh", func(s string) []string { return []string{"-f", "-c", s} },
		`eval "$(%s env --format zsh)"`, `eval "$(%s env --format zsh --unset)"`},
	{"fish", "/usr/bin/fish", func(s string) []string { return []string{"--no-config", "-c", s} },
		`%s env --format fish | source`, `%s env --format fish --unset | source`},
}

// TestEnvInShells: bash, zsh and fish evaluate `stsmfa env` and export exactly the stored session,
// replacing stale values; the --unset lines remove all four variables again.
func TestEnvInShells(t *testing.T) {
	w := execWorld(t)
	stale := []string{"AWS_ACCESS_KEY_ID=AKIASTALESTALESTALE1", "AWS_SECRET_ACCESS_KEY=stale", "AWS_SESSION_TOKEN=stale", "AWS_CREDENTIAL_EXPIRATION=2000-01-01T00:00:00Z"}
	bin := shellenv.Quote(w.bin)
	for _, sh := range envShells {
		t.Run(sh.format, func(t *testing.T) {
			testkit.RequireTool(t, sh.path)
			set := strings.ReplaceAll(sh.set, "%s", bin)
			p := w.tool(sh.path, sh.argv(set+"\nexec /usr/bin/env -0")...)
			p.cmd.Env = append(p.cmd.Env, stale...)
			env := parseEnv0(p.mustRun(t))
			s := w.stored("mfa")
			for k, want := range map[string]string{
				"AWS_ACCESS_KEY_ID":         s.AccessKeyID,
				"AWS_SECRET_ACCESS_KEY":     s.SecretAccessKey,
				"AWS_SESSION_TOKEN":         s.SessionToken,
				"AWS_CREDENTIAL_EXPIRATION": s.Expiration,
			} {
				if env[k] != want {
					t.Errorf("%s = %q after %s, want the stored value", k, env[k], set)
				}
			}
			w.noSecrets("stderr", p.stderr.String())

			unset := strings.ReplaceAll(sh.unset, "%s", bin)
			p = w.tool(sh.path, sh.argv(set+"\n"+unset+"\nexec /usr/bin/env -0")...)
			p.cmd.Env = append(p.cmd.Env, stale...)
			env = parseEnv0(p.mustRun(t))
			for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"} {
				if v, ok := env[k]; ok {
					t.Errorf("%s = %q is still set after %s", k, v, unset)
				}
			}
			if env["HOME"] != w.Home {
				t.Error("--unset removed more than the four variables")
			}
		})
	}
	if w.runs() != 1 || w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("%d code runs, %d GetSessionToken calls; want 1 and 1", w.runs(), w.Server.Calls("GetSessionToken"))
	}
}

// TestEnvThenAWSCLI: after eval "$(stsmfa env)", the AWS CLI signs with the session.
func TestEnvThenAWSCLI(t *testing.T) {
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	testkit.RequireTool(t, "/bin/bash")
	w := execWorld(t)
	script := `eval "$(` + shellenv.Quote(w.bin) + ` env)" && exec ` + aws + ` sts get-caller-identity --output text --query Arn --endpoint-url "$1"`
	p := w.tool("/bin/bash", "--noprofile", "--norc", "-c", script, "bash", w.Server.URL())
	if out := strings.TrimSpace(p.mustRun(t)); out != "arn:aws:iam::123456789012:user/alice" {
		t.Errorf("caller %q", out)
	}
}

// TestEnvFormats: json and dotenv carry the stored session; powershell and cmd have one statement per
// variable; stdout holds nothing else and stderr no secret.
func TestEnvFormats(t *testing.T) {
	w := execWorld(t)
	p := w.stsmfa("env", "--format", "json")
	out := p.mustRun(t)
	var m map[string]string
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("env --format json is not JSON: %v", err)
	}
	s := w.stored("mfa")
	// the profile's region comes along (the world's [default] has eu-west-1), since the shell no longer
	// names the profile
	want := map[string]string{"AWS_ACCESS_KEY_ID": s.AccessKeyID, "AWS_SECRET_ACCESS_KEY": s.SecretAccessKey,
		"AWS_SESSION_TOKEN": s.SessionToken, "AWS_CREDENTIAL_EXPIRATION": s.Expiration,
		"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}
	if len(m) != len(want) {
		t.Errorf("json has %d keys, want %d", len(m), len(want))
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("json %s differs from the stored value", k)
		}
	}
	w.noSecrets("stderr", p.stderr.String())

	out = w.stsmfa("env", "--format", "dotenv").mustRun(t)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("dotenv has %d lines, want %d", len(lines), len(want))
	}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, "=")
		if want[k] != v {
			t.Errorf("dotenv %s differs from the stored value", k)
		}
	}

	out = w.stsmfa("env", "--format", "powershell").mustRun(t)
	for k, v := range want {
		if !strings.Contains(out, "$Env:"+k+" = '"+v+"'\n") {
			t.Errorf("powershell lacks the line for %s", k)
		}
	}
	out = w.stsmfa("env", "--format", "cmd").mustRun(t)
	for k, v := range want {
		if !strings.Contains(out, `set "`+k+"="+v+"\"\r\n") {
			t.Errorf("cmd lacks the line for %s", k)
		}
	}
	if w.runs() != 1 {
		t.Errorf("%d code runs, want 1", w.runs())
	}
}

// TestEnvUnsetNeedsNothing: --unset needs no session, no code and no network.
func TestEnvUnsetNeedsNothing(t *testing.T) {
	w := newWorld(t) // no code source at all
	w.Server.Close()
	for _, f := range []string{"bash", "zsh", "fish", "powershell", "cmd"} {
		p := w.stsmfa("env", "--unset", "--format", f)
		out := p.mustRun(t)
		if strings.Count(out, "AWS_") != 4 {
			t.Errorf("%s --unset: %q", f, out)
		}
		if p.stderr.String() != "" {
			t.Errorf("stderr: %q", p.stderr.String())
		}
	}
}

// TestEnvFormatsMatchAWSCLI: `env --format` with the AWS CLI's names prints the same lines as
// `aws configure export-credentials --format` for the same session (the AWS CLI, reading [mfa] from the
// file, knows no expiry, so stsmfa's AWS_CREDENTIAL_EXPIRATION line and the process JSON's
// Expiration are the only additions).
func TestEnvFormatsMatchAWSCLI(t *testing.T) {
	ci.SkipShort(t, "the AWS CLI for every env format")
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	w := execWorld(t)
	w.stsmfa("login").mustRun(t)
	for _, format := range []string{"env", "env-no-export", "windows-cmd", "process"} {
		ours := w.stsmfa("env", "--format", format).mustRun(t)
		theirs := w.tool(aws, "configure", "export-credentials", "--profile", "mfa", "--format", format).mustRun(t)
		var kept []string
		for _, l := range strings.SplitAfter(ours, "\n") {
			if strings.Contains(l, "AWS_CREDENTIAL_EXPIRATION") {
				continue
			}
			if strings.Contains(l, `"Expiration"`) {
				continue
			}
			kept = append(kept, l)
		}
		got := strings.Join(kept, "")
		if format == "process" { // the line before Expiration lost its comma
			got = strings.Replace(got, "\",\n}", "\"\n}", 1)
		}
		if got != theirs {
			t.Errorf("--format %s differs from the AWS CLI's:\nstsmfa:\n%s\naws:\n%s", format, got, theirs)
		}
	}
}
