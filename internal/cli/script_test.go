package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/session"
	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/totp"
)

// The scripts in testdata/script run the real command line in a throwaway HOME against the stand-in
// STS/IAM. Besides testscript's own commands they have:
//
//	exits N PROG ARGS...           run PROG (like exec) and assert its exit code is exactly N
//	code [-spaced] [VAR]           set $VAR (default CODE) to alice's current MFA code ("123 456" with -spaced)
//	step-left MIN MAX              sleep until MIN to MAX is left of the current 30-second MFA time step
//	proc-gone PIDFILE              assert the process whose pid PIDFILE holds no longer runs (Linux /proc)
//	advance DURATION               move the stand-in's clock (and `code`) forward, e.g. 30s: next MFA window
//	now [+|-]DURATION              run later stsmfa commands with their clock at stand-in time ± DURATION
//	calls ACTION N                 assert the stand-in answered ACTION N times
//	fail-next ACTION CODE N        the stand-in answers the next N ACTION calls with an AWS error CODE
//	delay DURATION                 the stand-in delays every answer
//	stub-down                      stop the stand-in (network down)
//	forget-sessions                the stand-in forgets every session it issued (as if revoked)
//	mode FILE OCTAL                assert a file's permission bits
//	no-secrets FILE...             assert no secret of alice or of any issued session appears in FILE
//	env-expiry PROFILE VAR         set $VAR to the stsmfa_expiration stored in PROFILE
//	add-device SERIAL              give alice another MFA device (same seed, so `code` fits it too)
//	no-device                      take all of alice's MFA devices away
//	set-root                       alice's keys become the account's root user's
//	add-user NAME KEYID SECRET     another IAM user of the account, device arn:aws:iam::123456789012:mfa/NAME (alice's seed)
//	ttyin-code FILE [LINE...]      write FILE for ttyin: each LINE, then alice's current code, newline-ended
//	tty-file FILE LINE...          write FILE for ttyin: each LINE newline-ended; ^D is end-of-file (Ctrl-D)
//	cred VAR PROFILE KEY           set $VAR to KEY of PROFILE in $CREDS (fails when absent)
//	expiry-in PROFILE ZONE VAR     set $VAR to PROFILE's stsmfa_expiration in time zone ZONE as "2006-01-02 15:04 MST"
//	at-expiry PROFILE [±DURATION]  run later stsmfa commands with their clock at PROFILE's stsmfa_expiration ± DURATION
//	add-role ARN [require-mfa] [max=SECONDS] [external-id=X] [trust=ARN,ARN...]
//	                               register a role with the stand-in (trust: principal ARNs allowed; default anyone)
//	role-calls ARN N               assert the stand-in got N AssumeRole calls for role ARN (answered or refused)
//	codes-sent N [REPEATED]        assert the stand-in received N MFA codes for $SERIAL (and REPEATED of them re-sent)
//	refused ACTION N               assert the stand-in answered ACTION with an error N times
//	drop-next ACTION N             the stand-in processes the next N ACTION calls, then cuts each answer off mid-body
//	slow-next ACTION DURATION N    the stand-in processes the next N ACTION calls, then holds each answer DURATION
//
// Condition [have:TOOL]: TOOL is on PATH; when it is not, under CI=true the condition fails the script
// instead (no test may skip in CI): [!have:ykman] skip 'needs ykman'. testscript's own [short] is
// go test -short: the scripts that wait out MFA steps or timeouts, or run real tools, start with
// [short] skip '…: runs in the full suite (go test without -short)'.
//
// Environment: $HOME, $CREDS, $CONFIG, $SERIAL, $SEED, $ENDPOINT, $AKID (alice's key id).
// stsmfa runs without a terminal unless the script uses ttyin (a pseudo-terminal).

func TestMain(m *testing.M) {
	// Drop any controlling terminal, so "no terminal" means the same on a laptop and in CI.
	detachTerminal()
	os.Exit(testscript.RunMain(m, map[string]func() int{
		"stsmfa": func() int {
			o := Options{Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr}
			if v := os.Getenv("STSMFA_TEST_NOW"); v != "" {
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					fmt.Fprintln(os.Stderr, "bad STSMFA_TEST_NOW:", err)
					return 99
				}
				o.Now = func() time.Time { return t }
			}
			return Run(o)
		},
		"totp": func() int { // totp SEED [COUNTFILE]: print the code; append a line to COUNTFILE
			if len(os.Args) < 2 {
				return 2
			}
			if len(os.Args) > 2 {
				f, err := os.OpenFile(os.Args[2], os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
				if err == nil {
					fmt.Fprintln(f, "run")
					f.Close()
				}
			}
			at := time.Now()
			if v := os.Getenv("STSMFA_TEST_STUB_OFFSET"); v != "" {
				d, _ := time.ParseDuration(v)
				at = at.Add(d)
			}
			c, err := totp.Code(os.Args[1], at)
			if err != nil {
				return 1
			}
			fmt.Println(c)
			return 0
		},
	}))
}

