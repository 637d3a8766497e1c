//go:build !windows

// Command stsmfa-front is the front that the releases and packages install as stsmfa on Linux and
// macOS (internal/front): it answers credential-process, status --check, status --prompt, env and
// exec from a valid cached session without the AWS SDK, net/http or cobra, and hands every other run
// to the full program, cmd/stsmfa, installed beside it as stsmfa-engine.
//
// No internal/readahead here: the front initialises in ~0.3 ms, too little for a read on another
// thread to overlap, and starting that thread cost more than it saved (docs/benchmarks.md).
package main

import (
	"os"

	"github.com/stsmfa/stsmfa/internal/front"
)

func main() { os.Exit(front.Main()) }
