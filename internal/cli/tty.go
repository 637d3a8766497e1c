package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/stsmfa/stsmfa/internal/session"
)

// terminal prompts on the terminal device itself, so prompts work when stdout is captured by
// eval "$(stsmfa env)" or stderr by the AWS CLI running credential_process.
//
// Ctrl-C at the prompt cancels ctx (Run turns SIGINT into a cancelled context): Prompt then returns
// ErrInterrupted at once, leaving the read it started behind; the process is about to exit.
type terminal struct {
	ctx     context.Context
	in, out *os.File
	r       *bufio.Reader
	mu      sync.Mutex
	reading bool // a read is still blocked after an interrupted Prompt
}

func openTerminal(ctx context.Context) session.Terminal {
	in, out, err := openTTY()
	if err != nil {
		return nil
	}
	return &terminal{ctx: ctx, in: in, out: out, r: bufio.NewReader(in)}
}

type readResult struct {
	line string
	err  error
}

func (t *terminal) Prompt(q string) (string, error) {
	ctx := t.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Err() != nil {
		return "", session.ErrInterrupted
	}
	if _, err := fmt.Fprint(t.out, q); err != nil {
		return "", err
	}
	t.mu.Lock()
	t.reading = true
	t.mu.Unlock()
	done := make(chan readResult, 1)
	go func() {
		line, err := t.r.ReadString('\n')
		t.mu.Lock()
		t.reading = false
		t.mu.Unlock()
		done <- readResult{line, err}
	}()
	var res readResult
	select {
	case <-ctx.Done():
		// Ctrl-C: the terminal echoed ^C without a newline; end the line before the error is printed
		fmt.Fprintln(t.out)
		return "", session.ErrInterrupted
	case res = <-done:
	}
	line, err := res.line, res.err
	if errors.Is(err, io.EOF) {
		// Ctrl-D: the terminal echoed no newline, so end the line before anything else is printed
		fmt.Fprintln(t.out)
		if line == "" {
			return "", session.ErrInterrupted
		}
	} else if err != nil {
		if ctx.Err() != nil { // a console read ended by Ctrl-C (Windows)
			return "", session.ErrInterrupted
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// Device is the terminal device itself: a token command gets it as stdin and stderr
// (session.TerminalDevice).
func (t *terminal) Device() (in, out *os.File) { return t.in, t.out }

// Close closes the terminal device, unless an interrupted Prompt's read still uses it: closing a
// file another goroutine is blocked reading may wait for that read, and the process is exiting anyway.
func (t *terminal) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.reading {
		return nil
	}
	if t.out != t.in {
		t.out.Close()
	}
	return t.in.Close()
}
