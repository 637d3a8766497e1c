// Package tokencmd runs token commands, the programs that print an MFA code: the presets for ykman,
// 1Password, Bitwarden and pass (their command lines and output formats), and one run of a command in a
// process group of its own with the terminal as its stdin and stderr, a timeout, the whole group killed
// on timeout or cancellation, and a desktop notification when a security key waits for a touch. It
// also owns what a code looks like (six digits, spaces allowed as apps show them).
package tokencmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// DefaultTimeout bounds a token command (ykman waits for a touch, password managers for unlock)
// unless mfa_process_timeout or the request sets another bound.
const DefaultTimeout = 2 * time.Minute

// TerminalDevice is implemented by a Terminal backed by a terminal device. A token command gets the
// device as its stdin (ykman's OATH password, op's and bw's unlock prompts) and its stderr, so its
// prompts reach the person even under credential_process, whose caller may swallow stderr.
type TerminalDevice interface {
	Device() (in, out *os.File)
}

// outputGrace is how long a token command's stdout may stay open after the command exited: a child it
// left behind (an agent it started) may hold it for as long as it lives, and the code is already there.
const outputGrace = 200 * time.Millisecond

// Run is one run of a token command.
type Run struct {
	Cmd         Command
	Timeout     time.Duration // 0: DefaultTimeout
	TimeoutFrom string        // where Timeout came from, for the message when it runs out
	TTY         any           // the terminal; its device is used when it is a TerminalDevice
	Profile     string        // the profile asked for, for the touch notification
	Getenv      func(string) string
	Debugf      func(string, ...any)
}

// Plain is a command line configured as is (no preset), from where it was configured.
func Plain(line, from string) Command { return Command{line: line, from: from} }

// IsZero reports whether c was never parsed (a zero Command).
func (c Command) IsZero() bool { return c.line == "" && c.preset == nil }

func or(label, def string) string {
	if label != "" {
		return label
	}
	return def
}

