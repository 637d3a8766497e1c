package awsfile

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// DefaultRenameBudget is how long a write keeps trying to replace a file that another program holds
// open (Windows only: on Unix a rename never waits).
const DefaultRenameBudget = 3 * time.Second

func (e *Editor) renameBudget() time.Duration {
	if e != nil && e.hooks.renameBudget > 0 {
		return e.hooks.renameBudget
	}
	return DefaultRenameBudget
}

// renameRetrying renames old to new. While the rename fails with an error that busy accepts, it
// pauses (10 ms, doubling up to 250 ms) and tries again, until the pauses add up to budget; then it
// returns a *busyError wrapping the last error. Any other error is returned at once. sleep is
// time.Sleep unless a test passes its own.
func renameRetrying(rename func(old, new string) error, busy func(error) bool, old, new string, budget time.Duration, sleep func(time.Duration)) error {
	if sleep == nil {
		sleep = time.Sleep
	}
	var waited time.Duration
	pause := 10 * time.Millisecond
	for tries := 1; ; tries++ {
		err := rename(old, new)
		if err == nil || !busy(err) {
			return err
		}
		if waited >= budget {
			return &busyError{err: err, tries: tries, waited: waited}
		}
		p := min(pause, budget-waited)
		sleep(p)
		waited += p
		pause = min(2*pause, 250*time.Millisecond)
	}
}

// busyError: the file could not be replaced because another program kept it open all along.
type busyError struct {
	err    error
	tries  int
	waited time.Duration
}

func (b *busyError) Error() string {
	cause := b.err
	var le *os.LinkError
	if errors.As(cause, &le) {
		cause = le.Err // the temporary file's name says nothing to the user
	}
	return fmt.Sprintf("another program keeps it open and does not let it be replaced (%d tries in %s: %v); close that program (an editor, a running AWS CLI or SDK) and try again",
		b.tries, b.waited.Round(10*time.Millisecond), cause)
}

func (b *busyError) Unwrap() error { return b.err }
