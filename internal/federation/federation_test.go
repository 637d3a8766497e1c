package federation

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

func TestPartitionHosts(t *testing.T) {
	for _, c := range []struct{ arn, region, endpoint, page, dest string }{
		{"arn:aws:iam::123456789012:role/a", "eu-west-1", "https://signin.aws.amazon.com/federation", "https://123456789012.signin.aws.amazon.com/console", "https://console.aws.amazon.com/console/home?region=eu-west-1"},
		{"arn:aws-cn:iam::123456789012:role/a", "", "https://signin.amazonaws.cn/federation", "https://123456789012.signin.amazonaws.cn/console", "https://console.amazonaws.cn/console/home"},
		{"", "cn-northwest-1", "https://signin.amazonaws.cn/federation", "https://123456789012.signin.amazonaws.cn/console", "https://console.amazonaws.cn/console/home?region=cn-northwest-1"},
		{"arn:aws-us-gov:iam::123456789012:role/a", "us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation", "https://123456789012.signin.amazonaws-us-gov.com/console", "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"},
		{"", "us-gov-east-1", "https://signin.amazonaws-us-gov.com/federation", "https://123456789012.signin.amazonaws-us-gov.com/console", "https://console.amazonaws-us-gov.com/console/home?region=us-gov-east-1"},
	} {
		p := PartitionOf(c.arn, c.region)
		dest, err := Destination(p, "", c.region)
		if got := Endpoint(p, func(string) string { return "" }); got != c.endpoint || SignInPage(p, "123456789012") != c.page || err != nil || dest != c.dest {
			t.Errorf("%s %s: %s %s %s %v", c.arn, c.region, got, SignInPage(p, "123456789012"), dest, err)
		}
	}
	if got := Endpoint(PartitionOf("", ""), func(k string) string { return map[string]string{EndpointVar: "http://127.0.0.1:9/federation"}[k] }); got != "http://127.0.0.1:9/federation" {
		t.Errorf("%s overrides: %s", EndpointVar, got)
	}
	p := PartitionOf("", "")
	for dest, want := range map[string]string{
		"s3":  "https://console.aws.amazon.com/s3/home?region=eu-west-1",
		"ec2": "https://console.aws.amazon.com/ec2/home?region=eu-west-1",
		"https://eu-west-1.console.aws.amazon.com/cloudwatch/home#logs": "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logs",
	} {
		if got, err := Destination(p, dest, "eu-west-1"); err != nil || got != want {
			t.Errorf("Destination(%q) = %q, %v; want %q", dest, got, err, want)
		}
	}
	for _, bad := range []string{"http://console.aws.amazon.com/", "S3", "s3/../x", "javascript:alert(1)", "https://"} {
		if _, err := Destination(p, bad, ""); err == nil {
			t.Errorf("Destination(%q) accepted", bad)
		}
	}
}

// Errors never carry the session or the token: the request URL holds both.
func TestSigninTokenErrorsHoldNoSecret(t *testing.T) {
	s := cred.Session{AccessKeyID: "ASIASECRETKEYID00001", SecretAccessKey: "secret/key+SECRET", SessionToken: "token/SECRET+TOKEN=="}
	for _, c := range []struct {
		status int
		body   string
		code   int
	}{{400, "the credentials in Session are not valid", fault.Refused}, {200, "<html>portal</html>", fault.Network}, {503, "busy", fault.Network}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("Action") != "getSigninToken" || !strings.Contains(r.URL.Query().Get("Session"), s.SessionToken) || r.URL.Query().Get("SessionDuration") != "3600" {
				t.Errorf("request %s", r.URL.RawQuery)
			}
			w.WriteHeader(c.status)
			w.Write([]byte(c.body))
		}))
		_, err := (&Client{Endpoint: srv.URL + "/federation", Timeout: 5 * time.Second}).SigninToken(context.Background(), s, time.Hour)
		srv.Close()
		if err == nil || fault.Code(err) != c.code {
			t.Fatalf("HTTP %d: %v (exit %d), want exit %d", c.status, err, fault.Code(err), c.code)
		}
		for _, secret := range []string{"SECRET", "ASIASECRET"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error holds a secret: %v", err)
			}
		}
	}
	// unreachable: the url.Error (whose text holds the whole URL) is not printed
	_, err := (&Client{Endpoint: "http://127.0.0.1:1/federation", Timeout: 2 * time.Second}).SigninToken(context.Background(), s, 0)
	if err == nil || fault.Code(err) != fault.Network || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "Session") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestLoginURL(t *testing.T) {
	u := LoginURL("https://signin.aws.amazon.com/federation", "tok/en+=", "https://console.aws.amazon.com/s3/home?region=x&y=1")
	want := "https://signin.aws.amazon.com/federation?Action=login&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Dx%26y%3D1&Issuer=stsmfa&SigninToken=tok%2Fen%2B%3D"
	if u != want {
		t.Errorf("%s\nwant %s", u, want)
	}
}
