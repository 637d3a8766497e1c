//go:build !windows

package cli

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// forwarded are the signals stsmfa passes on to the command it serves. Ctrl-C, Ctrl-\ and a closed
// terminal reach the command from the terminal itself (it is in the foreground process group), so
// SIGINT and SIGQUIT are only kept from ending stsmfa before it; the rest are sent to stsmfa alone.
var forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}

// reraise are the signals stsmfa can end itself by when they ended the command.
var reraise = map[syscall.Signal]bool{syscall.SIGINT: true, syscall.SIGTERM: true, syscall.SIGHUP: true, syscall.SIGKILL: true}

// runServed runs the command with its server alive, then cleans up (the server stops, the private
// files go) and ends as the command did: its exit code, or the signal that ended it.
func runServed(path string, args, env []string, cleanup func()) error {
	cmd := exec.Command(path)
	cmd.Args, cmd.Env = args, env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, append([]os.Signal{syscall.SIGINT, syscall.SIGQUIT}, forwarded...)...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		cleanup()
		return fault.UsageErr("cannot run %s: %v", path, err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if s != syscall.SIGINT && s != syscall.SIGQUIT {
					_ = cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	cleanup()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return fault.UsageErr("cannot run %s: %v", path, err)
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		sig := ws.Signal()
		if reraise[sig] {
			// end the way the command ended, as plain exec (which becomes the command) does: Go's
			// own action for these, once nothing is notified of them, is to die by them
			signal.Stop(sigs)
			signal.Reset(sig)
			_ = syscall.Kill(os.Getpid(), sig)
			time.Sleep(time.Second)
		}
		// a signal Go ignores when not notified (SIGUSR1, ...): the status shells report for it
		return &fault.Passthrough{Status: 128 + int(sig)}
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		return &fault.Passthrough{Status: code}
	}
	return nil
}
