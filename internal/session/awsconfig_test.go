package session

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// The endpoint of each service is resolved in the SDKs' documented order: AWS_ENDPOINT_URL_<SVC>,
// AWS_ENDPOINT_URL, the profile's services section, the profile's endpoint_url; none of them when
// configured endpoints are ignored.
func TestEndpointPrecedence(t *testing.T) {
	conf, err := awsfile.Parse("config", awsfile.Config, []byte(`[profile src]
services = corp
endpoint_url = https://profile.example

[services corp]
sts =
  endpoint_url = https://sts.services.example
[profile plain]
endpoint_url = https://plain.example
[profile ignoring]
endpoint_url = https://ignored.example
ignore_configured_endpoint_urls = true
`))
	if err != nil {
		t.Fatal(err)
	}
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	src := func(p string) *Source { return &Source{Profile: p, conf: conf} }
	for _, c := range []struct {
		name, profile, svc string
		getenv             func(string) string
		want               string
	}{
		{"service env wins", "src", "STS", env("AWS_ENDPOINT_URL_STS", "https://sts.env", "AWS_ENDPOINT_URL", "https://all.env"), "https://sts.env"},
		{"global env next", "src", "STS", env("AWS_ENDPOINT_URL", "https://all.env"), "https://all.env"},
		{"services section next", "src", "STS", env(), "https://sts.services.example"},
		{"profile endpoint_url when the services section lacks the service", "src", "IAM", env(), "https://profile.example"},
		{"profile endpoint_url", "plain", "STS", env(), "https://plain.example"},
		{"no setting: the SDK's own endpoint", "none", "STS", env(), ""},
		{"ignored by environment", "src", "STS", env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", "AWS_ENDPOINT_URL_STS", "https://sts.env"), ""},
		{"ignored by profile", "ignoring", "STS", env(), ""},
	} {
		if got := src(c.profile).endpoint(c.getenv, c.svc); got != c.want {
			t.Errorf("%s: endpoint = %q, want %q", c.name, got, c.want)
		}
	}
}

// A stand-in behind TLS with a private CA: refused (exit 5, naming AWS_CA_BUNDLE) until the CA is given
// by AWS_CA_BUNDLE or by ca_bundle in the source profile; a file with no certificate is a files error.
func TestCABundle(t *testing.T) {
	w := worldEnv(t)
	tlsServer := httptest.NewTLSServer(w.Server)
	defer tlsServer.Close()
	t.Setenv("AWS_ENDPOINT_URL_STS", tlsServer.URL)
	t.Setenv("AWS_ENDPOINT_URL_IAM", tlsServer.URL)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	ensure := func() error {
		w.Advance(30e9) // a fresh MFA window for each login
		_, err := Ensure(context.Background(), newEnv(w, &codeTerminal{w: w}), Request{Profile: "default", Force: true})
		return err
	}
	err := ensure()
	if codeOf(err) != fault.Network || !strings.Contains(err.Error(), "AWS_CA_BUNDLE") {
		t.Fatalf("untrusted certificate: got %v (exit %d), want exit 5 naming AWS_CA_BUNDLE", err, codeOf(err))
	}

	bundle := filepath.Join(w.Home, "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsServer.Certificate().Raw})
	if err := os.WriteFile(bundle, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	if err := ensure(); err != nil {
		t.Fatalf("with AWS_CA_BUNDLE: %v", err)
	}

	t.Setenv("AWS_CA_BUNDLE", "")
	err = (&awsfile.Editor{}).Update(w.ConfPath, awsfile.Config, func(f *awsfile.File) error {
		return f.Set("default", "ca_bundle", bundle)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ensure(); err != nil {
		t.Fatalf("with ca_bundle in the profile: %v", err)
	}

	junk := filepath.Join(w.Home, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate\n"), 0o600)
	t.Setenv("AWS_CA_BUNDLE", junk)
	if err := ensure(); codeOf(err) != fault.Files || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("junk bundle: got %v (exit %d), want exit 3", err, codeOf(err))
	}
}

// The services section reaches the stand-in end to end when no endpoint variable is set.
func TestServicesSectionEndpoint(t *testing.T) {
	w := worldEnv(t)
	url := w.Server.URL()
	t.Setenv("AWS_ENDPOINT_URL_STS", "")
	t.Setenv("AWS_ENDPOINT_URL_IAM", "")
	conf, _ := os.ReadFile(w.ConfPath)
	conf = append(conf, []byte("services = standin\n\n[services standin]\nsts =\n  endpoint_url = "+url+"\n")...)
	if err := os.WriteFile(w.ConfPath, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(context.Background(), newEnv(w, &codeTerminal{w: w}), Request{Profile: "default"}); err != nil {
		t.Fatal(err)
	}
	if w.Server.Calls("GetSessionToken") != 1 {
		t.Fatalf("the stand-in answered %d GetSessionToken calls, want 1", w.Server.Calls("GetSessionToken"))
	}
}

// max attempts: a bad value is a usage error; one attempt does not retry a throttled call, two do.
// The call is ListMFADevices (no mfa_serial configured): calls without a code keep the SDK's retries.
func TestMaxAttempts(t *testing.T) {
	w := worldEnv(t)
	run := func() error {
		w.Write(t, w.ConfPath, "[default]\nregion = eu-west-1\n")
		w.Advance(30e9)
		_, err := Ensure(context.Background(), newEnv(w, &codeTerminal{w: w}), Request{Profile: "default", Force: true})
		return err
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "zero")
	if err := run(); codeOf(err) != fault.Usage {
		t.Fatalf("AWS_MAX_ATTEMPTS=zero: got %v, want exit 2", err)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	w.Server.FailNext("ListMFADevices", "Throttling", 1)
	if err := run(); codeOf(err) != fault.Network {
		t.Fatalf("one attempt, throttled once: got %v, want exit 5", err)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	w.Server.FailNext("ListMFADevices", "Throttling", 1)
	if err := run(); err != nil {
		t.Fatalf("two attempts, throttled once: %v", err)
	}
}

// With no endpoint configured, calls go to the SDK's regional STS endpoint of the source's partition.
func TestDefaultSTSEndpoint(t *testing.T) {
	none := func(string) string { return "" }
	for region, want := range map[string]string{
		"eu-west-1":     "https://sts.eu-west-1.amazonaws.com",
		"us-east-1":     "https://sts.us-east-1.amazonaws.com",
		"cn-north-1":    "https://sts.cn-north-1.amazonaws.com.cn",
		"us-gov-west-1": "https://sts.us-gov-west-1.amazonaws.com",
	} {
		if got := stsEndpoint(context.Background(), &Source{Region: region}, none); got != want {
			t.Errorf("region %s: %s, want %s", region, got, want)
		}
	}
	fips := func(k string) string {
		if k == "AWS_USE_FIPS_ENDPOINT" {
			return "true"
		}
		return ""
	}
	if got := stsEndpoint(context.Background(), &Source{Region: "us-east-1"}, fips); got != "https://sts-fips.us-east-1.amazonaws.com" {
		t.Errorf("FIPS: %s", got)
	}
}