// run runs the command in a process group of its own, with the terminal as stdin and stderr when
// there is one (else /dev/null and stsmfa's stderr), and takes the code from its stdout. On timeout
// or cancellation the whole group is killed. The output is never echoed: it may hold other secrets.
func (t *Run) Do(ctx context.Context) (string, error) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var c *exec.Cmd
	switch {
	case t.Cmd.preset != nil:
		path, err := exec.LookPath(t.Cmd.preset.tool)
		if err != nil {
			return "", fault.WithField(fault.NoCodeErr("the token command (%s) runs %s, which is not installed or not on PATH (%s)",
				t.Cmd.Label(), t.Cmd.preset.tool, t.Cmd.preset.install), fault.FieldTokenCommand)
		}
		c = exec.Command(path, t.Cmd.argv[1:]...)
	default:
		c = shellCommand(t.Cmd.line) // sh -c; on Windows cmd.exe /d /s /c "LINE" (shell_windows.go)
	}

	in, out := t.device()
	if in != nil {
		defer in.Close()
	}
	if out != nil && out != in {
		defer out.Close()
	}
	fg := false
	if in != nil {
		// stdin from the terminal only when this process may read it (it is in the terminal's
		// foreground process group); the command's group then takes the foreground for its run
		if fg = isForeground(in); fg {
			c.Stdin = in
		}
	}
	setProcessGroup(c, in, fg)

	stdout, w, err := os.Pipe()
	if err != nil {
		return "", fault.NoCodeErr("cannot run the token command (%s): %v", t.Cmd.Label(), err)
	}
	defer stdout.Close()
	c.Stdout = w
	var note *touchNotifier
	var errR, errW *os.File
	if out != nil {
		c.Stderr = out
	} else {
		c.Stderr = os.Stderr
		if note = t.notifier(); note != nil {
			if errR, errW, err = os.Pipe(); err != nil {
				note = nil
			} else {
				defer errR.Close()
				c.Stderr = errW
			}
		}
	}
	t.debug("running the token command (%s)", t.Cmd.Label())
	err = c.Start()
	w.Close()
	if errW != nil {
		errW.Close()
	}
	if err != nil {
		if fg {
			restoreForeground(in)
		}
		return "", fault.NoCodeErr("the token command (%s) could not be started: %v", t.Cmd.Label(), err)
	}
	o := readOutput(stdout)
	var fwd *stderrForward
	if errR != nil {
		fwd = forwardStderr(errR, os.Stderr, note)
	}

	waited := make(chan error, 1)
	go func() { waited <- c.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var runErr error
	stopped := ""
	select {
	case runErr = <-waited:
	case <-timer.C:
		stopped = "timeout"
	case <-ctx.Done():
		stopped = "cancelled"
	}
	if stopped != "" {
		killGroup(c)
		runErr = <-waited
	}
	if fg {
		restoreForeground(in)
	}
	output := o.finish(stdout)
	if fwd != nil {
		fwd.finish(errR)
	}
	if note != nil {
		note.wait()
	}

	switch {
	case stopped == "timeout":
		return "", fault.WithField(fault.NoCodeErr("the token command (%s) gave no code within %s (%s): stopped `%s` and every process it started",
			t.Cmd.Label(), timeout, or(t.TimeoutFrom, "the default timeout"), t.Cmd.commandLine()), fault.FieldTokenTimeout)
	case stopped == "cancelled":
		return "", fault.CancelledErr("cancelled while the token command (%s) ran; nothing was changed", t.Cmd.Label())
	case interrupted(runErr):
		// Ctrl-C at the terminal went to the command's process group, the terminal's foreground
		return "", fault.CancelledErr("the token command (%s) was interrupted (Ctrl-C); nothing was changed", t.Cmd.Label())
	case runErr != nil:
		hint := "run it by hand to see why"
		if t.Cmd.preset != nil {
			hint = fmt.Sprintf(t.Cmd.preset.check, t.Cmd.item)
		}
		return "", fault.NoCodeErr("the token command (%s) failed: %v; %s", t.Cmd.Label(), runErr, hint)
	}
	return t.Cmd.parseOutput(output)
}

// device opens the terminal device afresh for the command (nil, nil without one): the command gets an
// open file description of its own, so nothing it or os/exec does to it (blocking mode) touches the
// one the prompt reads.
func (t *Run) device() (in, out *os.File) {
	d, ok := t.TTY.(TerminalDevice)
	if !ok {
		return nil, nil
	}
	tin, tout := d.Device()
	if tin == nil || tout == nil {
		return nil, nil
	}
	in, err := os.OpenFile(tin.Name(), os.O_RDWR, 0)
	if err != nil {
		return nil, nil
	}
	if tout.Name() == tin.Name() {
		return in, in
	}
	if out, err = os.OpenFile(tout.Name(), os.O_WRONLY, 0); err != nil {
		in.Close()
		return nil, nil
	}
	return in, out
}

func (t *Run) debug(format string, args ...any) {
	if t.Debugf != nil {
		t.Debugf(format, args...)
	}
}

// capturedOutput collects what a command writes to a pipe, up to a limit.
type capturedOutput struct {
	mu   sync.Mutex
	buf  []byte
	done chan struct{}
}

const maxTokenOutput = 64 << 10

func readOutput(r *os.File) *capturedOutput {
	o := &capturedOutput{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			o.add(b[:n])
			if err != nil {
				return
			}
		}
	}()
	return o
}

func (o *capturedOutput) add(b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if room := maxTokenOutput - len(o.buf); room > 0 {
		if len(b) > room {
			b = b[:room]
		}
		o.buf = append(o.buf, b...)
	}
}

// finish returns the output once the command has exited: at its end of file, or, when a child the
// command left behind still holds the pipe, after outputGrace with everything written so far.
func (o *capturedOutput) finish(r *os.File) string {
	select {
	case <-o.done:
	case <-time.After(outputGrace):
		stopReader(r, o.done)
		drainPipe(r, o.add)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.buf)
}

