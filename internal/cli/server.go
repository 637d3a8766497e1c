package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/answer"
	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/credserver"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/session"
)

// exec --server and exec --imds: the command gets no keys, but an endpoint on 127.0.0.1 that
// answers the SDKs' container (or instance metadata) provider from the cache for as long as it
// runs, re-assuming roles with the MFA session and asking for the next code before that runs out.

// serverFlags are exec's --server and --imds.
type serverFlags struct {
	server, imds bool
}

func (s *serverFlags) register(c *cobra.Command) {
	f := c.Flags()
	f.BoolVar(&s.server, "server", false, "serve credentials to COMMAND from a container-credentials endpoint on 127.0.0.1, refreshed for as long as it runs")
	f.BoolVar(&s.imds, "imds", false, "like --server, through an IMDSv2-compatible endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT)")
}

// mode is the server asked for, if any.
func (s *serverFlags) mode() (credserver.Mode, bool, error) {
	switch {
	case s.server && s.imds:
		return 0, false, fault.UsageErr("--server and --imds cannot be used together: choose one endpoint for the command")
	case s.server:
		return credserver.Container, true, nil
	case s.imds:
		return credserver.IMDS, true, nil
	}
	return 0, false, nil
}

// aheadLead: the next code is asked for this long before the MFA session has less than
// session.DefaultMargin left, so that every reader that wants DefaultMargin keeps getting it.
const aheadLead = time.Minute

// noticeAhead: the desktop notification comes this long before the code is asked for.
const noticeAhead = 15 * time.Minute

// requestLockWait bounds how long one request waits for another process's refresh: the SDKs give a
// credentials endpoint a second or a few; what is still valid is served meanwhile.
const requestLockWait = time.Second

