// Package fault is stsmfa's one error model: every failure a user can meet is an *Error, one
// lower-case line saying what went wrong, the documented exit code it ends the program with, the part
// of the request its fix concerns (Field: only the cli package words that fix, in its own flags'
// terms), and the underlying cause that errors.Is and errors.As see. Code is the one mapping from an
// error to an exit code; the program and the tests both call it. The table is in docs/usage.md.
package fault

import (
	"errors"
	"fmt"
)

// The exit codes. They are the taxonomy: an error's kind is the code it exits with.
const (
	OK        = 0
	NotValid  = 1   // status --check: not valid long enough; any unexpected failure
	Usage     = 2   // bad flag or argument, code not 6 digits, duration out of range
	Files     = 3   // AWS files or stsmfa's cache: profile/keys missing, malformed file, write failed
	Refused   = 4   // AWS refused: bad keys, wrong or reused code, access denied, no MFA device, clock skew
	Network   = 5   // AWS unreachable: network down, timeout, throttled after retries
	NoCode    = 6   // no MFA code could be had: no terminal and no token command, lock wait timed out
	Cancelled = 130 // Ctrl-C at a prompt, or a terminating signal
)

// Field names the part of a request a fix concerns, so that the command line can name its own flag
// or variable for it.
type Field int

const (
	FieldNone         Field = iota
	FieldTarget             // where the session is stored (login --target)
	FieldSerial             // the MFA device
	FieldTokenCommand       // the token command
	FieldDuration           // the session's length
	FieldLockTimeout        // the wait for another process's refresh
	FieldTimeout            // the wait for each AWS call
	FieldProfile            // the profile asked for
	FieldTokenTimeout       // each run of the token command
	FieldPrompt             // how to ask a person
	FieldCode               // the code given up front
	FieldBackend            // where long-term keys are kept (keys --backend)
)

// Error is a user-facing failure.
type Error struct {
	Code  int    // the exit code
	Msg   string // one lower-case line, no secrets
	Field Field
	Cause error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Cause }

// New is an *Error of exit code code, field f and cause cause (either may be zero).
func New(code int, f Field, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Field: f, Cause: cause, Msg: fmt.Sprintf(format, args...)}
}

func UsageErr(format string, args ...any) error { return New(Usage, FieldNone, nil, format, args...) }
func FilesErr(format string, args ...any) error { return New(Files, FieldNone, nil, format, args...) }
func RefusedErr(format string, args ...any) error {
	return New(Refused, FieldNone, nil, format, args...)
}
func NetworkErr(format string, args ...any) error {
	return New(Network, FieldNone, nil, format, args...)
}
func NoCodeErr(format string, args ...any) error { return New(NoCode, FieldNone, nil, format, args...) }
func CancelledErr(format string, args ...any) error {
	return New(Cancelled, FieldNone, nil, format, args...)
}

// FilesCause wraps an error from the file system or awsfile as a Files failure, keeping it as the
// cause; an *Error is returned as it is.
func FilesCause(err error) error {
	var fe *Error
	if err == nil || errors.As(err, &fe) {
		return err
	}
	return New(Files, FieldNone, err, "%v", err)
}

// WithField marks which part of the request the fix of err concerns.
func WithField(err error, f Field) error {
	var fe *Error
	if errors.As(err, &fe) {
		cp := *fe
		cp.Field = f
		return &cp
	}
	return err
}

// FieldOf is the part of the request err's fix concerns, or FieldNone.
func FieldOf(err error) Field {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Field
	}
	return FieldNone
}

// Passthrough is a child process's exit status that stsmfa passes on without a message (exec).
type Passthrough struct{ Status int }

func (p *Passthrough) Error() string { return fmt.Sprintf("exit status %d", p.Status) }

// Code is the documented exit code of err: 0 for nil, a child's own status for a Passthrough, the
// code an *Error carries, else 1 (unexpected).
func Code(err error) int {
	if err == nil {
		return OK
	}
	var p *Passthrough
	if errors.As(err, &p) {
		return p.Status
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return NotValid
}

// ErrCodeMaybeSpent is behind every error of a code-carrying call whose request may have reached
// AWS but gave no usable answer; test it with errors.Is.
var ErrCodeMaybeSpent = errors.New("the connection dropped or no answer came within the timeout after the MFA code was sent: AWS may have accepted the code, so it cannot be sent again; wait for the next code")
