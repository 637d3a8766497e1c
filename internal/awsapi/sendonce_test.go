package awsapi

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stsmfa/stsmfa/internal/fault"
)

const stubSerial = "arn:aws:iam::123456789012:mfa/alice"

// checkSpent: err is the one-line, exit-5 "the code may be spent" error naming want.
func checkSpent(t *testing.T, err error, want ...string) {
	t.Helper()
	if !errors.Is(err, fault.ErrCodeMaybeSpent) {
		t.Fatalf("err %v; want one that Is fault.ErrCodeMaybeSpent", err)
	}
	if got := fault.Code(err); got != fault.Network {
		t.Errorf("exit %d, want %d", got, fault.Network)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("not one line: %q", msg)
	}
	for _, w := range append(want, "after the MFA code was sent", "AWS may have accepted the code", "cannot be sent again", "wait for the next code") {
		if !strings.Contains(msg, w) {
			t.Errorf("%q lacks %q", msg, w)
		}
	}
}

// (b) The request reaches the server, then the connection ends without a whole answer: sent once,
// and the error says the code may be spent.
func TestSendOnceConnectionDropped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after func(c net.Conn)
	}{
		{"closed before answering", func(net.Conn) {}},
		{"reset before answering", func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) }},
		{"closed halfway through the answer", func(c net.Conn) {
			io.WriteString(c, stubHeader(200, stubSessionTokenXML)+stubSessionTokenXML[:200])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := newSTSStub(t, func(c net.Conn, _ string, _ int) bool {
				tc.after(c)
				return false
			})
			c := stubClients(t, stub.URL, 10*time.Second)
			_, err := c.GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
			time.Sleep(100 * time.Millisecond) // a re-sent request would have arrived by now
			if n := stub.Requests(); n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
			checkSpent(t, err, "the connection to AWS dropped", "GetSessionToken")
		})
	}
}

// (c) The server takes the request and answers after the timeout: sent once, "no answer in time".
func TestSendOnceNoAnswerInTime(t *testing.T) {
	stub := newSTSStub(t, func(c net.Conn, action string, _ int) bool {
		time.Sleep(time.Second)
		io.WriteString(c, stubHeader(200, stubSessionTokenXML)+stubSessionTokenXML)
		return true
	})
	c := stubClients(t, stub.URL, 300*time.Millisecond)
	_, err := c.GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
	time.Sleep(1200 * time.Millisecond) // past the late answer: a re-sent request would have arrived
	if n := stub.Requests(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	checkSpent(t, err, "no answer from AWS to GetSessionToken within 300ms")
	if fault.FieldOf(err) != fault.FieldTimeout {
		t.Errorf("a timeout's fix is the timeout flag: field %d", fault.FieldOf(err))
	}
}

// (d) Failures before the request has a connection are retried: nothing can have reached AWS.
func TestSendOnceRetriesBeforeSending(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	dnsFailure := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "sts.eu-west-1.amazonaws.com", IsTemporary: true}}
	answer := func(c net.Conn, action string, _ int) bool {
		io.WriteString(c, stubHeader(200, stubSuccessXML(action))+stubSuccessXML(action))
		return true
	}

	for _, tc := range []struct {
		name  string
		first func(ctx context.Context) (net.Conn, error)
	}{
		{"connection refused", func(ctx context.Context) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", refusing)
		}},
		{"temporary DNS failure", func(context.Context) (net.Conn, error) { return nil, dnsFailure }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := newSTSStub(t, answer)
			c := stubClients(t, stub.URL, 10*time.Second)
			var failed atomic.Bool
			dials := withDial(t, c, func(ctx context.Context, network, addr string) (net.Conn, error) {
				if failed.CompareAndSwap(false, true) {
					return tc.first(ctx)
				}
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			})
			s, err := c.GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
			if err != nil || s.AccessKeyID == "" {
				t.Fatalf("err %v; want the session after a retry", err)
			}
			if d, n := dials.Load(), stub.Requests(); d != 2 || n != 1 {
				t.Fatalf("%d dials, %d requests; want 2 dials (one failed, one retried) and 1 request", d, n)
			}
		})
	}

	t.Run("refused on every attempt", func(t *testing.T) {
		c := stubClients(t, "http://"+refusing, 10*time.Second, "AWS_MAX_ATTEMPTS", "2")
		dials := withDial(t, c, func(ctx context.Context, network, addr string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		})
		_, err := c.GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
		if errors.Is(err, fault.ErrCodeMaybeSpent) || fault.Code(err) != fault.Network || !strings.Contains(err.Error(), "cannot reach AWS for GetSessionToken") {
			t.Fatalf("err %v (exit %d); want exit 5 'cannot reach AWS', not a spent code", err, fault.Code(err))
		}
		if d := dials.Load(); d != 2 {
			t.Fatalf("%d dials, want max_attempts = 2", d)
		}
	})
}

