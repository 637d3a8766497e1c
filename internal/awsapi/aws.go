// Package awsapi is stsmfa's way to AWS: the STS and IAM clients of the AWS SDK, configured by the
// SDKs' documented rules from a source profile (awsconfig.go), a call carrying an MFA code sent once
// (sendonce.go), and every AWS error turned into one line that says what to do (aws.go, assume.go).
// It implements session.AWS without importing session (the program converts session.Conn into
// Config); the front links none of it.
package awsapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// Client talks to STS and IAM for one source profile: credentials, endpoints and region come from
// the profile (Config), never from stale AWS_* variables.
type Client struct {
	sts     *sts.Client
	iam     *iam.Client
	profile string
	timeout time.Duration
	cfg     Config
}

// Endpoint is the STS endpoint the calls go to (for --debug); it makes no call.
func (c *Client) Endpoint(ctx context.Context) string { return stsEndpoint(ctx, c.cfg) }

// CallerIdentity is GetCallerIdentity.
func (c *Client) CallerIdentity(ctx context.Context) (cred.Identity, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return cred.Identity{}, c.explain("GetCallerIdentity", err)
	}
	id := cred.Identity{Account: aws.ToString(out.Account), Arn: aws.ToString(out.Arn)}
	id.Root = strings.HasSuffix(id.Arn, ":root")
	return id, nil
}

// ListMFADevices lists the caller's own MFA devices (every kind, FIDO keys included).
func (c *Client) ListMFADevices(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var serials []string
	p := iam.NewListMFADevicesPaginator(c.iam, &iam.ListMFADevicesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.explain("ListMFADevices", err)
		}
		for _, d := range out.MFADevices {
			serials = append(serials, aws.ToString(d.SerialNumber))
		}
	}
	return serials, nil
}

// GetSessionToken trades the long-term keys and a code for an MFA session; sent once (sendOnce).
func (c *Client) GetSessionToken(ctx context.Context, serial, code string, d time.Duration) (cred.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out, err := c.sts.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(int32(d / time.Second)),
		SerialNumber:    aws.String(serial),
		TokenCode:       aws.String(code),
	}, sendOnce)
	if err != nil {
		return cred.Session{}, c.codeCallError("GetSessionToken", err)
	}
	cr := out.Credentials
	if cr == nil || cr.AccessKeyId == nil || cr.SecretAccessKey == nil || cr.SessionToken == nil || cr.Expiration == nil {
		return cred.Session{}, notAnswer("GetSessionToken", true)
	}
	return cred.Session{
		AccessKeyID:     *cr.AccessKeyId,
		SecretAccessKey: *cr.SecretAccessKey,
		SessionToken:    *cr.SessionToken,
		Expiration:      cr.Expiration.UTC().Truncate(time.Second),
		Serial:          serial,
	}, nil
}

