//go:build unix

package tokencmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// A command that printed its code and exited, leaving a child that holds its stdout, gives its code
// at once, every time: what it wrote before exiting is never lost to the reader being stopped.
func TestTokenRunChildHoldsStdout(t *testing.T) {
	for i := 0; i < 10; i++ {
		start := time.Now()
		code, err := runLine(context.Background(), "printf 123456; sleep 3 2>/dev/null &", "--token-command")
		if err != nil || code != "123456" {
			t.Fatalf("run %d: %q %v", i, code, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("run %d took %s", i, d)
		}
	}
}

// On timeout the whole process group is killed, and the message names the command.
func TestTokenRunTimeoutKillsGroup(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "bg.pid")
	run := &Run{Cmd: Command{line: "sleep 30 & echo $! > " + pidfile + "; sleep 30", from: "--token-command"},
		Timeout: 300 * time.Millisecond, TimeoutFrom: "--token-timeout"}
	start := time.Now()
	_, err := run.Do(context.Background())
	if fault.Code(err) != fault.NoCode || fault.FieldOf(err) != fault.FieldTokenTimeout ||
		!strings.Contains(err.Error(), "gave no code within 300ms (--token-timeout): stopped `sleep 30 & echo $! > ") ||
		!strings.HasSuffix(err.Error(), "...` and every process it started") { // long command lines are shortened
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	for i := 0; ; i++ {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			break // gone, or a zombie nobody reaps
		}
		if i == 50 {
			t.Fatalf("the command's child %s still runs", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// cancelled (Ctrl-C handled by the caller): the same kill, another message
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	run.Timeout = time.Minute
	if _, err := run.Do(ctx); fault.Code(err) != fault.Cancelled {
		t.Errorf("cancelled: %v", err)
	}
}

// runLine runs a plain token command without a terminal.
func runLine(ctx context.Context, line, from string) (string, error) {
	return (&Run{Cmd: Plain(line, from)}).Do(ctx)
}
