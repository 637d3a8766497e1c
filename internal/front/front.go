//go:build !windows

// Package front is stsmfa's front build (cmd/stsmfa built with -tags stsmfa_front, as the releases
// and packages build it on Linux and macOS). It answers the commands that run on every shell prompt,
// AWS CLI call and SDK start — credential-process, status --check, status --prompt, env and exec —
// from a valid cached session, without linking the AWS SDK, net/http or cobra, whose initialisation
// alone takes longer than the whole answer (docs/benchmarks.md). Every other run — another command or
// flag, a session to refresh, an error, a warning or a notice — it hands whole to the engine (the
// full build, installed beside it as stsmfa-engine), which runs it as if called directly: the same
// arguments, environment and streams, and nothing written or printed before.
//
// What it serves, it serves with the engine's own code (session.Ensure with Request.ReuseOnly,
// session.Pick, PromptLine, ProcessJSON, EnvLines, ChildEnv), and front_test holds its
// answers to the full build's, byte for byte.
package front

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/prompt"
	"github.com/stsmfa/stsmfa/internal/session"
	"github.com/stsmfa/stsmfa/internal/shellenv"
)

// EngineName is the engine's file name, beside the front or in ../libexec/stsmfa.
const EngineName = "stsmfa-engine"

// Options are the process's streams, environment, clock and exec; tests replace them.
type Options struct {
	Args    []string // the command line after the program's name
	Stdout  io.Writer
	Getenv  func(string) string
	Environ func() []string
	Now     func() time.Time
	Exec    func(path string, argv, env []string) error // replaces the process (syscall.Exec)
}

// Main serves this process's command line or hands it to the engine, and returns the exit code.
func Main() int {
	o := Options{Args: os.Args[1:], Stdout: os.Stdout, Getenv: os.Getenv, Environ: os.Environ, Now: time.Now, Exec: syscall.Exec}
	if code, ok := Serve(o); ok {
		return code
	}
	engine, err := Engine()
	if err != nil {
		fmt.Fprintf(os.Stderr, "stsmfa: %v\n", err)
		return 1
	}
	err = syscall.Exec(engine, os.Args, os.Environ())
	fmt.Fprintf(os.Stderr, "stsmfa: cannot run the engine %s: %v; reinstall stsmfa\n", engine, err)
	return 1
}

