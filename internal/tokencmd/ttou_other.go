//go:build unix && !linux

package tokencmd

import (
	"os/signal"
	"syscall"
)

// withoutSIGTTOU runs f with SIGTTOU ignored; os/signal offers no per-thread mask here, and Reset does
// not bring back the default action, so SIGTTOU stays ignored for the rest of the run.
func withoutSIGTTOU(f func()) {
	signal.Ignore(syscall.SIGTTOU)
	f()
}
