// Command stsmfa gets MFA session credentials for the AWS CLI and SDKs. See README.md.
package main

import (
	"os"

	"github.com/stsmfa/stsmfa/internal/cli"
	_ "github.com/stsmfa/stsmfa/internal/readahead" // reads the AWS files while the rest initialises
)

func main() { os.Exit(cli.Main()) }
