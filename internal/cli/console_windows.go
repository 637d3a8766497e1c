//go:build windows

package cli

import (
	"fmt"
	"os"
	"os/signal"

	"golang.org/x/sys/windows"

	"github.com/stsmfa/stsmfa/internal/exitcode"
)

// colourTerminal reports whether f is a console that shows colours: its output mode has
// virtual-terminal processing, or takes it (vtColour).
func colourTerminal(f *os.File) bool {
	h := windows.Handle(f.Fd())
	return vtColour(func() (uint32, error) {
		var mode uint32
		err := windows.GetConsoleMode(h, &mode)
		return mode, err
	}, func(mode uint32) error { return windows.SetConsoleMode(h, mode) })
}

// exitOnInterrupt makes Ctrl-C (and Ctrl-Break) end stsmfa with exit code 130, the code Unix shells
// report for Ctrl-C and the one documented for a cancelled prompt. Windows' default would end the
// process with STATUS_CONTROL_C_EXIT, a negative errorlevel that `if errorlevel 1` takes for success
// (and under Wine with 0). Files are never half-written: writes are atomic renames. `exec` ignores
// Ctrl-C while its command runs (runChild), so the command decides.
func exitOnInterrupt() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	go func() {
		<-ch
		fmt.Fprintln(os.Stderr, "\nstsmfa: cancelled (Ctrl-C)")
		os.Exit(exitcode.Cancelled)
	}()
}
