//go:build !windows

package cli

import (
	"os"
	"syscall"

	"golang.org/x/term"
)

// colourTerminal reports whether f is a terminal, which on Unix understands colour escape codes.
func colourTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// exitOnInterrupt: on Unix, Ctrl-C's SIGINT ends the process and the shell reports 130.
func exitOnInterrupt() {}

// terminating are the signals that cancel a run: the prompt, a dialog, a token command's process group,
// the lock wait and the AWS calls end, and stsmfa exits 130 with the files as they were.
var terminating = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}
