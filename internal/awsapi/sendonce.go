package awsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// An MFA code is good for one call: AWS refuses it the second time. A call that carries one
// (GetSessionToken, AssumeRole with SerialNumber) must therefore never be re-sent once any of its
// bytes may have reached AWS, whatever the SDK's retryer thinks of the error: a dropped connection,
// a timeout or an unreadable answer after sending says nothing about whether AWS took the code.
// Only failures before the request had a connection (DNS, connection refused, TLS handshake) are
// provably harmless, and those are retried; so is one kind of answer: AWS refusing the signature's
// time (clock skew), which happens at authentication, before any MFA code is looked at, and which the
// SDK corrects by re-signing with the server's time. Throttling and 5xx answers are not retried.

// sendOnce is the per-operation option for STS calls that carry a TokenCode:
//
//	c.sts.GetSessionToken(ctx, in, sendOnce)
//	c.sts.AssumeRole(ctx, in, sendOnce) // with SerialNumber and TokenCode
//
// Each attempt records whether the request got a connection; the retryer then retries an error
// only when the attempt never got one (and the SDK's own rules would retry it), so nothing is ever
// sent twice. Map the error with codeCallError.
func sendOnce(o *sts.Options) {
	var r aws.RetryerV2
	if v2, ok := o.Retryer.(aws.RetryerV2); ok {
		r = v2
	} else {
		r = retryerV2{o.Retryer}
	}
	o.Retryer = sendOnceRetryer{r}
	// A fresh slice: the client's APIOptions must not grow with every call.
	o.APIOptions = append(o.APIOptions[:len(o.APIOptions):len(o.APIOptions)], addUnsentMarker)
}

// unsentError marks an attempt that failed before its request got a connection: no byte of it can
// have reached AWS.
type unsentError struct{ err error }

func (e *unsentError) Error() string { return e.err.Error() }
func (e *unsentError) Unwrap() error { return e.err }

// neverSent reports whether err comes from an attempt of a sendOnce call that never got a connection.
func neverSent(err error) bool {
	var u *unsentError
	return errors.As(err, &u)
}

// sendOnceRetryer retries only errors of attempts that never got a connection.
type sendOnceRetryer struct{ aws.RetryerV2 }

func (r sendOnceRetryer) IsErrorRetryable(err error) bool {
	return (neverSent(err) || refusedAtAuthentication(err)) && r.RetryerV2.IsErrorRetryable(err)
}

// refusedAtAuthentication reports whether AWS answered that the request's signature time was off:
// it was refused before the code was checked, so the code is still unused.
func refusedAtAuthentication(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch code, msg := api.ErrorCode(), strings.ToLower(api.ErrorMessage()); code {
	case "RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture":
		return true
	case "SignatureDoesNotMatch", "InvalidSignatureException":
		return strings.Contains(msg, "expired") || strings.Contains(msg, "not yet current")
	}
	return false
}

// retryerV2 adapts a plain aws.Retryer (the SDK's retryers are all RetryerV2 already).
type retryerV2 struct{ aws.Retryer }

func (r retryerV2) GetAttemptToken(context.Context) (func(error) error, error) {
	return r.Retryer.GetInitialToken(), nil
}

// addUnsentMarker puts unsentMarker inside the retry loop, so it sees every attempt.
func addUnsentMarker(stack *middleware.Stack) error {
	return stack.Finalize.Insert(unsentMarker{}, "Retry", middleware.After)
}

// unsentMarker watches one attempt through net/http's GotConn hook, which fires once a connection
// (new, after DNS, dial, proxy CONNECT and TLS handshake, or reused) is handed to the request and
// before any byte of the request is written. An attempt that fails without it is wrapped in
// unsentError.
type unsentMarker struct{}

func (unsentMarker) ID() string { return "stsmfa.SendOnce" }

func (unsentMarker) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	var gotConn atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	out, md, err := next.HandleFinalize(ctx, in)
	if err != nil && !gotConn.Load() {
		err = &unsentError{err}
	}
	return out, md, err
}

