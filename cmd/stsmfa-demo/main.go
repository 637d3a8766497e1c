// Command stsmfa-demo shows stsmfa's whole flow without an AWS account: it starts the stand-in STS/IAM
// on 127.0.0.1, makes a throwaway HOME with a sample IAM user (long-term keys + a virtual MFA device),
// and runs the real commands — login with a generated code, the files before and after, a second login
// that reuses the session, status, env and credential-process. It never touches your ~/.aws: every AWS
// path and variable points into the throwaway HOME, which is deleted at the end (keep it with --keep).
//
//	go run ./cmd/stsmfa-demo
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/stsmfa/stsmfa/internal/cli"
	"github.com/stsmfa/stsmfa/internal/testkit"
)

func main() {
	keep := flag.Bool("keep", false, "keep the throwaway HOME and print its path")
	flag.Parse()
	if err := run(os.Stdout, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "stsmfa-demo:", err)
		os.Exit(1)
	}
}

func run(stdout io.Writer, keep bool) error {
	d := &demo{out: stdout}
	home, err := os.MkdirTemp("", "stsmfa-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(home)
	}
	w, err := testkit.Start(home)
	if err != nil {
		return err
	}
	defer w.Close()
	// Isolate this process before any stsmfa code runs: nothing of the real ~/.aws or shell leaks in.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k != "PATH" && k != "TZ" { // keep the user's PATH and time zone
			os.Setenv(k, v)
		}
	}

	d.say("A throwaway HOME with an IAM user that has long-term keys and a virtual MFA device:\n  %s\n"+
		"and a stand-in for AWS STS/IAM on %s (it checks signatures and MFA codes like AWS).", home, w.Server.URL())
	d.show(w.CredPath)
	d.show(w.ConfPath)

	code := w.Code()
	d.say("Your MFA app shows %s. One command turns it into a 12-hour session:", code)
	d.stsmfa("login", code)
	d.say("The session went into [mfa]; comments, order and the source's keys are untouched (secrets masked here):")
	d.show(w.CredPath)
	d.show(w.ConfPath)

	d.say("Run login again: the session is still valid, so there is no prompt and no AWS call:")
	d.stsmfa("login")

	d.say("What is valid, and for how long:")
	d.stsmfa("status")
	d.say("For shell prompts:")
	d.stsmfa("status", "--prompt")

	d.say("Hand the same session to a shell (eval \"$(stsmfa env)\"), values masked here:")
	d.stsmfa("env")
	d.say("Or to every SDK through credential_process:")
	d.stsmfa("credential-process")

	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		d.say("The real AWS CLI uses the new profile against the stand-in:")
		cmd := exec.Command("/usr/bin/aws", "sts", "get-caller-identity", "--profile", "mfa", "--endpoint-url", w.Server.URL(), "--output", "text")
		cmd.Env = w.Env()
		out, err := cmd.CombinedOutput()
		fmt.Fprintf(d.out, "$ aws sts get-caller-identity --profile mfa\n%s", out)
		if err != nil {
			return fmt.Errorf("aws sts get-caller-identity: %v", err)
		}
	}
	d.say("The stand-in answered %d GetSessionToken call(s) in all.", w.Server.Calls("GetSessionToken"))
	if keep {
		d.say("Kept %s (the stand-in has stopped).", home)
	}
	if len(d.failed) > 0 {
		return fmt.Errorf("these steps failed: %s", strings.Join(d.failed, "; "))
	}
	return nil
}

// demo prints the walk-through.
type demo struct {
	out    io.Writer
	failed []string // commands that exited non-zero
}

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.out, "\n"+format+"\n", args...) }

// secretLine masks values of secret keys and long base64-like strings in what the demo prints.
var secretLine = regexp.MustCompile(`(?m)((?:aws_secret_access_key|aws_session_token|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|"SecretAccessKey"|"SessionToken")\s*[=:]\s*['"]?)([^'"\s,]{8})[^'"\s,]*`)

func mask(s string) string { return secretLine.ReplaceAllString(s, "${1}${2}…") }

func (d *demo) show(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(d.out, "(%s: %v)\n", filepath.Base(path), err)
		return
	}
	fmt.Fprintf(d.out, "--- %s\n%s", strings.Replace(path, os.Getenv("HOME"), "~", 1), mask(string(data)))
}

// stsmfa runs the real command line in this process and prints what it printed.
func (d *demo) stsmfa(args ...string) int {
	var out, errb bytes.Buffer
	fmt.Fprintf(d.out, "$ stsmfa %s\n", strings.Join(args, " "))
	code := cli.Run(cli.Options{Args: args, Stdout: &out, Stderr: &errb})
	fmt.Fprint(d.out, mask(out.String()), mask(errb.String()))
	if code != 0 {
		fmt.Fprintf(d.out, "(exit %d)\n", code)
		d.failed = append(d.failed, "stsmfa "+strings.Join(args, " "))
	}
	return code
}
