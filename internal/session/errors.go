package session

import (
	"errors"
)

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
