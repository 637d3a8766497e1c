package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stsmfa/stsmfa/internal/session"
)

// terminal prompts on the terminal device itself, so prompts work when stdout is captured by
// eval "$(stsmfa env)" or stderr by the AWS CLI running credential_process.
type terminal struct {
	in, out *os.File
	r       *bufio.Reader
}

func openTerminal() session.Terminal {
	in, out, err := openTTY()
	if err != nil {
		return nil
	}
	return &terminal{in: in, out: out, r: bufio.NewReader(in)}
}

func (t *terminal) Prompt(q string) (string, error) {
	if _, err := fmt.Fprint(t.out, q); err != nil {
		return "", err
	}
	line, err := t.r.ReadString('\n')
	if errors.Is(err, io.EOF) {
		// Ctrl-D: the terminal echoed no newline, so end the line before anything else is printed
		fmt.Fprintln(t.out)
		if line == "" {
			return "", session.ErrInterrupted
		}
	} else if err != nil {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// Device is the terminal device itself: a token command gets it as stdin and stderr
// (session.TerminalDevice).
func (t *terminal) Device() (in, out *os.File) { return t.in, t.out }

func (t *terminal) Close() error {
	if t.out != t.in {
		t.out.Close()
	}
	return t.in.Close()
}
