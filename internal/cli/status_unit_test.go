package cli

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// statusRun called directly, on a temporary credentials file, with buffers for streams.
func TestStatusRun(t *testing.T) {
	h := newStatusHome(t)
	h.write(t, h.source("default")+h.target("mfa", "default", at(2*time.Hour)), "")

	a, out, errb := testApp()
	if err := statusRun(&StatusOptions{app: a, Check: true, MinRemaining: time.Hour}); err != nil || out.Len()+errb.Len() != 0 {
		t.Errorf("--check (2h left, 1h wanted): %v, stdout %q, stderr %q", err, out, errb)
	}
	var pass *fault.Passthrough
	if err := statusRun(&StatusOptions{app: a, Check: true, MinRemaining: 3 * time.Hour}); !errors.As(err, &pass) || pass.Status != fault.NotValid {
		t.Errorf("--check (2h left, 3h wanted): %v; want exit %d", err, fault.NotValid)
	}
	if err := statusRun(&StatusOptions{app: a, Prompt: true, Profile: "mfa"}); err != nil || out.String() != "mfa 2h00m\n" || errb.Len() != 0 {
		t.Errorf("--prompt: %v, stdout %q, stderr %q", err, out, errb)
	}

	a, out, errb = testApp()
	if err := statusRun(&StatusOptions{app: a, JSON: true}); err != nil || errb.Len() != 0 {
		t.Fatalf("--json: %v, stderr %q", err, errb)
	}
	st := decodeStrict(t, out.Bytes())
	if len(st.Profiles) != 1 || st.Profiles[0].Profile != "mfa" || st.Profiles[0].State != StateExpiring && st.Profiles[0].State != StateValid || len(st.Problems) != 0 {
		t.Errorf("--json: %+v", st)
	}

	a, out, errb = testApp()
	if err := statusRun(&StatusOptions{app: a, Profile: "nosuch"}); err != nil || out.Len() != 0 ||
		errb.String() != "stsmfa: no MFA session for profile nosuch; get one with: stsmfa login --profile nosuch\n" {
		t.Errorf("listing of an unknown profile: %v, stdout %q, stderr %q", err, out, errb)
	}
	h.noSecrets(t, "statusRun", out.String(), errb.String())

	h.write(t, "[mfa\n", "")
	a, _, _ = testApp()
	if err := statusRun(&StatusOptions{app: a, Check: true}); fault.Code(err) != fault.Files {
		t.Errorf("--check on a malformed file: %v; want exit %d", err, fault.Files)
	}
}

// facts is what gatherStatus would find: the credentials and config text given, no environment.
func facts(t *testing.T, creds, conf string, env map[string]string) *statusFacts {
	t.Helper()
	cf, err := awsfile.Parse("/aws/credentials", awsfile.Credentials, []byte(creds))
	if err != nil {
		t.Fatal(err)
	}
	co, err := awsfile.Parse("/aws/config", awsfile.Config, []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	return &statusFacts{now: statusNow, creds: cf, conf: co, credPath: "/aws/credentials", confPath: "/aws/config",
		sources: map[string]bool{}, targets: map[string]bool{}, getenv: func(k string) string { return env[k] }}
}

// Each problem check on its own input: what it finds, and that it finds nothing on a clean one.
func TestProblemChecks(t *testing.T) {
	clean := func() *statusFacts {
		f := facts(t, "[default]\naws_access_key_id = AKIAALICEALICEALICEA\n", "", nil)
		f.sources["default"], f.targets["mfa"] = true, true
		f.srcNames = []string{"default"}
		f.modes = []fileMode{{"/aws/credentials", 0o600}}
		f.kept = []cred.Session{{Profile: "mfa", Source: "default", SessionToken: "t", Expiration: statusNow.Add(time.Hour)}}
		f.profiles = []profileStatus{{Profile: "mfa", Source: "default", RemainingSeconds: 3600}}
		return f
	}
	for _, check := range problemChecks {
		if ps := check(clean()); len(ps) != 0 {
			t.Errorf("clean input: %v", ps)
		}
	}
	for _, c := range []struct {
		name  string
		check problemCheck
		set   func(f *statusFacts)
		kind  string
		msgs  []string
	}{
		{"unreadable config", malformedConfig, func(f *statusFacts) { f.confErr = errors.New("/aws/config:3: no section") },
			ProblemMalformedFile, []string{"/aws/config:3: no section"}},
		{"37h left", suspectExpiry, func(f *statusFacts) { f.kept[0].Expiration = statusNow.Add(37 * time.Hour) }, ProblemSuspectExpiry,
			[]string{"profile mfa claims to be valid until 2030-01-03T16:04:05Z, longer than any AWS session lasts (36h): its stsmfa_expiration was edited or the clock was wrong; stsmfa will not reuse it: get a new one with: stsmfa login --force --profile default"}},
		{"37h left, no token", suspectExpiry, func(f *statusFacts) { f.kept[0].Expiration, f.kept[0].SessionToken = statusNow.Add(37*time.Hour), "" }, "", nil},
		{"ASIA key in a source", sourceHasSession, func(f *statusFacts) {
			*f = *facts(t, "[default]\naws_access_key_id = ASIAALICEALICEALICEA\n[b]\naws_session_token = x\n", "", nil)
			f.srcNames = []string{"b", "default"}
		}, ProblemSourceHasSession, []string{
			"source profile b holds session credentials, not long-term keys; login needs the IAM user's keys there (aws configure --profile b)",
			"source profile default holds session credentials, not long-term keys; login needs the IAM user's keys there (aws configure --profile default)"}},
		{"mode 0640", filePermissions, func(f *statusFacts) { f.modes = append(f.modes, fileMode{"/aws/config", 0o640}) }, ProblemFilePermissions,
			[]string{"/aws/config is open to other users (mode 0640); fix with: chmod 600 /aws/config"}},
		{"one credential variable", envCredentials, func(f *statusFacts) { f.getenv = mapEnv("AWS_ACCESS_KEY_ID", "AKIA") }, ProblemEnvOverride,
			[]string{`AWS_ACCESS_KEY_ID is set in this environment and overrides every profile for AWS tools; clear with: eval "$(stsmfa env --unset)"`}},
		{"expired credential variables", envCredentials, func(f *statusFacts) {
			f.getenv = mapEnv("AWS_SESSION_TOKEN", "t", "AWS_SECURITY_TOKEN", "t", "AWS_CREDENTIAL_EXPIRATION", at(-2*time.Minute))
		}, ProblemEnvOverride, []string{`AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN are set in this environment and override every profile for AWS tools (AWS_CREDENTIAL_EXPIRATION says they expired 2m ago); clear with: eval "$(stsmfa env --unset)"`}},
		{"AWS_PROFILE a target", envProfile, func(f *statusFacts) { f.getenv = mapEnv("AWS_PROFILE", "mfa") }, "", nil},
		{"AWS_PROFILE a source", envProfile, func(f *statusFacts) { f.getenv = mapEnv("AWS_PROFILE", "default", "AWS_DEFAULT_PROFILE", "other") }, ProblemEnvOverride, []string{
			"AWS_PROFILE=default makes AWS tools use the long-term keys of source profile default, not its MFA session; use AWS_PROFILE=mfa",
			"AWS_DEFAULT_PROFILE=other is set in this environment: AWS tools use profile other, which holds no stsmfa session"}},
		{"AWS_PROFILE a credential_process profile", envProfile, func(f *statusFacts) {
			f.conf, _ = awsfile.Parse("/aws/config", awsfile.Config, []byte("[profile work]\ncredential_process = /bin/stsmfa credential-process --profile default\n"))
			f.getenv = mapEnv("AWS_PROFILE", "work")
		}, "", nil},
	} {
		f := clean()
		c.set(f)
		ps := c.check(f)
		var msgs []string
		for _, p := range ps {
			if p.Kind != c.kind {
				t.Errorf("%s: kind %q; want %q", c.name, p.Kind, c.kind)
			}
			msgs = append(msgs, p.Message)
		}
		if strings.Join(msgs, "\n") != strings.Join(c.msgs, "\n") {
			t.Errorf("%s: problems\n%s\nwant\n%s", c.name, strings.Join(msgs, "\n"), strings.Join(c.msgs, "\n"))
		}
	}
}

func mapEnv(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}