// (e) Calls without a code keep the SDK's retries; a code-carrying call answered by AWS itself is
// explained as before and not re-sent.
func TestRetriesOnlyWithoutACode(t *testing.T) {
	failFirst := func(c net.Conn, action string, n int) bool {
		if n == 1 {
			io.WriteString(c, stubHeader(500, stubInternalFailureXML)+stubInternalFailureXML)
			return true
		}
		io.WriteString(c, stubHeader(200, stubSuccessXML(action))+stubSuccessXML(action))
		return true
	}

	t.Run("GetCallerIdentity retries a 500", func(t *testing.T) {
		stub := newSTSStub(t, failFirst)
		c := stubClients(t, stub.URL, 10*time.Second)
		id, err := c.CallerIdentity(context.Background())
		if err != nil || id.Account != "123456789012" {
			t.Fatalf("identity %+v, err %v; want alice after a retry", id, err)
		}
		if n := stub.Requests(); n != 2 {
			t.Fatalf("%d requests, want 2", n)
		}
	})

	t.Run("GetSessionToken does not", func(t *testing.T) {
		stub := newSTSStub(t, failFirst)
		c := stubClients(t, stub.URL, 10*time.Second)
		_, err := c.GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
		time.Sleep(100 * time.Millisecond)
		if n := stub.Requests(); n != 1 {
			t.Fatalf("%d requests, want 1", n)
		}
		if errors.Is(err, fault.ErrCodeMaybeSpent) || fault.Code(err) != fault.Network || !strings.Contains(err.Error(), "internal error answering GetSessionToken (InternalFailure)") {
			t.Fatalf("err %v; want explain's 5xx message", err)
		}
	})
}

// The option serves any code-carrying STS call (AssumeRole with SerialNumber), and calling it
// leaves the client's own options alone.
func TestSendOnceIsReusable(t *testing.T) {
	stub := newSTSStub(t, func(net.Conn, string, int) bool { return false })
	c := stubClients(t, stub.URL, 10*time.Second)
	before := len(c.sts.Options().APIOptions)
	_, err := c.sts.AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::123456789012:role/admin"), RoleSessionName: aws.String("stsmfa"),
		SerialNumber: aws.String(stubSerial), TokenCode: aws.String("123456"),
	}, sendOnce)
	time.Sleep(100 * time.Millisecond)
	if n := stub.Requests(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	checkSpent(t, c.codeCallError("AssumeRole", err), "the connection to AWS dropped", "AssumeRole")
	if after := len(c.sts.Options().APIOptions); after != before {
		t.Errorf("the client's APIOptions went from %d to %d", before, after)
	}
}

// A whole 200 answer that is not STS XML: AWS took the request, so the code may be spent too.
func TestSendOnceUnreadableAnswer(t *testing.T) {
	const garbage = "<GetSessionTokenResponse><oops"
	stub := newSTSStub(t, func(c net.Conn, _ string, _ int) bool {
		io.WriteString(c, stubHeader(200, garbage)+garbage)
		return true
	})
	_, err := stubClients(t, stub.URL, 10*time.Second).GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
	time.Sleep(100 * time.Millisecond)
	if n := stub.Requests(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	checkSpent(t, err, "the answer from AWS to GetSessionToken could not be read")
}

// A captive portal's (or proxy's) HTML page instead of STS: said in those words, with the fix, and no
// raw SDK text; for a call with a code, also that the code may be spent. The 200 and the 5xx forms.
func TestNotAnAWSAnswer(t *testing.T) {
	const page = "<!DOCTYPE html><html><body>Please log in to the hotel Wi-Fi</body></html>"
	for _, status := range []int{200, 502} {
		stub := newSTSStub(t, func(c net.Conn, _ string, _ int) bool {
			io.WriteString(c, strings.Replace(stubHeader(status, page), "text/xml", "text/html", 1)+page)
			return true
		})
		c := stubClients(t, stub.URL, 10*time.Second)
		_, err := c.GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
		if fault.Code(err) != fault.Network || !strings.Contains(err.Error(), "not an AWS response") || !strings.Contains(err.Error(), "HTTPS_PROXY") {
			t.Errorf("status %d, GetSessionToken: %v", status, err)
		}
		if status == 200 && !errors.Is(err, fault.ErrCodeMaybeSpent) {
			t.Errorf("status 200: a complete answer after the code went out may have spent it: %v", err)
		}
		_, err = c.CallerIdentity(context.Background())
		if fault.Code(err) != fault.Network || !strings.Contains(err.Error(), "not an AWS response") || strings.Contains(err.Error(), "deserialization failed") {
			t.Errorf("status %d, GetCallerIdentity: %v", status, err)
		}
	}
}
