package fakeaws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// rawResponse signs body for service with u's keys, posts it on a fresh
// connection and returns the response with its body unread.
func (f *fixture) rawResponse(u User, service, body string) *http.Response {
	f.t.Helper()
	req, err := http.NewRequest("POST", f.srv.URL()+"/", strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: u.AccessKeyID, SecretAccessKey: u.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		f.t.Fatal(err)
	}
	tr := &http.Transport{DisableKeepAlives: true}
	f.t.Cleanup(tr.CloseIdleConnections)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// wantTruncated asserts resp is a 200 with a Content-Length whose body
// stops early with io.ErrUnexpectedEOF, after a prefix starting with prefix.
func wantTruncated(t *testing.T, resp *http.Response, prefix string) {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if resp.ContentLength <= 0 || resp.Header.Get("Content-Length") != strconv.FormatInt(resp.ContentLength, 10) {
		t.Fatalf("Content-Length %q", resp.Header.Get("Content-Length"))
	}
	if resp.Header.Get("Content-Type") != "text/xml" || resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("headers %v", resp.Header)
	}
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the body: %v (%d bytes), want unexpected EOF", err, len(b))
	}
	if len(b) == 0 || int64(len(b)) >= resp.ContentLength || !strings.HasPrefix(string(b), prefix) {
		t.Fatalf("got %d of %d bytes: %q", len(b), resp.ContentLength, b)
	}
}

func TestDropNextRaw(t *testing.T) {
	f := newFixture(t)
	const gci = "Action=GetCallerIdentity&Version=2011-06-15"
	f.srv.DropNext("GetCallerIdentity", 2)
	for i := 0; i < 2; i++ {
		wantTruncated(t, f.rawResponse(f.alice, "sts", gci), `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`)
	}
	// The third is whole again.
	resp := f.rawResponse(f.alice, "sts", gci)
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(string(b), "</GetCallerIdentityResponse>") {
		t.Fatalf("after the drops: %d %v %s", resp.StatusCode, err, b)
	}
	if got := f.srv.Calls("GetCallerIdentity"); got != 3 {
		t.Errorf("Calls = %d", got)
	}
	log := f.srv.Log()
	if len(log) != 3 || !strings.HasSuffix(log[0], "result=OK status=200 fault=drop") || strings.Contains(log[2], "fault") {
		t.Errorf("log %q", log)
	}
	// Other actions are not affected; n <= 0 clears.
	f.srv.DropNext("GetCallerIdentity", 5)
	f.srv.DropNext("GetCallerIdentity", 0)
	if _, err := f.userSTS(f.alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("after clearing: %v", err)
	}
}

func TestDropNextConsumesCodeAndIssuesSession(t *testing.T) {
	f := newFixture(t)
	f.srv.DropNext("GetSessionToken", 1)
	code := f.code(f.alice, 0)
	_, err := f.gst(f.userSTS(f.alice), aliceSerial, code, 900) // one attempt
	var ae smithy.APIError
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("want a transport/deserialization error, got %v", err)
	}
	f.srv.mu.Lock()
	issued := len(f.srv.sessions)
	f.srv.mu.Unlock()
	if issued != 1 {
		t.Errorf("%d sessions issued, want 1", issued)
	}
	// The code was spent by the dropped call.
	_, err = f.gst(f.userSTS(f.alice), aliceSerial, code, 900)
	wantAPIError(t, err, "AccessDenied", 403, msgMFACode)
	if total, repeated := f.srv.CodesSent(aliceSerial); total != 2 || repeated != 1 {
		t.Errorf("CodesSent = %d, %d; want 2, 1", total, repeated)
	}
	if got := f.srv.Refused("GetSessionToken"); got != 1 {
		t.Errorf("Refused = %d, want 1 (the drop answered 200)", got)
	}
}

func TestDropNextAssumeRole(t *testing.T) {
	f := newFixture(t)
	f.srv.DropNext("AssumeRole", 1)
	resp := f.rawResponse(f.alice, "sts", url.Values{"Action": {"AssumeRole"}, "Version": {stsVersion},
		"RoleArn": {mfaRole}, "RoleSessionName": {"s1"}, "SerialNumber": {aliceSerial}, "TokenCode": {f.code(f.alice, 0)}}.Encode())
	wantTruncated(t, resp, "<AssumeRoleResponse")
	if got := f.srv.RoleCalls(mfaRole); got != 1 {
		t.Errorf("RoleCalls = %d", got)
	}
	// The code is spent.
	_, err := assume(f.userSTS(f.alice), mfaRole, "s1", "", aliceSerial, f.code(f.alice, 0), 0)
	wantAPIError(t, err, "AccessDenied", 403, msgMFACode)
}

// The Go SDK's standard retryer does not retry an answer cut off in its
// body (a deserialization error after a 200): one call, one code, and the
// caller is left without credentials although the server issued them.
func TestDropNextSDKDoesNotRetry(t *testing.T) {
	f := newFixture(t)
	f.srv.DropNext("GetSessionToken", 1)
	_, err := f.gst(f.stsN(f.alice.AccessKeyID, f.alice.SecretAccessKey, "", 3), aliceSerial, f.code(f.alice, 0), 900)
	var ae smithy.APIError
	if err == nil || errors.As(err, &ae) || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("want an unexpected-EOF error, got %v", err)
	}
	if got := f.srv.Calls("GetSessionToken"); got != 1 {
		t.Errorf("Calls = %d, want 1", got)
	}
	if total, repeated := f.srv.CodesSent(aliceSerial); total != 1 || repeated != 0 {
		t.Errorf("CodesSent = %d, %d; want 1, 0", total, repeated)
	}
}

