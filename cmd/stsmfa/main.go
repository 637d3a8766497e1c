//go:build !stsmfa_front || windows

// Command stsmfa gets MFA session credentials for the AWS CLI and SDKs. See README.md.
//
// Built as is, it is the full program (go install, Windows, and the engine the releases install as
// stsmfa-engine). Built with -tags stsmfa_front on Linux and macOS, it is the front (front.go,
// internal/front), which the releases install as stsmfa.
package main

import (
	"os"

	"github.com/stsmfa/stsmfa/internal/cli"
	_ "github.com/stsmfa/stsmfa/internal/readahead" // reads the AWS files while the rest initialises
)

func main() { os.Exit(cli.Main()) }
