package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/totp"
)

func TestMain(m *testing.M) {
	if os.Getenv("FAKEAWS_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// startServe runs "serve args..." in-process and returns the printed URL
// and a stop function that cancels it and returns its exit code.
func startServe(t *testing.T, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve printed no URL (exit %d): %s", <-done, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	stopped := false
	stop := func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return strings.TrimSpace(line), stop
}

func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), rc
}

func TestServeStateFileAndCode(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	url, stop := startServe(t, "--state", state)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	fi, err := os.Stat(state)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	st, err := fakeaws.ReadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if st.URL != url || len(st.Users) != 1 {
		t.Fatalf("state %+v", st)
	}
	alice := st.Users[0]
	if alice.Name != "alice" || alice.Account != "123456789012" || alice.Serial != "arn:aws:iam::123456789012:mfa/alice-phone" ||
		!strings.HasPrefix(alice.AccessKeyID, "AKIA") || len(alice.Seed) != 40 {
		t.Fatalf("alice %+v", alice)
	}

	out, errOut, rc := runCmd(t, "code", "--state", state)
	if rc != 0 || len(strings.TrimSpace(out)) != 6 {
		t.Fatalf("code: exit %d %q %q", rc, out, errOut)
	}
	client := sts.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, ""),
	}, func(o *sts.Options) { o.BaseEndpoint = aws.String(url) })
	res, err := client.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{
		SerialNumber: aws.String(alice.Serial), TokenCode: aws.String(strings.TrimSpace(out)), DurationSeconds: aws.Int32(900),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(*res.Credentials.AccessKeyId, "ASIA") {
		t.Errorf("session key %q", *res.Credentials.AccessKeyId)
	}
	if rc := stop(); rc != 0 {
		t.Errorf("serve exit %d", rc)
	}

	// A second run loads the same users from the state file.
	url2, _ := startServe(t, "--state", state)
	st2, err := fakeaws.ReadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if st2.URL != url2 || st2.Users[0].AccessKeyID != alice.AccessKeyID || st2.Users[0].Seed != alice.Seed {
		t.Fatalf("reloaded state differs: %+v", st2)
	}
	client2 := sts.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, ""),
	}, func(o *sts.Options) { o.BaseEndpoint = aws.String(url2) })
	id, err := client2.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::123456789012:user/alice" {
		t.Fatalf("reloaded server: %v", err)
	}
}

func TestServeWithoutStateFile(t *testing.T) {
	url, stop := startServe(t, "--listen", "127.0.0.1:0")
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	if rc := stop(); rc != 0 {
		t.Errorf("exit %d", rc)
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.7:8080", "[::]:0"} {
		_, errOut, rc := runCmd(t, "serve", "--listen", addr)
		if rc != 2 || !strings.Contains(errOut, "loopback") {
			t.Errorf("--listen %s: exit %d, %q", addr, rc, errOut)
		}
	}
}

func TestServeBadStateFile(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(state, []byte("{not json"), 0o600)
	_, errOut, rc := runCmd(t, "serve", "--state", state)
	if rc != 1 || errOut == "" {
		t.Errorf("exit %d %q", rc, errOut)
	}
}

func TestTOTPCommand(t *testing.T) {
	seed := totp.NewSecret()
	out, errOut, rc := runCmd(t, "totp", seed)
	if rc != 0 {
		t.Fatalf("exit %d %s", rc, errOut)
	}
	got := strings.TrimSpace(out)
	now := time.Now()
	a, _ := totp.Code(seed, now)
	b, _ := totp.Code(seed, now.Add(-30*time.Second))
	if got != a && got != b {
		t.Errorf("totp printed %q, want %s (or %s)", got, a, b)
	}
	if _, _, rc := runCmd(t, "totp", "not base32!"); rc != 2 {
		t.Errorf("bad seed exit %d", rc)
	}
	if _, _, rc := runCmd(t, "totp"); rc != 2 {
		t.Errorf("missing seed exit %d", rc)
	}
	if _, _, rc := runCmd(t, "bogus"); rc != 2 {
		t.Errorf("unknown command exit %d", rc)
	}
	if _, _, rc := runCmd(t, "code"); rc != 2 {
		t.Errorf("code without --state exit %d", rc)
	}
}

// The real process prints its URL and exits 0 on SIGTERM.
func TestServeStopsOnSIGTERM(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(exe, "serve", "--state", state)
	cmd.Env = append(os.Environ(), "FAKEAWS_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://127.0.0.1:") {
		cmd.Process.Kill()
		t.Fatalf("first line %q, %v", line, err)
	}
	if _, err := os.Stat(state); err != nil {
		t.Errorf("state file not written before the URL was printed: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not stop on SIGTERM")
	}
}

// Roles in the state file keep their external id and trust through serve,
// and the /_fakeaws/ control endpoints reach the served stand-in.
func TestServeStateRolesAndControl(t *testing.T) {
	const (
		acct   = "123456789012"
		vendor = "arn:aws:iam::" + acct + ":role/vendor"
		bobs   = "arn:aws:iam::" + acct + ":role/bobs"
	)
	st := fakeaws.SampleState()
	st.Roles = append(st.Roles,
		fakeaws.StateRole{ARN: vendor, ExternalID: "ext-42"},
		fakeaws.StateRole{ARN: bobs, Trust: []string{"arn:aws:iam::" + acct + ":user/bob"}})
	state := filepath.Join(t.TempDir(), "state.json")
	if err := fakeaws.WriteState(state, st); err != nil {
		t.Fatal(err)
	}
	base, _ := startServe(t, "--state", state)
	back, err := fakeaws.ReadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Roles) != 3 || back.Roles[1].ExternalID != "ext-42" || len(back.Roles[2].Trust) != 1 {
		t.Fatalf("rewritten state lost role fields: %+v", back.Roles)
	}
	alice := st.Users[0]
	client := sts.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(alice.AccessKeyID, alice.SecretAccessKey, ""),
	}, func(o *sts.Options) { o.BaseEndpoint = aws.String(base) })
	ctx := context.Background()
	in := func(role, ext string) *sts.AssumeRoleInput {
		i := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")}
		if ext != "" {
			i.ExternalId = aws.String(ext)
		}
		return i
	}
	if _, err := client.AssumeRole(ctx, in(vendor, "")); err == nil || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("without external id: %v", err)
	}
	if _, err := client.AssumeRole(ctx, in(vendor, "ext-42")); err != nil {
		t.Errorf("with external id: %v", err)
	}
	if _, err := client.AssumeRole(ctx, in(bobs, "")); err == nil || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("alice into bob's role: %v", err)
	}

	resp, err := http.Post(base+"/_fakeaws/drop-next?action=GetCallerIdentity&n=1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("drop-next: %d", resp.StatusCode)
	}
	if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("dropped GetCallerIdentity: %v", err)
	}
	resp, err = http.Get(base + "/_fakeaws/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats fakeaws.Stats
	err = json.NewDecoder(resp.Body).Decode(&stats)
	resp.Body.Close()
	if err != nil || stats.RoleCalls[vendor] != 2 || stats.Refused["AssumeRole"] != 2 || stats.Calls["GetCallerIdentity"] != 1 {
		t.Fatalf("stats %+v %v", stats, err)
	}
}
