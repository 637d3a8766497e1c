// Command stsmfa gets MFA session credentials for the AWS CLI and SDKs. See README.md.
//
// This is the full program: what `go install ./cmd/stsmfa` gives, Windows' stsmfa.exe, and the
// engine that the releases install as stsmfa-engine beside the front (cmd/stsmfa-front) on Linux
// and macOS.
package main

import (
	"os"

	"github.com/stsmfa/stsmfa/internal/cli"
	_ "github.com/stsmfa/stsmfa/internal/readahead" // reads the AWS files while the rest initialises
)

func main() { os.Exit(cli.Main()) }
