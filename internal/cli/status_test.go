package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// These tests call Run directly with an injected clock (no sleeping) against a throwaway HOME whose
// files they write themselves; the scripts in testdata/script/status_*.txtar cover the same command
// after a real login. The snippet tests run docs/status.md's prompt and reminder recipes for real.

// statusNow is the injected clock of the unit tests.
var statusNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// statusHome is a temporary HOME with ~/.aws files, and the environment pointing at it.
type statusHome struct {
	dir, creds, conf string
	secrets          []string // every secret written into creds: must never be printed
}

// newStatusHome makes the HOME and clears every AWS_* variable that status looks at.
func newStatusHome(t *testing.T) *statusHome {
	t.Helper()
	h := &statusHome{dir: t.TempDir()}
	aws := filepath.Join(h.dir, ".aws")
	if err := os.MkdirAll(aws, 0o700); err != nil {
		t.Fatal(err)
	}
	h.creds, h.conf = filepath.Join(aws, "credentials"), filepath.Join(aws, "config")
	t.Setenv("HOME", h.dir)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(h.dir, ".cache"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", h.creds)
	t.Setenv("AWS_CONFIG_FILE", h.conf)
	for _, v := range append(credentialVars, "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CREDENTIAL_EXPIRATION") {
		t.Setenv(v, "") // status treats "" as unset
	}
	return h
}

// source is a section with long-term keys.
func (h *statusHome) source(name string) string {
	secret := "lt/" + name + "+secret=" + strings.Repeat("s", 24)
	h.secrets = append(h.secrets, secret)
	return fmt.Sprintf("[%s]\naws_access_key_id = AKIA%-16s\naws_secret_access_key = %s\n\n", name, strings.ToUpper(name), secret)
}

// target is a section written by login; exp is stsmfa_expiration as stored ("" for none).
func (h *statusHome) target(name, source, exp string) string {
	secret := "st/" + name + "+secret=" + strings.Repeat("t", 24)
	token := "token-of-" + name + "-" + strings.Repeat("x", 40)
	h.secrets = append(h.secrets, secret, token)
	s := fmt.Sprintf("[%s]\naws_access_key_id = ASIA%-16s\naws_secret_access_key = %s\naws_session_token = %s\n", name, strings.ToUpper(name), secret, token)
	if exp != "" {
		s += "stsmfa_expiration = " + exp + "\n"
	}
	return s + "stsmfa_source = " + source + "\nstsmfa_mfa_serial = arn:aws:iam::123456789012:mfa/alice-phone\n\n"
}

func (h *statusHome) write(t *testing.T, creds, conf string) {
	t.Helper()
	for path, data := range map[string]string{h.creds: creds, h.conf: conf} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o600); err != nil { // whatever the umask
			t.Fatal(err)
		}
	}
}

func at(d time.Duration) string { return statusNow.Add(d).UTC().Format(time.RFC3339) }

// runStatus runs `stsmfa ARGS` in this process with the clock at now.
func runStatus(t *testing.T, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	no := false
	code = Run(Options{Args: args, Stdout: &out, Stderr: &errb, Now: func() time.Time { return now }, StderrIsTerminal: &no})
	return code, out.String(), errb.String()
}

func (h *statusHome) noSecrets(t *testing.T, what string, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		for _, s := range h.secrets {
			if strings.Contains(o, s) {
				t.Errorf("%s printed a secret (%.8s...)", what, s)
			}
		}
	}
}

// The schema, independent of the types in status.go: renaming a tag there fails these tests.
type strictStatus struct {
	SchemaVersion int             `json:"schema_version"`
	Now           string          `json:"now"`
	Profiles      []strictProfile `json:"profiles"`
	Problems      []strictProblem `json:"problems"`
}

type strictProfile struct {
	Profile          string  `json:"profile"`
	Source           string  `json:"source"`
	MFASerial        string  `json:"mfa_serial"`
	Expiration       *string `json:"expiration"`
	ExpirationLocal  *string `json:"expiration_local"`
	RemainingSeconds int64   `json:"remaining_seconds"`
	State            string  `json:"state"`
	Kind             string  `json:"kind"`
	RoleARN          string  `json:"role_arn,omitempty"`
}

type strictProblem struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// decodeStrict decodes a status document, failing on unknown fields, on missing fields and on
// fields of the wrong JSON type.
func decodeStrict(t *testing.T, data []byte) strictStatus {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var st strictStatus
	if err := dec.Decode(&st); err != nil {
		t.Fatalf("decoding status --json strictly: %v\n%s", err, data)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document:\n%s", data)
	}
	// every field present, with its documented JSON type (a strict struct alone accepts missing ones)
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	checkKinds(t, "", raw, map[string]string{"schema_version": "number", "now": "string", "profiles": "array", "problems": "array"})
	for i, p := range raw["profiles"].([]any) {
		checkKinds(t, fmt.Sprintf("profiles[%d].", i), p.(map[string]any), map[string]string{
			"profile": "string", "source": "string", "mfa_serial": "string", "expiration": "string|null",
			"expiration_local": "string|null", "remaining_seconds": "number", "state": "string", "kind": "string"})
	}
	for i, p := range raw["problems"].([]any) {
		checkKinds(t, fmt.Sprintf("problems[%d].", i), p.(map[string]any), map[string]string{"kind": "string", "message": "string"})
	}
	return st
}

func checkKinds(t *testing.T, prefix string, obj map[string]any, want map[string]string) {
	t.Helper()
	for k, kinds := range want {
		v, ok := obj[k]
		if !ok {
			t.Errorf("%s%s is missing", prefix, k)
			continue
		}
		kind := "null"
		switch v.(type) {
		case string:
			kind = "string"
		case float64:
			kind = "number"
		case []any:
			kind = "array"
		case map[string]any:
			kind = "object"
		case bool:
			kind = "bool"
		}
		if !strings.Contains("|"+kinds+"|", "|"+kind+"|") {
			t.Errorf("%s%s is a JSON %s, want %s", prefix, k, kind, kinds)
		}
	}
	for k := range obj {
		if _, ok := want[k]; !ok {
			t.Errorf("%s%s is not in the documented schema", prefix, k)
		}
	}
}

