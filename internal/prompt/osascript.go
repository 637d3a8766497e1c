package prompt

import (
	"fmt"
	"strings"
	"time"
)

// osascript (macOS). The AppleScript is fixed text; the title, the question, the timeout and the
// items reach it as arguments of its run handler (argv), so nothing needs quoting inside the script.
// The first argument is always the title, so no argument can be taken for an osascript option.
//
// The script prints one line: "code:TYPED", "choice:N) ITEM", "timeout" or "cancel". Cancel in
// `display dialog` is AppleScript error -128, which osascript reports on stderr with exit status 1.
type osascript struct{}

// osascriptEntry is the code dialog: a hidden answer, Cancel/OK, closing itself after argv item 3
// seconds.
var osascriptEntry = []string{
	`on run argv`,
	`set r to display dialog (item 2 of argv) with title (item 1 of argv) default answer "" with hidden answer buttons {"Cancel", "OK"} default button "OK" cancel button "Cancel" with icon note giving up after ((item 3 of argv) as integer)`,
	`if gave up of r then return "timeout"`,
	`return "code:" & (text returned of r)`,
	`end run`,
}

// osascriptList is the device list: choose from list returns false on Cancel.
var osascriptList = []string{
	`on run argv`,
	`set r to choose from list (items 4 thru -1 of argv) with title (item 1 of argv) with prompt (item 2 of argv) OK button name "OK" cancel button name "Cancel"`,
	`if r is false then return "cancel"`,
	`return "choice:" & (item 1 of r)`,
	`end run`,
}

func osascriptArgs(prog string, script []string, args ...string) []string {
	out := []string{prog}
	for _, line := range script {
		out = append(out, "-e", line)
	}
	return append(out, args...)
}

func (osascript) entry(prog, title, text string, timeout time.Duration) cmdline {
	return cmdline{args: osascriptArgs(prog, osascriptEntry, title, text, fmt.Sprint(seconds(timeout)))}
}

func (osascript) entryAnswer(r result) (string, error) {
	line, err := osascriptAnswer(r)
	if err != nil {
		return "", err
	}
	code, ok := strings.CutPrefix(line, "code:")
	if !ok {
		return "", fmt.Errorf("osascript answered something other than a code")
	}
	return strings.TrimSpace(code), nil
}

func (osascript) list(prog, title, text string, items []string, timeout time.Duration) cmdline {
	args := append([]string{title, text, fmt.Sprint(seconds(timeout))}, numbered(items)...)
	return cmdline{args: osascriptArgs(prog, osascriptList, args...)}
}

func (osascript) listAnswer(r result, n int) (int, error) {
	line, err := osascriptAnswer(r)
	if err != nil {
		return 0, err
	}
	picked, ok := strings.CutPrefix(line, "choice:")
	if !ok {
		return 0, fmt.Errorf("osascript answered %q, not a choice", line)
	}
	return pickedIndex(picked, n)
}

// osascriptAnswer is the script's line, or the error its exit, "timeout" or "cancel" stand for.
func osascriptAnswer(r result) (string, error) {
	if r.exit != 0 {
		if strings.Contains(r.stderr, "(-128)") {
			return "", ErrCancelled
		}
		return "", failed("osascript", r)
	}
	switch line := answerLine(r.stdout); line {
	case "timeout":
		return "", ErrTimeout
	case "cancel":
		return "", ErrCancelled
	default:
		return line, nil
	}
}
