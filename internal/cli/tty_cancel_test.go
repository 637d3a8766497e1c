package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/session"
)

// Ctrl-C at the prompt (the context cancelled by SIGINT): Prompt returns ErrInterrupted at once
// though nothing was typed, ends the terminal's line, and Close does not wait for the abandoned read.
func TestPromptCancelled(t *testing.T) {
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	defer inW.Close()
	ctx, cancel := context.WithCancel(context.Background())
	tty := &terminal{ctx: ctx, in: inR, out: outW, r: bufio.NewReader(inR)}
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := tty.Prompt("code: ")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, session.ErrInterrupted) {
			t.Errorf("Prompt: %v, want ErrInterrupted", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Prompt did not return after the context was cancelled")
	}
	if err := tty.Close(); err != nil {
		t.Error(err)
	}
	outW.Close()
	if shown, _ := io.ReadAll(outR); string(shown) != "code: \n" {
		t.Errorf("the terminal got %q", shown)
	}
	// asked again after the cancel: no read at all
	if _, err := tty.Prompt("again: "); !errors.Is(err, session.ErrInterrupted) {
		t.Errorf("second Prompt: %v", err)
	}
	inR.Close()
}
