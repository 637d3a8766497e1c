//go:build !windows

// Package front is stsmfa's front (cmd/stsmfa-front, which the releases and packages install as
// stsmfa on Linux and macOS). It answers the commands that run on every shell prompt,
// AWS CLI call and SDK start — credential-process, status --check, status --prompt, env and exec —
// from a valid cached session, without linking the AWS SDK, net/http or cobra, whose initialisation
// alone takes longer than the whole answer (docs/benchmarks.md). Every other run — another command or
// flag, a session to refresh, an error, a warning or a notice — it hands whole to the engine (the
// full build, installed beside it as stsmfa-engine), which runs it as if called directly: the same
// arguments, environment and streams, and nothing written or printed before. It serves only while
// that engine is of its own version (internal/version's hand-over stamp) or absent, never with
// STSMFA_FRONT=0, and with --debug it explains its own steps on a run it serves.
//
// What it serves, it serves with the engine's own code (session.Ensure with Request.ReuseOnly,
// answer.Pick, PromptLine, ProcessJSON, EnvLines, ChildEnv), and front_test holds its
// answers to the full build's, byte for byte.
package front

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/stsmfa/stsmfa/internal/answer"
	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cmdline"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/prompt"
	"github.com/stsmfa/stsmfa/internal/session"
	"github.com/stsmfa/stsmfa/internal/shellenv"
	"github.com/stsmfa/stsmfa/internal/version"
)

// EngineName is the engine's file name, beside the front or in ../libexec/stsmfa.
const EngineName = "stsmfa-engine"

// Options are the process's streams, environment, clock and exec; tests replace them.
type Options struct {
	Args    []string // the command line after the program's name
	Stdout  io.Writer
	Stderr  io.Writer // --debug lines of a run the front serves
	Getenv  func(string) string
	Environ func() []string
	Now     func() time.Time
	Exec    func(path string, argv, env []string) error // replaces the process (syscall.Exec)
}

// Main serves this process's command line or hands it to the engine, and returns the exit code. It
// serves only while the engine it would hand over to is of its own version (version.Stamped) or
// absent, and never when STSMFA_FRONT=0.
func Main() int {
	if _, ok := os.LookupEnv(version.HandoverVar); ok {
		// a front was run as the engine: the engine file is the front itself (a link or a copy);
		// handing over again would loop
		self, _ := os.Executable()
		fmt.Fprintf(os.Stderr, "stsmfa: the engine %s is the front itself (a link to or a copy of stsmfa), not the full program; reinstall stsmfa, whose packages ship both\n", self)
		return 1
	}
	o := Options{Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ, Now: time.Now, Exec: syscall.Exec}
	engine, engineErr := Engine()
	id := ""
	if engineErr == nil {
		id, engineErr = version.Identity(engine)
	}
	if os.Getenv(version.FrontVar) != "0" && (engineErr != nil || version.Stamped(id)) {
		if code, ok := Serve(o); ok {
			return code
		}
	}
	if engineErr != nil {
		fmt.Fprintf(os.Stderr, "stsmfa: %v\n", engineErr)
		return 1
	}
	err := syscall.Exec(engine, os.Args, append(os.Environ(), version.HandoverVar+"="+version.Handover(id)))
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
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("the engine %s is not an executable file (mode %v); make it one (chmod 755 %s) or reinstall stsmfa", p, st.Mode(), p)
		}
		return p, nil
	}
	return "", fmt.Errorf("the engine %s is not installed (looked for %s); reinstall stsmfa, whose packages ship both programs, or build the full one: go install github.com/stsmfa/stsmfa/cmd/stsmfa@latest",
		EngineName, strings.Join(tried, " and "))
}

// formatKnown says whether env knows a format.
func formatKnown(f string) bool {
	_, err := shellenv.Set(f, nil)
	return err == nil
}

