package session

import (
	"errors"
)

// ErrRefreshNeeded is Ensure's answer to a Request with ReuseOnly when no cached session serves it.
var ErrRefreshNeeded = errors.New("no cached session serves this request")

// apiError is what an AWS error answer looks like (smithy.APIError, without importing the SDK: the
// front build links none, see nosdk.go).
type apiError interface {
	ErrorCode() string
	ErrorMessage() string
}
