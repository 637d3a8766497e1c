//go:build !windows

package e2e

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// roleDef is a role at the stand-in and the config profile that assumes it from [default].
type roleDef struct {
	profile, arn string
	extra        string // further lines of the profile, each ending in \n
}

// name is the role's name, the last part of its ARN.
func (r roleDef) name() string { return r.arn[strings.LastIndexByte(r.arn, '/')+1:] }

var (
	prodRole  = roleDef{profile: "prod", arn: "arn:aws:iam::123456789012:role/admin"}
	fourRoles = []roleDef{
		prodRole,
		{profile: "ro", arn: "arn:aws:iam::123456789012:role/read"},
		{profile: "deploy", arn: "arn:aws:iam::123456789012:role/deploy"},
		{profile: "audit", arn: "arn:aws:iam::123456789012:role/audit"},
	}
)

// roleWorld is a world whose stand-in knows the roles (MaxSessionDuration 12h, trust policy requiring
// MFA) and whose config has their profiles:
//
//	[profile prod]
//	role_arn = arn:aws:iam::123456789012:role/admin
//	source_profile = default
//	region = us-west-2
//
// With codeCmd, [default] gets its code from mfa_process = codeCmd(w).
func roleWorld(t *testing.T, codeCmd func(*world) string, roles ...roleDef) *world {
	t.Helper()
	w := newWorld(t)
	if codeCmd != nil {
		w.mfaProcess(codeCmd(w))
	}
	conf, err := os.ReadFile(w.ConfPath)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.Write(conf)
	for _, r := range roles {
		w.Server.AddRole(fakeaws.Role{ARN: r.arn, MaxSessionDuration: 43200, RequireMFA: true})
		fmt.Fprintf(&b, "\n[profile %s]\nrole_arn = %s\nsource_profile = default\nregion = us-west-2\n%s", r.profile, r.arn, r.extra)
	}
	w.Write(t, w.ConfPath, b.String())
	return w
}

// waitAnswers waits for the credential-process runs and returns their stdout; each must exit 0.
func waitAnswers(t *testing.T, procs []*proc) []string {
	t.Helper()
	outs := make([]string, len(procs))
	for i, p := range procs {
		if code := p.wait(t); code != 0 {
			t.Errorf("process %d exited %d: %s", i, code, p.stderr.String())
			continue
		}
		outs[i] = p.stdout.String()
	}
	if t.Failed() {
		t.FailNow()
	}
	return outs
}

// roleCacheEntry is the part of stsmfa's role cache file ($XDG_CACHE_HOME/stsmfa/roles/*.session,
// "key = value" lines) the tests look at.
type roleCacheEntry struct {
	Profile        string
	RoleARN        string
	AssumedRoleARN string
	Credentials    struct {
		AccessKeyID     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
}

func parseRoleCacheEntry(data string) (roleCacheEntry, bool) {
	var e roleCacheEntry
	fields := map[string]*string{"profile": &e.Profile, "role_arn": &e.RoleARN, "assumed_role_arn": &e.AssumedRoleARN,
		"access_key_id": &e.Credentials.AccessKeyID, "secret_access_key": &e.Credentials.SecretAccessKey,
		"session_token": &e.Credentials.SessionToken, "expiration": &e.Credentials.Expiration}
	version := false
	for _, line := range strings.Split(data, "\n") {
		k, v, ok := strings.Cut(line, " = ")
		if p := fields[k]; ok && p != nil {
			*p = v
		}
		version = version || line == "version = 1"
	}
	return e, version && e.Profile != "" && e.Credentials.SessionToken != ""
}

func (e roleCacheEntry) process() processJSON {
	c := e.Credentials
	return processJSON{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration}
}

// roleCache reads stsmfa's role cache, by profile. Every file must be private (0600). The role
// sessions' secrets join the ones noSecrets looks for.
func (w *world) roleCache() map[string]roleCacheEntry {
	w.t.Helper()
	files, err := filepath.Glob(filepath.Join(w.Home, ".cache", "stsmfa", "roles", "*.session"))
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]roleCacheEntry{}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			w.t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			w.t.Errorf("role cache file %s has mode %v, want 0600", f, st.Mode().Perm())
		}
		data, err := os.ReadFile(f)
		if err != nil {
			w.t.Fatal(err)
		}
		e, ok := parseRoleCacheEntry(string(data))
		if !ok {
			w.t.Fatalf("role cache file %s is not a version 1 role session file", f)
		}
		if _, dup := out[e.Profile]; dup {
			w.t.Errorf("two role cache files for profile %s", e.Profile)
		}
		out[e.Profile] = e
		w.extraSecrets = append(w.extraSecrets, e.Credentials.SecretAccessKey, e.Credentials.SessionToken)
	}
	return out
}

