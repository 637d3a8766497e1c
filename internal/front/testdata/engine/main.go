// Command engine stands in for stsmfa-engine in the front's tests: it notes each run in
// $FRONT_TEST_ENGINE_LOG, then becomes the full build (its own path + ".full") with the arguments
// and argv[0] it was given, as the real engine is run by the front.
package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

func main() {
	if log := os.Getenv("FRONT_TEST_ENGINE_LOG"); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintln(f, strings.Join(os.Args[1:], " "))
			f.Close()
		}
	}
	self, err := os.Executable()
	if err == nil {
		err = syscall.Exec(self+".full", os.Args, os.Environ())
	}
	fmt.Fprintf(os.Stderr, "test engine: %v\n", err)
	os.Exit(1)
}
