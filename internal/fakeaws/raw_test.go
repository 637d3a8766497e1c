package fakeaws

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawCall signs body with the SDK's SigV4 signer for service and posts it.
func (f *fixture) rawCall(u User, service, body string) (int, string) {
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
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestUnknownAction(t *testing.T) {
	f := newFixture(t)
	status, body := f.rawCall(f.alice, "sts", "Action=DeleteEverything&Version=2011-06-15")
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") ||
		!strings.Contains(body, "Could not find operation DeleteEverything for version 2011-06-15") {
		t.Fatalf("%d %s", status, body)
	}
	// An IAM action sent to the STS scope is unknown there too.
	status, body = f.rawCall(f.alice, "sts", "Action=ListMFADevices&Version=2010-05-08")
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
		t.Fatalf("%d %s", status, body)
	}
}

func TestXMLShape(t *testing.T) {
	f := newFixture(t)
	status, body := f.rawCall(f.alice, "sts", "Action=GetCallerIdentity&Version=2011-06-15")
	for _, want := range []string{
		`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`,
		`<GetCallerIdentityResult>`, `<Arn>arn:aws:iam::123456789012:user/alice</Arn>`,
		`<Account>123456789012</Account>`, `<ResponseMetadata>`, `<RequestId>`,
	} {
		if status != 200 || !strings.Contains(body, want) {
			t.Fatalf("missing %q in %d %s", want, status, body)
		}
	}
	status, body = f.rawCall(f.alice, "iam", "Action=ListMFADevices&Version=2010-05-08")
	for _, want := range []string{
		`<ListMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`,
		`<IsTruncated>false</IsTruncated>`, `<MFADevices>`, `<member>`, `<UserName>alice</UserName>`,
		`<SerialNumber>` + aliceSerial + `</SerialNumber>`, `<EnableDate>`,
	} {
		if status != 200 || !strings.Contains(body, want) {
			t.Fatalf("missing %q in %d %s", want, status, body)
		}
	}
	status, body = f.rawCall(f.alice, "sts", "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=10")
	for _, want := range []string{
		`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`,
		`<Error>`, `<Type>Sender</Type>`, `<Code>ValidationError</Code>`, `<Message>1 validation error detected`, `</Error>`, `<RequestId>`,
	} {
		if status != 400 || !strings.Contains(body, want) {
			t.Fatalf("missing %q in %d %s", want, status, body)
		}
	}
}

func TestMissingAuthentication(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Post(f.srv.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>MissingAuthenticationToken</Code>") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestTamperedBodyFailsSignature(t *testing.T) {
	f := newFixture(t)
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest("POST", f.srv.URL()+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: f.alice.AccessKeyID, SecretAccessKey: f.alice.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	// Send a different body (same length) under the same signature.
	tampered := strings.Replace(body, "2011-06-15", "2011-06-16", 1)
	req.Body = io.NopCloser(strings.NewReader(tampered))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestCallsEndpoint(t *testing.T) {
	f := newFixture(t)
	f.rawCall(f.alice, "sts", "Action=GetCallerIdentity&Version=2011-06-15")
	f.rawCall(f.alice, "sts", "Action=GetCallerIdentity&Version=2011-06-15")
	f.rawCall(f.alice, "iam", "Action=ListMFADevices&Version=2010-05-08")
	resp, err := http.Get(f.srv.URL() + "/_fakeaws/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var calls map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		t.Fatal(err)
	}
	if calls["GetCallerIdentity"] != 2 || calls["ListMFADevices"] != 1 || f.srv.Calls("GetCallerIdentity") != 2 {
		t.Fatalf("calls = %v", calls)
	}
}