// Serve answers o.Args when the front can: served reports whether it did, and code is then the exit
// code. When it did not, it has printed nothing and changed nothing.
func Serve(o Options) (code int, served bool) {
	if len(o.Args) == 1 && (o.Args[0] == "--version" || o.Args[0] == "-v") {
		// the front answers for itself, as the engine does for itself (cobra's wording)
		_, err := io.WriteString(o.Stdout, "stsmfa version "+version.String()+"\n")
		return 0, err == nil
	}
	l, ok := cmdline.Parse(o.Args, formatKnown)
	if !ok {
		return 0, false
	}
	d := &debugLog{on: l.Debug && o.Stderr != nil}
	d.f("front: %s answers %s from the cache when it can, else hands it to the engine", version.String(), l.Cmd)
	if l.Cmd == "status" {
		code, served = status(o, l, d.f)
	} else {
		code, served = serve(o, l, d)
	}
	if served {
		d.flush(o.Stderr)
	}
	return code, served
}

// debugLog holds --debug's lines until the front knows it serves the run: a run handed over must
// reach the engine with nothing printed, and the engine explains its own steps.
type debugLog struct {
	on  bool
	buf bytes.Buffer
}

func (d *debugLog) f(format string, args ...any) {
	if d.on {
		fmt.Fprintf(&d.buf, "stsmfa: debug: "+format+"\n", args...)
	}
}

func (d *debugLog) flush(w io.Writer) {
	if d.on {
		w.Write(d.buf.Bytes())
		d.buf.Reset()
	}
}

// serve is credential-process, env and exec from a cached session.
func serve(o Options, l cmdline.Line, d *debugLog) (code int, served bool) {
	debugf := d.f
	req := session.Request{LockTimeout: session.DefaultLockTimeout, ReuseOnly: true}
	req.Profile, req.ProfileFrom = answer.ProfileName(l.Profile, o.Getenv)
	if v := o.Getenv(promptVar); v != "" {
		if _, err := prompt.ParseMode(v); err != nil || strings.TrimSpace(v) == "" {
			return 0, false // the engine says what is wrong with it
		}
		req.Prompt = v
	}
	var path string
	if l.Cmd == "exec" {
		if _, ok := answer.ExecInExec(l.Profile, &req, o.Getenv); !ok {
			return 0, false
		}
		var err error
		if path, err = exec.LookPath(l.Command[0]); err != nil {
			return 0, false
		}
	}
	said := false
	note := func(string) { said = true }
	env := &session.Env{Now: o.Now, Getenv: o.Getenv, Warn: note, Info: note, Debugf: debugf}
	res, err := session.Ensure(context.Background(), env, req)
	if err != nil || said || !res.Reused {
		return 0, false
	}
	debugf("front: served from the cache (%s left)", cred.Human(res.Session.Expiration.Sub(o.Now())))
	if l.Cmd == "exec" {
		debugf("front: running %s", path)
		d.flush(o.Stderr) // before Exec replaces the process
		if err := o.Exec(path, l.Command, answer.ChildEnv(o.Environ(), res, o.Getenv)); err != nil {
			return 0, false // the engine tries again and says why it cannot
		}
		return 0, true // not reached: Exec replaced the process
	}
	var out []byte
	if l.Cmd == "env" {
		format := l.Format
		if format == "" {
			format = "bash"
		}
		out, err = answer.EnvLines(res, format, o.Getenv)
	} else {
		out, err = answer.ProcessJSON(res.Session, "")
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
func status(o Options, l cmdline.Line, debugf func(string, ...any)) (int, bool) {
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return 0, false
	}
	creds, err := awsfile.Load(credPath, awsfile.Credentials)
	if err != nil {
		return 0, false
	}
	name, _ := answer.ProfileName(l.Profile, o.Getenv)
	s, ok := answer.Pick(creds, credPath, name)
	debugf("front: profile %s in %s: %v", name, credPath, ok)
	now := o.Now()
	if l.Check {
		if answer.Valid(s, ok, now, l.MinRemaining) {
			return 0, true
		}
		return fault.NotValid, true // silent, as in the engine
	}
	if ok {
		if _, err := io.WriteString(o.Stdout, answer.PromptLine(s, now)); err != nil {
			return 0, false
		}
	}
	return 0, true
}