// explain turns an SDK error into one line that says what to do. AWS error messages never carry
// secrets, but the request body does, so only codes and messages are quoted.
func (c *Client) explain(op string, err error) error {
	p := c.profile
	fail := func(k int, f fault.Field, format string, args ...any) error {
		return fault.New(k, f, err, format, args...)
	}
	if redirected(err) {
		return fail(fault.Network, fault.FieldNone, "the STS endpoint answered %s with a redirect (%s), which AWS never sends (a proxy's or captive portal's?); check HTTPS_PROXY and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url)", op, redirectTo(err))
	}
	if notAWS(err) {
		return fail(fault.Network, fault.FieldNone, "the STS endpoint answered %s with something that is not an AWS response (a proxy's or captive portal's page?); check HTTPS_PROXY and the STS endpoint (AWS_ENDPOINT_URL_STS, endpoint_url)", op)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code, msg := api.ErrorCode(), api.ErrorMessage()
		lmsg := strings.ToLower(msg)
		switch {
		case code == "InvalidClientTokenId":
			return fail(fault.Refused, fault.FieldNone, "AWS does not know the access key of profile %q (InvalidClientTokenId): it was deleted, deactivated or mistyped; put a current key in with: aws configure --profile %s", p, p)
		case code == "ExpiredToken" || code == "ExpiredTokenException":
			return fail(fault.Refused, fault.FieldNone, "the credentials of profile %q have expired (ExpiredToken); put the IAM user's long-term keys in with: aws configure --profile %s", p, p)
		case code == "RequestExpired" || (code == "SignatureDoesNotMatch" && (strings.Contains(lmsg, "expired") || strings.Contains(lmsg, "not yet current"))):
			return fail(fault.Refused, fault.FieldNone, "AWS says the request was signed at the wrong time (%s): check your clock; this computer's time must be within 5 minutes of the real time (sync it with NTP)", code)
		case code == "SignatureDoesNotMatch":
			return fail(fault.Refused, fault.FieldNone, "AWS rejected the signature made with profile %q (SignatureDoesNotMatch): the secret access key is wrong, or check your clock; fix the key with: aws configure --profile %s", p, p)
		case strings.Contains(lmsg, "invalid mfa one time pass code"):
			return fail(fault.Refused, fault.FieldNone, "AWS rejected the MFA code: it is wrong or was already used; wait for the next code and try again")
		case strings.Contains(lmsg, "multifactorauthentication failed") || strings.Contains(lmsg, "mfa serial"):
			return fail(fault.Refused, fault.FieldSerial, "AWS could not use the MFA device for profile %q: check the serial (mfa_serial) is a device assigned to this IAM user", p)
		case code == "AccessDenied" || code == "AccessDeniedException":
			if op == "ListMFADevices" {
				return fail(fault.Refused, fault.FieldSerial, "AWS denied %s for profile %q: %s; set the MFA serial with mfa_serial so no IAM call is needed", op, p, msg)
			}
			return fail(fault.Refused, fault.FieldNone, "AWS denied %s for profile %q: %s", op, p, msg)
		case strings.Contains(code, "Throttl") || code == "RequestLimitExceeded" || code == "TooManyRequestsException":
			if op == "GetSessionToken" {
				// not retried: the request carried a code (see sendOnce)
				return fail(fault.Network, fault.FieldNone, "AWS is throttling %s requests (%s); wait a minute and try again", op, code)
			}
			return fail(fault.Network, fault.FieldNone, "AWS is throttling %s requests even after retries (%s); wait a minute and try again", op, code)
		case code == "ValidationError":
			return fail(fault.Usage, fault.FieldNone, "AWS refused %s as invalid: %s", op, msg)
		}
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
			return fail(fault.Network, fault.FieldNone, "AWS had an internal error answering %s (%s); try again in a minute", op, code)
		}
		return fail(fault.Refused, fault.FieldNone, "AWS refused %s for profile %q: %s: %s", op, p, code, msg)
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return fail(fault.Network, fault.FieldTimeout, "no answer from AWS to %s within %s: check your network, proxy (HTTPS_PROXY) or STS endpoint", op, c.timeout)
	}
	if errors.Is(err, context.Canceled) {
		return fail(fault.Cancelled, fault.FieldNone, "cancelled")
	}
	var unknownCA x509.UnknownAuthorityError
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &certErr) {
		return fail(fault.Network, fault.FieldNone, "the TLS certificate of the AWS endpoint for %s is not trusted (%v); if a proxy inspects TLS, point AWS_CA_BUNDLE or ca_bundle at its CA certificate", op, rootCause(err))
	}
	var op1 *net.OpError
	if errors.As(err, &op1) {
		return fail(fault.Network, fault.FieldNone, "cannot reach AWS for %s: %v; check your network, proxy (HTTPS_PROXY) or STS endpoint", op, op1)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fail(fault.Network, fault.FieldNone, "cannot reach AWS for %s: %v; check your network or DNS", op, dns)
	}
	return fail(fault.Network, fault.FieldNone, "cannot reach AWS for %s: %v", op, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// rootCause is the innermost error of a chain, without the SDK's long operation prefix.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