const worldKey = "world"

func TestScripts(t *testing.T) {
	p := testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Condition: func(cond string) (bool, error) {
			tool, ok := strings.CutPrefix(cond, "have:")
			if !ok {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			if _, err := exec.LookPath(tool); err != nil {
				if os.Getenv("CI") == "true" {
					return false, fmt.Errorf("%s is not installed; under CI=true no test may skip: install it in .ci/run", tool)
				}
				return false, nil
			}
			return true, nil
		},
		Setup: func(e *testscript.Env) error {
			w, err := testkit.Start(filepath.Join(e.WorkDir, "home"))
			if err != nil {
				return err
			}
			e.Defer(w.Close)
			e.Values[worldKey] = w
			for _, kv := range w.Env() {
				k, v, _ := strings.Cut(kv, "=")
				if k == "PATH" {
					continue // testscript's PATH holds the registered commands
				}
				e.Setenv(k, v)
			}
			e.Setenv("CREDS", w.CredPath)
			e.Setenv("CONFIG", w.ConfPath)
			e.Setenv("SERIAL", testkit.Serial)
			e.Setenv("SEED", w.Seed)
			e.Setenv("ENDPOINT", w.Server.URL())
			e.Setenv("AKID", w.User.AccessKeyID)
			e.Setenv("STSMFA_TEST_STUB_OFFSET", "0s")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exits N PROG ARGS...: run PROG like exec and assert its exit code is exactly N
			// (stdout and stderr are kept for the next stdout/stderr/cmp lines).
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: exits N PROG ARGS...")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("%s: %v", args[1], err)
					}
					got = ee.ExitCode()
				}
				if (got == want) == neg {
					ts.Fatalf("%s exited %d, want %d", args[1], got, want)
				}
			},
			"code": func(ts *testscript.TestScript, neg bool, args []string) {
				spaced := len(args) > 0 && args[0] == "-spaced"
				if spaced {
					args = args[1:]
				}
				name := "CODE"
				if len(args) > 0 {
					name = args[0]
				}
				c := world(ts).Code()
				if spaced {
					c = c[:3] + " " + c[3:]
				}
				ts.Setenv(name, c)
			},
			"step-left": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: step-left MIN MAX")
				}
				lo, hi := duration(ts, args, 0), duration(ts, args, 1)
				if lo < 0 || hi > 30*time.Second || lo >= hi {
					ts.Fatalf("step-left: want 0 <= MIN < MAX <= 30s")
				}
				for i := 0; i < 2*30*10; i++ {
					now := world(ts).Now()
					left := 30*time.Second - time.Duration(now.UnixNano()%int64(30*time.Second))
					if left >= lo && left <= hi {
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
				ts.Fatalf("step-left: never between %s and %s", lo, hi)
			},
			"proc-gone": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: proc-gone PIDFILE")
				}
				pid := strings.TrimSpace(ts.ReadFile(args[0]))
				if _, err := strconv.Atoi(pid); err != nil {
					ts.Fatalf("%s holds no pid: %q", args[0], pid)
				}
				// gone, or a zombie nobody reaps: it no longer runs either way
				for i := 0; i < 50; i++ {
					stat, err := os.ReadFile("/proc/" + pid + "/stat")
					if err != nil || strings.Contains(string(stat), ") Z ") {
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
				ts.Fatalf("process %s (from %s) still runs", pid, args[0])
			},
			"advance": func(ts *testscript.TestScript, neg bool, args []string) {
				w := world(ts)
				w.Advance(duration(ts, args, 0))
				ts.Setenv("STSMFA_TEST_STUB_OFFSET", w.Offset().String())
			},
			"now": func(ts *testscript.TestScript, neg bool, args []string) {
				d := time.Duration(0)
				if len(args) > 0 {
					d = duration(ts, args, 0)
				}
				ts.Setenv("STSMFA_TEST_NOW", world(ts).Now().Add(d).UTC().Format(time.RFC3339))
			},
			"calls": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: calls ACTION N")
				}
				want, err := strconv.Atoi(args[1])
				ts.Check(err)
				got := world(ts).Server.Calls(args[0])
				if (got == want) == neg {
					ts.Fatalf("stand-in answered %s %d times, want %s%d", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
				}
			},
			"fail-next": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: fail-next ACTION CODE N")
				}
				n, err := strconv.Atoi(args[2])
				ts.Check(err)
				world(ts).Server.FailNext(args[0], args[1], n)
			},
			"delay": func(ts *testscript.TestScript, neg bool, args []string) {
				world(ts).Server.SetDelay(duration(ts, args, 0))
			},
			"forget-sessions": func(ts *testscript.TestScript, neg bool, args []string) {
				world(ts).Server.ForgetSessions()
			},
			"stub-down": func(ts *testscript.TestScript, neg bool, args []string) {
				world(ts).Server.Close()
			},
			"mode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: mode FILE OCTAL")
				}
				st, err := os.Stat(ts.MkAbs(args[0]))
				ts.Check(err)
				want, err := strconv.ParseUint(args[1], 8, 32)
				ts.Check(err)
				if (uint64(st.Mode().Perm()) == want) == neg {
					ts.Fatalf("%s has mode %04o, want %04o", args[0], st.Mode().Perm(), want)
				}
			},
			"no-secrets": func(ts *testscript.TestScript, neg bool, args []string) {
				w := world(ts)
				secrets := []string{w.User.SecretAccessKey, w.Seed}
				secrets = append(secrets, issuedSecrets(ts)...)
				for _, f := range args {
					data := ts.ReadFile(f)
					for _, s := range secrets {
						if s != "" && strings.Contains(data, s) {
							ts.Fatalf("%s contains a secret", f)
						}
					}
				}
			},
			"env-expiry": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: env-expiry PROFILE VAR")
				}
				data := ts.ReadFile(ts.MkAbs(ts.Getenv("CREDS")))
				inSection := false
				for _, line := range strings.Split(data, "\n") {
					line = strings.TrimSpace(line)
					if strings.HasPrefix(line, "[") {
						inSection = line == "["+args[0]+"]"
					}
					if k, v, ok := strings.Cut(line, "="); ok && inSection && strings.TrimSpace(k) == session.KeyExpiration {
						ts.Setenv(args[1], strings.TrimSpace(v))
						return
					}
				}
				ts.Fatalf("no %s in profile %s", session.KeyExpiration, args[0])
			},
			"add-device": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: add-device SERIAL")
				}
				w := world(ts)
				w.User.MFA = append(w.User.MFA, fakeaws.Device{Serial: args[0], Seed: w.Seed})
				w.Server.AddUser(w.User) // same key id: replaces alice
			},
			"no-device": func(ts *testscript.TestScript, neg bool, args []string) {
				w := world(ts)
				w.User.MFA = nil
				w.Server.AddUser(w.User)
			},
			"add-user": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: add-user NAME KEYID SECRET")
				}
				w := world(ts)
				w.Server.AddUser(fakeaws.User{Account: testkit.Account, Name: args[0], AccessKeyID: args[1], SecretAccessKey: args[2],
					MFA: []fakeaws.Device{{Serial: "arn:aws:iam::" + testkit.Account + ":mfa/" + args[0], Seed: w.Seed}}})
			},
			"set-root": func(ts *testscript.TestScript, neg bool, args []string) {
				w := world(ts)
				w.User.Root = true
				w.Server.AddUser(w.User)
			},
			"ttyin-code": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 1 {
					ts.Fatalf("usage: ttyin-code FILE [LINE...]")
				}
				lines := append(append([]string(nil), args[1:]...), world(ts).Code())
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Join(lines, "\n")+"\n"), 0o600))
			},
			"tty-file": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 {
					ts.Fatalf("usage: tty-file FILE LINE...")
				}
				var b strings.Builder
				for _, l := range args[1:] {
					if l == "^D" {
						b.WriteByte(4) // VEOF at the start of a line: the reader sees end-of-file
						continue
					}
					b.WriteString(l + "\n")
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o600))
			},
			"expiry-in": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: expiry-in PROFILE ZONE VAR")
				}
				f, err := awsfile.Load(ts.Getenv("CREDS"), awsfile.Credentials)
				ts.Check(err)
				v, _ := f.Get(args[0], session.KeyExpiration)
				t, err := time.Parse(time.RFC3339, v)
				ts.Check(err)
				loc, err := time.LoadLocation(args[1])
				ts.Check(err)
				ts.Setenv(args[2], t.In(loc).Format("2006-01-02 15:04 MST"))
			},
			"cred": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: cred VAR PROFILE KEY")
				}
				f, err := awsfile.Load(ts.Getenv("CREDS"), awsfile.Credentials)
				ts.Check(err)
				v, ok := f.Get(args[1], args[2])
				if !ok || v == "" {
					ts.Fatalf("no %s in profile %s of %s", args[2], args[1], ts.Getenv("CREDS"))
				}
				ts.Setenv(args[0], v)
			},
			"add-role": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 1 {
					ts.Fatalf("usage: add-role ARN [require-mfa] [max=SECONDS] [external-id=X] [trust=ARN,ARN...]")
				}
				r := fakeaws.Role{ARN: args[0]}
				for _, a := range args[1:] {
					k, v, _ := strings.Cut(a, "=")
					switch k {
					case "require-mfa":
						r.RequireMFA = true
					case "max":
						n, err := strconv.ParseInt(v, 10, 32)
						ts.Check(err)
						r.MaxSessionDuration = int32(n)
					case "external-id":
						r.ExternalID = v
					case "trust":
						r.Trust = strings.Split(v, ",")
					default:
						ts.Fatalf("add-role: unknown option %q", a)
					}
				}
				world(ts).Server.AddRole(r)
			},
			"role-calls": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: role-calls ARN N")
				}
				want, err := strconv.Atoi(args[1])
				ts.Check(err)
				got := world(ts).Server.RoleCalls(args[0])
				if (got == want) == neg {
					ts.Fatalf("stand-in got %d AssumeRole calls for %s, want %s%d", got, args[0], map[bool]string{true: "not ", false: ""}[neg], want)
				}
			},
			"codes-sent": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 1 || len(args) > 2 {
					ts.Fatalf("usage: codes-sent N [REPEATED]")
				}
				total, repeated := world(ts).Server.CodesSent(testkit.Serial)
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				ok, desc := total == want, args[0]
				if len(args) == 2 {
					wantRep, err := strconv.Atoi(args[1])
					ts.Check(err)
					ok, desc = ok && repeated == wantRep, desc+" ("+args[1]+" repeated)"
				}
				if ok == neg {
					ts.Fatalf("stand-in received %d codes for %s (%d repeated), want %s%s", total, testkit.Serial, repeated,
						map[bool]string{true: "not ", false: ""}[neg], desc)
				}
			},
			"refused": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: refused ACTION N")
				}
				want, err := strconv.Atoi(args[1])
				ts.Check(err)
				got := world(ts).Server.Refused(args[0])
				if (got == want) == neg {
					ts.Fatalf("stand-in refused %s %d times, want %s%d", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
				}
			},
			"drop-next": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: drop-next ACTION N")
				}
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				world(ts).Server.DropNext(args[0], n)
			},
			"slow-next": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: slow-next ACTION DURATION N")
				}
				n, err := strconv.Atoi(args[2])
				ts.Check(err)
				world(ts).Server.SlowNext(args[0], duration(ts, args, 1), n)
			},
			"at-expiry": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 1 || len(args) > 2 {
					ts.Fatalf("usage: at-expiry PROFILE [±DURATION]")
				}
				f, err := awsfile.Load(ts.Getenv("CREDS"), awsfile.Credentials)
				ts.Check(err)
				v, _ := f.Get(args[0], session.KeyExpiration)
				t, err := time.Parse(time.RFC3339, v)
				ts.Check(err)
				if len(args) == 2 {
					t = t.Add(duration(ts, args, 1))
				}
				ts.Setenv("STSMFA_TEST_NOW", t.UTC().Format(time.RFC3339))
			},
		},
	}
	for name, cmd := range consoleCmds { // consolescript_test.go
		p.Cmds[name] = cmd
	}
	testscript.Run(t, p)
}

func world(ts *testscript.TestScript) *testkit.World { return ts.Value(worldKey).(*testkit.World) }

func duration(ts *testscript.TestScript, args []string, i int) time.Duration {
	if len(args) <= i {
		ts.Fatalf("missing duration")
	}
	d, err := time.ParseDuration(strings.TrimPrefix(args[i], "+"))
	ts.Check(err)
	return d
}

// issuedSecrets reads the session secrets the scripts' stsmfa wrote, to check they appear nowhere else.
func issuedSecrets(ts *testscript.TestScript) []string {
	var out []string
	data, err := os.ReadFile(ts.Getenv("CREDS"))
	if err != nil {
		return nil
	}
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