func TestSlowNext(t *testing.T) {
	f := newFixture(t)
	// The client gives up; the request was processed and the code consumed anyway.
	f.srv.SlowNext("GetSessionToken", 5*time.Second, 1)
	code := f.code(f.alice, 0)
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.userSTS(f.alice).GetSessionToken(tctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(code), DurationSeconds: aws.Int32(900)})
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("want a timeout after 200ms, got %v after %v", err, time.Since(start))
	}
	_, err = f.gst(f.userSTS(f.alice), aliceSerial, code, 900) // not slowed: n was 1
	wantAPIError(t, err, "AccessDenied", 403, msgMFACode)
	if time.Since(start) > 2*time.Second {
		t.Fatalf("second call was slowed too")
	}
	if total, repeated := f.srv.CodesSent(aliceSerial); total != 2 || repeated != 1 {
		t.Errorf("CodesSent = %d, %d; want 2, 1", total, repeated)
	}

	// A patient client gets the answer after the delay.
	f.srv.SlowNext("GetCallerIdentity", 300*time.Millisecond, 2)
	for i := 0; i < 3; i++ {
		start = time.Now()
		if _, err := f.userSTS(f.alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		if i < 2 && el < 300*time.Millisecond {
			t.Errorf("call %d answered after %v, want >= 300ms", i, el)
		}
		if i == 2 && el >= 300*time.Millisecond {
			t.Errorf("call 3 answered after %v: still slowed", el)
		}
	}
	log := f.srv.Log()
	if !strings.HasSuffix(log[0], "result=OK status=200 fault=slow") {
		t.Errorf("log %q", log)
	}
}

func TestSlowThenDrop(t *testing.T) {
	f := newFixture(t)
	f.srv.SlowNext("GetCallerIdentity", 200*time.Millisecond, 1)
	f.srv.DropNext("GetCallerIdentity", 1)
	start := time.Now()
	wantTruncated(t, f.rawResponse(f.alice, "sts", "Action=GetCallerIdentity&Version=2011-06-15"), "<GetCallerIdentityResponse")
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Errorf("answered after %v", el)
	}
}

func TestControlEndpoints(t *testing.T) {
	f := newFixture(t)
	base := f.srv.URL() + "/_fakeaws/"
	post := func(name string, form url.Values, inBody bool) int {
		t.Helper()
		var resp *http.Response
		var err error
		if inBody {
			resp, err = http.PostForm(base+name, form)
		} else {
			resp, err = http.Post(base+name+"?"+form.Encode(), "", nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const gci = "Action=GetCallerIdentity&Version=2011-06-15"

	if got := post("drop-next", url.Values{"action": {"GetCallerIdentity"}, "n": {"1"}}, false); got != 204 {
		t.Fatalf("drop-next: %d", got)
	}
	wantTruncated(t, f.rawResponse(f.alice, "sts", gci), "<GetCallerIdentityResponse")

	if got := post("slow-next", url.Values{"action": {"GetCallerIdentity"}, "delay": {"300ms"}, "n": {"1"}}, true); got != 204 {
		t.Fatalf("slow-next: %d", got)
	}
	start := time.Now()
	if status, _ := f.rawCall(f.alice, "sts", gci); status != 200 || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("slowed call: %d after %v", status, time.Since(start))
	}

	if got := post("fail-next", url.Values{"action": {"GetCallerIdentity"}, "code": {"Throttling"}, "n": {"1"}}, true); got != 204 {
		t.Fatalf("fail-next: %d", got)
	}
	if status, body := f.rawCall(f.alice, "sts", gci); status != 400 || !strings.Contains(body, "<Code>Throttling</Code>") {
		t.Fatalf("failed call: %d %s", status, body)
	}
	code := f.code(f.alice, 0)
	f.gst(f.userSTS(f.alice), aliceSerial, code, 900)
	f.gst(f.userSTS(f.alice), aliceSerial, code, 900)
	assume(f.userSTS(f.alice), adminRole, "s1", "", "", "", 0)

	resp, err := http.Get(base + "stats")
	if err != nil {
		t.Fatal(err)
	}
	var st Stats
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Calls["GetCallerIdentity"] != 3 || st.Refused["GetCallerIdentity"] != 1 || st.Refused["GetSessionToken"] != 1 ||
		st.RoleCalls[adminRole] != 1 || st.CodesSent[aliceSerial] != (CodesSentStat{Total: 2, Repeated: 1}) {
		t.Fatalf("stats %+v", st)
	}

	// Bad requests.
	for _, c := range []struct {
		name string
		form url.Values
		want int
	}{
		{"drop-next", url.Values{"action": {"GetCallerIdentity"}}, 400},
		{"drop-next", url.Values{"n": {"1"}}, 400},
		{"slow-next", url.Values{"action": {"X"}, "n": {"1"}, "delay": {"soon"}}, 400},
		{"fail-next", url.Values{"action": {"X"}, "n": {"1"}}, 400},
		{"stats", nil, 405},
		{"calls", nil, 405},
		{"nothing", nil, 404},
	} {
		if got := post(c.name, c.form, true); got != c.want {
			t.Errorf("POST %s %v: %d, want %d", c.name, c.form, got, c.want)
		}
	}
	for _, name := range []string{"drop-next", "nothing"} {
		resp, err := http.Get(base + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[string]int{"drop-next": 405, "nothing": 404}[name]; resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", name, resp.StatusCode, want)
		}
	}
	// None of this reached the AWS side.
	if got := f.srv.Calls(""); got != 0 {
		t.Errorf("control requests counted as AWS calls: %d", got)
	}
}