// cliCacheKey is the AWS CLI's file name (without .json) for a role profile's cached credentials:
// SHA-1 of Python's json.dumps(args, sort_keys=True), args being RoleArn plus, when the profile sets
// them, SerialNumber and DurationSeconds (a number). Only for plain ASCII values.
func cliCacheKey(arn, serial string, duration int) string {
	args := map[string]string{"RoleArn": strconv.Quote(arn)}
	if serial != "" {
		args["SerialNumber"] = strconv.Quote(serial)
	}
	if duration != 0 {
		args["DurationSeconds"] = strconv.Itoa(duration)
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Quote(k) + ": " + args[k]
	}
	sum := sha1.Sum([]byte("{" + strings.Join(parts, ", ") + "}"))
	return hex.EncodeToString(sum[:])
}

// cliCache reads the AWS CLI's cache entry ~/.aws/cli/cache/KEY.json as credential_process JSON.
func (w *world) cliCache(key string) (processJSON, error) {
	data, err := os.ReadFile(filepath.Join(w.Home, ".aws", "cli", "cache", key+".json"))
	if err != nil {
		return processJSON{}, err
	}
	var e struct {
		Credentials struct {
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
			Expiration      string
		}
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return processJSON{}, err
	}
	c := e.Credentials
	return processJSON{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration}, nil
}

// same reports whether two credential_process answers are the same session (expiry compared as times).
func same(a, b processJSON) bool {
	ta, err1 := time.Parse(time.RFC3339, a.Expiration)
	tb, err2 := time.Parse(time.RFC3339, b.Expiration)
	return a.AccessKeyID == b.AccessKeyID && a.SecretAccessKey == b.SecretAccessKey && a.SessionToken == b.SessionToken &&
		err1 == nil && err2 == nil && ta.Equal(tb)
}

// checkRoleServed: the answer is the role session stsmfa cached for r (in its own cache and the AWS
// CLI's, under the key the AWS CLI looks up), a session other than the source's MFA session in [mfa].
// It returns the assumed-role ARN recorded with it.
func checkRoleServed(t *testing.T, w *world, r roleDef, cliKey string, got processJSON) string {
	t.Helper()
	mfa := w.stored("mfa")
	if got.AccessKeyID == mfa.AccessKeyID || got.SessionToken == mfa.SessionToken {
		t.Errorf("profile %s answered the [mfa] session, not a role session", r.profile)
	}
	if !strings.HasPrefix(got.AccessKeyID, "ASIA") {
		t.Errorf("profile %s answered a non-session key %s", r.profile, got.AccessKeyID)
	}
	e, ok := w.roleCache()[r.profile]
	if !ok {
		t.Fatalf("no role session of profile %s in stsmfa's role cache", r.profile)
	}
	if e.RoleARN != r.arn {
		t.Errorf("the role cache of profile %s names role %s, want %s", r.profile, e.RoleARN, r.arn)
	}
	if !same(e.process(), got) {
		t.Errorf("profile %s answered another session than the one in stsmfa's role cache", r.profile)
	}
	cli, err := w.cliCache(cliKey)
	if err != nil {
		t.Errorf("the AWS CLI's cache entry %s.json of profile %s: %v", cliKey, r.profile, err)
	} else if !same(cli, got) {
		t.Errorf("the AWS CLI's cache entry %s.json holds another session than profile %s answered", cliKey, r.profile)
	}
	want := regexp.MustCompile(`^arn:aws:sts::123456789012:assumed-role/` + regexp.QuoteMeta(r.name()) + `/[\w+=,.@-]{2,64}$`)
	if !want.MatchString(e.AssumedRoleARN) {
		t.Errorf("the role cache of profile %s records assumed-role ARN %q", r.profile, e.AssumedRoleARN)
	}
	return e.AssumedRoleARN
}