// checkInvariants checks what docs/status.md promises about every document.
func checkInvariants(t *testing.T, st strictStatus) {
	t.Helper()
	if st.SchemaVersion != 1 {
		t.Errorf("schema_version = %d, want 1", st.SchemaVersion)
	}
	now, err := time.Parse(time.RFC3339, st.Now)
	if err != nil || !strings.HasSuffix(st.Now, "Z") {
		t.Errorf("now %q is not RFC 3339 UTC: %v", st.Now, err)
	}
	if st.Profiles == nil || st.Problems == nil {
		t.Errorf("profiles and problems must be arrays, never null")
	}
	for _, p := range st.Profiles {
		if p.Profile == "" || p.Source == "" {
			t.Errorf("%+v: profile and source must be set", p)
		}
		switch p.State {
		case StateValid, StateExpiring, StateExpired, StateMissing:
		default:
			t.Errorf("%s: unknown state %q", p.Profile, p.State)
		}
		if (p.Expiration == nil) != (p.State == StateMissing) || (p.Expiration == nil) != (p.ExpirationLocal == nil) {
			t.Errorf("%s: expiration %v, expiration_local %v, state %s: null exactly when missing", p.Profile, p.Expiration, p.ExpirationLocal, p.State)
		}
		if p.RemainingSeconds < 0 {
			t.Errorf("%s: remaining_seconds %d < 0", p.Profile, p.RemainingSeconds)
		}
		if p.Expiration == nil {
			if p.RemainingSeconds != 0 {
				t.Errorf("%s: missing but remaining_seconds %d", p.Profile, p.RemainingSeconds)
			}
			continue
		}
		exp, err := time.Parse(time.RFC3339, *p.Expiration)
		if err != nil || !strings.HasSuffix(*p.Expiration, "Z") {
			t.Errorf("%s: expiration %q is not RFC 3339 UTC: %v", p.Profile, *p.Expiration, err)
		}
		loc, err := time.Parse(time.RFC3339, *p.ExpirationLocal)
		if err != nil || !loc.Equal(exp) {
			t.Errorf("%s: expiration_local %q is not RFC 3339 or not the same instant as %q: %v", p.Profile, *p.ExpirationLocal, *p.Expiration, err)
		}
		left := exp.Sub(now)
		wantSecs := int64(0)
		if left > 0 {
			wantSecs = int64(left / time.Second)
		}
		if p.RemainingSeconds != wantSecs {
			t.Errorf("%s: remaining_seconds %d, want %d", p.Profile, p.RemainingSeconds, wantSecs)
		}
		wantState := StateValid
		switch {
		case left <= 0:
			wantState = StateExpired
		case left <= time.Hour:
			wantState = StateExpiring
		}
		if p.State != wantState {
			t.Errorf("%s: state %s with %s left, want %s", p.Profile, p.State, left, wantState)
		}
	}
	for _, p := range st.Problems {
		switch p.Kind {
		case ProblemFilePermissions, ProblemEnvOverride, ProblemSourceHasSession, ProblemMalformedFile:
		default:
			t.Errorf("unknown problem kind %q", p.Kind)
		}
		if p.Message == "" || strings.Contains(p.Message, "\n") {
			t.Errorf("problem %s: message %q must be one non-empty line", p.Kind, p.Message)
		}
	}
}

// TestStatusJSONSchema runs status --json over every state and problem and checks the document
// field by field against the documented schema.
func TestStatusJSONSchema(t *testing.T) {
	h := newStatusHome(t)
	creds := h.source("default") +
		h.target("mfa", "default", at(3*time.Hour+12*time.Minute)) +
		h.target("mfa-eu", "default", at(30*time.Minute)) +
		h.target("mfa-old", "default", at(-12*time.Hour)) +
		h.target("mfa-garbled", "default", "tomorrow") +
		"[mfa-empty]\nstsmfa_source = default\n\n" +
		h.source("ops") +
		"[work]\naws_access_key_id = ASIAWORKWORKWORKWORK\naws_secret_access_key = w/secret\naws_session_token = work-token-in-a-source\n"
	h.secrets = append(h.secrets, "w/secret", "work-token-in-a-source")
	conf := "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice-phone\n[profile ops]\nmfa_process = ykman oath accounts code -s aws\n"
	h.write(t, creds, conf)
	if err := os.Chmod(h.creds, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT1")
	t.Setenv("AWS_PROFILE", "default")

	code, out, errOut := runStatus(t, statusNow, "status", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("status --json: exit %d, stderr %q", code, errOut)
	}
	h.noSecrets(t, "status --json", out, errOut)
	st := decodeStrict(t, []byte(out))
	checkInvariants(t, st)
	if st.Now != "2030-01-02T03:04:05Z" {
		t.Errorf("now = %q, want the injected clock", st.Now)
	}

	type row struct {
		profile, source, serial, state, exp string // exp "" for null
		secs                                int64
	}
	serial := "arn:aws:iam::****9012:mfa/alice-phone"
	want := []row{
		{"mfa", "default", serial, StateValid, at(3*time.Hour + 12*time.Minute), 3*3600 + 12*60},
		{"mfa-eu", "default", serial, StateExpiring, at(30 * time.Minute), 1800},
		{"mfa-old", "default", serial, StateExpired, at(-12 * time.Hour), 0},
		{"mfa-garbled", "default", serial, StateMissing, "", 0},
		{"mfa-empty", "default", "", StateMissing, "", 0},
		{"ops-mfa", "ops", "", StateMissing, "", 0},
	}
	var got []row
	for _, p := range st.Profiles {
		r := row{p.Profile, p.Source, p.MFASerial, p.State, "", p.RemainingSeconds}
		if p.Expiration != nil {
			r.exp = *p.Expiration
		}
		got = append(got, r)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("profiles:\n got %+v\nwant %+v", got, want)
	}

	kinds := map[string]int{}
	for _, p := range st.Problems {
		kinds[p.Kind]++
	}
	if want := map[string]int{ProblemFilePermissions: 1, ProblemEnvOverride: 2}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("problem kinds %v, want %v: %+v", kinds, want, st.Problems)
	}
	// work holds session credentials but is nobody's source: not a problem status can attribute.
	// Make it one and check again.
	h.write(t, creds+"\n[work-mfa]\nstsmfa_source = work\n", conf)
	_, out, _ = runStatus(t, statusNow, "status", "--json")
	st = decodeStrict(t, []byte(out))
	checkInvariants(t, st)
	found := false
	for _, p := range st.Problems {
		found = found || (p.Kind == ProblemSourceHasSession && strings.Contains(p.Message, "source profile work "))
	}
	if !found {
		t.Errorf("no source_has_session problem for work: %+v", st.Problems)
	}
}

