package cli

import (
	"bufio"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/stsmfa/stsmfa/internal/session"
)

// Ctrl-D after a partial code: the terminal echoed no newline, so the prompt ends the line itself
// before any error is printed; the partial answer is returned for checking. Ctrl-D alone cancels.
func TestPromptEOF(t *testing.T) {
	for _, c := range []struct {
		typed   string
		want    string
		wantErr error
	}{
		{"123", "123", nil},
		{"", "", session.ErrInterrupted},
		{"123456\n", "123456", nil},
	} {
		inR, inW, _ := os.Pipe()
		outR, outW, _ := os.Pipe()
		inW.WriteString(c.typed)
		inW.Close()
		tty := &terminal{in: inR, out: outW, r: bufio.NewReader(inR)}
		got, err := tty.Prompt("code: ")
		outW.Close()
		shown, _ := io.ReadAll(outR)
		if got != c.want || !errors.Is(err, c.wantErr) && err != c.wantErr {
			t.Errorf("typed %q: got %q, %v; want %q, %v", c.typed, got, err, c.want, c.wantErr)
		}
		wantShown := "code: \n"
		if c.typed == "123456\n" {
			wantShown = "code: " // the user's Enter ended the line
		}
		if string(shown) != wantShown {
			t.Errorf("typed %q: the terminal got %q, want %q", c.typed, shown, wantShown)
		}
		inR.Close()
		outR.Close()
	}
}
