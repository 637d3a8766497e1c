//go:build windows

package cli

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"

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

// childRunning is set while exec's command runs: the console gives Ctrl-C to the command too, which
// decides what it means, and stsmfa waits to pass on its exit code.
var childRunning atomic.Bool

// exitOnInterrupt makes Ctrl-C (and Ctrl-Break) end stsmfa with exit code 130, the code Unix shells
// report for Ctrl-C and the one documented for a cancelled prompt. Windows' default would end the
// process with STATUS_CONTROL_C_EXIT, a negative errorlevel that `if errorlevel 1` takes for success
// (and under Wine with 0). Files are never half-written: writes are atomic renames. While exec's
// command runs (childRunning), Ctrl-C is left to the command.
func exitOnInterrupt() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	go func() {
		for range ch {
			if childRunning.Load() {
				continue
			}
			fmt.Fprintln(os.Stderr, "\nstsmfa: cancelled (Ctrl-C)")
			os.Exit(exitcode.Cancelled)
		}
	}()
}