// TestStatusJSONGolden decodes the golden document of testdata/script/status_json.txtar strictly, so
// the golden file and the schema cannot drift apart.
func TestStatusJSONGolden(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/script/status_json.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var golden []byte
	for _, f := range ar.Files {
		if f.Name == "want.json" {
			golden = bytes.ReplaceAll(f.Data, []byte("$CONFIG"), []byte("/home/alice/.aws/config"))
		}
	}
	if golden == nil {
		t.Fatal("status_json.txtar has no want.json")
	}
	st := decodeStrict(t, golden)
	checkInvariants(t, st)
	states := map[string]bool{}
	for _, p := range st.Profiles {
		states[p.State] = true
	}
	kinds := map[string]bool{}
	for _, p := range st.Problems {
		kinds[p.Kind] = true
	}
	for _, s := range []string{StateValid, StateExpiring, StateExpired, StateMissing} {
		if !states[s] {
			t.Errorf("the golden file has no %s profile", s)
		}
	}
	for _, k := range []string{ProblemFilePermissions, ProblemEnvOverride, ProblemSourceHasSession} {
		if !kinds[k] {
			t.Errorf("the golden file has no %s problem", k)
		}
	}
}

// TestStatusDocsSchemaTable checks that docs/status.md documents every field of the JSON document
// and nothing else.
func TestStatusDocsSchemaTable(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testkit.ModuleRoot(t), "docs", "status.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "<!-- schema:")
	if !ok {
		t.Fatal("docs/status.md has no <!-- schema: --> table")
	}
	documented := map[string]bool{}
	re := regexp.MustCompile("^\\| `([a-z_\\[\\].]+)` \\|")
	started := false
	for _, line := range strings.Split(table, "\n")[1:] {
		if !strings.HasPrefix(line, "|") {
			if started {
				break
			}
			continue
		}
		started = true
		if m := re.FindStringSubmatch(line); m != nil {
			documented[m[1]] = true
		}
	}
	want := map[string]bool{}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := prefix + strings.Split(f.Tag.Get("json"), ",")[0]
			want[name] = true
			if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
				walk(name+"[].", f.Type.Elem())
			}
		}
	}
	walk("", reflect.TypeOf(statusJSON{})) // the type status.go encodes
	walk("", reflect.TypeOf(strictStatus{}))
	var missing, extra []string
	for k := range want {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("docs/status.md schema table: undocumented fields %v; documented but not in the output %v", missing, extra)
	}
}