// stopReader ends a Read blocked on r and waits (briefly) for the reading goroutine to return.
func stopReader(r *os.File, done <-chan struct{}) {
	if err := r.SetReadDeadline(time.Now()); err != nil {
		r.Close() // not a pollable pipe (Windows): closing is the only way to end the read
	}
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	_ = r.SetReadDeadline(time.Time{})
}

// touchNotifier shows one desktop notification when a token command asks for a touch while there is
// no terminal to print that on (a credential_process run from an IDE, say).
type touchNotifier struct {
	path, summary, body string
	once                sync.Once
	done                chan struct{}
}

// notifier is a touchNotifier when a desktop notification can be shown: a display and notify-send.
func (t *Run) notifier() *touchNotifier {
	getenv := t.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return nil
	}
	path, err := exec.LookPath("notify-send")
	if err != nil {
		return nil
	}
	key := "security key"
	if t.Cmd.preset != nil && t.Cmd.preset.name == "ykman" {
		key = "YubiKey"
	}
	profile := or(t.Profile, "default")
	return &touchNotifier{path: path, summary: fmt.Sprintf("Touch your %s for profile %s", key, profile),
		body: fmt.Sprintf("stsmfa is waiting for an MFA code from %s", t.Cmd.Label()), done: make(chan struct{})}
}

// saw is called with what the command wrote to stderr; a line asking for a touch shows the
// notification (once). "YubiKey" in the line names the key.
func (n *touchNotifier) saw(text string) {
	l := strings.ToLower(text)
	if !strings.Contains(l, "touch") {
		return
	}
	n.once.Do(func() {
		summary := n.summary
		if strings.Contains(l, "yubikey") {
			summary = strings.Replace(summary, "security key", "YubiKey", 1)
		}
		go func() {
			defer close(n.done)
			cmd := exec.Command(n.path, "--app-name=stsmfa", "--expire-time=30000", summary, n.body)
			_ = cmd.Start()
			wait := make(chan struct{})
			go func() { _ = cmd.Wait(); close(wait) }()
			select {
			case <-wait:
			case <-time.After(5 * time.Second):
				if cmd.Process != nil {
					_ = cmd.Process.Kill()
				}
			}
		}()
	})
}

// wait gives a notification that was started a moment to be handed over to notify-send.
func (n *touchNotifier) wait() {
	n.once.Do(func() { close(n.done) }) // none was shown: nothing to wait for
	select {
	case <-n.done:
	case <-time.After(2 * time.Second):
	}
}

// stderrForward copies a command's stderr to stsmfa's as it comes, watching for a touch prompt.
type stderrForward struct{ done chan struct{} }

func forwardStderr(r *os.File, to io.Writer, note *touchNotifier) *stderrForward {
	f := &stderrForward{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		b := make([]byte, 4096)
		tail := ""
		for {
			n, err := r.Read(b)
			if n > 0 {
				_, _ = to.Write(b[:n])
				tail += string(b[:n])
				note.saw(tail)
				if i := strings.LastIndexByte(tail, '\n'); i >= 0 {
					tail = tail[i+1:]
				}
				if len(tail) > 256 {
					tail = tail[len(tail)-256:]
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return f
}

func (f *stderrForward) finish(r *os.File) {
	select {
	case <-f.done:
	case <-time.After(outputGrace):
		stopReader(r, f.done)
	}
}

// interrupted reports whether the command died of SIGINT (Ctrl-C at the terminal).
func interrupted(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && signalled(ee, "interrupt")
}

// IsCode reports whether s is exactly six ASCII digits.
func IsCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeCode accepts a code typed the way authenticator apps show it ("123 456").
func NormalizeCode(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// DigitRuns returns the maximal runs of ASCII digits in s.
func DigitRuns(s string) []string {
	var runs []string
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		runs = append(runs, s[i:j])
		i = j
	}
	return runs
}
