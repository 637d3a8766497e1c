package readahead

import (
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	for args, want := range map[string][2]bool{
		"credential-process":            {true, true},
		"--debug env --format json":     {true, true},
		"--timeout 10s exec -- true":    {true, true},
		"--timeout=10s login":           {true, true},
		"status --check":                {true, false},
		"setup-credential-process work": {false, false},
		"--version":                     {false, false},
		"":                              {false, false},
		"--timeout status logout":       {false, false}, // "status" is --timeout's value
		"help credential-process":       {false, false},
		"logout --all":                  {false, false},
	} {
		if c, f := files(strings.Fields(args)); c != want[0] || f != want[1] {
			t.Errorf("%q: %v %v, want %v", args, c, f, want)
		}
	}
}
