package shellenv

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// nasty are values that break naive quoting in at least one shell. Session tokens only hold base64
// (/ + =), but the quoting must not depend on that.
var nasty = []string{
	"",
	"plain",
	"FwoGZXIvYXdzEB0aDH/+abc==",
	"it's",
	"''",
	`"double"`,
	"$HOME",
	"${HOME}",
	"$(id)",
	"`id`",
	`back\slash`,
	`trailing\`,
	`\'`,
	`\\'`,
	"two  spaces ",
	" leading",
	"tab\there",
	"new\nline",
	"new\nline\n",
	"semi;colon & amp | pipe < > ^",
	"glob * ? [a-z] ~ ~root",
	"-n",
	"-e",
	"--",
	"!bang !! !$",
	"%PATH%",
	"#hash",
	"{brace,expansion}",
	"é unicode ✓",
	"smart ‘single’ ‚low‛ quotes",
	"(paren) \\(x\\)",
}

// TestPOSIXQuoteLiteral checks the quoting rule itself: one pair of single quotes; each quote
// inside becomes quote, backslash, quote, quote.
func TestPOSIXQuoteLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"":         "''",
		"abc/+=":   "'abc/+='",
		"it's":     `'it'\''s'`,
		`a\b`:      `'a\b'`,
		"$x `y`":   "'$x `y`'",
		"new\nl":   "'new\nl'",
		`"q"`:      `'"q"'`,
		"'":        `''\'''`,
		"x'y'z":    `'x'\''y'\''z'`,
		"trail\\":  `'trail\'`,
		"a b\tc;d": "'a b\tc;d'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFishQuoteLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"":        "''",
		"abc/+=":  "'abc/+='",
		"it's":    `'it\'s'`,
		`a\b`:     `'a\\b'`,
		`\'`:      `'\\\''`,
		"$x (y)":  "'$x (y)'",
		"new\nl":  "'new\nl'",
		"trail\\": `'trail\\'`,
	} {
		if got := fishQuote(in); got != want {
			t.Errorf("fishQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestPowerShellQuote: inside '...' PowerShell expands nothing; each single-quote character,
// including the typographic ones PowerShell also accepts (U+2018..U+201B), is doubled.
func TestPowerShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":             "''",
		"abc/+=":       "'abc/+='",
		"it's":         "'it''s'",
		"$Env:PATH":    "'$Env:PATH'",
		"`n":           "'`n'",
		`"$(x)"`:       `'"$(x)"'`,
		"a‘b’c‚d‛e":    "'a‘‘b’’c‚‚d‛‛e'",
		"new\nline":    "'new\nline'",
		`back\slash\`:  `'back\slash\'`,
		"“double”":     "'“double”'",
		"@(1,2); exit": "'@(1,2); exit'",
	} {
		if got := psQuote(in); got != want {
			t.Errorf("psQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// psUnquote is PowerShell's reading of a single-quoted string literal (its tokenizer's rule: a
// single-quote character ends the string unless another one follows, which then stands for itself).
func psUnquote(t *testing.T, lit string) string {
	t.Helper()
	r := []rune(lit)
	if len(r) < 2 || !isPSQuote(r[0]) || !isPSQuote(r[len(r)-1]) {
		t.Fatalf("not a single-quoted literal: %s", lit)
	}
	var b strings.Builder
	for i := 1; i < len(r); i++ {
		c := r[i]
		if isPSQuote(c) {
			if i+1 < len(r) && isPSQuote(r[i+1]) {
				i++
				b.WriteRune(r[i])
				continue
			}
			if i != len(r)-1 {
				t.Fatalf("literal %s ends early at rune %d", lit, i)
			}
			return b.String()
		}
		b.WriteRune(c)
	}
	t.Fatalf("literal %s is not terminated", lit)
	return ""
}

func isPSQuote(r rune) bool { return r == '\'' || (r >= '\u2018' && r <= '\u201b') }

// TestPowerShellRoundTrip reads every PowerShell line back the way PowerShell's tokenizer does.
// PowerShell itself is not installable from this project's package sources (Debian, npm), so this
// model of its single-quote rule stands in for running it.
func TestPowerShellRoundTrip(t *testing.T) {
	vars := nastyVars(nasty)
	out, err := Set("powershell", vars)
	if err != nil {
		t.Fatal(err)
	}
	lines := splitStatements(t, out, vars, func(v Var) string { return "$Env:" + v.Name + " = " })
	for i, v := range vars {
		if got := psUnquote(t, lines[i]); got != v.Value {
			t.Errorf("%s: PowerShell would read %q, want %q", v.Name, got, v.Value)
		}
	}
}

// splitStatements cuts the output into one literal per variable, using each variable's known prefix
// (a value may hold newlines, so lines cannot simply be split).
func splitStatements(t *testing.T, out string, vars []Var, prefix func(Var) string) []string {
	t.Helper()
	var lits []string
	rest := out
	for i, v := range vars {
		p := prefix(v)
		if !strings.HasPrefix(rest, p) {
			t.Fatalf("statement %d does not start with %q: %q", i, p, rest)
		}
		rest = rest[len(p):]
		end := len(rest)
		if i+1 < len(vars) {
			end = strings.Index(rest, "\n"+prefix(vars[i+1]))
			if end < 0 {
				t.Fatalf("cannot find the statement of %s", vars[i+1].Name)
			}
		} else {
			end = len(strings.TrimSuffix(rest, "\n"))
		}
		lits = append(lits, rest[:end])
		rest = rest[end:]
		rest = strings.TrimPrefix(rest, "\n")
	}
	return lits
}

func nastyVars(values []string) []Var {
	vars := make([]Var, len(values))
	for i, v := range values {
		vars[i] = Var{Name: "STSMFA_T" + string(rune('A'+i/26)) + string(rune('A'+i%26)), Value: v}
	}
	return vars
}

// TestCmd: set "NAME=value" keeps & | < > ^ literal; values cmd cannot hold safely are refused, never
// written half-quoted; lines end in CRLF.
func TestCmd(t *testing.T) {
	out, err := Set("cmd", []Var{{"A", "abc/+=="}, {"B", "x & y | z < > ^ ( )"}, {"C", ""}})
	if err != nil {
		t.Fatal(err)
	}
	want := "set \"A=abc/+==\"\r\nset \"B=x & y | z < > ^ ( )\"\r\nset \"C=\"\r\n"
	if out != want {
		t.Errorf("cmd output:\n%q\nwant\n%q", out, want)
	}
	for _, bad := range []string{`a"b`, "100%", "%PATH%", "a\nb", "a\rb", "a!b"} {
		if _, err := Set("cmd", []Var{{"A", bad}}); err == nil {
			t.Errorf("cmd accepted %q", bad)
		} else if strings.Contains(err.Error(), bad) {
			t.Errorf("the error echoes the value: %v", err)
		}
	}
	un, err := Unset("cmd", []string{"A", "B"})
	if err != nil {
		t.Fatal(err)
	}
	if un != "set A=\r\nset B=\r\n" {
		t.Errorf("cmd unset: %q", un)
	}
}

func TestJSON(t *testing.T) {
	vars := nastyVars(nasty)
	out, err := Set("json", vars)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(m) != len(vars) {
		t.Errorf("%d keys, want %d", len(m), len(vars))
	}
	for _, v := range vars {
		if m[v.Name] != v.Value {
			t.Errorf("%s = %q, want %q", v.Name, m[v.Name], v.Value)
		}
	}
}

func TestDotenv(t *testing.T) {
	out, err := Set("dotenv", []Var{{"A", "abc/+=="}, {"B", "2026-11-22T11:44:00Z"}})
	if err != nil {
		t.Fatal(err)
	}
	if out != "A=abc/+==\nB=2026-11-22T11:44:00Z\n" {
		t.Errorf("dotenv: %q", out)
	}
	if _, err := Set("dotenv", []Var{{"A", "a\nb"}}); err == nil {
		t.Error("dotenv accepted a newline")
	}
	if _, err := Unset("dotenv", []string{"A"}); err == nil {
		t.Error("dotenv --unset accepted")
	}
	if _, err := Unset("json", []string{"A"}); err == nil {
		t.Error("json --unset accepted")
	}
}

func TestFormatLines(t *testing.T) {
	vars := []Var{{"AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"}, {"AWS_SESSION_TOKEN", "a/b+c=="}}
	for format, want := range map[string]string{
		"bash":       "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\nexport AWS_SESSION_TOKEN='a/b+c=='\n",
		"zsh":        "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\nexport AWS_SESSION_TOKEN='a/b+c=='\n",
		"fish":       "set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLE';\nset -gx AWS_SESSION_TOKEN 'a/b+c==';\n",
		"powershell": "$Env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE'\n$Env:AWS_SESSION_TOKEN = 'a/b+c=='\n",
	} {
		got, err := Set(format, vars)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s:\n%s\nwant\n%s", format, got, want)
		}
	}
	for format, want := range map[string]string{
		"bash":       "unset AWS_ACCESS_KEY_ID AWS_SESSION_TOKEN\n",
		"fish":       "set -e AWS_ACCESS_KEY_ID;\nset -e AWS_SESSION_TOKEN;\n",
		"powershell": "Remove-Item Env:AWS_ACCESS_KEY_ID -ErrorAction SilentlyContinue\nRemove-Item Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue\n",
	} {
		got, err := Unset(format, []string{"AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s unset:\n%s\nwant\n%s", format, got, want)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	for _, f := range []string{"", "tcsh", "BASH", "nu"} {
		if _, err := Set(f, nil); !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), strconv.Quote(f)) {
			t.Errorf("Set(%q): %v", f, err)
		}
		if _, err := Unset(f, []string{"A"}); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("Unset(%q) accepted", f)
		}
	}
}

// TestBadName: a name that is not an identifier would be code in every shell; it is refused.
func TestBadName(t *testing.T) {
	for _, n := range []string{"", "A B", "A;rm", "1A", "A=B", "$A"} {
		for _, f := range []string{"bash", "fish", "powershell", "cmd", "dotenv"} {
			if _, err := Set(f, []Var{{n, "x"}}); err == nil {
				t.Errorf("Set(%s) accepted the name %q", f, n)
			}
		}
		if _, err := Unset("bash", []string{n}); err == nil {
			t.Errorf("Unset accepted the name %q", n)
		}
	}
}
