package awsfile

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// The Windows rename retry (platform_windows.go), with injected failures; the Windows lane
// (internal/wine) runs the real one against a file held open by another process.

var errBusy error = &os.LinkError{Op: "rename", Old: "tmp", New: "real", Err: errors.New("Access is denied.")}

// fakeRename fails with errBusy for the first busyTries calls, then with then.
func fakeRename(busyTries int, then error) (rename func(o, n string) error, calls *int) {
	calls = new(int)
	return func(o, n string) error {
		*calls++
		if *calls <= busyTries {
			return errBusy
		}
		return then
	}, calls
}

func isErrBusy(err error) bool { return errors.Is(err, errBusy) }

// The message names the system's reason, not the rename's temporary file.
func TestBusyErrorMessage(t *testing.T) {
	msg := (&busyError{err: errBusy, tries: 3, waited: 30 * time.Millisecond}).Error()
	if !strings.Contains(msg, "(3 tries in 30ms: Access is denied.)") || strings.Contains(msg, "tmp") {
		t.Errorf("message %q", msg)
	}
}

func TestRenameRetryingSucceedsOnceReleased(t *testing.T) {
	rename, calls := fakeRename(4, nil)
	var slept []time.Duration
	err := renameRetrying(rename, isErrBusy, "tmp", "real", time.Second, func(d time.Duration) { slept = append(slept, d) })
	if err != nil || *calls != 5 {
		t.Fatalf("err %v after %d calls, want success on the 5th", err, *calls)
	}
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}
	if len(slept) != len(want) {
		t.Fatalf("pauses %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Fatalf("pauses %v, want %v", slept, want)
		}
	}
}

func TestRenameRetryingGivesUpAfterBudget(t *testing.T) {
	rename, calls := fakeRename(1<<30, nil)
	var total time.Duration
	err := renameRetrying(rename, isErrBusy, "tmp", "real", DefaultRenameBudget, func(d time.Duration) {
		if d > 250*time.Millisecond {
			t.Errorf("pause %s longer than 250ms", d)
		}
		total += d
	})
	var be *busyError
	if !errors.As(err, &be) || !errors.Is(err, errBusy) {
		t.Fatalf("got %v, want a busyError wrapping the rename's error", err)
	}
	if total != DefaultRenameBudget {
		t.Errorf("paused %s in all, want the budget %s", total, DefaultRenameBudget)
	}
	// 10+20+40+80+160 ms, then 250 ms pauses up to 3 s: 16 pauses, 17 tries
	if *calls != 17 || be.tries != 17 {
		t.Errorf("%d calls (error says %d), want 17", *calls, be.tries)
	}
	for _, s := range []string{"another program keeps it open", "17 tries in 3s", "Access is denied.", "close that program"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
}

func TestRenameRetryingOtherErrorsAtOnce(t *testing.T) {
	other := errors.New("The system cannot find the path specified.")
	rename, calls := fakeRename(2, other)
	err := renameRetrying(rename, isErrBusy, "tmp", "real", time.Second, func(time.Duration) {})
	if err != other || *calls != 3 {
		t.Fatalf("got %v after %d calls, want the other error as it is, on the 3rd call", err, *calls)
	}
	rename, calls = fakeRename(0, other)
	if err := renameRetrying(rename, isErrBusy, "tmp", "real", time.Second, func(time.Duration) { t.Error("slept before a non-busy error") }); err != other || *calls != 1 {
		t.Fatalf("got %v after %d calls", err, *calls)
	}
}

// A write whose rename keeps failing as busy says so in one message naming the file, leaves the file
// as it was and no temporary file behind.
func TestWriteBusyMessage(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/credentials"
	writeFile(t, p, baseCreds, 0o600)
	e := Editor{hooks: hooks{fault: func(op, path string) error {
		if op == "rename" {
			return &busyError{err: errBusy, tries: 17, waited: DefaultRenameBudget}
		}
		return nil
	}}}
	err := e.Update(p, Credentials, setKey("default", "region", "x"))
	if err == nil || !strings.HasPrefix(err.Error(), "cannot write "+p+": another program keeps it open") {
		t.Fatalf("got %v", err)
	}
	if testkit.ReadFile(t, p) != baseCreds {
		t.Fatal("file changed")
	}
	noTemp(t, dir)
}
