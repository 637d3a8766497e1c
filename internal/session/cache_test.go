package session

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

var t0 = time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)

func managedSection(name, key, source, serial string, exp time.Time) string {
	s := "[" + name + "]\naws_access_key_id = " + key + "\naws_secret_access_key = s-" + key + "\naws_session_token = t-" + key +
		"\nstsmfa_expiration = " + exp.Format(time.RFC3339) + "\nstsmfa_source = " + source + "\n"
	if serial != "" {
		s += "stsmfa_mfa_serial = " + serial + "\n"
	}
	return s
}

func TestFindCached(t *testing.T) {
	const phone, key = "arn:aws:iam::1:mfa/phone", "arn:aws:iam::1:mfa/key"
	creds, _ := testFiles(t, testCreds+
		managedSection("short", "ASIASHORT", "default", phone, t0.Add(10*time.Minute))+
		managedSection("long", "ASIALONG", "default", phone, t0.Add(11*time.Hour))+
		managedSection("longer-other-serial", "ASIAOTHERSERIAL", "default", key, t0.Add(20*time.Hour))+
		managedSection("other-source", "ASIAOTHERSOURCE", "work", phone, t0.Add(30*time.Hour))+
		"[broken]\naws_access_key_id = ASIABROKEN\nstsmfa_source = default\nstsmfa_expiration = 2099-01-01T00:00:00Z\n"+
		managedSection("bad-expiry", "ASIABADEXP", "default", phone, t0), "")
	// make bad-expiry's expiration unparsable
	if err := creds.Set("bad-expiry", KeyExpiration, "tomorrow"); err != nil {
		t.Fatal(err)
	}

	got, ok := findCached(creds, "default", phone, t0, DefaultMargin)
	if !ok || got.Profile != "long" {
		t.Errorf("serial phone: got %q ok=%v, want long", got.Profile, ok)
	}
	got, ok = findCached(creds, "default", "", t0, DefaultMargin)
	if !ok || got.Profile != "longer-other-serial" {
		t.Errorf("serial unknown: got %q ok=%v, want the longest of the source", got.Profile, ok)
	}
	got, ok = findCached(creds, "default", phone, t0, time.Minute)
	if !ok || got.Profile != "long" {
		t.Errorf("small margin: got %q", got.Profile)
	}
	if got, ok := findCached(creds, "default", phone, t0.Add(10*time.Hour+50*time.Minute), DefaultMargin); ok {
		t.Errorf("10m left with a 15m margin must not be reused, got %q", got.Profile)
	}
	if got, ok := findCached(creds, "work", key, t0, DefaultMargin); ok {
		t.Errorf("another serial of work must not be reused, got %q", got.Profile)
	}
	if got, ok := findCached(creds, "nobody", "", t0, 0); ok {
		t.Errorf("unknown source reused %q", got.Profile)
	}
	s, ok := ReadManaged(creds, "bad-expiry")
	if !ok || !s.Expiration.IsZero() {
		t.Errorf("an unparsable expiry must read as expired: %v %v", s.Expiration, ok)
	}
	if _, ok := ReadManaged(creds, "broken"); ok {
		t.Errorf("a managed profile without a secret and token is not a session")
	}
	if strings.Contains(s.String(), s.SecretAccessKey) || strings.Contains(s.String(), s.SessionToken) || strings.Contains(s.GoString(), s.SessionToken) {
		t.Errorf("Session.String leaks: %s", s)
	}
}

func TestCheckTarget(t *testing.T) {
	creds, _ := testFiles(t, testCreds+managedSection("mfa", "ASIAMFA", "default", "", t0), "")
	for target, want := range map[string]int{
		"mfa":     fault.OK,    // written by stsmfa
		"new":     fault.OK,    // absent
		"temp":    fault.OK,    // session credentials someone else wrote: replacing them loses nothing lasting
		"asia":    fault.OK,    // likewise
		"nokeys":  fault.OK,    // no keys at all
		"bare":    fault.Files, // long-term keys: never overwritten
		"default": fault.Usage, // the source itself
		"a]b":     fault.Usage, // cannot be written: refused before the code is spent
		"a b":     fault.Usage,
		"DEFAULT": fault.Usage,
	} {
		if got := codeOf(checkTarget(creds, nil, target, "default")); got != want {
			t.Errorf("checkTarget(%s) exit %d, want %d", target, got, want)
		}
	}
}

