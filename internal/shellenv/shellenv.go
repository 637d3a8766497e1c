// Package shellenv turns variables into lines a shell evaluates: bash/zsh `export`, fish `set -gx`,
// PowerShell `$Env:`, cmd `set`, plus json and dotenv for tools. Values are quoted so that every byte
// survives (session tokens contain / + =).
package shellenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// Formats lists the accepted --format names. env, env-no-export and windows-cmd are the names (and
// line shapes) of `aws configure export-credentials --format`; its powershell and fish are ours.
var Formats = []string{"bash", "zsh", "fish", "powershell", "cmd", "json", "dotenv", "env", "env-no-export", "windows-cmd"}

// Var is one environment variable.
type Var struct{ Name, Value string }

// Set returns the lines that set vars in the given format. Errors name the variable, never its value.
func Set(format string, vars []Var) (string, error) {
	for _, v := range vars {
		if !validName(v.Name) {
			return "", fmt.Errorf("%q is not a variable name", v.Name)
		}
	}
	var b strings.Builder
	switch format {
	case "bash", "zsh", "sh":
		for _, v := range vars {
			fmt.Fprintf(&b, "export %s=%s\n", v.Name, Quote(v.Value))
		}
	case "env", "env-no-export":
		// the AWS CLI's shapes: export NAME=VALUE / NAME=VALUE, unquoted; a value that would need quoting
		// (none that AWS issues does) is quoted rather than broken
		prefix := "export "
		if format == "env-no-export" {
			prefix = ""
		}
		for _, v := range vars {
			val := v.Value
			if !plainWord(val) {
				val = Quote(val)
			}
			fmt.Fprintf(&b, "%s%s=%s\n", prefix, v.Name, val)
		}
	case "windows-cmd":
		// the AWS CLI's shape: set NAME=VALUE; refused when cmd would read the value otherwise
		for _, v := range vars {
			if !plainWord(v.Value) {
				return "", fmt.Errorf("the value of %s cannot be written safely as set NAME=VALUE; use --format cmd", v.Name)
			}
			fmt.Fprintf(&b, "set %s=%s%s", v.Name, v.Value, cliEOL)
		}
	case "fish":
		for _, v := range vars {
			fmt.Fprintf(&b, "set -gx %s %s;\n", v.Name, fishQuote(v.Value))
		}
	case "powershell", "pwsh":
		for _, v := range vars {
			fmt.Fprintf(&b, "$Env:%s = %s\n", v.Name, psQuote(v.Value))
		}
	case "cmd":
		for _, v := range vars {
			// " would end the quoting, % expands even inside quotes, ! does under delayed expansion
			if strings.ContainsAny(v.Value, "\"%!\r\n") {
				return "", fmt.Errorf("the value of %s cannot be written safely for cmd", v.Name)
			}
			// the quotes around name=value keep & | < > ^ literal and add no trailing space
			fmt.Fprintf(&b, "set \"%s=%s\"\r\n", v.Name, v.Value)
		}
	case "json":
		m := make(map[string]string, len(vars))
		for _, v := range vars {
			m[v.Name] = v.Value
		}
		out, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return "", err
		}
		b.Write(out)
		b.WriteByte('\n')
	case "dotenv":
		for _, v := range vars {
			if strings.ContainsAny(v.Value, "\r\n") {
				return "", fmt.Errorf("the value of %s cannot be written as one dotenv line", v.Name)
			}
			// unquoted: docker --env-file takes values literally and quotes would become part of them
			fmt.Fprintf(&b, "%s=%s\n", v.Name, v.Value)
		}
	default:
		return "", unknown(format)
	}
	return b.String(), nil
}

// Unset returns the lines that remove the named variables.
func Unset(format string, names []string) (string, error) {
	for _, n := range names {
		if !validName(n) {
			return "", fmt.Errorf("%q is not a variable name", n)
		}
	}
	var b strings.Builder
	switch format {
	case "bash", "zsh", "sh", "env", "env-no-export":
		fmt.Fprintf(&b, "unset %s\n", strings.Join(names, " "))
	case "fish":
		for _, n := range names {
			fmt.Fprintf(&b, "set -e %s;\n", n)
		}
	case "powershell", "pwsh":
		for _, n := range names {
			fmt.Fprintf(&b, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", n)
		}
	case "cmd", "windows-cmd":
		for _, n := range names {
			fmt.Fprintf(&b, "set %s=\r\n", n)
		}
	case "json", "dotenv":
		return "", ErrNotShell
	default:
		return "", unknown(format)
	}
	return b.String(), nil
}

// ErrUnknownFormat is behind Set's and Unset's error for a format they do not know.
var ErrUnknownFormat = errors.New("unknown format")

// ErrNotShell is Unset's error for a format that is not a shell's (json, dotenv).
var ErrNotShell = errors.New("not a shell format")

func unknown(format string) error {
	return fmt.Errorf("%w %q", ErrUnknownFormat, format)
}

// cliEOL is the line end the AWS CLI writes (Python's text mode): CRLF on Windows.
var cliEOL = map[bool]string{true: "\r\n", false: "\n"}[runtime.GOOS == "windows"]

// plainWord reports whether s needs no quoting in sh, cmd and dotenv alike: letters, digits and
// / + = . : _ - (session keys, tokens and RFC 3339 times are made of these).
func plainWord(s string) bool {
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.ContainsRune("/+=.:_-", c):
		default:
			return false
		}
	}
	return s != ""
}

// validName accepts what every supported shell takes as a plain variable name: [A-Za-z_][A-Za-z0-9_]*.
func validName(n string) bool {
	if n == "" {
		return false
	}
	for i, c := range n {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Quote single-quotes s for sh/bash/zsh (and as one word for a credential_process line); each quote
// inside becomes quote, backslash, quote, quote.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fishQuote single-quotes s for fish, where \ and ' are escaped inside single quotes.
func fishQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

// psQuoteChars are the characters PowerShell treats as a single quote: ' and U+2018..U+201B.
var psQuoteChars = strings.NewReplacer("'", "''", "\u2018", "\u2018\u2018", "\u2019", "\u2019\u2019", "\u201a", "\u201a\u201a", "\u201b", "\u201b\u201b")

// psQuote single-quotes s for PowerShell: no expansion inside; every single-quote character doubled.
func psQuote(s string) string {
	return "'" + psQuoteChars.Replace(s) + "'"
}
