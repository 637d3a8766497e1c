//go:build !linux && !windows

package wine

import (
	"errors"
	"os"
	"os/exec"
)

func openPTY() (master, slave *os.File, err error) {
	return nil, nil, errors.New("the console tests open a pseudo-terminal the Linux way only")
}

func onTerminal(cmd *exec.Cmd, slave *os.File) {}

func rawMode(master *os.File) bool { return true }
