package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// After `stsmfa login` (the built binary), the real readers — Debian's AWS CLI v2, boto3 and the Go
// SDK — find exactly the new session in [mfa], can call STS with it (the stand-in checks the
// signature and the session token), take the region copied from the source, and still read the
// profiles login did not touch as before.

// Profiles besides alice's [default] that login must leave alone, byte for byte.
const (
	interopCIKey      = "AKIACICICICICICICICI"
	interopCISecret   = "ci/secret+key=cccccccccccccccccccccccccc"
	interopExtraCreds = "\n# build machine, not stsmfa's\n[ci]\naws_access_key_id = " + interopCIKey +
		"\naws_secret_access_key = " + interopCISecret + "\n"
	interopExtraConf = "\n[profile ci]\nregion = us-west-2\noutput = text\n"
)

type interopCreds struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// interopLogin runs a real login in a fresh world and returns the world, the file contents from
// before the login, and the session stored in [mfa].
func interopLogin(t *testing.T) (w *testkit.World, credBefore, confBefore string, want interopCreds) {
	t.Helper()
	w = testkit.NewWorld(t)
	interopAppend(t, w.CredPath, interopExtraCreds)
	interopAppend(t, w.ConfPath, interopExtraConf)
	credBefore, confBefore = interopRead(t, w.CredPath), interopRead(t, w.ConfPath)

	cmd := w.Command(t, "login", w.Code())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("stsmfa login: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "mfa: new session valid ") {
		t.Fatalf("stsmfa login said %q", out)
	}
	sec := interopSection(t, interopRead(t, w.CredPath), "mfa")
	want = interopCreds{sec["aws_access_key_id"], sec["aws_secret_access_key"], sec["aws_session_token"]}
	if !strings.HasPrefix(want.AccessKeyID, "ASIA") || want.SecretAccessKey == "" || want.SessionToken == "" {
		t.Fatalf("[mfa] does not hold a session: key %q, secret set %v, token set %v",
			want.AccessKeyID, want.SecretAccessKey != "", want.SessionToken != "")
	}
	if strings.Contains(string(out), want.SecretAccessKey) || strings.Contains(string(out), want.SessionToken) {
		t.Fatal("login's output holds a secret of the session")
	}
	return w, credBefore, confBefore, want
}

func TestLoginInteropFiles(t *testing.T) {
	w, credBefore, confBefore, _ := interopLogin(t)
	// the credentials file: everything before is kept, [mfa] is appended
	cred := interopRead(t, w.CredPath)
	if !strings.HasPrefix(cred, credBefore) || !strings.HasPrefix(cred[len(credBefore):], "\n[mfa]\n") {
		t.Errorf("credentials file: the existing bytes changed or [mfa] is not appended after them")
	}
	// the config file: only [profile mfa] with the source's region and output is added
	if got, want := interopRead(t, w.ConfPath), confBefore+"\n[profile mfa]\nregion = eu-west-1\noutput = json\n"; got != want {
		t.Errorf("config file:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoginInteropAWSCLI(t *testing.T) {
	ci.SkipShort(t, "the AWS CLI reading what login wrote")
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	w, _, _, want := interopLogin(t)

	// export-credentials resolves [mfa] as the CLI does for every command
	got := awsExport(t, w, aws, "mfa")
	if got != want {
		t.Errorf("aws configure export-credentials --profile mfa: not the session login stored (key %s, want %s)",
			got.AccessKeyID, want.AccessKeyID)
	}
	// the untouched profiles read as before
	if got := awsExport(t, w, aws, "default"); got != (interopCreds{w.User.AccessKeyID, w.User.SecretAccessKey, ""}) {
		t.Errorf("[default] no longer reads as alice's long-term keys (key %s)", got.AccessKeyID)
	}
	if got := awsExport(t, w, aws, "ci"); got != (interopCreds{interopCIKey, interopCISecret, ""}) {
		t.Errorf("[ci] no longer reads as before (key %s)", got.AccessKeyID)
	}

	// a signed call with the session: the stand-in verifies signature and token
	out := interopRun(t, w, aws, "sts", "get-caller-identity", "--profile", "mfa", "--endpoint-url", w.Server.URL(), "--output", "json")
	var id struct{ Arn, Account string }
	if err := json.Unmarshal(out, &id); err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, out)
	}
	if id.Arn != w.User.ARN() || id.Account != testkit.Account {
		t.Errorf("aws sts get-caller-identity --profile mfa: Arn %q Account %q, want %q %q", id.Arn, id.Account, w.User.ARN(), testkit.Account)
	}
	// the region the CLI uses for [mfa] is the one copied from [default]
	if out := strings.TrimSpace(string(interopRun(t, w, aws, "configure", "get", "region", "--profile", "mfa"))); out != "eu-west-1" {
		t.Errorf("aws configure get region --profile mfa = %q, want eu-west-1", out)
	}
}

