//go:build !windows

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// credProcWorld is a world whose [default] gets its code from mfa_process and whose config has
// [profile work] with credential_process = <built stsmfa> credential-process --profile default,
// written by setup-credential-process.
func credProcWorld(t *testing.T, codeCmd func(*world) string) *world {
	t.Helper()
	w := newWorld(t)
	w.mfaProcess(codeCmd(w))
	p := w.stsmfa("setup-credential-process", "work", "--profile", "default")
	p.mustRun(t)
	conf, err := os.ReadFile(w.ConfPath)
	if err != nil {
		t.Fatal(err)
	}
	want := "[profile work]\ncredential_process = " + w.bin + " credential-process --profile default\n"
	if !strings.Contains(string(conf), want) {
		t.Fatalf("config lacks %q:\n%s", want, conf)
	}
	if p.stdout.String() != "" {
		t.Errorf("setup-credential-process printed on stdout: %q", p.stdout.String())
	}
	return w
}

var arnRE = regexp.MustCompile(`arn:aws:iam::123456789012:user/alice`)

// goSDKResolve is the Go SDK's own loader resolving profile in w (stsmfa runs as its
// credential_process child): the credentials it got, which must come from the ProcessProvider, and
// the ARN GetCallerIdentity signed with them returns.
func goSDKResolve(t *testing.T, w *world, profile string) (processJSON, string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v) // the SDK reads them here; stsmfa, its child, inherits them
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatalf("the Go SDK could not get credentials: %v", err)
	}
	if c.Source != "ProcessProvider" {
		t.Errorf("credentials came from %s, want the ProcessProvider", c.Source)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the credentials of profile %s: %v", profile, err)
	}
	return processJSON{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, Expiration: c.Expires.UTC().Format(time.RFC3339)}, aws.ToString(id.Arn)
}

// TestRealClients: the AWS CLI, boto3 and the Go SDK each resolve the credential_process profile to
// the session stsmfa got from the stand-in, starting from an empty cache: one code, one
// GetSessionToken; a second resolution reuses the cache. Each client then signs a call with it.
func TestRealClients(t *testing.T) {
	ci.SkipShort(t, "the AWS CLI, boto3 and the Go SDK through credential_process")
	clients := []struct {
		name string
		// resolve returns the credentials the client resolved for profile work, after it made one
		// signed call (GetCallerIdentity) to the stand-in with them.
		resolve func(t *testing.T, w *world) processJSON
	}{
		{"aws-cli", func(t *testing.T, w *world) processJSON {
			aws := testkit.RequireTool(t, "/usr/bin/aws")
			out := w.tool(aws, "configure", "export-credentials", "--profile", "work", "--format", "process").mustRun(t)
			p := parseProcess(t, out)
			id := w.tool(aws, "sts", "get-caller-identity", "--profile", "work", "--endpoint-url", w.Server.URL(), "--output", "text").mustRun(t)
			if !arnRE.MatchString(id) {
				t.Errorf("aws sts get-caller-identity: %q", id)
			}
			return p
		}},
		{"boto3", func(t *testing.T, w *world) processJSON {
			py := testkit.RequireBoto3(t)
			script := `import boto3, json, sys
s = boto3.Session(profile_name="work")
c = s.get_credentials().get_frozen_credentials()
arn = s.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"]
print(json.dumps({"Version": 1, "AccessKeyId": c.access_key, "SecretAccessKey": c.secret_key,
                  "SessionToken": c.token, "Expiration": sys.argv[2], "Arn": arn}))`
			// boto3 does not expose the expiry of frozen credentials; the test fills in the stored one
			// after checking the keys, so compare only what boto3 reports.
			out := w.tool(py, "-c", script, w.Server.URL(), "2000-01-01T00:00:00Z").mustRun(t)
			var r struct {
				processJSON
				Arn string
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("boto3 output is not JSON: %v", err)
			}
			if !arnRE.MatchString(r.Arn) {
				t.Errorf("boto3 get_caller_identity: %q", r.Arn)
			}
			r.processJSON.Expiration = w.stored("mfa").Expiration
			return r.processJSON
		}},
		{"go-sdk", func(t *testing.T, w *world) processJSON {
			p, arn := goSDKResolve(t, w, "work")
			if !arnRE.MatchString(arn) {
				t.Errorf("GetCallerIdentity: %s", arn)
			}
			return p
		}},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			w := credProcWorld(t, func(w *world) string { return w.codeCmd })
			got := c.resolve(t, w)
			want := w.stored("mfa")
			if !want.matches(got) {
				t.Errorf("%s resolved other credentials than the session stored in [mfa] (key %s vs %s, expiry %s vs %s)",
					c.name, got.AccessKeyID, want.AccessKeyID, got.Expiration, want.Expiration)
			}
			if !strings.HasPrefix(got.AccessKeyID, "ASIA") {
				t.Errorf("%s resolved a non-session key %s", c.name, got.AccessKeyID)
			}
			if n := w.runs(); n != 1 {
				t.Errorf("the code printer ran %d times, want 1", n)
			}
			if n := w.Server.Calls("GetSessionToken"); n != 1 {
				t.Errorf("GetSessionToken was called %d times, want 1", n)
			}
			// a second resolution is served from the cache
			again := c.resolve(t, w)
			if again.AccessKeyID != got.AccessKeyID || again.SessionToken != got.SessionToken {
				t.Errorf("%s got another session the second time", c.name)
			}
			if n, m := w.runs(), w.Server.Calls("GetSessionToken"); n != 1 || m != 1 {
				t.Errorf("second resolution: %d code runs, %d GetSessionToken calls; want 1 and 1", n, m)
			}
		})
	}
}

// TestCredentialProcessOutput: stdout is exactly one JSON document, stderr is empty on the cache
// path, and the document equals the stored session.
func TestCredentialProcessOutput(t *testing.T) {
	w := newWorld(t)
	w.mfaProcess(w.codeCmd)
	first := w.stsmfa("credential-process")
	out := first.mustRun(t)
	p := parseProcess(t, out)
	if !strings.HasSuffix(out, "}\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("stdout is not one JSON line")
	}
	if !w.stored("mfa").matches(p) {
		t.Error("the answer is not the stored session")
	}
	w.noSecrets("stderr", first.stderr.String())
	second := w.stsmfa("credential-process", "--profile", "default")
	if second.mustRun(t) != out {
		t.Error("the cached answer differs")
	}
	if second.stderr.String() != "" {
		t.Errorf("stderr on the cache path: %q", second.stderr.String())
	}
	if w.runs() != 1 || w.Server.Calls("GetSessionToken") != 1 {
		t.Errorf("%d runs, %d GetSessionToken calls", w.runs(), w.Server.Calls("GetSessionToken"))
	}
}
