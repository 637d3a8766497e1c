package session

import (
	"errors"
	"fmt"
)

// Kind says what went wrong in the terms of stsmfa's exit-code table; only the cli package turns a
// Kind into an exit code and words the fix in terms of its own flags.
type Kind int

const (
	KindUnexpected Kind = iota
	KindUsage           // a requested value is wrong (code, duration, target name, choice of device)
	KindFiles           // the AWS files or stsmfa's cache: missing profile or keys, malformed, unwritable
	KindRefused         // AWS refused: keys, code, device, trust policy, access denied, clock
	KindNetwork         // AWS could not be reached or did not answer
	KindNoCode          // no MFA code could be had: no terminal, token command failed, lock wait timed out
	KindCancelled       // the user gave up at a prompt
)

// Field names the part of a Request a fix concerns, so that cli can name its own flag for it.
type Field int

const (
	FieldNone         Field = iota
	FieldTarget             // Request.Targets
	FieldSerial             // Request.Serial
	FieldTokenCommand       // Request.TokenCommand
	FieldDuration           // Request.Duration
	FieldLockTimeout        // Request.LockTimeout
	FieldTimeout            // Env.Timeout
	FieldProfile            // Request.Profile
	FieldTokenTimeout       // Request.TokenTimeout
)

// Error is every failure session reports: one lower-case line for the user, the kind of failure,
// the request field a fix concerns (if any), and the underlying cause (errors.Is/As see through it).
type Error struct {
	Kind  Kind
	Msg   string
	Field Field
	Cause error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Cause }

func newErr(k Kind, f Field, cause error, format string, args ...any) *Error {
	return &Error{Kind: k, Field: f, Cause: cause, Msg: fmt.Sprintf(format, args...)}
}

func usageErr(format string, args ...any) error {
	return newErr(KindUsage, FieldNone, nil, format, args...)
}
func filesErr(format string, args ...any) error {
	return newErr(KindFiles, FieldNone, nil, format, args...)
}
func refusedErr(format string, args ...any) error {
	return newErr(KindRefused, FieldNone, nil, format, args...)
}
func networkErr(format string, args ...any) error {
	return newErr(KindNetwork, FieldNone, nil, format, args...)
}
func noCodeErr(format string, args ...any) error {
	return newErr(KindNoCode, FieldNone, nil, format, args...)
}
func cancelledErr(format string, args ...any) error {
	return newErr(KindCancelled, FieldNone, nil, format, args...)
}

// filesCause wraps an error from awsfile or the file system, keeping it as the cause.
func filesCause(err error) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return newErr(KindFiles, FieldNone, err, "%v", err)
}

// withField marks which request field the fix of err concerns.
func withField(err error, f Field) error {
	var se *Error
	if errors.As(err, &se) {
		cp := *se
		cp.Field = f
		return &cp
	}
	return err
}

// KindOf is the Kind of err: its own when it is (or wraps) an *Error, else KindUnexpected.
func KindOf(err error) Kind {
	var se *Error
	if errors.As(err, &se) {
		return se.Kind
	}
	return KindUnexpected
}

// FieldOf is the request field err's fix concerns, or FieldNone.
func FieldOf(err error) Field {
	var se *Error
	if errors.As(err, &se) {
		return se.Field
	}
	return FieldNone
}

// ErrCodeMaybeSpent is behind every error of a code-carrying call whose request may have reached
// AWS but gave no usable answer; test it with errors.Is.
var ErrCodeMaybeSpent = errors.New("the connection dropped or no answer came within the timeout after the MFA code was sent: AWS may have accepted the code, so it cannot be sent again; wait for the next code")

// ErrRefreshNeeded is Ensure's answer to a Request with ReuseOnly when no cached session serves it.
var ErrRefreshNeeded = errors.New("no cached session serves this request")

// apiError is what an AWS error answer looks like (smithy.APIError, without importing the SDK: the
// front build links none, see nosdk.go).
type apiError interface {
	ErrorCode() string
	ErrorMessage() string
}