func TestLoginInteropBoto3(t *testing.T) {
	py := testkit.RequireBoto3(t)
	w, _, _, want := interopLogin(t)
	const script = `
import json, sys, boto3
s = boto3.Session(profile_name=sys.argv[1])
c = s.get_credentials().get_frozen_credentials()
ident = s.client("sts", endpoint_url=sys.argv[2]).get_caller_identity()
print(json.dumps({"AccessKeyID": c.access_key, "SecretAccessKey": c.secret_key, "SessionToken": c.token,
                  "Region": s.region_name, "Arn": ident["Arn"]}))
`
	out := interopRun(t, w, py, "-c", script, "mfa", w.Server.URL())
	var got struct {
		interopCreds
		Region, Arn string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("boto3: %v", err)
	}
	if got.interopCreds != want {
		t.Errorf("boto3 Session(profile_name='mfa').get_credentials(): not the session login stored (key %s, want %s)",
			got.AccessKeyID, want.AccessKeyID)
	}
	if got.Region != "eu-west-1" {
		t.Errorf("boto3 region_name = %q, want eu-west-1 (copied from [default])", got.Region)
	}
	if got.Arn != w.User.ARN() {
		t.Errorf("boto3 get_caller_identity Arn = %q, want %q", got.Arn, w.User.ARN())
	}
}

func TestLoginInteropGoSDK(t *testing.T) {
	w, _, _, want := interopLogin(t)
	// this process's environment must not decide anything: no AWS_* from the machine, only the world's
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
		}
	}
	for _, kv := range w.Env() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") || k == "HOME" {
			t.Setenv(k, v)
		}
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigProfile("mfa"),
		config.WithSharedCredentialsFiles([]string{w.CredPath}),
		config.WithSharedConfigFiles([]string{w.ConfPath}))
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if got := (interopCreds{c.AccessKeyID, c.SecretAccessKey, c.SessionToken}); got != want {
		t.Errorf("Go SDK profile mfa: not the session login stored (key %s, want %s)", got.AccessKeyID, want.AccessKeyID)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("Go SDK region = %q, want eu-west-1 (copied from [default])", cfg.Region)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with profile mfa: %v", err)
	}
	if aws.ToString(out.Arn) != w.User.ARN() {
		t.Errorf("GetCallerIdentity Arn = %q, want %q", aws.ToString(out.Arn), w.User.ARN())
	}
}

// awsExport asks the AWS CLI which credentials a profile resolves to.
func awsExport(t *testing.T, w *testkit.World, aws, profile string) interopCreds {
	t.Helper()
	out := interopRun(t, w, aws, "configure", "export-credentials", "--profile", profile, "--format", "process")
	var got struct {
		Version                                    int
		AccessKeyId, SecretAccessKey, SessionToken string
	}
	if err := json.Unmarshal(out, &got); err != nil || got.Version != 1 {
		t.Fatalf("aws configure export-credentials --profile %s: not a version 1 document (%v)", profile, err)
	}
	return interopCreds{got.AccessKeyId, got.SecretAccessKey, got.SessionToken}
}

// interopRun runs a real client with the world's environment only; its output may hold secrets, so a
// failure shows stderr alone.
func interopRun(t *testing.T, w *testkit.World, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = w.Env()
	cmd.Dir = w.Home
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, args[0], err, stderr.String())
	}
	return out
}

// interopSection is a minimal reader for the test's own files (plain "key = value" lines).
func interopSection(t *testing.T, data, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	in := false
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			in = line == "["+name+"]"
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && in {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no section [%s]", name)
	}
	return out
}

func interopRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func interopAppend(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
