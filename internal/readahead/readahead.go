// Package readahead starts reading the AWS files a command will read while the rest of stsmfa is
// still initialising. Only cmd/stsmfa imports it, for its init: Go initialises this package (which
// needs only awsfile) before net/http, cobra and the AWS SDK's clients, whose package initialisation
// takes most of the full program's start (docs/benchmarks.md); the read runs on another goroutine
// meanwhile, and awsfile.Load hands its result to the command's first read of the file. With the
// front serving the cached path, this helps only the engine, and measurably only with large files:
// about 1 ms on login --force and 0.7 ms on a refresh with 10,000 profiles, nothing with ten
// (docs/benchmarks.md, "Read-ahead and the huge-page reader, with the front").
package readahead

import (
	"os"
	"strings"

	"github.com/stsmfa/stsmfa/internal/awsfile"
)

func init() { start(os.Args[1:]) }

// start reads ahead the files the command in args reads first: the credentials file for every
// command that serves a session or shows one, and the config file for those that resolve a profile.
func start(args []string) {
	creds, conf := files(args)
	if creds {
		if p, err := awsfile.CredentialsPath(); err == nil {
			awsfile.Prefetch(p, awsfile.Credentials)
		}
	}
	if conf {
		if p, err := awsfile.ConfigPath(); err == nil {
			awsfile.Prefetch(p, awsfile.Config)
		}
	}
}

// files tells which files the command of a command line reads first, from its first argument after
// stsmfa's global flags. A command line it misreads only reads a file for nothing.
func files(args []string) (creds, conf bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--timeout":
			i++
			continue
		case strings.HasPrefix(a, "-"):
			continue
		}
		switch a {
		case "credential-process", "env", "exec", "login":
			return true, true
		case "status":
			return true, false // --check and --prompt read the credentials file alone
		}
		return false, false
	}
	return false, false
}
