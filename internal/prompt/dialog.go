package prompt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// DefaultTimeout is how long a dialog waits for an answer: as long as other stsmfa processes wait for
// the one showing it (session.DefaultLockTimeout).
const DefaultTimeout = 2 * time.Minute

// killGrace is how long a dialog may outlive its own timeout before it is killed (zenity, osascript
// and the PowerShell dialog close themselves; kdialog and osascript's list cannot).
var killGrace = 3 * time.Second

// Dialog asks in a desktop dialog. Open returns one with Kind and Program set.
type Dialog struct {
	Kind    Mode   // Zenity, KDialog, OSAScript or Windows
	Program string // the program's path
	Title   string // the window title
	Note    string // a paragraph under every question: who asked, for which profile
	Timeout time.Duration
	Ctx     context.Context // cancelled: the dialog is closed and ErrCancelled returned
	// run runs a command line; nil runs it for real (tests replace it).
	run func(ctx context.Context, c cmdline) (result, error)
}

// cmdline is a dialog's command: argv (argv[0] is the program) and extra environment variables.
type cmdline struct {
	args []string
	env  []string
}

// result is what a dialog said: stdout, exit status and (for errors only) stderr.
type result struct {
	stdout string
	exit   int
	stderr string
}

// driver is one dialog program's command lines and the way to read its answers.
type driver interface {
	// entry asks for one hidden line.
	entry(prog, title, text string, timeout time.Duration) cmdline
	// entryAnswer reads the line typed, or ErrCancelled, ErrTimeout or another failure.
	entryAnswer(r result) (string, error)
	// list asks to pick one of items.
	list(prog, title, text string, items []string, timeout time.Duration) cmdline
	// listAnswer is the index picked (0-based), -1 for OK with nothing picked.
	listAnswer(r result, n int) (int, error)
}

func (d *Dialog) driver() driver {
	switch d.Kind {
	case Zenity:
		return zenity{}
	case KDialog:
		return kdialog{}
	case OSAScript:
		return osascript{}
	case Windows:
		return powershell{}
	}
	return nil
}

// text is what the dialog says: the question without the terminal's trailing colon, then the note.
func (d *Dialog) text(question string) string {
	q := strings.TrimSpace(question)
	q = strings.TrimSpace(strings.TrimSuffix(q, ":"))
	if d.Note != "" {
		q += "\n\n" + d.Note
	}
	return q
}

func (d *Dialog) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

// Prompt asks for one line in a dialog whose entry hides what is typed.
func (d *Dialog) Prompt(question string) (string, error) {
	drv := d.driver()
	if drv == nil {
		return "", fmt.Errorf("no dialog %q", d.Kind)
	}
	r, err := d.exec(drv.entry(d.Program, d.Title, d.text(question), d.timeout()))
	if err != nil {
		return "", err
	}
	return drv.entryAnswer(r)
}

// Choose asks to pick one of items in a list and returns its index, or -1 when OK was pressed with
// nothing picked.
func (d *Dialog) Choose(question string, items []string) (int, error) {
	drv := d.driver()
	if drv == nil {
		return 0, fmt.Errorf("no dialog %q", d.Kind)
	}
	r, err := d.exec(drv.list(d.Program, d.Title, d.text(question), items, d.timeout()))
	if err != nil {
		return 0, err
	}
	return drv.listAnswer(r, len(items))
}

// exec runs the dialog, killing it when it outlives its timeout or the caller's context is cancelled.
func (d *Dialog) exec(c cmdline) (result, error) {
	parent := d.Ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, d.timeout()+killGrace)
	defer cancel()
	run := d.run
	if run == nil {
		run = runCommand
	}
	r, err := run(ctx, c)
	switch {
	case parent.Err() != nil:
		return r, ErrCancelled
	case ctx.Err() != nil:
		return r, ErrTimeout
	}
	return r, err
}

// runCommand runs a dialog for real: stdin empty, stdout and stderr captured (a few KB at most).
func runCommand(ctx context.Context, c cmdline) (result, error) {
	cmd := exec.CommandContext(ctx, c.args[0], c.args[1:]...)
	cmd.Env = append(os.Environ(), c.env...)
	var out, errb limitedBuffer
	out.max, errb.max = 4096, 4096
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.exit = ee.ExitCode()
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("cannot run %s: %w", c.args[0], err)
	}
	return r, nil
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}

// failed is a dialog's unexpected exit, with the first line of its stderr (never its stdout, which
// may hold what was typed).
func failed(name string, r result) error {
	msg := fmt.Sprintf("%s failed (exit status %d)", name, r.exit)
	if line := firstLine(r.stderr); line != "" {
		msg += ": " + line
	}
	return errors.New(msg)
}

// firstLine is the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// answerLine is the first line of a dialog's stdout without its line ending.
func answerLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// numbered turns items into "1) item" lines, for dialogs that hand back the text picked.
func numbered(items []string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprintf("%d) %s", i+1, it)
	}
	return out
}

// pickedIndex reads a 1-based number at the start of s ("2" or "2) arn:...") and checks it is one of
// n items.
func pickedIndex(s string, n int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return -1, nil
	}
	num, _, _ := strings.Cut(s, ")")
	var i int
	if _, err := fmt.Sscanf(num, "%d", &i); err != nil || i < 1 || i > n || fmt.Sprint(i) != strings.TrimSpace(num) {
		return 0, fmt.Errorf("the dialog answered %q, not a number from 1 to %d", s, n)
	}
	return i - 1, nil
}
