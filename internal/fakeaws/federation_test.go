package fakeaws

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// getSigninToken asks the federation endpoint for a sign-in token; dur "" sends no SessionDuration.
func getSigninToken(t *testing.T, f *fixture, c *types.Credentials, dur string) (int, string) {
	t.Helper()
	sess, _ := json.Marshal(map[string]string{"sessionId": *c.AccessKeyId, "sessionKey": *c.SecretAccessKey, "sessionToken": *c.SessionToken})
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(sess)}}
	if dur != "" {
		q.Set("SessionDuration", dur)
	}
	resp, err := http.Get(f.srv.URL() + FederationPath + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, string(b)
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(b, &out); err != nil || out.SigninToken == "" {
		t.Fatalf("getSigninToken answered %q", b)
	}
	return 200, out.SigninToken
}

func login(t *testing.T, f *fixture, token, dest string) (int, string) {
	t.Helper()
	q := url.Values{"Action": {"login"}, "Issuer": {"test"}, "Destination": {dest}, "SigninToken": {token}}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(f.srv.URL() + FederationPath + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// The federation endpoint's documented rules: only role sessions sign in; not a GetSessionToken
// session, not a role assumed by role chaining; SessionDuration (900–43200) only for a role assumed with
// long-term keys; a sign-in token is good once, for 15 minutes.
func TestFederationRules(t *testing.T) {
	f := newFixture(t)
	alice := f.userSTS(f.alice)
	direct, err := assume(alice, mfaRole, "direct", "", aliceSerial, f.code(f.alice, 0), 3600)
	if err != nil {
		t.Fatal(err)
	}
	gst, err := f.gst(alice, aliceSerial, f.code(f.alice, 1), 3600)
	if err != nil {
		t.Fatal(err)
	}
	chained, err := assume(f.credsSTS(gst.Credentials), adminRole, "chained", "", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		creds *types.Credentials
		dur   string
		want  string
	}{
		{"GetSessionToken session", gst.Credentials, "", "credentials from GetSessionToken cannot sign in"},
		{"chained role", chained, "", "assumed by role chaining cannot sign in"},
		{"chained role with SessionDuration", chained, "3600", "SessionDuration is allowed only for a role session assumed with long-term credentials"},
		{"SessionDuration too short", direct, "899", "SessionDuration must be 900-43200"},
		{"SessionDuration too long", direct, "43201", "SessionDuration must be 900-43200"},
		{"unknown credentials", &types.Credentials{AccessKeyId: direct.AccessKeyId, SecretAccessKey: strPtr("wrong"), SessionToken: direct.SessionToken}, "", "not valid"},
	} {
		status, body := getSigninToken(t, f, c.creds, c.dur)
		if status != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %q, want 400 %q", c.name, status, body, c.want)
		}
	}
	if got := f.srv.ConsoleLogins(); len(got) != 0 {
		t.Fatalf("signed in: %q", got)
	}

	status, tok := getSigninToken(t, f, direct, "43200")
	if status != 200 {
		t.Fatalf("direct role session: %d %s", status, tok)
	}
	if st, _ := login(t, f, tok, "http://console.aws.amazon.com/"); st != 400 {
		t.Errorf("an http destination: %d", st)
	}
	st, loc := login(t, f, tok, "https://console.aws.amazon.com/s3/home?region=eu-west-1")
	if st != 302 || loc != "https://console.aws.amazon.com/s3/home?region=eu-west-1" {
		t.Fatalf("login: %d %q", st, loc)
	}
	if got := f.srv.ConsoleLogins(); len(got) != 1 || got[0] != "arn:aws:sts::123456789012:assumed-role/"+roleNameOf(mfaRole)+"/direct" {
		t.Errorf("console logins %q", got)
	}
	if st, _ := login(t, f, tok, "https://console.aws.amazon.com/"); st != 400 {
		t.Errorf("a sign-in token used twice: %d", st)
	}
	_, tok = getSigninToken(t, f, direct, "")
	f.clk.Add(15 * time.Minute)
	if st, _ := login(t, f, tok, "https://console.aws.amazon.com/"); st != 400 {
		t.Errorf("a sign-in token 15 minutes old: %d", st)
	}
	if n := f.srv.Calls("federation:getSigninToken"); n != 8 {
		t.Errorf("getSigninToken calls: %d", n)
	}
}

func strPtr(s string) *string { return &s }

func roleNameOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }
