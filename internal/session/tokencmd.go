package session

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

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// TokenCommandTimeout bounds a token command (ykman waits for a touch, password managers for unlock)
// unless mfa_process_timeout or the request sets another bound.
const TokenCommandTimeout = 2 * time.Minute

// KeyMFAProcessTimeout and KeyYkmanDevice are read from the source profile's config section.
const (
	KeyMFAProcessTimeout = "mfa_process_timeout" // seconds or a Go duration
	KeyYkmanDevice       = "ykman_device"        // the YubiKey serial for the ykman: preset (--device)
)

// TerminalDevice is implemented by a Terminal backed by a terminal device. A token command gets the
// device as its stdin (ykman's OATH password, op's and bw's unlock prompts) and its stderr, so its
// prompts reach the person even under credential_process, whose caller may swallow stderr.
type TerminalDevice interface {
	Device() (in, out *os.File)
}

// tokenSettings is what a Source knows of its token command besides the command line.
type tokenSettings struct {
	TokenTimeout     time.Duration // Request.TokenTimeout, else mfa_process_timeout, else TokenCommandTimeout
	TokenTimeoutFrom string
	token            tokenCommand // TokenCommand parsed (presets.go)
	tokenErr         error        // a mistake in the token command's settings, reported when a code is needed
}

// loadTokenSettings reads what a token command needs besides its command line: ykman_device for the
// ykman: preset and the timeout (the request's, else mfa_process_timeout, else TokenCommandTimeout).
// A mistake in them is kept in tokenErr and reported when a code is needed: a cached session is still
// served.
func (s *Source) loadTokenSettings(conf *awsfile.File, req *Request) {
	name := s.Profile
	at := func(key string) string {
		return fmt.Sprintf("%s in %s line %d", key, conf.Path(), conf.Line(name, key))
	}
	if s.TokenCommand != "" {
		device, _ := conf.Get(name, KeyYkmanDevice)
		s.token, s.tokenErr = parseTokenCommand(s.TokenCommand, s.TokenFrom, device, at(KeyYkmanDevice))
	}
	s.TokenTimeout, s.TokenTimeoutFrom = TokenCommandTimeout, "the default timeout"
	if req.TokenTimeout != 0 {
		s.TokenTimeout, s.TokenTimeoutFrom = req.TokenTimeout, orLabel(req.TokenTimeoutFrom, "the requested timeout")
	} else if v, ok := conf.Get(name, KeyMFAProcessTimeout); ok {
		d, err := ParseDuration(v)
		if err == nil && d <= 0 {
			err = fmt.Errorf("must be longer than 0")
		}
		if err != nil && s.tokenErr == nil {
			s.tokenErr = fault.UsageErr("%s: %v", at(KeyMFAProcessTimeout), err)
		}
		s.TokenTimeout, s.TokenTimeoutFrom = d, at(KeyMFAProcessTimeout)
	}
}

// outputGrace is how long a token command's stdout may stay open after the command exited: a child it
// left behind (an agent it started) may hold it for as long as it lives, and the code is already there.
const outputGrace = 200 * time.Millisecond

// tokenRun is one run of a token command.
type tokenRun struct {
	cmd         tokenCommand
	timeout     time.Duration
	timeoutFrom string
	tty         Terminal // may be a TerminalDevice
	profile     string   // the profile asked for, for the touch notification
	getenv      func(string) string
	debugf      func(string, ...any)
}

// run runs the command in a process group of its own, with the terminal as stdin and stderr when
// there is one (else /dev/null and stsmfa's stderr), and takes the code from its stdout. On timeout
// or cancellation the whole group is killed. The output is never echoed: it may hold other secrets.
func (t *tokenRun) run(ctx context.Context) (string, error) {
	timeout := t.timeout
	if timeout <= 0 {
		timeout = TokenCommandTimeout
	}
	var c *exec.Cmd
	switch {
	case t.cmd.preset != nil:
		path, err := exec.LookPath(t.cmd.preset.tool)
		if err != nil {
			return "", fault.WithField(fault.NoCodeErr("the token command (%s) runs %s, which is not installed or not on PATH (%s)",
				t.cmd.label(), t.cmd.preset.tool, t.cmd.preset.install), fault.FieldTokenCommand)
		}
		c = exec.Command(path, t.cmd.argv[1:]...)
	default:
		c = shellCommand(t.cmd.line) // sh -c; on Windows cmd.exe /d /s /c "LINE" (shell_windows.go)
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
		return "", fault.NoCodeErr("cannot run the token command (%s): %v", t.cmd.label(), err)
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
	t.debug("running the token command (%s)", t.cmd.label())
	err = c.Start()
	w.Close()
	if errW != nil {
		errW.Close()
	}
	if err != nil {
		if fg {
			restoreForeground(in)
		}
		return "", fault.NoCodeErr("the token command (%s) could not be started: %v", t.cmd.label(), err)
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
			t.cmd.label(), timeout, orLabel(t.timeoutFrom, "the default timeout"), t.cmd.commandLine()), fault.FieldTokenTimeout)
	case stopped == "cancelled":
		return "", fault.CancelledErr("cancelled while the token command (%s) ran; nothing was changed", t.cmd.label())
	case interrupted(runErr):
		// Ctrl-C at the terminal went to the command's process group, the terminal's foreground
		return "", fault.CancelledErr("the token command (%s) was interrupted (Ctrl-C); nothing was changed", t.cmd.label())
	case runErr != nil:
		hint := "run it by hand to see why"
		if t.cmd.preset != nil {
			hint = fmt.Sprintf(t.cmd.preset.check, t.cmd.item)
		}
		return "", fault.NoCodeErr("the token command (%s) failed: %v; %s", t.cmd.label(), runErr, hint)
	}
	return t.cmd.parseOutput(output)
}

// device opens the terminal device afresh for the command (nil, nil without one): the command gets an
// open file description of its own, so nothing it or os/exec does to it (blocking mode) touches the
// one the prompt reads.
func (t *tokenRun) device() (in, out *os.File) {
	d, ok := t.tty.(TerminalDevice)
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

func (t *tokenRun) debug(format string, args ...any) {
	if t.debugf != nil {
		t.debugf(format, args...)
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
func (t *tokenRun) notifier() *touchNotifier {
	getenv := t.getenv
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
	if t.cmd.preset != nil && t.cmd.preset.name == "ykman" {
		key = "YubiKey"
	}
	profile := orLabel(t.profile, "default")
	return &touchNotifier{path: path, summary: fmt.Sprintf("Touch your %s for profile %s", key, profile),
		body: fmt.Sprintf("stsmfa is waiting for an MFA code from %s", t.cmd.label()), done: make(chan struct{})}
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