// execServe runs the command with a credentials server (exec --server/--imds).
func (a *app) execServe(mode credserver.Mode, req session.Request, path string, args []string) error {
	res, err := a.ensure(req) // as exec: a cached session, else one code now
	if err != nil {
		return err
	}
	// the command, not stsmfa, decides what Ctrl-C means: the server's context is not the run's
	ctx, cancel := context.WithCancel(context.WithoutCancel(a.ctx))
	defer cancel()
	srvApp := *a
	srvApp.ctx = ctx
	p := &provider{a: &srvApp, req: req, last: res}
	name := imdsRoleName(res)
	srv, err := credserver.Start(credserver.Config{Mode: mode, Get: p.get, RoleName: name, Debugf: a.debugf, Now: a.Now})
	if err != nil {
		return err
	}
	dir, set, err := a.childFiles(mode, srv, res)
	if err != nil {
		srv.Close()
		return err
	}
	cleanup := func() {
		cancel()
		srv.Close()
		os.RemoveAll(dir)
	}
	env := answer.ServerChildEnv(os.Environ(), set, res.Region, os.Getenv)
	a.debugf("credentials server (%s) on %s for %s; the command gets %s and none of %s (values not shown)",
		mode, srv.Addr(), res.Plan.Asked, strings.Join(keys(set), ", "), strings.Join(answer.StaleVars, ", "))
	go (&ahead{a: &srvApp, p: p, base: req}).run(ctx)
	return runServed(path, args, env, cleanup)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// childFiles makes the command's private directory (0700, removed when it ends): the token file
// and the shared files without keys; and the variables that name them and the server.
func (a *app) childFiles(mode credserver.Mode, srv *credserver.Server, res *session.Result) (string, map[string]string, error) {
	base := os.Getenv("XDG_RUNTIME_DIR")
	if base == "" || runtime.GOOS == "windows" {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "stsmfa-server-")
	if err != nil {
		return "", nil, fault.FilesErr("cannot make a private directory for the command: %v", err)
	}
	var conf *awsfile.File
	if confPath, err := awsfile.ConfigPath(); err == nil {
		conf, _ = awsfile.Load(confPath, awsfile.Config)
	}
	plan := res.Plan
	files := map[string][]byte{
		"credentials": answer.ServerCredentials,
		"config":      answer.ServerConfig(conf, plan.Asked, plan.Profile, plan.Source),
	}
	set := map[string]string{
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
	}
	if mode == credserver.IMDS {
		set["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = srv.URL()
	} else {
		files["token"] = []byte(srv.Token())
		set["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = srv.URL()
		set["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = filepath.Join(dir, "token")
		// also the token itself: botocore before 1.33 (Debian's AWS CLI 2.9, boto3 1.26) knows no _FILE
		set["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = srv.Token()
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			os.RemoveAll(dir)
			return "", nil, fault.FilesErr("cannot write the command's %s file: %v", name, err)
		}
	}
	return dir, set, nil
}

var roleNameRE = regexp.MustCompile(`[^A-Za-z0-9+=,.@_-]`)

// imdsRoleName is the name IMDS lists: the role's own name, else stsmfa.
func imdsRoleName(res *session.Result) string {
	if res.Plan == nil || !res.Plan.IsRole() {
		return "stsmfa"
	}
	arn := res.Plan.Last().RoleARN
	name := roleNameRE.ReplaceAllString(arn[strings.LastIndex(arn, "/")+1:], "")
	if name == "" {
		return "stsmfa"
	}
	return name
}

// provider answers the server's requests: session.Ensure with exec's request, asking for no code (the
// next code is asked for ahead of time, see ahead), each request waiting at most requestLockWait for
// another process's refresh. When Ensure cannot serve, what was served last is served while valid.
type provider struct {
	a   *app
	req session.Request

	mu       sync.Mutex
	last     *session.Result
	degraded bool          // the last request was answered with the last session
	update   chan struct{} // closed and renewed when CodeFreeUntil may have changed
}

func (p *provider) get(ctx context.Context) (cred.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// the margin is exec's: --min-remaining, else session's default (15 minutes, or a quarter of a
	// shorter session's life)
	req := p.req
	req.NoCode, req.LockTimeout = true, requestLockWait
	res, err := p.a.quietEnsure(ctx, req)
	now := p.a.Now()
	if err == nil {
		changed := !res.CodeFreeUntil.Equal(p.last.CodeFreeUntil)
		p.last, p.degraded = res, false
		if changed {
			p.notify()
		}
		return res.Session, nil
	}
	if last := p.last.Session; last.Expiration.Sub(now) > 5*time.Second {
		if !p.degraded {
			p.a.debugf("server: %v; serving the current session (%s left)", err, cred.Human(last.Expiration.Sub(now)))
		}
		p.degraded = true
		return last, nil
	}
	return cred.Session{}, fault.NoCodeErr("the session of profile %q has ended and no new MFA code could be had (%v); stsmfa asked for one ahead of time, see its messages", p.req.Profile, err)
}

// notify wakes ahead (p.mu held).
func (p *provider) notify() {
	if p.update != nil {
		close(p.update)
		p.update = nil
	}
}

// state is what ahead needs: until when no code is needed, for which profile, and a channel closed
// when that changes.
func (p *provider) state() (until time.Time, profile string, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.update == nil {
		p.update = make(chan struct{})
	}
	return p.last.CodeFreeUntil, p.last.CodeProfile, p.update
}

// renewed records what ahead's refresh made.
func (p *provider) renewed(res *session.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if res.Session.Expiration.After(p.last.CodeFreeUntil) {
		p.last.CodeFreeUntil = res.Session.Expiration
	}
	if res.Plan != nil && res.Plan.Asked == p.last.Plan.Asked { // a role assumed directly: it is the session served
		p.last = res
	}
	p.notify()
}

// quietEnsure is ensure for the server's requests: no prompt can open (NoCode), diagnostics only
// under --debug.
func (a *app) quietEnsure(ctx context.Context, req session.Request) (*session.Result, error) {
	env := &session.Env{
		Now:     a.Now,
		Debugf:  a.debugf,
		Info:    func(m string) { a.debugf("%s", m) },
		Warn:    a.warn,
		Timeout: a.timeout,
		Editor:  a.editor(),
		Dial:    DialAWS,
	}
	return session.Ensure(ctx, env, req)
}

// ahead asks for the next MFA code before the session every answer rides on has less than
// DefaultMargin left: once per expiry, under the source's lock (so several servers and
// credential-process callers share one prompt), through the usual sources (token command, dialog,
// terminal). A desktop notification comes noticeAhead before.
type ahead struct {
	a    *app
	p    *provider
	base session.Request
}

func (h *ahead) run(ctx context.Context) {
	notified := map[time.Time]bool{}
	asked := map[time.Time]bool{}
	for {
		until, profile, changed := h.p.state()
		now := h.a.Now()
		askAt := until.Add(-session.DefaultMargin - aheadLead)
		noticeAt := askAt.Add(-noticeAhead)
		var wait time.Duration
		switch {
		case until.IsZero() || asked[until]:
			wait = time.Hour // nothing to do until the session changes
		case now.Before(noticeAt):
			wait = noticeAt.Sub(now)
		case now.Before(askAt):
			if !notified[until] {
				notified[until] = true
				msg := fmt.Sprintf("the MFA session of profile %s ends at %s; stsmfa will ask for the next code at %s", profile, clock(until), clock(askAt))
				h.a.Stderr.Write([]byte("stsmfa: " + msg + "\n"))
				notifyDesktop(ctx, h.a, msg)
			}
			wait = askAt.Sub(now)
		default:
			asked[until] = true
			h.ask(ctx, profile, until)
			continue
		}
		if wait > 30*time.Second { // wake now and then: a suspended laptop's timers run late
			wait = 30 * time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// ask gets the next session for profile (the source, or a role assumed directly) with the usual
// sources of codes, unless another process already did.
func (h *ahead) ask(ctx context.Context, profile string, until time.Time) {
	left := until.Sub(h.a.Now())
	msg := fmt.Sprintf("the MFA session of profile %s ends in %s (at %s); asking for the next MFA code now", profile, cred.Human(left), clock(until))
	h.a.Stderr.Write([]byte("stsmfa: " + msg + "\n"))
	notifyDesktop(ctx, h.a, msg)
	req := h.base
	if profile != req.Profile {
		req.Profile, req.ProfileFrom = profile, ""
	}
	// reuse only a session that outlives this one (another process's refresh meanwhile)
	req.MinRemaining = max(until.Sub(h.a.Now())+time.Second, aheadLead)
	req.LockTimeout = 10 * time.Minute // another process may be showing the prompt for this expiry
	res, err := h.a.ensure(req)
	if err != nil {
		h.a.warn(fmt.Sprintf("no next MFA code: %s; the command is served the current session until %s", oneLine(describe(err)), clock(until)))
		return
	}
	if res.Reused {
		h.a.Stderr.Write([]byte(fmt.Sprintf("stsmfa: another stsmfa renewed the session of profile %s meanwhile (%s)\n", profile, h.a.untilText(res.Session.Expiration))))
	} else {
		h.a.Stderr.Write([]byte(fmt.Sprintf("stsmfa: new MFA session for profile %s, %s\n", profile, h.a.untilText(res.Session.Expiration))))
	}
	h.p.renewed(res)
}

func clock(t time.Time) string { return t.Local().Format("15:04") }

// notifyDesktop shows msg as a desktop notification where one can be shown (notify-send on Linux
// and BSD, osascript on macOS); quietly nothing otherwise. It never holds a secret.
func notifyDesktop(ctx context.Context, a *app, msg string) {
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name, args = "osascript", []string{"-e", `display notification "` + strings.ReplaceAll(msg, `"`, `'`) + `" with title "stsmfa"`}
	case "windows":
		return
	default:
		name, args = "notify-send", []string{"--app-name=stsmfa", "stsmfa", msg}
	}
	path, err := exec.LookPath(name)
	if err != nil {
		a.debugf("no %s: no desktop notification", name)
		return
	}
	go func() {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := exec.CommandContext(c, path, args...).Run(); err != nil {
			a.debugf("desktop notification (%s) failed: %v", name, err)
		}
	}()
}