// callerARN asks the stand-in who the credentials are (GetCallerIdentity signed with them).
func callerARN(t *testing.T, w *world, p processJSON) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := sts.New(sts.Options{
		Region:       "us-west-2",
		BaseEndpoint: aws.String(w.Server.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(p.AccessKeyID, p.SecretAccessKey, p.SessionToken),
	})
	out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the role session: %v", err)
	}
	return aws.ToString(out.Arn)
}

// checkCredentialsFile: the role sessions stay out of the credentials file. It holds exactly
// [default] (the long-term keys) and [mfa] (the source's MFA session), and no role session's secret.
func checkCredentialsFile(t *testing.T, w *world) {
	t.Helper()
	data, err := os.ReadFile(w.CredPath)
	if err != nil {
		t.Fatal(err)
	}
	var sections []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "[") {
			sections = append(sections, line)
		}
	}
	if strings.Join(sections, " ") != "[default] [mfa]" {
		t.Errorf("the credentials file has sections %v, want exactly [default] [mfa]", sections)
	}
	for _, e := range w.roleCache() {
		for _, s := range []string{e.Credentials.AccessKeyID, e.Credentials.SecretAccessKey, e.Credentials.SessionToken} {
			if s != "" && strings.Contains(string(data), s) {
				t.Errorf("the role session of profile %s is in the credentials file", e.Profile)
				break
			}
		}
	}
	if !strings.Contains(string(data), "[default]\naws_access_key_id = "+w.User.AccessKeyID+"\naws_secret_access_key = "+w.User.SecretAccessKey+"\n") {
		t.Error("[default] no longer holds just the long-term keys")
	}
}

// checkCounts: the token command ran once, one code reached the stand-in, GetSessionToken once, and
// AssumeRole once for each role (and no other).
func checkCounts(t *testing.T, w *world, roles ...roleDef) {
	t.Helper()
	if got := w.runs(); got != 1 {
		t.Errorf("the token command ran %d times, want 1", got)
	}
	if total, repeated := w.Server.CodesSent(testkit.Serial); total != 1 || repeated != 0 {
		t.Errorf("the stand-in received %d MFA codes (%d repeated), want 1 (0)", total, repeated)
	}
	if got := w.Server.Calls("GetSessionToken"); got != 1 {
		t.Errorf("GetSessionToken was called %d times, want 1", got)
	}
	if got := w.Server.Calls("AssumeRole"); got != len(roles) {
		t.Errorf("AssumeRole was called %d times, want %d (one per role)", got, len(roles))
	}
	for _, r := range roles {
		if got := w.Server.RoleCalls(r.arn); got != 1 {
			t.Errorf("AssumeRole of %s was called %d times, want 1", r.arn, got)
		}
	}
}

