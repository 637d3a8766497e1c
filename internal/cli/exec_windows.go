//go:build windows

package cli

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"

	"github.com/stsmfa/stsmfa/internal/exitcode"
)

// runChild runs the command, lets Ctrl-C reach it (the console delivers it to both), and returns its
// exit code as stsmfa's own.
func runChild(path string, args, env []string) error {
	cmd := exec.Command(path, args[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	signal.Ignore(os.Interrupt)
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &exitError{code: ee.ExitCode()}
	}
	if err != nil {
		return exitcode.UsageErr("cannot run %s: %v", args[0], err)
	}
	return nil
}
