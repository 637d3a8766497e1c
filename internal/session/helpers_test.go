package session

import (
	"github.com/stsmfa/stsmfa/internal/exitcode"
)

// codeOf is the exit code cli gives err (cli.exitCode does the same mapping), so tests can state
// expectations in the documented table's terms.
func codeOf(err error) int {
	if err == nil {
		return exitcode.OK
	}
	switch KindOf(err) {
	case KindUsage:
		return exitcode.Usage
	case KindFiles:
		return exitcode.Files
	case KindRefused:
		return exitcode.Refused
	case KindNetwork:
		return exitcode.Network
	case KindNoCode:
		return exitcode.NoCode
	case KindCancelled:
		return exitcode.Cancelled
	}
	return exitcode.Of(err)
}
