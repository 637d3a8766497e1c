//go:build !windows

package cli

import (
	"os"

	"golang.org/x/term"
)

// colourTerminal reports whether f is a terminal, which on Unix understands colour escape codes.
func colourTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// exitOnInterrupt: on Unix, Ctrl-C's SIGINT ends the process and the shell reports 130.
func exitOnInterrupt() {}
