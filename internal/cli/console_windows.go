//go:build windows

package cli

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/windows"

	"github.com/stsmfa/stsmfa/internal/fault"
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

// childStarted is set when exec starts its command, and never cleared: the console gives Ctrl-C to
// the command too, which decides what it means, and stsmfa waits to pass on its exit code. Not
// cleared when the command ends: the console delivers the event to each process on a thread of its
// own, so a command that exits at once on Ctrl-C may be gone before stsmfa's handler looks — that
// Ctrl-C was still the command's (stsmfa has nothing left to cancel; it passes the code on and exits).
var childStarted atomic.Bool

// exitOnInterrupt makes Ctrl-C (and Ctrl-Break) end stsmfa with exit code 130, the code Unix shells
// report for Ctrl-C and the one documented for a cancelled prompt. Windows' default would end the
// process with STATUS_CONTROL_C_EXIT, a negative errorlevel that `if errorlevel 1` takes for success
// (and under Wine with 0). Files are never half-written: writes are atomic renames. While exec's
// command runs, and after it (childStarted), Ctrl-C is left to the command.
func exitOnInterrupt() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	go func() {
		for range ch {
			if childStarted.Load() {
				continue
			}
			fmt.Fprintln(os.Stderr, "\nstsmfa: cancelled (Ctrl-C)")
			os.Exit(fault.Cancelled)
		}
	}()
}

// terminating are the signals that cancel a run (Ctrl-C; a console's close event arrives as SIGTERM).
var terminating = []os.Signal{os.Interrupt, syscall.SIGTERM}
