// Package cmdline reads the command lines that the front may answer without the engine —
// credential-process, status --check, status --prompt, env and exec, each with --profile/-p and
// --debug — exactly as the engine's flags (cobra and pflag, in internal/cli) read them. Anything else
// is not recognised and goes to the engine. It is the one reader of stsmfa's command line outside cli,
// held to cobra's by internal/cli's TestGrammarMatchesCobra and FuzzGrammar, and has no dependencies.
package cmdline

import (
	"path/filepath"
	"strings"
	"time"
)

// Line is a command line the front may serve.
type Line struct {
	Cmd           string // credential-process, status, env or exec
	Profile       string
	Debug         bool
	Check, Prompt bool // status
	MinRemaining  time.Duration
	MinSet        bool
	Command       []string // exec
	Format        string   // env ("" = not given: bash)
}

// Parse recognises a command line the front may serve; ok is false for anything else (another command
// or flag, a flag given twice, a value that looks like a flag, a stray argument, a form pflag reads
// differently such as -p=x or -px, or a combination the engine refuses). formatKnown says whether
// env's --format names a format the engine knows.
func Parse(args []string, formatKnown func(string) bool) (l Line, ok bool) {
	// --debug, the one global flag recognised, may stand before the command
	for len(args) > 0 && args[0] == "--debug" {
		if l.Debug {
			return l, false
		}
		l.Debug, args = true, args[1:]
	}
	if len(args) == 0 {
		return l, false
	}
	l.Cmd = args[0]
	switch l.Cmd {
	case "credential-process", "status", "env", "exec":
	default:
		return l, false
	}
	seen := map[string]bool{}
	rest := args[1:]
	for len(rest) > 0 {
		a := rest[0]
		rest = rest[1:]
		if l.Cmd == "exec" && (a == "--" || !strings.HasPrefix(a, "-")) {
			if a != "--" {
				rest = append([]string{a}, rest...)
			}
			l.Command = rest
			break
		}
		name, value, inline := strings.Cut(a, "=")
		switch name {
		case "--profile", "-p":
		case "--debug":
			if inline || l.Debug {
				return l, false
			}
			l.Debug = true
			continue
		case "--min-remaining":
			if l.Cmd != "status" {
				return l, false
			}
		case "--check", "--prompt":
			if l.Cmd != "status" || inline {
				return l, false
			}
		case "--format":
			if l.Cmd != "env" {
				return l, false
			}
		default:
			return l, false
		}
		if name == "-p" && inline {
			return l, false // -p=x (like -px, which never reaches here): pflag's shorthand forms are the engine's
		}
		if seen[name] || (name == "-p" && seen["--profile"]) || (name == "--profile" && seen["-p"]) {
			return l, false
		}
		seen[name] = true
		switch name {
		case "--check":
			l.Check = true
			continue
		case "--prompt":
			l.Prompt = true
			continue
		}
		if !inline {
			if len(rest) == 0 {
				return l, false
			}
			value, rest = rest[0], rest[1:]
		}
		if value == "" || strings.HasPrefix(value, "-") {
			return l, false
		}
		switch name {
		case "--min-remaining":
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 {
				return l, false
			}
			l.MinRemaining, l.MinSet = d, true
		case "--format":
			l.Format = value
		default:
			l.Profile = value
		}
	}
	switch l.Cmd {
	case "status":
		return l, l.Check != l.Prompt && (l.Check || !l.MinSet)
	case "exec":
		return l, len(l.Command) > 0
	case "env":
		f := l.Format
		if f == "" {
			f = "bash" // env's default
		}
		return l, f == "process" || formatKnown == nil || formatKnown(f)
	}
	return l, true
}

// ProcessProfile recognises a credential_process line that runs stsmfa's credential-process (as
// setup-credential-process writes it) and returns the profile it names. Flags other than the profile
// are allowed there: the engine runs it, not the front.
func ProcessProfile(line string) (string, bool) {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		base := strings.ToLower(filepath.Base(strings.ReplaceAll(f[i], `\`, "/")))
		if (base != "stsmfa" && base != "stsmfa.exe") || f[i+1] != "credential-process" {
			continue
		}
		args := f[i+2:]
		for j := 0; j < len(args); j++ {
			a := args[j]
			switch {
			case (a == "--profile" || a == "-p") && j+1 < len(args):
				return args[j+1], true
			case strings.HasPrefix(a, "--profile="):
				return strings.TrimPrefix(a, "--profile="), true
			}
		}
		return "", false
	}
	return "", false
}
