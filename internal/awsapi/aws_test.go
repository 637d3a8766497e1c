package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/stsmfa/stsmfa/internal/fault"
)

func apiErr(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

func withStatus(status int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}}
}

// TestExplain: every failure the issue names turns into one line with its documented exit code and a
// hint, whatever the SDK wrapped around it.
func TestExplain(t *testing.T) {
	c := &Client{profile: "work", timeout: 7 * time.Second}
	cases := []struct {
		name string
		op   string
		err  error
		code int
		want []string
	}{
		{"unknown key", "GetCallerIdentity", apiErr("InvalidClientTokenId", "The security token included in the request is invalid."),
			fault.Refused, []string{`profile "work"`, "(InvalidClientTokenId)", "aws configure --profile work"}},
		{"expired key", "GetSessionToken", apiErr("ExpiredToken", "The security token included in the request is expired"),
			fault.Refused, []string{"have expired (ExpiredToken)", "aws configure --profile work"}},
		{"request expired", "GetSessionToken", apiErr("RequestExpired", "Request has expired."),
			fault.Refused, []string{"(RequestExpired)", "check your clock"}},
		{"signature expired", "GetCallerIdentity", apiErr("SignatureDoesNotMatch", "Signature expired: 20261122T010000Z is now earlier than 20261122T011500Z"),
			fault.Refused, []string{"signed at the wrong time (SignatureDoesNotMatch)", "check your clock"}},
		{"signature not yet current", "GetCallerIdentity", apiErr("SignatureDoesNotMatch", "Signature not yet current: 20261122T013000Z is still later than 20261122T011500Z"),
			fault.Refused, []string{"check your clock"}},
		{"wrong secret", "GetCallerIdentity", apiErr("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."),
			fault.Refused, []string{"secret access key is wrong", "aws configure --profile work"}},
		{"wrong code", "GetSessionToken", apiErr("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. "),
			fault.Refused, []string{"rejected the MFA code", "wrong or was already used", "wait for the next code"}},
		{"bad serial", "GetSessionToken", apiErr("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user."),
			fault.Refused, []string{"could not use the MFA device", "mfa_serial", "field:serial"}},
		{"denied listing devices", "ListMFADevices", apiErr("AccessDenied", "User is not authorized to perform: iam:ListMFADevices"),
			fault.Refused, []string{"denied ListMFADevices", "set the MFA serial with mfa_serial", "field:serial"}},
		{"throttled", "GetSessionToken", fmt.Errorf("operation error STS: GetSessionToken, exceeded maximum number of attempts, 2, %w", withStatus(400, apiErr("Throttling", "Rate exceeded"))),
			fault.Network, []string{"throttling GetSessionToken requests (Throttling)", "wait a minute"}},
		{"throttled, retried", "ListMFADevices", fmt.Errorf("operation error IAM: ListMFADevices, exceeded maximum number of attempts, 2, %w", withStatus(400, apiErr("Throttling", "Rate exceeded"))),
			fault.Network, []string{"throttling ListMFADevices requests even after retries (Throttling)", "wait a minute"}},
		{"validation", "GetSessionToken", apiErr("ValidationError", "1 validation error detected"),
			fault.Usage, []string{"refused GetSessionToken as invalid"}},
		{"5xx", "GetSessionToken", withStatus(503, apiErr("ServiceUnavailable", "Service Unavailable")),
			fault.Network, []string{"internal error answering GetSessionToken (ServiceUnavailable)", "try again"}},
		{"other refusal", "GetSessionToken", withStatus(403, apiErr("RegionDisabledException", "STS is not activated in this region")),
			fault.Refused, []string{"RegionDisabledException", "STS is not activated in this region"}},
		{"timeout", "GetSessionToken", fmt.Errorf("wrapped: %w", context.DeadlineExceeded),
			fault.Network, []string{"no answer from AWS to GetSessionToken within 7s", "field:timeout"}},
		{"refused connection", "GetCallerIdentity", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
			fault.Network, []string{"cannot reach AWS for GetCallerIdentity", "connection refused", "HTTPS_PROXY"}},
		{"dns", "GetCallerIdentity", &net.DNSError{Err: "no such host", Name: "sts.eu-west-1.amazonaws.com"},
			fault.Network, []string{"cannot reach AWS", "no such host", "DNS"}},
		{"cancelled", "GetSessionToken", context.Canceled, fault.Cancelled, []string{"cancelled"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.explain(tc.op, tc.err)
			if got := fault.Code(err); got != tc.code {
				t.Fatalf("exit %d, want %d: %v", got, tc.code, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("not one line: %q", msg)
			}
			for _, w := range tc.want {
				if f, ok := strings.CutPrefix(w, "field:"); ok { // the fix is a flag: cli names it
					if got := fault.FieldOf(err); got != map[string]fault.Field{"serial": fault.FieldSerial, "timeout": fault.FieldTimeout}[f] {
						t.Errorf("%q: field %d, want %s", msg, got, f)
					}
					continue
				}
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("the error does not keep its cause: errors.Is(%v, %v) is false", err, tc.err)
			}
		})
	}
}
