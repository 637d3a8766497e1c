//go:build !windows

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stsmfa/stsmfa/internal/shellenv"
	"github.com/stsmfa/stsmfa/internal/testkit"
)

// goSDKClient is this test binary as a Go SDK program (helperVar=gosdk), config.LoadDefaultConfig
// with the default credential chain:
//
//	e2e.test STS_ENDPOINT               prints the credentials' source and the caller's ARN
//	e2e.test STS_ENDPOINT COUNT MILLIS  calls STS COUNT times, MILLIS apart; prints calls=N failed=M
func goSDKClient(args []string) int {
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: STS_ENDPOINT [COUNT MILLIS]")
		return 2
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(args[0]) })
	if len(args) < 3 {
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(c.Source, aws.ToString(id.Arn))
		return 0
	}
	count, _ := strconv.Atoi(args[1])
	ms, _ := strconv.Atoi(args[2])
	failed := 0
	for i := 0; i < count; i++ {
		if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "call %d: %v\n", i, err)
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	fmt.Printf("calls=%d failed=%d\n", count, failed)
	return 0
}

var roleARNRE = regexp.MustCompile(`arn:aws:sts::123456789012:assumed-role/admin/stsmfa-\d+`)

// serverClient is one real client run inside exec --server/--imds: its command line (given the
// stand-in's URL), and what its output must show beside the role's ARN.
type serverClient struct {
	name   string
	argv   func(t *testing.T, w *world) []string
	source map[string]string // mode -> how the client names where its credentials came from
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// jsSDK is the node_modules .ci/run installs (npm install in testdata/jssdk).
func jsSDK(t *testing.T) string {
	t.Helper()
	node := testkit.RequireTool(t, "/usr/bin/node")
	if _, err := os.Stat(testdata(t, "jssdk/node_modules/@aws-sdk/client-sts")); err != nil {
		testkit.SkipUnlessCI(t, "the AWS SDK for JavaScript is not installed: npm install --prefix internal/e2e/testdata/jssdk")
	}
	return node
}

func serverClients() []serverClient {
	self, _ := os.Executable()
	return []serverClient{
		{"aws-cli", func(t *testing.T, w *world) []string {
			return []string{testkit.RequireTool(t, "/usr/bin/aws"), "sts", "get-caller-identity", "--endpoint-url", w.Server.URL(), "--output", "text", "--query", "Arn"}
		}, nil},
		{"boto3", func(t *testing.T, w *world) []string {
			return []string{testkit.RequireBoto3(t), testdata(t, "boto3_whoami.py"), w.Server.URL()}
		}, map[string]string{"server": "container-role", "imds": "iam-role"}},
		{"go-sdk", func(t *testing.T, w *world) []string {
			return []string{"/usr/bin/env", helperVar + "=gosdk", self, w.Server.URL()}
		}, map[string]string{"server": "CredentialsEndpointProvider", "imds": "EC2RoleProvider"}},
		{"js-sdk", func(t *testing.T, w *world) []string {
			return []string{jsSDK(t), testdata(t, "jssdk/whoami.mjs"), w.Server.URL()}
		}, nil},
	}
}

// serverWorld is a role world (profile prod) whose code comes from the counting token command;
// [default] still holds alice's long-term keys, so a client that read the shared files would be
// alice, not the role.
func serverWorld(t *testing.T) *world {
	t.Helper()
	return roleWorld(t, func(w *world) string { return w.codeCmd }, prodRole)
}

// TestServerRealClients: the AWS CLI, boto3, the Go SDK and the JS SDK, each run inside
// exec --server and exec --imds with AWS_PROFILE=default in the parent and [default]'s long-term keys
// in the credentials file, get the role's identity from the server — not alice's keys.
func TestServerRealClients(t *testing.T) {
	if testing.Short() {
		t.Skip("starts stsmfa and real clients (-short)")
	}
	for _, mode := range []string{"server", "imds"} {
		for _, c := range serverClients() {
			t.Run(mode+"/"+c.name, func(t *testing.T) {
				w := serverWorld(t)
				argv := c.argv(t, w)
				p := w.stsmfa(append([]string{"exec", "--" + mode, "--profile", "prod", "--"}, argv...)...)
				p.cmd.Env = append(p.cmd.Env, "AWS_PROFILE=default")
				out := strings.TrimSpace(p.mustRun(t))
				if !roleARNRE.MatchString(out) {
					t.Errorf("%s inside exec --%s printed %q, want the role's ARN; stderr: %s", c.name, mode, out, p.stderr.String())
				}
				if strings.Contains(out, "user/alice") {
					t.Errorf("%s used alice's long-term keys", c.name)
				}
				if want := c.source[mode]; want != "" && !strings.HasPrefix(out, want+" ") {
					t.Errorf("%s's credentials came from %q, want %s", c.name, strings.Fields(out + " ?")[0], want)
				}
				if n := w.runs(); n != 1 {
					t.Errorf("%d codes, want 1", n)
				}
				w.noSecrets("stderr", p.stderr.String())
			})
		}
	}
}

// startServed starts stsmfa exec --server with a shell script as the command and returns it once
// the script printed "ready" (after its first line, which is returned).
func startServed(t *testing.T, w *world, flag, script string, extraEnv ...string) (*proc, string) {
	t.Helper()
	cmd := w.Command(t, "exec", flag, "--debug", "--profile", "prod", "--", "/bin/sh", "-c", script)
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &p.stderr
	p.start(t)
	lines := make(chan string, 4)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	var first string
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the command ended early; stderr: %s", p.stderr.String())
			}
			if l == "ready" {
				return p, first
			}
			if first == "" {
				first = l
			}
		case <-time.After(time.Minute):
			t.Fatalf("no ready line; stderr: %s", p.stderr.String())
		}
	}
}

