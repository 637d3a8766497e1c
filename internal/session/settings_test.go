package session

import (
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

func TestCheckCode(t *testing.T) {
	for _, c := range []string{"123456", "000000", "999999"} {
		if err := CheckCode(c, "x"); err != nil {
			t.Errorf("CheckCode(%q) = %v, want ok", c, err)
		}
	}
	for _, c := range []string{"", "12345", "1234567", "12345a", "12 456", " 123456", "123456\n", "١٢٣٤٥٦", "１２３４５６", "-12345"} {
		err := CheckCode(c, "typed at the prompt")
		if codeOf(err) != fault.Usage {
			t.Errorf("CheckCode(%q) = %v (exit %d), want a usage error", c, err, codeOf(err))
			continue
		}
		if strings.TrimSpace(c) != "" && strings.Contains(err.Error(), strings.TrimSpace(c)) {
			t.Errorf("CheckCode(%q) echoes the code: %v", c, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"43200": 12 * time.Hour, " 900 ": 900 * time.Second, "129600": 36 * time.Hour,
		"12h": 12 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute, "0": 0,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "12 h", "-5", "3000000000", "1d", "h"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestCheckDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		root bool
		ok   bool
	}{
		{900 * time.Second, false, true},
		{899 * time.Second, false, false},
		{129600 * time.Second, false, true},
		{129601 * time.Second, false, false},
		{0, false, false},
		{-time.Hour, false, false},
		{12*time.Hour + 500*time.Millisecond, false, false},
		{3600 * time.Second, true, true},
		{3601 * time.Second, true, false},
		{900 * time.Second, true, true},
		{12 * time.Hour, true, false},
	}
	for _, c := range cases {
		err := CheckDuration(c.d, c.root, "--duration")
		if (err == nil) != c.ok {
			t.Errorf("CheckDuration(%v, root=%v) = %v, want ok=%v", c.d, c.root, err, c.ok)
		}
		if err != nil && codeOf(err) != fault.Usage {
			t.Errorf("CheckDuration(%v) exit %d, want %d", c.d, codeOf(err), fault.Usage)
		}
	}
	if err := CheckDuration(-time.Hour, false, "--duration"); !strings.Contains(err.Error(), "is -1h00m (-3600s)") {
		t.Errorf("a negative duration must read as negative: %v", err)
	}
	if err := CheckDuration(2*time.Hour, true, "--duration"); !strings.Contains(err.Error(), "root user") || !strings.Contains(err.Error(), "900s–3600s") {
		t.Errorf("root limit not explained: %v", err)
	}
}

func TestHumanAndMasks(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12 * time.Hour: "12h00m", 11*time.Hour + 59*time.Minute + 59*time.Second: "11h59m", 45 * time.Minute: "45m",
		30 * time.Second: "30s", -5 * time.Minute: "5m", 36 * time.Hour: "36h00m",
	} {
		if got := cred.Human(d); got != want {
			t.Errorf("Human(%v) = %q, want %q", d, got, want)
		}
	}
	if got := cred.MaskKey("AKIAALICEALICEALICEA"); got != "****ICEA" {
		t.Errorf("MaskKey = %q", got)
	}
	if got := cred.MaskKey("AKI"); got != "****" {
		t.Errorf("MaskKey(short) = %q", got)
	}
	if got := cred.MaskSerial("arn:aws:iam::123456789012:mfa/alice-phone"); got != "arn:aws:iam::****9012:mfa/alice-phone" {
		t.Errorf("MaskSerial(arn) = %q", got)
	}
	if got := cred.MaskSerial("GAHT12345678"); got != "********5678" {
		t.Errorf("MaskSerial(hardware) = %q", got)
	}
}

func TestDefaultTarget(t *testing.T) {
	if DefaultTarget("default") != "mfa" || DefaultTarget("work") != "work-mfa" {
		t.Errorf("DefaultTarget: %q %q", DefaultTarget("default"), DefaultTarget("work"))
	}
}

const (
	testCreds = `[default]
aws_access_key_id = AKIAALICEALICEALICEA
aws_secret_access_key = alice/secret
[nokeys]
region = nowhere
[temp]
aws_access_key_id = AKIATEMPTEMPTEMPTEMP
aws_secret_access_key = temp/secret
aws_session_token = tok
[asia]
aws_access_key_id = ASIAASIAASIAASIAASIA
aws_secret_access_key = asia/secret
[bare]
aws_access_key_id = AKIABAREBAREBAREBARE
aws_secret_access_key = bare/secret
`
	testConf = `[default]
region = eu-west-1
output = json
mfa_serial = arn:aws:iam::123456789012:mfa/cfg
mfa_process = echo cfg
mfa_session_duration = 2h
[profile cfgonly]
aws_access_key_id = AKIACFGCFGCFGCFGCFG0
[profile bad]
mfa_session_duration = forever
`
)

func testFiles(t *testing.T, creds, conf string) (*awsfile.File, *awsfile.File) {
	t.Helper()
	c, err := awsfile.Parse("/home/u/.aws/credentials", awsfile.Credentials, []byte(creds))
	if err != nil {
		t.Fatal(err)
	}
	f, err := awsfile.Parse("/home/u/.aws/config", awsfile.Config, []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// loadSourceKeys is what Ensure does for a source: resolve the name, read the settings, then the keys.
func loadSourceKeys(creds, conf *awsfile.File, req *Request, getenv func(string) string) (*Source, error) {
	plan, err := ResolvePlan(creds, conf, req.Profile, nil)
	if err != nil {
		return nil, err
	}
	s, err := loadSource(creds, conf, req, plan, getenv)
	if err != nil {
		return nil, err
	}
	return s, s.loadKeys(creds)
}

func TestLoadSourcePrecedence(t *testing.T) {
	creds, conf := testFiles(t, testCreds, testConf)
	env := envOf(map[string]string{"AWS_MFA_SERIAL": "arn:aws:iam::123456789012:mfa/env", "AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "sa-east-1"})

	// the profile's mfa_serial beats the AWS_MFA_SERIAL fallback; the environment's region beats the
	// profile's, as in the AWS SDKs; flags beat both (docs/usage.md, "Settings and their precedence")
	s, err := loadSourceKeys(creds, conf, &Request{Profile: "default"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != "arn:aws:iam::123456789012:mfa/cfg" || !strings.HasPrefix(s.SerialFrom, "mfa_serial in ") {
		t.Errorf("serial %q from %q, want mfa_serial from config", s.Serial, s.SerialFrom)
	}
	if s.Region != "ap-south-1" || s.Output != "json" {
		t.Errorf("region %q output %q; want AWS_REGION's, and the profile's output", s.Region, s.Output)
	}
	if s, _ := loadSourceKeys(creds, conf, &Request{Profile: "default"}, envOf(map[string]string{"AWS_DEFAULT_REGION": "sa-east-1"})); s.Region != "sa-east-1" {
		t.Errorf("AWS_DEFAULT_REGION must beat the profile's region: %q", s.Region)
	}
	if s, _ := loadSourceKeys(creds, conf, &Request{Profile: "default"}, envOf(nil)); s.Region != "eu-west-1" {
		t.Errorf("without the environment, the profile's region: %q", s.Region)
	}
	if s.TokenCommand != "echo cfg" || !strings.HasPrefix(s.TokenFrom, "mfa_process in ") {
		t.Errorf("token command %q from %q", s.TokenCommand, s.TokenFrom)
	}
	if s.Duration != 2*time.Hour || !s.DurationSet || !strings.Contains(s.DurationFrom, "line 6") {
		t.Errorf("duration %v set %v from %q", s.Duration, s.DurationSet, s.DurationFrom)
	}
	if s.AccessKeyID != "AKIAALICEALICEALICEA" || s.SecretAccessKey != "alice/secret" {
		t.Errorf("keys not read")
	}

	s, err = loadSourceKeys(creds, conf, &Request{Profile: "default", Serial: "arn:aws:iam::123456789012:mfa/flag", TokenCommand: "echo flag", Duration: 3 * time.Hour,
		Names: names(fault.FieldSerial, "--serial-number", fault.FieldTokenCommand, "--token-command", fault.FieldDuration, "--duration")}, env)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != "arn:aws:iam::123456789012:mfa/flag" || s.SerialFrom != "--serial-number" || s.TokenCommand != "echo flag" ||
		s.TokenFrom != "--token-command" || s.Duration != 3*time.Hour || s.DurationFrom != "--duration" {
		t.Errorf("flags did not win: %+v", s)
	}

	// nothing in config: the environment, then the defaults
	s, err = loadSourceKeys(creds, conf, &Request{Profile: "bare"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != "arn:aws:iam::123456789012:mfa/env" || s.SerialFrom != "AWS_MFA_SERIAL" {
		t.Errorf("serial %q from %q, want AWS_MFA_SERIAL", s.Serial, s.SerialFrom)
	}
	if s.Region != "ap-south-1" {
		t.Errorf("region %q, want AWS_REGION", s.Region)
	}
	if s.TokenCommand != "" || s.Duration != DefaultDuration || s.DurationSet {
		t.Errorf("defaults: token %q duration %v set %v", s.TokenCommand, s.Duration, s.DurationSet)
	}
	s, _ = loadSourceKeys(creds, conf, &Request{Profile: "bare"}, envOf(map[string]string{"AWS_DEFAULT_REGION": "sa-east-1"}))
	if s.Region != "sa-east-1" || s.Serial != "" {
		t.Errorf("AWS_DEFAULT_REGION: region %q serial %q", s.Region, s.Serial)
	}
	s, _ = loadSourceKeys(creds, conf, &Request{Profile: "bare"}, envOf(nil))
	if s.Region != "us-east-1" {
		t.Errorf("no region anywhere: %q, want us-east-1", s.Region)
	}
}

func TestLoadSourceRefusals(t *testing.T) {
	creds, conf := testFiles(t, testCreds, testConf)
	cases := []struct {
		req      Request
		code     int
		contains []string
	}{
		{Request{Profile: "nosuch"}, fault.Files, []string{`profile "nosuch" not found`, "aws configure --profile nosuch"}},
		{Request{Profile: "cfgonly"}, fault.Files, []string{"from the credentials file, not /home/u/.aws/config"}},
		{Request{Profile: "nokeys"}, fault.Files, []string{"has no aws_access_key_id/aws_secret_access_key"}},
		{Request{Profile: "temp"}, fault.Files, []string{"holds temporary session credentials (line 7)"}},
		{Request{Profile: "asia"}, fault.Files, []string{"holds temporary session credentials (line 11)"}},
		{Request{Profile: "temp", ProfileFrom: "AWS_PROFILE"}, fault.Files, []string{`profile "temp" (from AWS_PROFILE)`, "unset AWS_PROFILE"}},
		{Request{Profile: "gone", ProfileFrom: "AWS_PROFILE"}, fault.Files, []string{`profile "gone" (from AWS_PROFILE) not found`, "unset AWS_PROFILE"}},
		{Request{Profile: "default", Duration: time.Minute, Names: names(fault.FieldDuration, "--duration")}, fault.Usage, []string{"--duration is 1m"}},
	}
	for _, c := range cases {
		_, err := loadSourceKeys(creds, conf, &c.req, envOf(nil))
		if codeOf(err) != c.code {
			t.Errorf("%+v: %v (exit %d), want exit %d", c.req, err, codeOf(err), c.code)
			continue
		}
		for _, s := range c.contains {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%+v: %q lacks %q", c.req, err, s)
			}
		}
		for _, secret := range []string{"alice/secret", "temp/secret", "asia/secret", "tok\n"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%+v: error holds a secret", c.req)
			}
		}
	}
	// a bad mfa_session_duration names file and line
	creds2, conf2 := testFiles(t, testCreds+"[bad]\naws_access_key_id = AKIABADBADBADBADBAD0\naws_secret_access_key = x\n", testConf)
	_, err := loadSourceKeys(creds2, conf2, &Request{Profile: "bad"}, envOf(nil))
	if codeOf(err) != fault.Usage || !strings.Contains(err.Error(), "mfa_session_duration in /home/u/.aws/config line 10") {
		t.Errorf("bad mfa_session_duration: %v", err)
	}
}
