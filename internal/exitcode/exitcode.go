// Package exitcode holds stsmfa's documented exit codes and the error type that carries one.
//
// Every failure a user can meet is an *Error: one lower-case line that says what went wrong and how
// to fix it, plus the exit code scripts can test. The table lives in README.md and docs/DESIGN.md.
package exitcode

import (
	"errors"
	"fmt"
)

const (
	OK        = 0
	NotValid  = 1   // status --check: not valid long enough; any unexpected failure
	Usage     = 2   // bad flag or argument, code not 6 digits, duration out of range
	Files     = 3   // AWS files: profile/keys missing, malformed file, write failed
	Refused   = 4   // AWS refused: bad keys, wrong or reused code, access denied, no MFA device, clock skew
	Network   = 5   // AWS unreachable: network down, timeout, throttled after retries
	NoCode    = 6   // no MFA code could be had: no terminal and no token command, lock wait timed out
	Cancelled = 130 // Ctrl-C at a prompt
)

// Error is a user-facing failure with its exit code. Cause, when set, is what errors.Is and
// errors.As see behind it (a sentinel a caller may test); it is not part of the message.
type Error struct {
	Code  int
	Msg   string
	Cause error
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Cause }

func newf(code int, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

func UsageErr(format string, args ...any) error     { return newf(Usage, format, args...) }
func FilesErr(format string, args ...any) error     { return newf(Files, format, args...) }
func RefusedErr(format string, args ...any) error   { return newf(Refused, format, args...) }
func NetworkErr(format string, args ...any) error   { return newf(Network, format, args...) }
func NoCodeErr(format string, args ...any) error    { return newf(NoCode, format, args...) }
func CancelledErr(format string, args ...any) error { return newf(Cancelled, format, args...) }

// Of returns the exit code for err: its own when it carries one, else 1.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return NotValid
}
