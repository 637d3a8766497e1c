//go:build stsmfa_front && !windows

package main

import (
	"os"

	"github.com/stsmfa/stsmfa/internal/front"
)

// No internal/readahead here: the front initialises in ~0.3 ms, too little for a read on another
// thread to overlap, and starting that thread cost more than it saved (docs/benchmarks.md).
func main() { os.Exit(front.Main()) }