func get(t *testing.T, url, host string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServerRefusals: what the command was given works; a wrong or missing token, a Host that is
// not the loopback address (DNS rebinding) and, through --imds, a GET without a PUT token are
// refused; after the command exited nothing answers, and its private files are gone.
func TestServerRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts stsmfa (-short)")
	}
	w := serverWorld(t)
	script := `printf '%s %s %s %s\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" "$AWS_SHARED_CREDENTIALS_FILE" "${AWS_ACCESS_KEY_ID:-none}"; echo ready; while [ ! -e ` + shellenv.Quote(w.gate) + ` ]; do sleep 0.05; done`
	p, line := startServed(t, w, "--server", script)
	f := strings.Fields(line)
	if len(f) != 4 || f[3] != "none" {
		t.Fatalf("the command's variables: %q", line)
	}
	uri, tokFile, credFile := f[0], f[1], f[2]
	if !strings.HasPrefix(uri, "http://127.0.0.1:") {
		t.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI = %s", uri)
	}
	st, err := os.Stat(tokFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	dir, _ := os.Stat(filepath.Dir(tokFile))
	if dir == nil || dir.Mode().Perm() != 0o700 {
		t.Errorf("the token's directory: %v", dir)
	}
	if b, _ := os.ReadFile(credFile); strings.Contains(string(b), "aws_") {
		t.Errorf("the command's credentials file holds keys:\n%s", b)
	}
	tok, _ := os.ReadFile(tokFile)
	good := map[string]string{"Authorization": string(tok)}
	code, served := get(t, uri, "", good)
	if code != 200 || !strings.Contains(served, `"AccessKeyId":"ASIA`) {
		t.Fatalf("with the token: %d", code)
	}
	port := uri[len("http://127.0.0.1:"):strings.LastIndex(uri, "/")]
	for _, r := range []struct {
		name, host string
		hdr        map[string]string
		want       int
	}{
		{"no token", "", nil, 401},
		{"wrong token", "", map[string]string{"Authorization": strings.Repeat("A", len(tok))}, 401},
		{"rebinding Host", "rebind.example:" + port, good, 403},
	} {
		code, body := get(t, uri, r.host, r.hdr)
		if code != r.want || strings.Contains(body, "AccessKeyId") {
			t.Errorf("%s: %d, want %d", r.name, code, r.want)
		}
	}
	w.openGate()
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.stderr.String())
	}
	if code, body := get(t, uri, "", good); code != 0 {
		t.Errorf("after the command exited: %d %s", code, body)
	}
	if _, err := os.Stat(filepath.Dir(tokFile)); !os.IsNotExist(err) {
		t.Errorf("the private directory is still there: %v", err)
	}
	w.noSecrets("stderr", p.stderr.String())
	// --debug logs every request, without the token or the served secrets
	debug := p.stderr.String()
	if n := strings.Count(debug, "server: GET /credentials from 127.0.0.1:"); n != 4 {
		t.Errorf("--debug logged %d of the 4 requests:\n%s", n, debug)
	}
	for _, part := range strings.Split(served, `"`) {
		if len(part) >= 20 && strings.Contains(debug, part) {
			t.Errorf("--debug output holds a served value")
		}
	}
	if strings.Contains(debug, string(tok)) {
		t.Error("--debug output holds the token")
	}

	// IMDS: a GET without a PUT token is refused, with one it is served
	os.Remove(w.gate)
	script = `printf '%s\n' "$AWS_EC2_METADATA_SERVICE_ENDPOINT"; echo ready; while [ ! -e ` + shellenv.Quote(w.gate) + ` ]; do sleep 0.05; done`
	p, endpoint := startServed(t, w, "--imds", script)
	base := strings.TrimSuffix(endpoint, "/")
	if code, body := get(t, base+"/latest/meta-data/iam/security-credentials/admin", "", nil); code != 401 || strings.Contains(body, "AccessKeyId") {
		t.Errorf("IMDS GET without a token: %d", code)
	}
	req, _ := http.NewRequest("PUT", base+"/latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	itok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if code, body := get(t, base+"/latest/meta-data/iam/security-credentials/admin", "", map[string]string{"X-aws-ec2-metadata-token": string(itok)}); code != 200 || !strings.Contains(body, `"AccessKeyId":"ASIA`) {
		t.Errorf("IMDS GET with a token: %d", code)
	}
	w.openGate()
	p.wait(t)
	if code, _ := get(t, base+"/latest/meta-data/iam/security-credentials/admin", "", map[string]string{"X-aws-ec2-metadata-token": string(itok)}); code != 0 {
		t.Errorf("IMDS after the command exited: %d", code)
	}
}

// TestServerExitAndSignals: the command's exit code is stsmfa's, a command killed by a signal ends
// stsmfa by the same signal, and SIGTERM sent to stsmfa reaches the command.
func TestServerExitAndSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts stsmfa (-short)")
	}
	w := serverWorld(t)
	for _, want := range []int{0, 3, 42} {
		p := w.stsmfa("exec", "--server", "--profile", "prod", "--", "/bin/sh", "-c", "exit "+strconv.Itoa(want))
		if got := p.run(t); got != want {
			t.Errorf("exit %d, want %d; stderr: %s", got, want, p.stderr.String())
		}
	}
	p := w.stsmfa("exec", "--imds", "--profile", "prod", "--", "/bin/sh", "-c", "kill -TERM $$")
	p.run(t)
	if ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("a command killed by SIGTERM: stsmfa ended %v", p.cmd.ProcessState)
	}
	p = w.stsmfa("exec", "--imds", "--profile", "prod", "--", "/bin/sh", "-c", "kill -USR1 $$")
	if got := p.run(t); got != 128+int(syscall.SIGUSR1) {
		t.Errorf("a command killed by SIGUSR1: stsmfa ended %v, want exit %d as shells report it", p.cmd.ProcessState, 128+int(syscall.SIGUSR1))
	}
	p, _ = startServed(t, w, "--server", `trap 'echo got TERM >&2; exit 9' TERM; echo pid; echo ready; while :; do sleep 0.05; done`)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if got := p.wait(t); got != 9 || !strings.Contains(p.stderr.String(), "got TERM") {
		t.Errorf("SIGTERM to stsmfa: exit %d, stderr %q; want the command's trap (9)", got, p.stderr.String())
	}
	if p := w.stsmfa("exec", "--server", "--imds", "--", "true"); p.run(t) != 2 || !strings.Contains(p.stderr.String(), "--server and --imds cannot be used together") {
		t.Errorf("--server --imds: %s", p.stderr.String())
	}
	if n := w.runs(); n != 1 {
		t.Errorf("%d codes, want 1", n)
	}
}

// fakeNotifier puts a notify-send on PATH that appends its message to a file; it returns the PATH
// entry and the file.
func fakeNotifier(t *testing.T) (pathVar, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "notifications")
	script := "#!/bin/sh\nfor a; do last=$a; done\nprintf '%s\\n' \"$last\" >> " + shellenv.Quote(log) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "notify-send"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return "PATH=" + dir + ":" + os.Getenv("PATH"), log
}

// TestServerLongJob: a job longer than many role sessions, compressed: the stand-in issues role
// sessions of 60 seconds, and boto3 and the Go SDK each call STS every second for two minutes inside
// one exec --server. No call fails, the role is re-assumed as often as needed, one code in all.
func TestServerLongJob(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 2.5 minutes (-short)")
	}
	w := serverWorld(t)
	py := testkit.RequireBoto3(t)
	self, _ := os.Executable()
	w.Server.SetSessionLength("AssumeRole", 60*time.Second)
	const calls = 120
	script := fmt.Sprintf(`%s %s %s %d 1 & %s=gosdk %s %s %d 1000 & wait`,
		shellenv.Quote(py), shellenv.Quote(testdata(t, "boto3_whoami.py")), shellenv.Quote(w.Server.URL()), calls,
		helperVar, shellenv.Quote(self), shellenv.Quote(w.Server.URL()), calls)
	start := time.Now()
	p := w.stsmfa("exec", "--server", "--profile", "prod", "--", "/bin/sh", "-c", script).start(t)
	select {
	case <-p.done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("the job still runs after 3 minutes; stderr: %s", p.stderr.String())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, p.stderr.String())
	}
	out := p.stdout.String()
	took := time.Since(start)
	if strings.Count(out, fmt.Sprintf("calls=%d failed=0", calls)) != 2 {
		t.Errorf("not every call succeeded:\n%s\nstderr: %s", out, p.stderr.String())
	}
	assumed := w.Server.Calls("AssumeRole")
	if min := int(took / (60 * time.Second)); assumed < min+1 {
		t.Errorf("AssumeRole was called %d times in %s of 60s role sessions", assumed, took.Round(time.Second))
	}
	if n, g := w.runs(), w.Server.Calls("GetSessionToken"); n != 1 || g != 1 {
		t.Errorf("%d codes, %d GetSessionToken; want 1 and 1", n, g)
	}
	t.Logf("%s: %d AssumeRole calls, %d STS calls by the clients, 1 code", took.Round(time.Second), assumed, w.Server.Calls("GetCallerIdentity"))
	w.noSecrets("stderr", p.stderr.String())
}

// TestServerMFASessionEnds: the MFA session runs out during two jobs, each in its own exec --server.
// 16m30s before its end each server says so (stderr and a desktop notification); 16 minutes before,
// both ask, under the source's lock: the token command runs once, the other server finds the new
// session; no call of either job fails.
func TestServerMFASessionEnds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a minute (-short)")
	}
	w := serverWorld(t)
	py := testkit.RequireBoto3(t)
	// the morning's code: an MFA session that has 16m30s left
	w.Server.SetSessionLength("GetSessionToken", 16*time.Minute+30*time.Second)
	w.stsmfa("login").mustRun(t)
	w.Server.SetSessionLength("GetSessionToken", 0)
	w.Server.SetSessionLength("AssumeRole", 60*time.Second)
	pathVar, notes := fakeNotifier(t)
	// two jobs at once, each with its own server: one code between them
	var procs []*proc
	for i := 0; i < 2; i++ {
		p := w.stsmfa("exec", "--server", "--profile", "prod", "--", py, testdata(t, "boto3_whoami.py"), w.Server.URL(), "60", "1")
		p.cmd.Env = append(p.cmd.Env, pathVar)
		procs = append(procs, p.start(t))
	}
	renewed := 0
	for i, p := range procs {
		if code := p.wait(t); code != 0 {
			t.Fatalf("job %d: exit %d; stderr: %s", i, code, p.stderr.String())
		}
		if out := p.stdout.String(); !strings.Contains(out, "calls=60 failed=0") {
			t.Errorf("job %d's calls: %s\nstderr: %s", i, out, p.stderr.String())
		}
		stderr := p.stderr.String()
		for _, want := range []string{"stsmfa will ask for the next code at", "asking for the next MFA code now"} {
			if strings.Count(stderr, want) != 1 {
				t.Errorf("job %d: stderr says %q %d times, want once:\n%s", i, want, strings.Count(stderr, want), stderr)
			}
		}
		made := strings.Count(stderr, "new MFA session for profile default")
		renewed += made
		if made+strings.Count(stderr, "another stsmfa renewed the session of profile default") != 1 {
			t.Errorf("job %d: not one word of the renewal:\n%s", i, stderr)
		}
		w.noSecrets("stderr", stderr)
	}
	if n := w.runs(); n != 2 || renewed != 1 {
		t.Errorf("the token command ran %d times (want 2: the morning's login and one before the end); %d servers renewed (want 1)", n, renewed)
	}
	if g := w.Server.Calls("GetSessionToken"); g != 2 {
		t.Errorf("%d GetSessionToken calls, want 2", g)
	}
	waitFor(t, "the notifications", 10*time.Second, func() bool {
		b, _ := os.ReadFile(notes)
		return strings.Count(string(b), "\n") >= 4
	})
	b, _ := os.ReadFile(notes)
	if strings.Count(string(b), "will ask for the next code") != 2 || strings.Count(string(b), "asking for the next MFA code now") != 2 {
		t.Errorf("notifications:\n%s", b)
	}
}
