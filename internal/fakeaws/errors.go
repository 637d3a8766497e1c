package fakeaws

import (
	"fmt"
	"strings"
)

// awsError is an AWS Query-protocol error answer.
type awsError struct {
	Status  int
	Type    string // Sender or Receiver
	Code    string
	Message string
}

func (e *awsError) Error() string { return strings.ToLower(e.Code[:1]) + e.Code[1:] + ": " + e.Message }

func errMissingAuth() *awsError {
	return &awsError{Status: 403, Type: "Sender", Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token"}
}

func errSignature(msg string) *awsError {
	return &awsError{Status: 403, Type: "Sender", Code: "SignatureDoesNotMatch", Message: msg}
}

func errInvalidToken() *awsError {
	return &awsError{Status: 403, Type: "Sender", Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
}

func errExpiredToken() *awsError {
	return &awsError{Status: 403, Type: "Sender", Code: "ExpiredToken", Message: "The security token included in the request is expired"}
}

func errAccessDenied(msg string) *awsError {
	return &awsError{Status: 403, Type: "Sender", Code: "AccessDenied", Message: msg}
}

const (
	msgMFASerial = "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user."
	msgMFACode   = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
)

// validation collects AWS-style constraint violations into one
// "N validation error(s) detected: ..." ValidationError.
type validation []string

func (v *validation) add(value *string, field, constraint string) {
	val := "null"
	if value != nil {
		val = "'" + *value + "'"
	}
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", val, field, constraint))
}

func (v validation) err() *awsError {
	if len(v) == 0 {
		return nil
	}
	noun := "error"
	if len(v) > 1 {
		noun = "errors"
	}
	return &awsError{Status: 400, Type: "Sender", Code: "ValidationError",
		Message: fmt.Sprintf("%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))}
}

func errValidation(msg string) *awsError {
	return &awsError{Status: 400, Type: "Sender", Code: "ValidationError", Message: msg}
}

// injectedError is the answer for FailNext(action, code, n).
func injectedError(code string) *awsError {
	switch code {
	case "Throttling", "ThrottlingException":
		return &awsError{Status: 400, Type: "Sender", Code: code, Message: "Rate exceeded"}
	case "ServiceUnavailable":
		return &awsError{Status: 503, Type: "Receiver", Code: code, Message: "Service Unavailable"}
	case "InternalFailure", "InternalError":
		return &awsError{Status: 500, Type: "Receiver", Code: code, Message: "We encountered an internal error. Please try again."}
	case "InvalidClientTokenId":
		return errInvalidToken()
	case "ExpiredToken":
		return errExpiredToken()
	case "SignatureDoesNotMatch":
		return errSignature("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	case "AccessDenied":
		return errAccessDenied("Access denied")
	case "RegionDisabledException":
		return &awsError{Status: 403, Type: "Sender", Code: code, Message: "STS is not activated in this region for account. Your account administrator can activate STS in this region using the IAM Console."}
	case "ValidationError":
		return errValidation("injected validation error")
	case "RequestTimeout":
		return &awsError{Status: 408, Type: "Sender", Code: code, Message: "Request timed out"}
	}
	return &awsError{Status: 400, Type: "Sender", Code: code, Message: "injected error " + code}
}
