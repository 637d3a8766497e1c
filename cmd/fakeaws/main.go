// Command fakeaws runs the stand-in AWS STS/IAM server as a process, for
// shell scripts, benchmarks and the demo. It listens on loopback only.
//
//	fakeaws serve [--listen 127.0.0.1:0] [--state FILE]
//	fakeaws totp SEED
//	fakeaws code --state FILE [--user NAME]
//
// Roles in the state file may carry max_session_duration, require_mfa,
// external_id and trust (a list of principal ARNs); see fakeaws.Role.
// While serving, the stand-in answers test-control requests on its own URL:
//
//	curl -s $URL/_fakeaws/stats                                            calls, refused, role_calls, codes_sent
//	curl -s -X POST "$URL/_fakeaws/fail-next?action=GetSessionToken&code=Throttling&n=1"
//	curl -s -X POST "$URL/_fakeaws/drop-next?action=GetSessionToken&n=1"   process, then cut the answer off
//	curl -s -X POST "$URL/_fakeaws/slow-next?action=GetSessionToken&delay=5s&n=1"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/totp"
)

const usage = `usage:
  fakeaws serve [--listen 127.0.0.1:0] [--state FILE]   run the stand-in STS/IAM until SIGINT/SIGTERM
  fakeaws totp SEED                                     print the current code for a base32 seed
  fakeaws code --state FILE [--user NAME]               print the current code for a user's device (default alice)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one subcommand; exit codes: 0 ok, 1 failure, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "totp":
		if len(args) != 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		c, err := totp.Code(args[1], time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "fakeaws:", err)
			return 2
		}
		fmt.Fprintln(stdout, c)
		return 0
	case "code":
		return code(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "fakeaws: unknown command %q\n%s", args[0], usage)
	return 2
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	listen := fl.String("listen", "127.0.0.1:0", "loopback address to listen on")
	stateFile := fl.String("state", "", "state file: loaded if it exists, (re)written once listening (0600)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 0 {
		fmt.Fprintf(stderr, "fakeaws: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	if err := fakeaws.CheckLoopback(*listen); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	st := fakeaws.SampleState()
	if *stateFile != "" {
		loaded, err := fakeaws.ReadState(*stateFile)
		switch {
		case err == nil:
			st = loaded
		case errors.Is(err, fs.ErrNotExist):
		default:
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	srv := fakeaws.New()
	st.Apply(srv)
	if err := srv.StartOn(*listen); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer srv.Close()
	st.URL = srv.URL()
	if *stateFile != "" {
		if err := fakeaws.WriteState(*stateFile, st); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	fmt.Fprintln(stdout, st.URL)
	<-ctx.Done()
	return 0
}

func code(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("code", flag.ContinueOnError)
	fl.SetOutput(stderr)
	stateFile := fl.String("state", "", "state file written by fakeaws serve")
	user := fl.String("user", "alice", "user whose device code to print")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *stateFile == "" || fl.NArg() != 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	st, err := fakeaws.ReadState(*stateFile)
	if err != nil {
		fmt.Fprintln(stderr, "fakeaws:", err)
		return 1
	}
	for _, u := range st.Users {
		if u.Name == *user && u.Seed != "" {
			c, err := totp.Code(u.Seed, time.Now())
			if err != nil {
				fmt.Fprintln(stderr, "fakeaws:", err)
				return 1
			}
			fmt.Fprintln(stdout, c)
			return 0
		}
	}
	fmt.Fprintf(stderr, "fakeaws: no user %q with an MFA device in %s\n", *user, *stateFile)
	return 1
}
