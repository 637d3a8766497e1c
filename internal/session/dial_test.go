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
	if fault.Code(err) != fault.Network || !strings.Contains(err.Error(), "AWS_CA_BUNDLE") {
		t.Fatalf("untrusted certificate: got %v (exit %d), want exit 5 naming AWS_CA_BUNDLE", err, fault.Code(err))
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
	if err := ensure(); fault.Code(err) != fault.Files || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("junk bundle: got %v (exit %d), want exit 3", err, fault.Code(err))
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
	if err := run(); fault.Code(err) != fault.Usage {
		t.Fatalf("AWS_MAX_ATTEMPTS=zero: got %v, want exit 2", err)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	w.Server.FailNext("ListMFADevices", "Throttling", 1)
	if err := run(); fault.Code(err) != fault.Network {
		t.Fatalf("one attempt, throttled once: got %v, want exit 5", err)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	w.Server.FailNext("ListMFADevices", "Throttling", 1)
	if err := run(); err != nil {
		t.Fatalf("two attempts, throttled once: %v", err)
	}
}
