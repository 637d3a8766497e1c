package credserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

var sample = cred.Session{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "secret/key+x", SessionToken: "tok/en+==",
	Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}

// start runs a server whose Get counts its calls and answers sample (or err when set).
func start(t *testing.T, m Mode, err error) (*Server, *atomic.Int32, *[]string) {
	t.Helper()
	var calls atomic.Int32
	var log []string
	s, e := Start(Config{Mode: m, RoleName: "work", Get: func(context.Context) (cred.Session, error) {
		calls.Add(1)
		return sample, err
	}, Debugf: func(f string, a ...any) { log = append(log, strings.TrimSpace(fmt.Sprintf(f, a...))) }})
	if e != nil {
		t.Fatal(e)
	}
	t.Cleanup(func() { s.Close() })
	return s, &calls, &log
}

func do(t *testing.T, method, url, host string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestContainer(t *testing.T) {
	s, calls, log := start(t, Container, nil)
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || len(s.Token()) < 43 {
		t.Fatalf("URL %s, token of %d characters", s.URL(), len(s.Token()))
	}
	code, body := do(t, "GET", s.URL(), "", map[string]string{"Authorization": s.Token()})
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"AccessKeyId": sample.AccessKeyID, "SecretAccessKey": sample.SecretAccessKey, "Token": sample.SessionToken, "Expiration": "2030-01-02T03:04:05Z"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	_, port, _ := net.SplitHostPort(s.Addr())
	refusals := []struct {
		name, method, host string
		hdr                map[string]string
		want               int
	}{
		{"no token", "GET", "", nil, 401},
		{"wrong token", "GET", "", map[string]string{"Authorization": s.Token()[:len(s.Token())-1] + "x"}, 401},
		{"token with a prefix", "GET", "", map[string]string{"Authorization": "Bearer " + s.Token()}, 401},
		{"rebinding Host", "GET", "evil.example:" + port, map[string]string{"Authorization": s.Token()}, 403},
		{"other port in Host", "GET", "127.0.0.1:1", map[string]string{"Authorization": s.Token()}, 403},
		{"POST", "POST", "", map[string]string{"Authorization": s.Token()}, 405},
	}
	for _, r := range refusals {
		code, body := do(t, r.method, s.URL(), r.host, r.hdr)
		if code != r.want {
			t.Errorf("%s: %d %s, want %d", r.name, code, body, r.want)
		}
		if strings.Contains(body, sample.SecretAccessKey) {
			t.Errorf("%s: the answer holds the secret", r.name)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("Get ran %d times, want 1 (only for the good request)", n)
	}
	for _, l := range *log {
		if strings.Contains(l, s.Token()) || strings.Contains(l, sample.SecretAccessKey) || strings.Contains(l, sample.SessionToken) {
			t.Errorf("debug line holds a secret: %s", l)
		}
	}
	if len(*log) != 1+len(refusals) {
		t.Errorf("%d debug lines for %d requests", len(*log), 1+len(refusals))
	}
	s.Close()
	if code, body := do(t, "GET", s.URL(), "", map[string]string{"Authorization": s.Token()}); code == 200 {
		t.Errorf("served after Close: %s", body)
	}
}

// TestNotLoopback: a request from another address is refused even with the token (the listener is
// loopback only, so this is the handler's own check).
func TestNotLoopback(t *testing.T) {
	s, calls, _ := start(t, Container, nil)
	req := httptest.NewRequest("GET", ContainerPath, nil)
	req.Host, req.RemoteAddr = s.Addr(), "192.0.2.7:5555"
	req.Header.Set("Authorization", s.Token())
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 403 || calls.Load() != 0 {
		t.Errorf("a non-loopback client got %d (%d Get calls)", rec.Code, calls.Load())
	}
}

func TestContainerError(t *testing.T) {
	s, _, _ := start(t, Container, fault.NoCodeErr("profile \"x\" needs a new MFA code"))
	code, body := do(t, "GET", s.URL(), "", map[string]string{"Authorization": s.Token()})
	if code != 503 || !strings.Contains(body, `"message":"profile \"x\" needs a new MFA code"`) {
		t.Errorf("%d %s", code, body)
	}
}

func TestIMDS(t *testing.T) {
	s, calls, _ := start(t, IMDS, nil)
	base := strings.TrimSuffix(s.URL(), "/")
	// GET without a session token (IMDSv1) is refused
	if code, _ := do(t, "GET", base+imdsCredsPath, "", nil); code != 401 {
		t.Errorf("GET without a token: %d", code)
	}
	if code, _ := do(t, "GET", base+imdsCredsPath+"work", "", map[string]string{"X-aws-ec2-metadata-token": "made-up"}); code != 401 {
		t.Errorf("GET with a made-up token: %d", code)
	}
	if code, _ := do(t, "PUT", base+imdsTokenPath, "", nil); code != 400 {
		t.Errorf("PUT without a TTL: %d", code)
	}
	if code, _ := do(t, "PUT", base+imdsTokenPath, "", map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "21600", "X-Forwarded-For": "10.0.0.1"}); code != 403 {
		t.Errorf("PUT with X-Forwarded-For: %d", code)
	}
	_, port, _ := net.SplitHostPort(s.Addr())
	if code, _ := do(t, "PUT", base+imdsTokenPath, "evil.example:"+port, map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "60"}); code != 403 {
		t.Errorf("PUT with a rebinding Host: %d", code)
	}
	code, tok := do(t, "PUT", base+imdsTokenPath, "", map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "60"})
	if code != 200 || len(tok) < 43 {
		t.Fatalf("PUT token: %d %q", code, tok)
	}
	h := map[string]string{"X-aws-ec2-metadata-token": tok}
	if code, body := do(t, "GET", base+imdsCredsPath, "", h); code != 200 || body != "work" {
		t.Errorf("role list: %d %q", code, body)
	}
	code, body := do(t, "GET", base+imdsCredsPath+"work", "", h)
	var got map[string]string
	if code != 200 || json.Unmarshal([]byte(body), &got) != nil || got["AccessKeyId"] != sample.AccessKeyID || got["Token"] != sample.SessionToken || got["Code"] != "Success" {
		t.Errorf("credentials: %d %q", code, body)
	}
	if code, _ := do(t, "GET", base+imdsCredsPath+"work", "", map[string]string{"X-aws-ec2-metadata-token": tok, "X-Forwarded-For": "10.0.0.1"}); code != 403 {
		t.Errorf("GET with X-Forwarded-For: %d", code)
	}
	if code, _ := do(t, "GET", base+imdsCredsPath+"other", "", h); code != 404 {
		t.Errorf("another role: %d", code)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("Get ran %d times, want 1", n)
	}
}

// TestIMDSTokenExpires: a session token is good for its TTL only.
func TestIMDSTokenExpires(t *testing.T) {
	now := time.Now()
	var clock atomic.Int64
	s, err := Start(Config{Mode: IMDS, Get: func(context.Context) (cred.Session, error) { return sample, nil },
		Now: func() time.Time { return now.Add(time.Duration(clock.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := strings.TrimSuffix(s.URL(), "/")
	_, tok := do(t, "PUT", base+imdsTokenPath, "", map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "5"})
	h := map[string]string{"X-aws-ec2-metadata-token": tok}
	if code, _ := do(t, "GET", base+imdsCredsPath+"stsmfa", "", h); code != 200 {
		t.Errorf("within the TTL: %d", code)
	}
	clock.Store(int64(6 * time.Second))
	if code, _ := do(t, "GET", base+imdsCredsPath+"stsmfa", "", h); code != 401 {
		t.Errorf("after the TTL: %d", code)
	}
}
