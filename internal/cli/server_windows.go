//go:build windows

package cli

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// runServed runs the command with its server alive, lets Ctrl-C reach it (as runChild), then cleans
// up (the server stops, the private files go) and passes its exit code on.
func runServed(path string, args, env []string, cleanup func()) error {
	cmd := exec.Command(path, args[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	childStarted.Store(true)
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	err := cmd.Run()
	cleanup()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &fault.Passthrough{Status: ee.ExitCode()}
	}
	if err != nil {
		return fault.UsageErr("cannot run %s: %v", args[0], err)
	}
	return nil
}
