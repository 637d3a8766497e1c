package awsapi

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
)

// TestCompleteAnswerIsNotRetried reproduces the issue: STS reads the request and answers 200 with
// the whole body, the headers a moment before the body (as two TLS records or TCP segments often
// arrive), while the client's request writer is still finishing its bookkeeping after the request
// left. On the code before the fix, smithy-go closed the request body as soon as the headers were
// in; net/http's writer then read EOF from the closed body, took it for a failed write and closed
// the connection under the body still being read: "failed to discard remaining HTTP response body
// ... use of closed network connection", an error the SDK retries, and GetSessionToken went out a
// second time with the same code. Now the answer is read and nothing is sent twice.
func TestCompleteAnswerIsNotRetried(t *testing.T) {
	for _, op := range []string{"GetSessionToken", "GetCallerIdentity"} {
		t.Run(op, func(t *testing.T) {
			stub := newSTSStub(t, func(c net.Conn, action string, _ int) bool {
				body := stubSuccessXML(action)
				io.WriteString(c, stubHeader(200, body))
				time.Sleep(300 * time.Millisecond)
				io.WriteString(c, body)
				return true
			})
			c := stubClients(t, stub.URL, 10*time.Second)
			dials := withDial(t, c, slowWriterDial(100*time.Millisecond))
			var err error
			if op == "GetSessionToken" {
				var s cred.Session
				s, err = c.GetSessionToken(context.Background(), "arn:aws:iam::123456789012:mfa/alice", "123456", time.Hour)
				if err == nil && s.AccessKeyID != "ASIASTUBSTUBSTUBSTUB" {
					t.Errorf("session key %q, want the stub's", s.AccessKeyID)
				}
			} else {
				_, err = c.CallerIdentity(context.Background())
			}
			if dials.Load() == 0 {
				t.Fatal("the test dialer was not used")
			}
			if err != nil || stub.Requests() != 1 {
				t.Fatalf("%s: %d requests, err %v; want the complete answer read from one request", op, stub.Requests(), err)
			}
		})
	}
}
