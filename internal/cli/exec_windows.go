//go:build windows

package cli

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// runChild runs the command, lets Ctrl-C reach it (the console delivers it to both), and returns its
// exit code as stsmfa's own.
func runChild(path string, args, env []string) error {
	cmd := exec.Command(path, args[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches the command from the console; stsmfa must outlive it to pass its exit code on.
	// Not signal.Ignore: on Windows an ignored Ctrl-C falls through to the default handler, which ends
	// stsmfa (STATUS_CONTROL_C_EXIT) and loses the command's exit code. A handled one does not.
	childStarted.Store(true)
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &fault.Passthrough{Status: ee.ExitCode()}
	}
	if err != nil {
		return fault.UsageErr("cannot run %s: %v", args[0], err)
	}
	return nil
}