// codeCallError maps the error of a sendOnce call: AWS's own answers and failures before sending as
// explain does; anything else means the code may be spent, and says so (exit 5, wrapping
// fault.ErrCodeMaybeSpent).
func (c *Client) codeCallError(op string, err error) error {
	var api smithy.APIError
	if (errors.As(err, &api) && !redirected(err)) || neverSent(err) || errors.Is(err, context.Canceled) {
		return c.explain(op, err)
	}
	const spent = "AWS may have accepted the code, so it cannot be sent again; wait for the next code and try again"
	var msg string
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		msg = "no answer from AWS to " + op + " within " + c.timeout.String() + " after the MFA code was sent: " + spent
	case connectionLost(err):
		msg = "the connection to AWS dropped after the MFA code was sent with " + op + " (" + rootCause(err).Error() + "): " + spent
	case redirected(err):
		msg = "the STS endpoint answered " + op + " with a redirect (" + redirectTo(err) + "), which AWS never sends (a proxy's or captive portal's?); check HTTPS_PROXY and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url); if it was AWS, it may have accepted the code, so it cannot be sent again: wait for the next code"
	case notAWS(err):
		msg = "the STS endpoint answered " + op + " with something that is not an AWS response (a proxy's or captive portal's page?); check HTTPS_PROXY and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url); if it was AWS, it may have accepted the code, so it cannot be sent again: wait for the next code"
	default:
		msg = "the answer from AWS to " + op + " could not be read after the MFA code was sent (" + rootCause(err).Error() + "): " + spent
	}
	f := fault.FieldNone
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		f = fault.FieldTimeout // the network may just be slow
	}
	return &fault.Error{Code: fault.Network, Field: f, Msg: msg, Cause: errors.Join(fault.ErrCodeMaybeSpent, err)}
}

// redirected reports whether the answer was an HTTP redirect (3xx): never an AWS Query answer.
func redirected(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() >= 300 && re.HTTPStatusCode() < 400
}

// redirectTo names a redirect for messages: its status and where it pointed (without userinfo or query).
func redirectTo(err error) string {
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil {
		return "HTTP 3xx"
	}
	s := fmt.Sprintf("HTTP %d", re.HTTPStatusCode())
	if u, perr := url.Parse(re.Response.Header.Get("Location")); perr == nil && u.Host != "" {
		s += " to " + u.Scheme + "://" + u.Host + u.Path
	}
	return s
}

// notAnswer is the error of an answer that carried no credentials where AWS always sends them: not
// AWS's answer; after a code went out, the code may be spent.
func notAnswer(op string, withCode bool) error {
	msg := "the STS endpoint answered " + op + " without credentials, which AWS never does (a proxy's or captive portal's answer?); check HTTPS_PROXY and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url)"
	if !withCode {
		return fault.NetworkErr("%s", msg)
	}
	return &fault.Error{Code: fault.Network, Msg: msg + "; if it was AWS, it may have accepted the code, so it cannot be sent again: wait for the next code", Cause: fault.ErrCodeMaybeSpent}
}

// notAWS reports whether a complete answer was not an AWS Query/XML answer at all (an HTML page, plain
// text): not even a broken STS document.
func notAWS(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		ct := strings.ToLower(re.Response.Header.Get("Content-Type"))
		if strings.Contains(ct, "html") || strings.HasPrefix(ct, "text/plain") {
			return true
		}
	}
	var deser *smithy.DeserializationError
	if !errors.As(err, &deser) {
		return false
	}
	msg := strings.ToLower(rootCause(err).Error())
	return strings.Contains(msg, "html") || strings.Contains(msg, "expected element type") || strings.Contains(msg, "invalid character")
}

// connectionLost reports whether err is the connection breaking rather than a readable but wrong
// answer.
func connectionLost(err error) bool {
	var op *net.OpError
	var deser *smithy.DeserializationError
	switch {
	case errors.As(err, &op), errors.Is(err, net.ErrClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return true
	case errors.As(err, &deser):
		return false // a complete answer the SDK could not parse
	}
	return true // a transport error of another kind (HTTP/2 stream reset, proxy hang-up, ...)
}
