package cli

import (
	"io"
	"testing"
)

// BenchmarkRunVersion is the in-process cost of one command line (cobra tree, flags, dispatch),
// without process start-up: the part of `stsmfa --version` that stsmfa's own code controls.
func BenchmarkRunVersion(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Run(Options{Args: []string{"--version"}, Stdout: io.Discard, Stderr: io.Discard})
	}
}

// BenchmarkRunStatusCheck is `stsmfa status --check` in-process with no credentials file.
func BenchmarkRunStatusCheck(b *testing.B) {
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", b.TempDir()+"/credentials")
	for i := 0; i < b.N; i++ {
		Run(Options{Args: []string{"status", "--check"}, Stdout: io.Discard, Stderr: io.Discard})
	}
}