// TestRoleConcurrentOneCode: 32 concurrent `stsmfa credential-process --profile prod` (a role
// profile) with empty caches. The token command is held open until all 32 have found no role session
// and no MFA session and reached the source's lock; then exactly one spends a code on the MFA session
// and calls AssumeRole with it, and all 32 print that one role session.
func TestRoleConcurrentOneCode(t *testing.T) {
	w := roleWorld(t, func(w *world) string { return w.gatedCmd }, prodRole)
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = w.stsmfa("credential-process", "--debug", "--profile", "prod").start(t)
	}
	releaseWhenAllWait(t, w, procs)
	outs := waitAnswers(t, procs)
	for i, out := range outs {
		if out != outs[0] {
			t.Errorf("process %d answered differently from process 0", i)
		}
	}
	got := parseProcess(t, outs[0])
	checkCounts(t, w, prodRole)
	assumed := checkRoleServed(t, w, prodRole, cliCacheKey(prodRole.arn, "", 0), got)
	if arn := callerARN(t, w, got); arn != assumed {
		t.Errorf("the answer signs as %s, want the assumed role %s", arn, assumed)
	}
	checkCredentialsFile(t, w)
	for _, p := range procs {
		w.noSecrets("stderr", p.stderr.String())
	}
}

// TestRoleConcurrentFourRoles: 32 concurrent credential-process runs spread over four role profiles
// of the same source (8 each), with empty caches: one code and one GetSessionToken serve all four
// roles, each role is assumed exactly once, the runs of a role answer identically and different
// roles answer different sessions.
func TestRoleConcurrentFourRoles(t *testing.T) {
	w := roleWorld(t, func(w *world) string { return w.gatedCmd }, fourRoles...)
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = w.stsmfa("credential-process", "--debug", "--profile", fourRoles[i%len(fourRoles)].profile).start(t)
	}
	releaseWhenAllWait(t, w, procs)
	outs := waitAnswers(t, procs)
	checkCounts(t, w, fourRoles...)
	keys := map[string]string{} // AccessKeyId -> profile
	for j, r := range fourRoles {
		first := outs[j]
		for i := j; i < n; i += len(fourRoles) {
			if outs[i] != first {
				t.Errorf("process %d (profile %s) answered differently from process %d of the same profile", i, r.profile, j)
			}
		}
		got := parseProcess(t, first)
		if other, dup := keys[got.AccessKeyID]; dup {
			t.Errorf("profiles %s and %s answered the same session", other, r.profile)
		}
		keys[got.AccessKeyID] = r.profile
		assumed := checkRoleServed(t, w, r, cliCacheKey(r.arn, "", 0), got)
		if arn := callerARN(t, w, got); arn != assumed {
			t.Errorf("the answer for profile %s signs as %s, want the assumed role %s", r.profile, arn, assumed)
		}
	}
	if c := w.roleCache(); len(c) != len(fourRoles) {
		t.Errorf("stsmfa's role cache holds %d sessions, want %d", len(c), len(fourRoles))
	}
	checkCredentialsFile(t, w)
	for _, p := range procs {
		w.noSecrets("stderr", p.stderr.String())
	}
}

// awsNoRealAWS makes any HTTPS request of the AWS CLI fail at once (a proxy nobody listens on), so a
// CLI that missed stsmfa's cache entry and called AssumeRole itself (the AWS CLI 2.9 sends that to the
// real STS, not to --endpoint-url) fails without reaching AWS. The stand-in is plain HTTP.
var awsNoRealAWS = []string{"HTTPS_PROXY=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9"}

