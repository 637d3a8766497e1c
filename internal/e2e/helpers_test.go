//go:build !windows

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/shellenv"
	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/totp"
)

// helperVar turns this test binary into the MFA code printer that the tests put into mfa_process:
//
//	STSMFA_E2E_HELPER=totp e2e.test SEEDFILE COUNTFILE [GATEFILE]
//
// appends one line to COUNTFILE (so a test can count the runs), waits until GATEFILE exists when one
// is named (so a test can hold a refresh open), then prints alice's current code.
const helperVar = "STSMFA_E2E_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperVar) {
	case "totp":
		os.Exit(codePrinter(os.Args[1:]))
	case "gosdk":
		os.Exit(goSDKClient(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func codePrinter(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: SEEDFILE COUNTFILE [GATEFILE]")
		return 2
	}
	f, err := os.OpenFile(args[1], os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(f, "run")
	f.Close()
	if len(args) > 2 {
		deadline := time.Now().Add(2 * time.Minute)
		for {
			if _, err := os.Stat(args[2]); err == nil {
				break
			}
			if time.Now().After(deadline) {
				fmt.Fprintln(os.Stderr, "gate never opened")
				return 1
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	seed, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c, err := totp.Code(strings.TrimSpace(string(seed)), time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(c)
	return 0
}

// world is a testkit.World plus a code printer that counts its runs.
type world struct {
	*testkit.World
	t         *testing.T
	bin       string
	codeCmd   string // a command printing alice's code (for mfa_process / --token-command)
	gatedCmd  string // the same, but it waits for gate before printing
	countFile string
	gate      string
	dir       string
	script    func(name, seedFile string, extra ...string) string
	// extraSecrets are secrets of users added by the test
	extraSecrets []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{World: testkit.NewWorld(t), t: t, bin: testkit.Binary(t)}
	dir := t.TempDir()
	seedFile := filepath.Join(dir, "seed")
	w.countFile = filepath.Join(dir, "count")
	w.gate = filepath.Join(dir, "gate")
	w.Write(t, seedFile, w.Seed)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w.script = func(name, seedFile string, extra ...string) string {
		args := []string{shellenv.Quote(self), shellenv.Quote(seedFile), shellenv.Quote(w.countFile)}
		for _, e := range extra {
			args = append(args, shellenv.Quote(e))
		}
		p := filepath.Join(dir, name)
		body := "#!/bin/sh\n" + helperVar + "=totp exec " + strings.Join(args, " ") + "\n"
		if err := os.WriteFile(p, []byte(body), 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	w.dir = dir
	w.codeCmd = w.script("code.sh", seedFile)
	w.gatedCmd = w.script("gated-code.sh", seedFile, w.gate)
	return w
}

// addUser registers bob (his own keys and MFA device) at the stand-in, adds source profile NAME with
// his keys and mfa_serial, and returns a command printing his code (counted like alice's).
func (w *world) addUser(name string) string {
	w.t.Helper()
	u := fakeaws.User{Account: testkit.Account, Name: "bob",
		MFA: []fakeaws.Device{{Serial: "arn:aws:iam::" + testkit.Account + ":mfa/bob", Seed: totp.NewSecret()}}}
	w.Server.AddUser(u)
	for _, got := range w.Server.Users() {
		if got.Name == "bob" {
			u = got
		}
	}
	seedFile := filepath.Join(w.dir, "bob-seed")
	w.Write(w.t, seedFile, u.MFA[0].Seed)
	w.extraSecrets = append(w.extraSecrets, u.SecretAccessKey, u.MFA[0].Seed)
	creds, err := os.ReadFile(w.CredPath)
	if err != nil {
		w.t.Fatal(err)
	}
	w.Write(w.t, w.CredPath, string(creds)+"\n["+name+"]\naws_access_key_id = "+u.AccessKeyID+"\naws_secret_access_key = "+u.SecretAccessKey+"\n")
	conf, err := os.ReadFile(w.ConfPath)
	if err != nil {
		w.t.Fatal(err)
	}
	w.Write(w.t, w.ConfPath, string(conf)+"\n[profile "+name+"]\nmfa_serial = "+u.MFA[0].Serial+"\n")
	return w.script("bob-code.sh", seedFile)
}

// mfaProcess adds mfa_process = cmd to the [default] config section.
func (w *world) mfaProcess(cmd string) {
	w.t.Helper()
	data, err := os.ReadFile(w.ConfPath)
	if err != nil {
		w.t.Fatal(err)
	}
	w.Write(w.t, w.ConfPath, strings.Replace(string(data), "[default]\n", "[default]\nmfa_process = "+cmd+"\n", 1))
}

// runs is how often a code printer has run.
func (w *world) runs() int {
	data, err := os.ReadFile(w.countFile)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

func (w *world) openGate() { w.Write(w.t, w.gate, "") }

// stsmfa is the built binary in this world, detached from any terminal.
func (w *world) stsmfa(args ...string) *proc {
	w.t.Helper()
	return newProc(w.Command(w.t, args...))
}

// tool runs another program in this world's environment, detached from any terminal.
func (w *world) tool(path string, args ...string) *proc {
	w.t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = w.Env()
	cmd.Dir = w.Home
	testkit.Detach(cmd)
	return newProc(cmd)
}

// secrets are alice's long-term secret and seed, and every session secret written to the credentials
// file so far.
func (w *world) secrets() []string {
	out := append([]string{w.User.SecretAccessKey, w.Seed}, w.extraSecrets...)
	data, _ := os.ReadFile(w.CredPath)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			switch strings.TrimSpace(k) {
			case "aws_secret_access_key", "aws_session_token":
				out = append(out, strings.TrimSpace(v))
			}
		}
	}
	return out
}

// noSecrets fails when any secret appears in text (what = where it was found).
func (w *world) noSecrets(what, text string) {
	w.t.Helper()
	for _, s := range w.secrets() {
		if s != "" && strings.Contains(text, s) {
			w.t.Errorf("%s contains a secret", what)
		}
	}
}

// stored is the session in a profile of the credentials file.
type stored struct{ AccessKeyID, SecretAccessKey, SessionToken, Expiration string }

func (w *world) stored(profile string) stored {
	w.t.Helper()
	data, err := os.ReadFile(w.CredPath)
	if err != nil {
		w.t.Fatal(err)
	}
	var s stored
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			in = line == "["+profile+"]"
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !in {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			s.AccessKeyID = v
		case "aws_secret_access_key":
			s.SecretAccessKey = v
		case "aws_session_token":
			s.SessionToken = v
		case "stsmfa_expiration":
			s.Expiration = v
		}
	}
	if s.AccessKeyID == "" || s.SessionToken == "" {
		w.t.Fatalf("no session in [%s] of the credentials file", profile)
	}
	return s
}

// proc is a process whose output is captured (safe to read while it runs).
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	started        time.Time
	elapsed        time.Duration // from start to exit
	done           chan struct{} // closed when it has exited
	waitErr        error
}

func newProc(cmd *exec.Cmd) *proc {
	p := &proc{cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	// a killed stsmfa's token command may live on holding the output pipes: stop reading them soon
	// after the process itself has exited
	cmd.WaitDelay = 2 * time.Second
	return p
}

func (p *proc) start(t *testing.T) *proc {
	t.Helper()
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		p.elapsed = time.Since(p.started)
		close(p.done)
	}()
	t.Cleanup(func() {
		// its own session and process group: stsmfa and anything left of its token command
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	return p
}

// running reports whether the process has not exited yet.
func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// wait returns the exit code (-1 when killed by a signal); it gives up after two minutes.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s still runs after 2 minutes; stderr: %s", strings.Join(p.cmd.Args, " "), p.stderr.String())
	}
	if p.waitErr != nil {
		if _, ok := p.waitErr.(*exec.ExitError); !ok {
			t.Fatal(p.waitErr)
		}
	}
	return p.cmd.ProcessState.ExitCode()
}

// run starts the process and waits for it.
func (p *proc) run(t *testing.T) int {
	t.Helper()
	return p.start(t).wait(t)
}

// mustRun runs the process and fails the test unless it exits 0.
func (p *proc) mustRun(t *testing.T) string {
	t.Helper()
	if code := p.run(t); code != 0 {
		t.Fatalf("%s exited %d\nstdout: %s\nstderr: %s", strings.Join(p.cmd.Args, " "), code, p.stdout.String(), p.stderr.String())
	}
	return p.stdout.String()
}

// waitStderr waits until the process's stderr contains s.
func (p *proc) waitStderr(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.stderr.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("%q did not appear on stderr within %s; stderr: %s", s, timeout, p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// processJSON is the credential_process document.
type processJSON struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

func parseProcess(t *testing.T, out string) processJSON {
	t.Helper()
	var p processJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("not credential_process JSON: %v", err) // never print out: it holds secrets
	}
	if dec.More() {
		t.Fatal("more than one JSON document on stdout")
	}
	if p.Version != 1 || p.AccessKeyID == "" || p.SecretAccessKey == "" || p.SessionToken == "" || p.Expiration == "" {
		t.Fatalf("incomplete credential_process JSON (version %d)", p.Version)
	}
	if _, err := time.Parse(time.RFC3339, p.Expiration); err != nil {
		t.Fatalf("Expiration %q is not RFC 3339", p.Expiration)
	}
	return p
}

// matches compares a credential_process answer with a stored session.
// The AWS CLI rewrites the expiry as +00:00, so times are compared, not strings.
func (s stored) matches(p processJSON) bool {
	a, err1 := time.Parse(time.RFC3339, s.Expiration)
	b, err2 := time.Parse(time.RFC3339, p.Expiration)
	return s.AccessKeyID == p.AccessKeyID && s.SecretAccessKey == p.SecretAccessKey && s.SessionToken == p.SessionToken &&
		err1 == nil && err2 == nil && a.Equal(b)
}

// waitAllAtLock waits until the gated code source (the token command or the dialog stand-in: started
// names it) runs and every process has reached the session lock of profile default: only then is it
// sure that each of them needed a refresh.
func waitAllAtLock(t *testing.T, w *world, procs []*proc, started string) {
	t.Helper()
	waitFor(t, started, time.Minute, func() bool { return w.runs() >= 1 })
	waitFor(t, "all processes to reach the lock", time.Minute, func() bool {
		for i, p := range procs {
			if !p.running() {
				t.Fatalf("process %d ended before the code was given: %s", i, p.stderr.String())
			}
			if !strings.Contains(p.stderr.String(), "waiting for the session lock of profile default") {
				return false
			}
		}
		return true
	})
}

// releaseWhenAllWait holds the token command (w.gatedCmd) until every process has found no session
// it could use and reached the source's lock, checks that exactly one of them holds the lock and that
// STS has not been called yet, and then lets the token command print its code.
func releaseWhenAllWait(t *testing.T, w *world, procs []*proc) {
	t.Helper()
	waitAllAtLock(t, w, procs, "the token command to start")
	holders := 0
	for _, p := range procs {
		if strings.Contains(p.stderr.String(), "holding the session lock") {
			holders++
		}
	}
	if holders != 1 {
		t.Errorf("%d processes hold the lock while the token command runs, want 1", holders)
	}
	if g, a := w.Server.Calls("GetSessionToken"), w.Server.Calls("AssumeRole"); g != 0 || a != 0 {
		t.Fatalf("STS was called before the code was printed: %d GetSessionToken, %d AssumeRole", g, a)
	}
	w.openGate()
}