func TestWriteTargets(t *testing.T) {
	creds, conf := testFiles(t, testCreds+"[old]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old\naws_security_token = legacy\n",
		testConf+"[profile old]\nregion = us-west-2\n# keep me\n")
	src := &Source{Profile: "default", Region: "eu-west-1", Output: "json"}
	s := cred.Session{AccessKeyID: "ASIANEW", SecretAccessKey: "new/secret", SessionToken: "new+token==", Expiration: t0.Add(time.Hour).In(time.FixedZone("X", 9*3600)), Source: "default"}
	if err := writeTargets(creds, conf, src, []string{"old", "fresh"}, s); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"old", "fresh"} {
		got, ok := ReadManaged(creds, p)
		if !ok || got.AccessKeyID != "ASIANEW" || got.SecretAccessKey != "new/secret" || got.SessionToken != "new+token==" || !got.Expiration.Equal(s.Expiration) || got.Source != "default" {
			t.Errorf("%s: %v ok=%v", p, got, ok)
		}
		if v, _ := creds.Get(p, KeyExpiration); v != "2026-11-22T02:00:00Z" {
			t.Errorf("%s: expiration written as %q, want RFC 3339 UTC", p, v)
		}
		if _, has := creds.Get(p, KeySerial); has {
			t.Errorf("%s: empty serial must not be written", p)
		}
	}
	if _, has := creds.Get("old", "aws_security_token"); has {
		t.Errorf("a stale aws_security_token must go")
	}
	if !holds(creds, "fresh", s) || holds(creds, "default", s) {
		t.Errorf("holds is wrong")
	}
	// config: the target's own region stays, its comment stays, output is added; the fresh one gets both
	if r, _ := conf.Get("old", "region"); r != "us-west-2" {
		t.Errorf("old's own region overwritten: %q", r)
	}
	if o, _ := conf.Get("old", "output"); o != "json" {
		t.Errorf("old's output %q", o)
	}
	if !strings.Contains(string(conf.Bytes()), "# keep me") {
		t.Errorf("comment lost")
	}
	if r, _ := conf.Get("fresh", "region"); r != "eu-west-1" {
		t.Errorf("fresh region %q", r)
	}
	// a region that came from AWS_REGION or the built-in default is not written
	creds2, conf2 := testFiles(t, testCreds, "")
	src2 := &Source{Profile: "bare", Region: "us-east-1", Output: ""}
	if err := writeTargets(creds2, conf2, src2, []string{"bare-mfa"}, s); err != nil {
		t.Fatal(err)
	}
	if conf2.HasProfile("bare-mfa") {
		t.Errorf("nothing to copy, yet the config got:\n%s", conf2.Bytes())
	}
}

// loadedFiles writes creds and conf and reads them back with awsfile.Load, as Ensure does (a File that
// found only the sections, see awsfile/scan.go).
func loadedFiles(t *testing.T, creds, conf string) (*awsfile.File, *awsfile.File) {
	t.Helper()
	dir := t.TempDir()
	cp, fp := filepath.Join(dir, "credentials"), filepath.Join(dir, "config")
	if err := os.WriteFile(cp, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fp, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := awsfile.Load(cp, awsfile.Credentials)
	if err != nil {
		t.Fatal(err)
	}
	f, err := awsfile.Load(fp, awsfile.Config)
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

// The cache search reads only the profiles holding stsmfa_source; on a File from Load it must find
// exactly what it finds on a parsed one, among thousands of other profiles.
func TestManagedLoadedMatchesParsed(t *testing.T) {
	const phone = "arn:aws:iam::1:mfa/phone"
	var b strings.Builder
	b.WriteString(testCreds)
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "\n[acct-%05d]\naws_access_key_id = AKIA%016d\naws_secret_access_key = %040d\n", i, i, i)
		switch i {
		case 10:
			b.WriteString(managedSection("mfa", "ASIAMFA", "default", phone, t0.Add(11*time.Hour)))
		case 1500:
			b.WriteString(managedSection("other", "ASIAOTHER", "work", phone, t0.Add(11*time.Hour)))
			b.WriteString("[UPPER]\nAWS_ACCESS_KEY_ID = ASIAUPPER\nAWS_SECRET_ACCESS_KEY = s\nAWS_SESSION_TOKEN = t\nSTSMFA_EXPIRATION = " +
				t0.Add(12*time.Hour).Format(time.RFC3339) + "\nStsmfa_Source = default\n")
		case 2999:
			b.WriteString("[empty-source]\nstsmfa_source =\n[role]\n" + strings.TrimPrefix(managedSection("x", "ASIAROLE", "default", phone, t0.Add(20*time.Hour)), "[x]\n") +
				"stsmfa_role_arn = arn:aws:iam::1:role/r\nstsmfa_role_profile = prod\n")
		}
	}
	parsed, pconf := testFiles(t, b.String(), "[profile work-mfa]\nregion = x\n")
	loaded, lconf := loadedFiles(t, b.String(), "[profile work-mfa]\nregion = x\n")
	all := func(ss []cred.Session) string {
		var out []string
		for _, s := range ss {
			out = append(out, fmt.Sprintf("%s/%s/%s/%s/%s/%s/%s", s.Profile, s.Source, s.AccessKeyID, s.SessionToken, s.Expiration, s.Serial, s.RoleProfile))
		}
		return strings.Join(out, " ")
	}
	if a, l := all(Managed(parsed)), all(Managed(loaded)); a != l || !strings.Contains(a, "UPPER/default") || !strings.Contains(a, "role/default") {
		t.Errorf("Managed:\nparsed %s\nloaded %s", a, l)
	}
	for _, src := range []string{"default", "work", "nobody"} {
		a, aok := findCached(parsed, src, phone, t0, DefaultMargin)
		l, lok := findCached(loaded, src, phone, t0, DefaultMargin)
		if a != l || aok != lok {
			t.Errorf("findCached(%s): parsed %v %v, loaded %v %v", src, a, aok, l, lok)
		}
	}
	if s, ok := findCached(loaded, "default", phone, t0, DefaultMargin); !ok || s.Profile != "UPPER" {
		t.Errorf("the longest-lived MFA session of default is UPPER's, got %q", s.Profile)
	}
	// a name that stands for a source: the default target of default, and of acct-00007; not of a
	// profile that does not exist, nor default-mfa
	for name, want := range map[string]string{"mfa": "default", "acct-00007-mfa": "acct-00007", "nope-mfa": "nope-mfa", "default-mfa": "default-mfa", "-mfa": "-mfa", "work-mfa": "work-mfa"} {
		for _, f := range [][2]*awsfile.File{{parsed, pconf}, {loaded, lconf}} {
			if got, _, _ := resolveName(f[0], f[1], name); got != want {
				t.Errorf("resolveName(%q) = %q, want %q", name, got, want)
			}
		}
	}
}