// TestRoleAWSCLIUsesCache: after `stsmfa login --profile ROLE`, plain `aws --profile ROLE` (no
// terminal, stdin closed) uses the role session stsmfa put into the AWS CLI's cache: no prompt, no
// AssumeRole, no GetSessionToken. With mfa_serial and duration_seconds in the role profile the AWS
// CLI's cache key includes SerialNumber and DurationSeconds; under a wrong key the AWS CLI would ask
// for an MFA code and fail without a terminal.
func TestRoleAWSCLIUsesCache(t *testing.T) {
	ci.SkipShort(t, "the AWS CLI on role profiles")
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	for _, c := range []struct {
		name   string
		role   roleDef
		cliKey string
	}{
		{"plain", prodRole, cliCacheKey(prodRole.arn, "", 0)},
		{"mfa_serial+duration_seconds",
			roleDef{profile: "prod", arn: prodRole.arn, extra: "mfa_serial = " + testkit.Serial + "\nduration_seconds = 3600\n"},
			cliCacheKey(prodRole.arn, testkit.Serial, 3600)},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := roleWorld(t, nil, c.role)
			login := w.stsmfa("login", "--profile", c.role.profile, w.Code())
			login.mustRun(t)
			if w.Server.Calls("GetSessionToken") != 1 || w.Server.RoleCalls(c.role.arn) != 1 || w.Server.Calls("AssumeRole") != 1 {
				t.Fatalf("login: %d GetSessionToken, %d AssumeRole; want 1 and 1", w.Server.Calls("GetSessionToken"), w.Server.Calls("AssumeRole"))
			}
			e, ok := w.roleCache()[c.role.profile]
			if !ok {
				t.Fatal("login cached no role session")
			}
			if _, err := w.cliCache(c.cliKey); err != nil {
				t.Errorf("no AWS CLI cache entry under the key the AWS CLI looks up (%s): %v", c.cliKey, err)
			}

			exp := w.tool(aws, "configure", "export-credentials", "--profile", c.role.profile, "--format", "process")
			exp.cmd.Env = append(exp.cmd.Env, awsNoRealAWS...)
			if !same(parseProcess(t, exp.mustRun(t)), e.process()) {
				t.Error("the AWS CLI resolved other credentials than the role session stsmfa cached")
			}
			id := w.tool(aws, "sts", "get-caller-identity", "--profile", c.role.profile, "--endpoint-url", w.Server.URL(),
				"--output", "text", "--query", "Arn")
			id.cmd.Env = append(id.cmd.Env, awsNoRealAWS...)
			arn := strings.TrimSpace(id.mustRun(t))
			if !regexp.MustCompile(`^arn:aws:sts::123456789012:assumed-role/admin/[\w+=,.@-]+$`).MatchString(arn) {
				t.Errorf("aws sts get-caller-identity --profile %s: Arn %q, want the assumed role admin", c.role.profile, arn)
			}
			if arn != e.AssumedRoleARN {
				t.Errorf("the AWS CLI signed as %s, not as stsmfa's role session %s", arn, e.AssumedRoleARN)
			}
			if g, a := w.Server.Calls("GetSessionToken"), w.Server.Calls("AssumeRole"); g != 1 || a != 1 {
				t.Errorf("after the AWS CLI: %d GetSessionToken, %d AssumeRole; want 1 and 1 (login's only)", g, a)
			}
			if total, _ := w.Server.CodesSent(testkit.Serial); total != 1 {
				t.Errorf("the stand-in received %d MFA codes, want 1", total)
			}
			checkCredentialsFile(t, w)
			for what, p := range map[string]*proc{"login": login, "aws configure export-credentials": exp, "aws sts get-caller-identity": id} {
				w.noSecrets(what+" stderr", p.stderr.String())
			}
		})
	}
}