// TestStatusStates moves the injected clock across every state boundary and checks that the
// listing, --json, --prompt and --check agree.
func TestStatusStates(t *testing.T) {
	cases := []struct {
		left   time.Duration // expiry - now
		state  string
		prompt string
		check  int // exit code of --check (min-remaining 0)
	}{
		{3*time.Hour + 12*time.Minute + 59*time.Second, StateValid, "mfa 3h12m", 0},
		{time.Hour + time.Second, StateValid, "mfa 1h00m", 0},
		{time.Hour, StateExpiring, "mfa 1h00m", 0},
		{30 * time.Minute, StateExpiring, "mfa 30m", 0},
		{59 * time.Second, StateExpiring, "mfa 59s", 0},
		{time.Second, StateExpiring, "mfa 1s", 0},
		{0, StateExpired, "mfa expired", 1},
		{-time.Second, StateExpired, "mfa expired", 1},
		{-72 * time.Hour, StateExpired, "mfa expired", 1},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.left), func(t *testing.T) {
			h := newStatusHome(t)
			h.write(t, h.source("default")+h.target("mfa", "default", at(c.left)), "")
			code, out, errOut := runStatus(t, statusNow, "status", "--json")
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			st := decodeStrict(t, []byte(out))
			checkInvariants(t, st)
			if len(st.Profiles) != 1 || st.Profiles[0].State != c.state {
				t.Fatalf("profiles %+v, want one in state %s", st.Profiles, c.state)
			}
			code, out, errOut = runStatus(t, statusNow, "status")
			if code != 0 || !regexp.MustCompile(`(?m)^mfa +default +\S+ +\d{4}-\d\d-\d\d \d\d:\d\d UTC +\S+ +`+c.state+`$`).MatchString(out) {
				t.Errorf("listing: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			code, out, errOut = runStatus(t, statusNow, "status", "--prompt")
			if code != 0 || out != c.prompt+"\n" || errOut != "" {
				t.Errorf("--prompt: exit %d, stdout %q (want %q), stderr %q", code, out, c.prompt, errOut)
			}
			for _, p := range []string{"mfa", "default"} {
				code, out, errOut = runStatus(t, statusNow, "status", "--check", "--profile", p)
				if code != c.check || out != "" || errOut != "" {
					t.Errorf("--check -p %s: exit %d (want %d), stdout %q, stderr %q", p, code, c.check, out, errOut)
				}
			}
			h.noSecrets(t, "status", out, errOut)
		})
	}

	t.Run("missing", func(t *testing.T) {
		h := newStatusHome(t)
		for _, creds := range []string{
			h.source("default"), // nothing managed at all
			h.source("default") + "[mfa]\nstsmfa_source = default\n",                                                              // no keys
			h.source("default") + h.target("mfa", "default", ""),                                                                  // no expiry
			h.source("default") + h.target("mfa", "default", "2030-01-02 06:00"),                                                  // unreadable expiry
			h.source("default") + strings.Replace(h.target("mfa", "default", at(time.Hour*5)), "aws_session_token", "x_token", 1), // no token
		} {
			h.write(t, creds, "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice-phone\n")
			code, out, errOut := runStatus(t, statusNow, "status", "--json")
			st := decodeStrict(t, []byte(out))
			checkInvariants(t, st)
			if code != 0 || len(st.Profiles) != 1 || st.Profiles[0].State != StateMissing || st.Profiles[0].Profile != "mfa" {
				t.Errorf("exit %d, profiles %+v, stderr %q; want mfa missing", code, st.Profiles, errOut)
			}
			if code, out, errOut := runStatus(t, statusNow, "status", "--prompt"); code != 0 || out != "" || errOut != "" {
				t.Errorf("--prompt with a missing session: exit %d, stdout %q, stderr %q; want nothing", code, out, errOut)
			}
			for _, p := range []string{"mfa", "default"} {
				if code, out, _ := runStatus(t, statusNow, "status", "--check", "-p", p); code != 1 || out != "" {
					t.Errorf("--check -p %s with a missing session: exit %d, stdout %q; want 1", p, code, out)
				}
			}
		}
	})

	t.Run("nothing managed", func(t *testing.T) {
		h := newStatusHome(t)
		h.write(t, h.source("default"), "[default]\nregion = eu-west-1\n")
		code, out, errOut := runStatus(t, statusNow, "status")
		if code != 0 || out != "" || !strings.Contains(errOut, "no MFA sessions yet; get one with: stsmfa login") {
			t.Errorf("listing: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		code, out, _ = runStatus(t, statusNow, "status", "--json")
		if st := decodeStrict(t, []byte(out)); code != 0 || len(st.Profiles) != 0 {
			t.Errorf("--json: exit %d, %+v", code, st)
		}
		if code, out, errOut := runStatus(t, statusNow, "status", "--prompt"); code != 0 || out != "" || errOut != "" {
			t.Errorf("--prompt: exit %d, stdout %q, stderr %q; want nothing, 0", code, out, errOut)
		}
		// no credentials file at all
		if err := os.Remove(h.creds); err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := runStatus(t, statusNow, "status", "--prompt"); code != 0 || out != "" || errOut != "" {
			t.Errorf("--prompt without a credentials file: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if code, _, _ := runStatus(t, statusNow, "status", "--check"); code != 1 {
			t.Errorf("--check without a credentials file: exit %d, want 1", code)
		}
	})
}

// TestStatusCheck covers --check's exit codes with and without --min-remaining, for target and
// source names, and how the profile is chosen.
func TestStatusCheck(t *testing.T) {
	h := newStatusHome(t)
	h.write(t, h.source("default")+h.source("work")+
		h.target("mfa", "default", at(30*time.Minute))+
		h.target("mfa-long", "default", at(5*time.Hour))+
		h.target("mfa-gone", "default", at(-time.Hour))+
		h.target("work-mfa", "work", at(-time.Minute)), "")
	cases := []struct {
		args []string
		env  string // AWS_PROFILE
		code int
	}{
		{[]string{"-p", "mfa"}, "", 0},
		{[]string{"-p", "mfa", "--min-remaining", "29m59s"}, "", 0},
		{[]string{"-p", "mfa", "--min-remaining", "30m"}, "", 1}, // must be strictly longer
		{[]string{"-p", "mfa", "--min-remaining", "1h"}, "", 1},
		{[]string{"-p", "mfa-long", "--min-remaining", "4h59m"}, "", 0},
		{[]string{"-p", "mfa-long", "--min-remaining", "5h"}, "", 1},
		{[]string{"-p", "mfa-gone"}, "", 1},
		// a source: its longest-lived session (mfa-long), whichever target holds it
		{[]string{"-p", "default"}, "", 0},
		{[]string{"-p", "default", "--min-remaining", "4h"}, "", 0},
		{[]string{"-p", "default", "--min-remaining", "5h"}, "", 1},
		{[]string{"-p", "work"}, "", 1},
		{[]string{"-p", "work-mfa"}, "", 1},
		{[]string{"-p", "nosuch"}, "", 1},
		// no --profile: $AWS_PROFILE, else default
		{[]string{"--min-remaining", "4h"}, "", 0},
		{[]string{"--min-remaining", "4h"}, "mfa", 1},
		{nil, "mfa", 0},
		{nil, "work", 1},
		{[]string{"-p", "mfa-long", "--min-remaining", "4h"}, "mfa", 0}, // the flag beats the variable
	}
	for _, c := range cases {
		t.Setenv("AWS_PROFILE", c.env)
		code, out, errOut := runStatus(t, statusNow, append([]string{"status", "--check"}, c.args...)...)
		if code != c.code || out != "" || errOut != "" {
			t.Errorf("AWS_PROFILE=%q status --check %v: exit %d (want %d), stdout %q, stderr %q", c.env, c.args, code, c.code, out, errOut)
		}
	}

	t.Setenv("AWS_PROFILE", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "mfa-long 5h00m\n"},
		{[]string{"-p", "default"}, "mfa-long 5h00m\n"},
		{[]string{"-p", "mfa"}, "mfa 30m\n"},
		{[]string{"-p", "work"}, "work-mfa expired\n"},
		{[]string{"-p", "nosuch"}, ""},
	} {
		code, out, errOut := runStatus(t, statusNow, append([]string{"status", "--prompt"}, c.args...)...)
		if code != 0 || out != c.want || errOut != "" {
			t.Errorf("status --prompt %v: exit %d, stdout %q (want %q), stderr %q", c.args, code, out, c.want, errOut)
		}
	}
}

func TestStatusUsageErrors(t *testing.T) {
	h := newStatusHome(t)
	h.write(t, h.source("default")+h.target("mfa", "default", at(time.Hour*5)), "")
	for _, args := range [][]string{
		{"--check", "--prompt"},
		{"--json", "--check"},
		{"--json", "--prompt"},
		{"--prompt", "--min-remaining", "1h"},
		{"--min-remaining", "1h"},
		{"--check", "--min-remaining", "-1s"},
		{"--check", "--min-remaining", "30"},
		{"--check", "--min-remaining", "soon"},
		{"--nosuch"},
		{"mfa"},
	} {
		code, out, errOut := runStatus(t, statusNow, append([]string{"status"}, args...)...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "stsmfa: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("status %v: exit %d (want 2), stdout %q, stderr %q (want one stsmfa: line)", args, code, out, errOut)
		}
	}
}

// TestStatusMalformedCredentials: every form exits 3 naming file:line, and never echoes the line.
func TestStatusMalformedCredentials(t *testing.T) {
	h := newStatusHome(t)
	secret := "dup/SECRET+value=" + strings.Repeat("z", 23)
	h.secrets = append(h.secrets, secret, "first/secret")
	h.write(t, "[default]\naws_access_key_id = AKIAALICEALICEALICEA\naws_secret_access_key = first/secret\n"+
		"[mfa]\nstsmfa_source = default\naws_secret_access_key = "+secret+"\naws_secret_access_key = "+secret+"\n", "")
	for _, args := range [][]string{{"--check"}, {"--check", "-p", "mfa", "--min-remaining", "1m"}, {"--prompt"}, {"--json"}, {}} {
		code, out, errOut := runStatus(t, statusNow, append([]string{"status"}, args...)...)
		want := h.creds + ":7: duplicate key in section (first at line 6)"
		if code != 3 || out != "" || !strings.HasPrefix(errOut, "stsmfa: "+want) {
			t.Errorf("status %v: exit %d (want 3), stdout %q, stderr %q (want %q)", args, code, out, errOut, want)
		}
		h.noSecrets(t, fmt.Sprint("status ", args), out, errOut)
	}
}

// TestStatusCheckReadsOnlyCredentials: --check and --prompt must not depend on the config file (a
// directory here, which cannot be read) — they run on every prompt. The listing reports it instead.
func TestStatusCheckReadsOnlyCredentials(t *testing.T) {
	h := newStatusHome(t)
	h.write(t, h.source("default")+h.target("mfa", "default", at(2*time.Hour)), "")
	dir := filepath.Join(h.dir, "config-is-a-directory")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", dir)
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1") // nothing listens: a network call would fail
	if code, out, errOut := runStatus(t, statusNow, "status", "--check", "--min-remaining", "1h"); code != 0 || out != "" || errOut != "" {
		t.Errorf("--check: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, errOut := runStatus(t, statusNow, "status", "--prompt"); code != 0 || out != "mfa 2h00m\n" || errOut != "" {
		t.Errorf("--prompt: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ := runStatus(t, statusNow, "status", "--json")
	st := decodeStrict(t, []byte(out))
	if code != 0 || len(st.Problems) != 1 || st.Problems[0].Kind != ProblemMalformedFile || !strings.Contains(st.Problems[0].Message, dir) {
		t.Errorf("--json: exit %d, problems %+v; want one malformed_file naming %s", code, st.Problems, dir)
	}
}

// TestStatusProblems checks each problem alone, as a warning and in --json.
func TestStatusProblems(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, h *statusHome)
		kind  string
		msg   string // regexp on the message
	}{
		{"credentials 0644", func(t *testing.T, h *statusHome) { chmod(t, h.creds, 0o644) }, ProblemFilePermissions,
			`^/.*/\.aws/credentials is open to other users \(mode 0644\); fix with: chmod 600 /.*/\.aws/credentials$`},
		{"config 0604", func(t *testing.T, h *statusHome) { chmod(t, h.conf, 0o604) }, ProblemFilePermissions, `config is open to other users \(mode 0604\)`},
		{"AWS_ACCESS_KEY_ID", func(t *testing.T, h *statusHome) { t.Setenv("AWS_ACCESS_KEY_ID", "AKIASHOWNOWHERE12345") }, ProblemEnvOverride,
			`^AWS_ACCESS_KEY_ID is set in this environment and overrides every profile for AWS tools; clear with: eval "\$\(stsmfa env --unset\)"$`},
		{"stale session variables", func(t *testing.T, h *statusHome) {
			t.Setenv("AWS_SESSION_TOKEN", "env-token-shown-nowhere")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "env/secret/shown/nowhere")
			t.Setenv("AWS_CREDENTIAL_EXPIRATION", at(-90*time.Minute))
			h.secrets = append(h.secrets, "env-token-shown-nowhere", "env/secret/shown/nowhere")
		}, ProblemEnvOverride, `^AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN are set .* \(AWS_CREDENTIAL_EXPIRATION says they expired 1h30m ago\); clear with`},
		{"AWS_PROFILE source", func(t *testing.T, h *statusHome) { t.Setenv("AWS_PROFILE", "default") }, ProblemEnvOverride,
			`^AWS_PROFILE=default makes AWS tools use the long-term keys of source profile default, not its MFA session; use AWS_PROFILE=mfa$`},
		{"AWS_PROFILE other", func(t *testing.T, h *statusHome) { t.Setenv("AWS_PROFILE", "sso-prod") }, ProblemEnvOverride,
			`^AWS_PROFILE=sso-prod is set in this environment: AWS tools use profile sso-prod, which holds no stsmfa session$`},
		{"AWS_DEFAULT_PROFILE source", func(t *testing.T, h *statusHome) { t.Setenv("AWS_DEFAULT_PROFILE", "default") }, ProblemEnvOverride,
			`^AWS_DEFAULT_PROFILE=default makes AWS tools use`},
		{"source holds a session token", func(t *testing.T, h *statusHome) {
			h.write(t, h.source("default")+"aws_session_token = pasted-token-xxxxxxxx\n"+h.target("mfa", "default", at(2*time.Hour)), "")
			h.secrets = append(h.secrets, "pasted-token-xxxxxxxx")
		}, ProblemSourceHasSession, `^source profile default holds session credentials, not long-term keys; login needs the IAM user's keys there \(aws configure --profile default\)$`},
		{"source holds an ASIA key", func(t *testing.T, h *statusHome) {
			h.write(t, strings.Replace(h.source("default"), "AKIA", "ASIA", 1)+h.target("mfa", "default", at(2*time.Hour)), "")
		}, ProblemSourceHasSession, `^source profile default holds session credentials`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && c.kind == ProblemFilePermissions {
				t.Skip("no permission bits on Windows")
			}
			h := newStatusHome(t)
			h.write(t, h.source("default")+h.target("mfa", "default", at(2*time.Hour)), "")
			// no problem to begin with; AWS_PROFILE naming the target is the intended use
			t.Setenv("AWS_PROFILE", "mfa")
			if code, out, errOut := runStatus(t, statusNow, "status"); code != 0 || errOut != "" || out == "" {
				t.Fatalf("clean HOME: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			t.Setenv("AWS_PROFILE", "")
			c.setup(t, h)
			code, out, errOut := runStatus(t, statusNow, "status", "--json")
			st := decodeStrict(t, []byte(out))
			checkInvariants(t, st)
			if code != 0 || errOut != "" || len(st.Problems) != 1 || st.Problems[0].Kind != c.kind || !regexp.MustCompile(c.msg).MatchString(st.Problems[0].Message) {
				t.Fatalf("exit %d, stderr %q, problems %+v; want one %s matching %s", code, errOut, st.Problems, c.kind, c.msg)
			}
			code, out2, errOut := runStatus(t, statusNow, "status")
			if code != 0 || errOut != "stsmfa: warning: "+st.Problems[0].Message+"\n" {
				t.Errorf("listing: exit %d, stderr %q; want the same problem as a warning", code, errOut)
			}
			// --check and --prompt stay quiet about problems
			if code, o, e := runStatus(t, statusNow, "status", "--check", "-p", "mfa"); code != 0 || o != "" || e != "" {
				t.Errorf("--check: exit %d, stdout %q, stderr %q", code, o, e)
			}
			if code, o, e := runStatus(t, statusNow, "status", "--prompt", "-p", "mfa"); code != 0 || o != "mfa 2h00m\n" || e != "" {
				t.Errorf("--prompt: exit %d, stdout %q, stderr %q", code, o, e)
			}
			h.noSecrets(t, "status", out, out2, errOut)
			for _, v := range []string{"AKIASHOWNOWHERE12345", "env-token", "env/secret"} {
				if strings.Contains(out+out2+errOut, v) {
					t.Errorf("the value of an environment variable was printed: %s", v)
				}
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// ---- whole-process tests: the built binary, real shells, docs/status.md's snippets ----

// binHome is a HOME for the real binary: ~/go/bin/stsmfa (where `go install` puts it), ~/.aws with
// a session that ends in left (nothing when left is 0), and a clean environment.
type binHome struct {
	dir string
	env []string
}

func newBinHome(t *testing.T) *binHome {
	t.Helper()
	bin := testkit.Binary(t)
	b := &binHome{dir: t.TempDir()}
	for _, d := range []string{".aws", "go/bin", "bin"} {
		if err := os.MkdirAll(filepath.Join(b.dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(bin, filepath.Join(b.dir, "go", "bin", "stsmfa")); err != nil {
		t.Fatal(err)
	}
	b.env = append([]string{"HOME=" + b.dir, "TZ=UTC", "LANG=C", "TERM=dumb", "USER=alice", "LOGNAME=alice"}, append(testkit.CoverEnv(), testkit.RaceEnv()...)...)
	return b
}

// The secrets binHome writes: no recipe may print them.
const (
	binSecret        = "long/term+secret=xxxxxxxxxxxxxxxxxxxxxx"
	binSessionSecret = "sess/secret=yyyyyyyyyyyyyyyyyyyyyyyyy"
	binToken         = "session-token-zzzzzzzzzzzzzzzzzzzz"
)

// session writes a credentials file whose [mfa] session ends left from now (real clock).
func (b *binHome) session(t *testing.T, left time.Duration, withSession bool) {
	t.Helper()
	creds := "[default]\naws_access_key_id = AKIAALICEALICEALICEA\naws_secret_access_key = " + binSecret + "\n"
	if withSession {
		creds += "[mfa]\naws_access_key_id = ASIAALICEALICEALICE1\naws_secret_access_key = " + binSessionSecret + "\n" +
			"aws_session_token = " + binToken + "\nstsmfa_expiration = " + time.Now().Add(left).UTC().Format(time.RFC3339) +
			"\nstsmfa_source = default\nstsmfa_mfa_serial = arn:aws:iam::123456789012:mfa/alice-phone\n"
	}
	if err := os.WriteFile(filepath.Join(b.dir, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (b *binHome) run(t *testing.T, path string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(append([]string{}, b.env...), "PATH="+path)
	cmd.Dir = b.dir
	testkit.Detach(cmd)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if all := out.String() + errb.String(); strings.Contains(all, binSecret) || strings.Contains(all, binSessionSecret) || strings.Contains(all, binToken) {
		t.Errorf("%s %v printed a secret:\n%s\n%s", name, args, out.String(), errb.String())
	}
	return out.String(), errb.String(), err
}

func unixOnly(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shells, cron and systemd are Unix tools")
	}
}

// TestStatusPromptSnippets runs docs/status.md's prompt snippets in real bash, zsh and fish against a
// HOME with a session that has 3h12m left, then an expired one, then none.
func TestStatusPromptSnippets(t *testing.T) {
	unixOnly(t)
	shells := []struct {
		name, path string
		render     func(file string) []string // argv that loads the snippet and prints the rendered prompt
		want       func(prompt string) string // the full rendered output for stsmfa's part
	}{
		{"bash", "/usr/bin/bash", func(f string) []string {
			// load twice: the snippet must not stack itself. ${PS1@P} expands the prompt as bash does;
			// the user's own prompt part shows $?, which the snippet must leave alone.
			return []string{"--norc", "--noprofile", "-c", `PS1='[$?]> '; . "$1"; . "$1"; (exit 7); printf '%s' "${PS1@P}"`, "bash", f}
		}, func(p string) string {
			if p == "" {
				return "[7]> "
			}
			return "(" + p + ") [7]> "
		}},
		{"zsh", "/usr/bin/zsh", func(f string) []string {
			return []string{"-f", "-c", `source "$1"; print -rnP -- "$RPROMPT"`, "zsh", f}
		}, func(p string) string { return p }},
		{"fish", "/usr/bin/fish", func(f string) []string {
			return []string{"-N", "-c", `source $argv[1]; fish_right_prompt`, f}
		}, func(p string) string {
			if p == "" {
				return ""
			}
			return p + "\n"
		}},
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			shell := testkit.RequireTool(t, sh.path)
			b := newBinHome(t)
			file := filepath.Join(b.dir, "snippet."+sh.name)
			if err := os.WriteFile(file, []byte(testkit.Snippet(t, sh.name)), 0o600); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(b.dir, "go", "bin") + ":/usr/bin:/bin"
			for _, c := range []struct {
				left        time.Duration
				withSession bool
				want        string
			}{
				// 50s of slack: the real clock runs on between writing the file and the prompt
				{3*time.Hour + 12*time.Minute + 50*time.Second, true, "mfa 3h12m"},
				{-time.Minute, true, "mfa expired"},
				{0, false, ""},
			} {
				b.session(t, c.left, c.withSession)
				out, errOut, err := b.run(t, path, shell, sh.render(file)...)
				if err != nil || out != sh.want(c.want) || errOut != "" {
					t.Errorf("%s prompt with %s left: %v, stdout %q (want %q), stderr %q", sh.name, c.left, err, out, sh.want(c.want), errOut)
				}
			}
			// stsmfa not installed: the prompt stays clean
			out, errOut, err := b.run(t, "/usr/bin:/bin", shell, sh.render(file)...)
			if err != nil || out != sh.want("") || errOut != "" {
				t.Errorf("%s prompt without stsmfa on PATH: %v, stdout %q, stderr %q", sh.name, err, out, errOut)
			}
		})
	}
}

// reminderCase is one situation a reminder recipe meets.
type reminderCase struct {
	name        string
	left        time.Duration
	withSession bool
	notifyRC    int    // exit status of the notify-send stand-in
	notified    bool   // notify-send must have been called
	printed     string // substring of stdout ("" = stdout must be empty)
}

var reminderCases = []reminderCase{
	{"valid for hours", 3 * time.Hour, true, 0, false, ""},
	{"ends in 20m", 20 * time.Minute, true, 0, true, ""},
	{"ends in 20m, no desktop", 20 * time.Minute, true, 1, true, "stsmfa: the AWS MFA session ends within 30 minutes; run: stsmfa login"},
	{"expired", -time.Minute, true, 0, false, ""},
	{"no session", 0, false, 0, false, ""},
}

// runReminder runs one recipe (argv built by cmd) through every reminderCase, with a notify-send
// stand-in in ~/bin that records its arguments.
func runReminder(t *testing.T, startPath string, cmd func(b *binHome) []string) {
	for _, c := range reminderCases {
		t.Run(c.name, func(t *testing.T) {
			b := newBinHome(t)
			log := filepath.Join(b.dir, "notified")
			stub := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" \"bus=$DBUS_SESSION_BUS_ADDRESS\" >> %q\nexit %d\n", log, c.notifyRC)
			if err := os.WriteFile(filepath.Join(b.dir, "bin", "notify-send"), []byte(stub), 0o700); err != nil {
				t.Fatal(err)
			}
			b.session(t, c.left, c.withSession)
			argv := cmd(b)
			out, errOut, err := b.run(t, startPath, argv[0], argv[1:]...)
			if err != nil {
				t.Errorf("recipe failed: %v, stderr %q", err, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			if c.printed == "" && out != "" || !strings.Contains(out, c.printed) {
				t.Errorf("stdout %q, want %q", out, c.printed)
			}
			notes, _ := os.ReadFile(log)
			if (len(notes) > 0) != c.notified {
				t.Errorf("notify-send called: %q, want called=%v", notes, c.notified)
			}
			if c.notified && !strings.Contains(string(notes), "stsmfa login") {
				t.Errorf("notification %q does not say what to run", notes)
			}
		})
	}
}

// TestStatusReminderCron runs docs/status.md's crontab line the way cron does: /bin/sh -c with
// cron's minimal PATH.
func TestStatusReminderCron(t *testing.T) {
	unixOnly(t)
	var line string
	for _, l := range strings.Split(testkit.Snippet(t, "cron"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			if line != "" {
				t.Fatalf("the cron snippet must be one line")
			}
			line = l
		}
	}
	m := regexp.MustCompile(`^((?:[-*/,0-9]+\s+){5})(.+)$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("not a crontab line (5 time fields, then the command): %q", line)
	}
	if strings.Contains(line, "%") {
		t.Errorf("cron turns %% into a newline: %q", line)
	}
	for _, want := range []string{"status --check --min-remaining 30m ||", "notify-send", "echo"} {
		if !strings.Contains(m[2], want) {
			t.Errorf("the cron line lacks %q", want)
		}
	}
	runReminder(t, "/usr/bin:/bin", func(b *binHome) []string { return []string{"/bin/sh", "-c", m[2]} })

	t.Run("bus address", func(t *testing.T) {
		b := newBinHome(t)
		log := filepath.Join(b.dir, "notified")
		stub := fmt.Sprintf("#!/bin/sh\necho \"$DBUS_SESSION_BUS_ADDRESS\" > %q\n", log)
		if err := os.WriteFile(filepath.Join(b.dir, "bin", "notify-send"), []byte(stub), 0o700); err != nil {
			t.Fatal(err)
		}
		b.session(t, 10*time.Minute, true)
		if _, errOut, err := b.run(t, "/usr/bin:/bin", "/bin/sh", "-c", m[2]); err != nil {
			t.Fatalf("%v: %s", err, errOut)
		}
		got, _ := os.ReadFile(log)
		if want := fmt.Sprintf("unix:path=/run/user/%d/bus\n", os.Getuid()); string(got) != want {
			t.Errorf("notify-send saw DBUS_SESSION_BUS_ADDRESS %q, want %q", got, want)
		}
	})
}

// TestStatusReminderSystemd checks docs/status.md's user service and timer with systemd-analyze
// verify (skipped when it is not installed, failed under CI=true), then runs the service's command
// as systemd would.
func TestStatusReminderSystemd(t *testing.T) {
	unixOnly(t)
	service, timer := testkit.Snippet(t, "systemd-service"), testkit.Snippet(t, "systemd-timer")
	t.Run("systemd-analyze verify", func(t *testing.T) {
		analyze, err := exec.LookPath("systemd-analyze")
		if err != nil {
			testkit.SkipUnlessCI(t, "systemd-analyze is not installed (apt-get install systemd): unit files not verified")
		}
		dir := t.TempDir()
		for name, data := range map[string]string{"stsmfa-reminder.service": service, "stsmfa-reminder.timer": timer} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(analyze, "verify", "stsmfa-reminder.service", "stsmfa-reminder.timer")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		// verify only warns (exit 0) about unknown keys and bad values: any line about our units fails
		if err != nil || strings.Contains(string(out), "stsmfa-reminder") {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	})

	var envPath, script string
	for _, l := range strings.Split(service, "\n") {
		if v, ok := strings.CutPrefix(l, "Environment=PATH="); ok {
			envPath = v
		}
		if v, ok := strings.CutPrefix(l, "ExecStart=/bin/sh -c '"); ok {
			script, ok = strings.CutSuffix(v, "'")
			if !ok || strings.Contains(script, "'") {
				t.Fatalf("ExecStart must be /bin/sh -c '...' without inner single quotes: %q", l)
			}
		}
	}
	if envPath == "" || script == "" {
		t.Fatalf("the service needs Environment=PATH=... and ExecStart=/bin/sh -c '...':\n%s", service)
	}
	// systemd would expand % specifiers and $VARIABLES itself: the command must hold none
	if strings.ContainsAny(script, "%$") {
		t.Errorf("ExecStart holds %% or $, which systemd expands before sh sees them: %q", script)
	}
	if !strings.Contains(script, "status --check --min-remaining 30m ||") {
		t.Errorf("ExecStart lacks status --check --min-remaining 30m: %q", script)
	}
	runReminder(t, "", func(b *binHome) []string {
		p := strings.ReplaceAll(envPath, "%h", b.dir)
		return []string{"/usr/bin/env", "PATH=" + p, "/bin/sh", "-c", script}
	})
}

// TestStatusLocalTime: expiry is shown in the machine's time zone (TZ), in the listing and as
// expiration_local, with the built binary (time.Local cannot be changed inside this process).
func TestStatusLocalTime(t *testing.T) {
	unixOnly(t)
	if _, err := os.Stat("/usr/share/zoneinfo/Asia/Seoul"); err != nil {
		testkit.SkipUnlessCI(t, "no tz database on this machine (apt-get install tzdata)")
	}
	b := newBinHome(t)
	creds := "[default]\naws_access_key_id = AKIAALICEALICEALICEA\naws_secret_access_key = " + binSecret + "\n" +
		"[mfa]\naws_access_key_id = ASIAALICEALICEALICE1\naws_secret_access_key = " + binSessionSecret + "\n" +
		"aws_session_token = " + binToken + "\nstsmfa_expiration = 2099-01-02T20:30:00Z\nstsmfa_source = default\n"
	if err := os.WriteFile(filepath.Join(b.dir, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	b.env = append(b.env, "TZ=Asia/Seoul")
	stsmfa := filepath.Join(b.dir, "go", "bin", "stsmfa")
	out, errOut, err := b.run(t, "/usr/bin:/bin", stsmfa, "status", "--json")
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	st := decodeStrict(t, []byte(out))
	if len(st.Profiles) != 1 || st.Profiles[0].ExpirationLocal == nil || *st.Profiles[0].ExpirationLocal != "2099-01-03T05:30:00+09:00" ||
		*st.Profiles[0].Expiration != "2099-01-02T20:30:00Z" {
		t.Errorf("profiles %s", out)
	}
	out, _, err = b.run(t, "/usr/bin:/bin", stsmfa, "status")
	if err != nil || !strings.Contains(out, " 2099-01-03 05:30 KST ") {
		t.Errorf("listing %q (%v): want the expiry in KST", out, err)
	}
}
