package awsapi

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// A loopback HTTP/1.1 stand-in for STS whose every answer is written by hand, so a test decides
// exactly when headers and body go out and when the connection ends.

const stubSessionTokenXML = `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetSessionTokenResult>
    <Credentials>
      <AccessKeyId>ASIASTUBSTUBSTUBSTUB</AccessKeyId>
      <SecretAccessKey>stubsecretstubsecretstubsecretstubsecret</SecretAccessKey>
      <SessionToken>stubtokenstubtokenstubtokenstubtokenstubtokenstubtokenstubtoken</SessionToken>
      <Expiration>2030-01-01T00:00:00Z</Expiration>
    </Credentials>
  </GetSessionTokenResult>
  <ResponseMetadata>
    <RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId>
  </ResponseMetadata>
</GetSessionTokenResponse>
`

const stubCallerIdentityXML = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/alice</Arn>
    <UserId>AIDASTUBSTUBSTUBSTUB</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`

const stubInternalFailureXML = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>stub internal failure</Message></Error>
  <RequestId>11111111-2222-3333-4444-555555555555</RequestId>
</ErrorResponse>
`

func stubSuccessXML(action string) string {
	if action == "GetCallerIdentity" {
		return stubCallerIdentityXML
	}
	return stubSessionTokenXML
}

// stubHeader is the status line and headers of an answer whose body is body.
func stubHeader(status int, body string) string {
	return fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: text/xml\r\nContent-Length: %d\r\nX-Amzn-Requestid: stub\r\n\r\n",
		status, http.StatusText(status), len(body))
}

// stsStub serves one connection at a time per client; answer writes the answer to the n-th request
// (1-based, counted over all connections) of action on c, after the request was read in full, and
// returns false to end the connection.
type stsStub struct {
	URL      string
	requests atomic.Int32
}

func newSTSStub(t *testing.T, answer func(c net.Conn, action string, n int) bool) *stsStub {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &stsStub{URL: "http://" + ln.Addr().String()}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					body, err := io.ReadAll(req.Body)
					if err != nil {
						return
					}
					form, _ := url.ParseQuery(string(body))
					n := int(s.requests.Add(1))
					select {
					case <-done:
						return
					default:
					}
					if !answer(c, form.Get("Action"), n) {
						return
					}
				}
			}()
		}
	}()
	return s
}

// Requests is how many requests the stub has read in full.
func (s *stsStub) Requests() int { return int(s.requests.Load()) }

// stubClients builds the clients exactly as a login does, pointed at the stub; env holds more
// variables, name then value.
func stubClients(t *testing.T, endpoint string, timeout time.Duration, env ...string) *Client {
	t.Helper()
	vars := map[string]string{"AWS_ENDPOINT_URL": endpoint}
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = env[i+1]
	}
	c, err := Dial(Config{Profile: "work", AccessKeyID: "AKIASTUBSTUBSTUBSTUB", SecretAccessKey: "stub", Region: "eu-west-1",
		Getenv: func(k string) string { return vars[k] }, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// withDial rebuilds the STS client of c with every setting kept (HTTP client, timeout, retryer,
// API options) but its connections made by dial; it returns how many dials were made.
func withDial(t *testing.T, c *Client, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *atomic.Int32 {
	t.Helper()
	var dials atomic.Int32
	opts := c.sts.Options()
	bc, ok := opts.HTTPClient.(*awshttp.BuildableClient)
	if !ok {
		t.Fatalf("the STS client's HTTP client is a %T, not the SDK's buildable client", opts.HTTPClient)
	}
	opts.HTTPClient = bc.WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dial(ctx, network, addr)
		}
	})
	c.sts = sts.New(opts)
	return &dials
}

// slowWriter stands for a client whose sending goroutine is held up (a busy CPU, a GC pause)
// right after it handed request bytes to the kernel: each Write returns pause after the bytes left.
type slowWriter struct {
	net.Conn
	pause time.Duration
}

func (w slowWriter) Write(p []byte) (int, error) {
	n, err := w.Conn.Write(p)
	time.Sleep(w.pause)
	return n, err
}

func slowWriterDial(pause time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return slowWriter{c, pause}, nil
	}
}
