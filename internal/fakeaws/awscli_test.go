package fakeaws

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const awsCLI = "/usr/bin/aws" // Debian's AWS CLI v2; the first "aws" on PATH may be another one

// runAWS runs the AWS CLI with a clean environment: a temp HOME, the given
// shared credentials file, an empty config file and no AWS_* credential
// variables.
func runAWS(t *testing.T, home, credFile string, args ...string) (stdout, stderr string, exitCode int) {
	t.Helper()
	cfgFile := filepath.Join(home, "empty-config")
	if err := os.WriteFile(cfgFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(awsCLI, args...)
	cmd.Env = []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + home,
		"LANG=C.UTF-8",
		"AWS_SHARED_CREDENTIALS_FILE=" + credFile,
		"AWS_CONFIG_FILE=" + cfgFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		exitCode = ee.ExitCode()
	default:
		t.Fatalf("running %s: %v", awsCLI, err)
	}
	return out.String(), errb.String(), exitCode
}

func TestAWSCLIDrivesStandIn(t *testing.T) {
	ci.SkipShort(t, "the AWS CLI against the stand-in")
	if _, err := os.Stat(awsCLI); err != nil {
		ci.SkipUnlessCI(t, "AWS CLI v2 not installed at %s (apt-get install awscli)", awsCLI)
	}
	f := newFixture(t)
	home := t.TempDir()
	credFile := filepath.Join(home, "credentials")
	creds := "[default]\naws_access_key_id = " + f.alice.AccessKeyID + "\naws_secret_access_key = " + f.alice.SecretAccessKey + "\n"
	if err := os.WriteFile(credFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--endpoint-url", f.srv.URL(), "--region", "us-east-1", "--output", "json", "--no-cli-pager"}
	code := f.code(f.alice, 0)
	gst := append([]string{"sts", "get-session-token", "--serial-number", aliceSerial, "--token-code", code, "--duration-seconds", "3600"}, common...)

	stdout, stderr, rc := runAWS(t, home, credFile, gst...)
	if rc != 0 {
		t.Fatalf("aws sts get-session-token: exit %d\n%s", rc, stderr)
	}
	var out struct {
		Credentials struct {
			AccessKeyId, SecretAccessKey, SessionToken, Expiration string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("CLI output is not JSON: %v", err)
	}
	c := out.Credentials
	f.srv.mu.Lock()
	ss := f.srv.sessions[c.AccessKeyId]
	f.srv.mu.Unlock()
	if ss == nil || ss.secret != c.SecretAccessKey || ss.token != c.SessionToken || !ss.mfa || ss.user.Name != "alice" {
		t.Fatalf("CLI returned credentials the server did not issue (key %q)", c.AccessKeyId)
	}
	exp, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil || !exp.Equal(ss.expires.Truncate(time.Millisecond)) && !exp.Equal(ss.expires.Truncate(time.Second)) {
		t.Errorf("Expiration %q (%v), server says %v", c.Expiration, err, ss.expires)
	}

	// The session credentials work for the CLI.
	creds += "\n[mfa]\naws_access_key_id = " + c.AccessKeyId + "\naws_secret_access_key = " + c.SecretAccessKey +
		"\naws_session_token = " + c.SessionToken + "\n"
	if err := os.WriteFile(credFile, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, rc = runAWS(t, home, credFile, append([]string{"sts", "get-caller-identity", "--profile", "mfa"}, common...)...)
	if rc != 0 {
		t.Fatalf("aws sts get-caller-identity: exit %d\n%s", rc, stderr)
	}
	var id struct{ Arn, Account, UserId string }
	if err := json.Unmarshal([]byte(stdout), &id); err != nil || id.Arn != "arn:aws:iam::123456789012:user/alice" || id.Account != account {
		t.Fatalf("get-caller-identity: %v %q", err, stdout)
	}

	// The same code again is refused, the way the CLI shows AWS errors.
	_, stderr, rc = runAWS(t, home, credFile, gst...)
	if rc != 254 || !strings.Contains(stderr, "An error occurred (AccessDenied) when calling the GetSessionToken operation: MultiFactorAuthentication failed with invalid MFA one time pass code.") {
		t.Fatalf("reused code: exit %d, stderr %q", rc, stderr)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 2 {
		t.Errorf("Calls(GetSessionToken) = %d, want 2", n)
	}
}
