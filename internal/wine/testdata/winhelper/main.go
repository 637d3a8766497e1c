// Command winhelper is test scaffolding for the Windows lane (internal/wine), built for Windows by
// the lane and run under Wine:
//
//	winhelper hold PATH MILLIS      open PATH for reading without FILE_SHARE_DELETE, as the AWS CLI and
//	                                most programs do, print "held", keep it open MILLIS ms, close it
//	winhelper waitfor PATH          wait until PATH exists (at most 2 minutes)
//	winhelper ctrlc CODE            print "waiting", then exit with CODE when Ctrl-C comes (3 after
//	                                a minute without one)
//	winhelper run PROGRAM ARGS...   run PROGRAM on this console, leaving Ctrl-C to it, then print
//	                                "exit status N" with the exit code Windows gives its parent (what
//	                                cmd's errorlevel would be), and exit 0
//	winhelper printenv NAME...      print the named variables of its environment as JSON (a missing
//	                                one is null; PREFIX* names every variable starting with PREFIX,
//	                                in any case), so a test sees exactly what a batch file set
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: winhelper hold PATH MILLIS | waitfor PATH | ctrlc CODE | run PROGRAM ARGS... | printenv NAME...")
		return 2
	}
	switch args[0] {
	case "hold":
		if len(args) != 3 {
			return run(nil)
		}
		ms, err := strconv.Atoi(args[2])
		if err != nil {
			return run(nil)
		}
		p, err := syscall.UTF16PtrFromString(args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		h, err := syscall.CreateFile(p, syscall.GENERIC_READ, syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE, nil,
			syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open:", err)
			return 1
		}
		fmt.Println("held")
		time.Sleep(time.Duration(ms) * time.Millisecond)
		syscall.CloseHandle(h)
		return 0
	case "ctrlc":
		code, err := strconv.Atoi(args[1])
		if err != nil {
			return run(nil)
		}
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt)
		fmt.Println("waiting")
		select {
		case <-ch:
			fmt.Println("got Ctrl-C")
			return code
		case <-time.After(time.Minute):
			return 3
		}
	case "run":
		// a handled Ctrl-C does not end this process (an ignored one would: Windows' default handler)
		signal.Notify(make(chan os.Signal, 1), os.Interrupt)
		cmd := exec.Command(args[1], args[2:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "run:", err)
			return 1
		}
		fmt.Printf("exit status %d\n", cmd.ProcessState.ExitCode())
		return 0
	case "waitfor":
		deadline := time.Now().Add(2 * time.Minute)
		for {
			if _, err := os.Stat(args[1]); err == nil {
				return 0
			}
			if time.Now().After(deadline) {
				fmt.Fprintln(os.Stderr, "waitfor: gave up on", args[1])
				return 1
			}
			time.Sleep(20 * time.Millisecond)
		}
	case "printenv":
		m := map[string]*string{}
		for _, n := range args[1:] {
			if prefix, ok := strings.CutSuffix(n, "*"); ok {
				for _, kv := range os.Environ() {
					if k, v, _ := strings.Cut(kv, "="); k != "" && strings.HasPrefix(strings.ToUpper(k), strings.ToUpper(prefix)) {
						m[k] = &v
					}
				}
			} else if v, ok := os.LookupEnv(n); ok {
				m[n] = &v
			} else {
				m[n] = nil
			}
		}
		b, _ := json.Marshal(m)
		fmt.Println(string(b))
		return 0
	}
	return run(nil)
}