// TestRoleSetupCredentialProcessClients: `stsmfa setup-credential-process prod-auto --profile prod`
// makes a credential_process profile for the role; the AWS CLI, boto3 and the Go SDK each get the
// role session through it and sign as the assumed role. One code and one AssumeRole serve all three:
// the role session is cached between them.
func TestRoleSetupCredentialProcessClients(t *testing.T) {
	ci.SkipShort(t, "the AWS CLI, boto3 and the Go SDK on a role")
	awsCLI := testkit.RequireTool(t, "/usr/bin/aws")
	py := testkit.RequireBoto3(t)
	w := roleWorld(t, func(w *world) string { return w.codeCmd }, prodRole)
	setup := w.stsmfa("setup-credential-process", "prod-auto", "--profile", "prod")
	setup.mustRun(t)
	conf, err := os.ReadFile(w.ConfPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[profile prod-auto]\ncredential_process = " + w.bin + " credential-process --profile prod\n"; !strings.Contains(string(conf), want) {
		t.Fatalf("config lacks %q:\n%s", want, conf)
	}
	if setup.stdout.String() != "" {
		t.Errorf("setup-credential-process printed on stdout: %q", setup.stdout.String())
	}
	if w.runs() != 0 || w.Server.Calls("GetSessionToken") != 0 || w.Server.Calls("AssumeRole") != 0 {
		t.Fatal("setup-credential-process spent a code or called STS")
	}
	stderrs := map[string]string{"setup-credential-process": setup.stderr.String()}
	roleARN := regexp.MustCompile(`^arn:aws:sts::123456789012:assumed-role/admin/[\w+=,.@-]+$`)

	type answer struct {
		creds processJSON
		arn   string
	}
	clients := []struct {
		name    string
		resolve func(t *testing.T) answer
	}{
		{"aws-cli", func(t *testing.T) answer {
			exp := w.tool(awsCLI, "configure", "export-credentials", "--profile", "prod-auto", "--format", "process")
			creds := parseProcess(t, exp.mustRun(t))
			id := w.tool(awsCLI, "sts", "get-caller-identity", "--profile", "prod-auto", "--endpoint-url", w.Server.URL(),
				"--output", "text", "--query", "Arn")
			arn := strings.TrimSpace(id.mustRun(t))
			stderrs["aws configure export-credentials"] = exp.stderr.String()
			stderrs["aws sts get-caller-identity"] = id.stderr.String()
			return answer{creds, arn}
		}},
		{"boto3", func(t *testing.T) answer {
			script := `import boto3, json, sys
s = boto3.Session(profile_name="prod-auto")
c = s.get_credentials().get_frozen_credentials()
arn = s.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"]
print(json.dumps({"AccessKeyId": c.access_key, "SecretAccessKey": c.secret_key, "SessionToken": c.token, "Arn": arn}))`
			p := w.tool(py, "-c", script, w.Server.URL())
			out := p.mustRun(t)
			stderrs["boto3"] = p.stderr.String()
			var r struct {
				processJSON
				Arn string
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("boto3 output is not JSON: %v", err)
			}
			return answer{r.processJSON, r.Arn}
		}},
		{"go-sdk", func(t *testing.T) answer {
			p, arn := goSDKResolve(t, w, "prod-auto")
			return answer{p, arn}
		}},
	}
	var want roleCacheEntry
	for i, c := range clients {
		got := c.resolve(t)
		if i == 0 {
			checkRoleServed(t, w, prodRole, cliCacheKey(prodRole.arn, "", 0), got.creds)
			want = w.roleCache()["prod"]
		}
		wc := want.Credentials
		if got.creds.AccessKeyID != wc.AccessKeyID || got.creds.SecretAccessKey != wc.SecretAccessKey || got.creds.SessionToken != wc.SessionToken {
			t.Errorf("%s resolved prod-auto to other credentials than the cached role session (key %s vs %s)", c.name, got.creds.AccessKeyID, wc.AccessKeyID)
		}
		if !roleARN.MatchString(got.arn) || got.arn != want.AssumedRoleARN {
			t.Errorf("%s signed as %q, want the assumed role %s", c.name, got.arn, want.AssumedRoleARN)
		}
		if g, a := w.Server.Calls("GetSessionToken"), w.Server.Calls("AssumeRole"); w.runs() != 1 || g != 1 || a != 1 {
			t.Errorf("after %s: %d code runs, %d GetSessionToken, %d AssumeRole; want 1, 1, 1", c.name, w.runs(), g, a)
		}
	}
	checkCounts(t, w, prodRole)
	checkCredentialsFile(t, w)
	for what, s := range stderrs {
		w.noSecrets(what+" stderr", s)
	}
}