// Engine is the path of the engine: stsmfa-engine in the directory of the front's real file (release
// archives, the .deb and .rpm, Homebrew), else in ../libexec/stsmfa from it (a distribution's layout).
func Engine() (string, error) {
	self, err := os.Executable()
	if err == nil {
		// the real file, not a symlink to it (Homebrew links bin/stsmfa into the cask's directory;
		// macOS may report the link)
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		return "", fmt.Errorf("cannot find the engine %s: %v", EngineName, err)
	}
	dir := filepath.Dir(self)
	tried := []string{filepath.Join(dir, EngineName), filepath.Join(dir, "..", "libexec", "stsmfa", EngineName)}
	for _, p := range tried {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("the engine %s is not installed (looked for %s); reinstall stsmfa, whose packages ship both programs, or build the full one: go install github.com/stsmfa/stsmfa/cmd/stsmfa@latest",
		EngineName, strings.Join(tried, " and "))
}

// line is a command line the front may serve.
type line struct {
	cmd           string // credential-process, status, env or exec
	profile       string
	check, prompt bool // status
	minRemaining  time.Duration
	minSet        bool
	command       []string // exec
	format        string   // env
}

// parse recognises the command lines the front may serve, exactly as the engine's flags read them;
// anything else (another command or flag, a global flag, a flag given twice, a value that looks like
// a flag, a stray argument) is not served.
func parse(args []string) (line, bool) {
	var l line
	if len(args) == 0 {
		return l, false
	}
	l.cmd = args[0]
	switch l.cmd {
	case "credential-process", "status", "env", "exec":
	default:
		return l, false
	}
	seen := map[string]bool{}
	rest := args[1:]
	for len(rest) > 0 {
		a := rest[0]
		rest = rest[1:]
		if l.cmd == "exec" && (a == "--" || !strings.HasPrefix(a, "-")) {
			if a != "--" {
				rest = append([]string{a}, rest...)
			}
			l.command = rest
			break
		}
		name, value, inline := strings.Cut(a, "=")
		switch name {
		case "--profile", "-p":
		case "--min-remaining":
			if l.cmd != "status" {
				return l, false
			}
		case "--check", "--prompt":
			if l.cmd != "status" || inline {
				return l, false
			}
		case "--format":
			if l.cmd != "env" {
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
			l.check = true
			continue
		case "--prompt":
			l.prompt = true
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
		if name == "--min-remaining" {
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 {
				return l, false
			}
			l.minRemaining, l.minSet = d, true
		} else if name == "--format" {
			l.format = value
		} else {
			l.profile = value
		}
	}
	switch l.cmd {
	case "status":
		return l, l.check != l.prompt && (l.check || !l.minSet)
	case "exec":
		return l, len(l.command) > 0
	case "env":
		if l.format == "" {
			l.format = "bash" // env's default
		}
		if _, err := shellenv.Set(l.format, nil); err != nil && l.format != "process" {
			return l, false // the engine names the formats
		}
	}
	return l, true
}

// Serve answers o.Args when the front can: served reports whether it did, and code is then the exit
// code. When it did not, it has printed nothing and changed nothing.
func Serve(o Options) (code int, served bool) {
	l, ok := parse(o.Args)
	if !ok {
		return 0, false
	}
	if l.cmd == "status" {
		return status(o, l)
	}
	req := session.Request{MinRemaining: session.DefaultMargin, LockTimeout: session.DefaultLockTimeout, ReuseOnly: true}
	req.Profile, req.ProfileFrom = session.ProfileName(l.profile, o.Getenv)
	if v := o.Getenv(promptVar); v != "" {
		if _, err := prompt.ParseMode(v); err != nil || strings.TrimSpace(v) == "" {
			return 0, false // the engine says what is wrong with it
		}
		req.Prompt, req.PromptFrom = v, promptVar
	}
	var path string
	if l.cmd == "exec" {
		if _, ok := session.ExecInExec(l.profile, &req, o.Getenv); !ok {
			return 0, false
		}
		var err error
		if path, err = exec.LookPath(l.command[0]); err != nil {
			return 0, false
		}
	}
	said := false
	note := func(string) { said = true }
	env := &session.Env{Now: o.Now, Getenv: o.Getenv, Warn: note, Info: note}
	res, err := session.Ensure(context.Background(), env, req)
	if err != nil || said || !res.Reused {
		return 0, false
	}
	if l.cmd == "exec" {
		if err := o.Exec(path, l.command, session.ChildEnv(o.Environ(), res, o.Getenv)); err != nil {
			return 0, false // the engine tries again and says why it cannot
		}
		return 0, true // not reached: Exec replaced the process
	}
	var out []byte
	if l.cmd == "env" {
		out, err = session.EnvLines(res, l.format, o.Getenv)
	} else {
		out, err = session.ProcessJSON(res.Session, "")
	}
	if err != nil {
		return 0, false
	}
	if _, err := o.Stdout.Write(out); err != nil {
		return 0, false
	}
	return 0, true
}

// promptVar is the engine's STSMFA_PROMPT: credential-process and exec refuse a value that names no
// way to ask even when a cached session serves them.
const promptVar = "STSMFA_PROMPT"

// status is status --check and status --prompt: they read the credentials file alone (the config
// file only for a name it does not know).
func status(o Options, l line) (int, bool) {
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return 0, false
	}
	creds, err := awsfile.Load(credPath, awsfile.Credentials)
	if err != nil {
		return 0, false
	}
	name, _ := session.ProfileName(l.profile, o.Getenv)
	s, ok := session.Pick(creds, credPath, name)
	now := o.Now()
	if l.check {
		if session.Valid(s, ok, now, l.minRemaining) {
			return 0, true
		}
		return fault.NotValid, true // silent, as in the engine
	}
	if ok {
		if _, err := io.WriteString(o.Stdout, session.PromptLine(s, now)); err != nil {
			return 0, false
		}
	}
	return 0, true
}
