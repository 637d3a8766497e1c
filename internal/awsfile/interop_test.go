package awsfile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

const (
	awsCLI  = "/usr/bin/aws"
	python3 = "/usr/bin/python3"
)

// cleanEnv is the environment without AWS_* variables, pointing the readers at our files.
func cleanEnv(home, creds, conf string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home, "AWS_SHARED_CREDENTIALS_FILE="+creds, "AWS_CONFIG_FILE="+conf,
		"AWS_EC2_METADATA_DISABLED=true", "PYTHONUTF8=1")
}

type readCreds struct{ key, secret, token, region string }

const interopCreds = `# credentials for interop
[default]
aws_access_key_id = AKIADEFAULTEXAMPLE01
aws_secret_access_key = default/secret+key=
; a comment
[untouched]
aws_access_key_id=AKIAUNTOUCHEDEXAMPL1
aws_secret_access_key=untouched#secret;x

[stale]
aws_access_key_id = AKIASTALEEXAMPLE0001
aws_secret_access_key = stale
aws_session_token = old-token
`

const interopConfig = "[default]\r\nregion = us-east-1\r\n\r\n[profile untouched]\r\nregion = ap-south-1\r\ns3 =\r\n  addressing_style = path\r\n\r\n[sso-session corp]\r\nsso_region = us-east-1\r\n"

func TestInteropRealReaders(t *testing.T) {
	ci.SkipShort(t, "the AWS CLI and boto3 reading what awsfile wrote")
	testkit.RequireTool(t, awsCLI)
	testkit.RequireBoto3(t)
	home := t.TempDir()
	cp, fp := filepath.Join(home, "creds"), filepath.Join(home, "conf")
	writeFile(t, cp, interopCreds, 0o600)
	writeFile(t, fp, interopConfig, 0o600)
	want := map[string]readCreds{
		"default":   {"AKIAWRITTENDEFAULT01", `sec"ret;with=odd:chars#x`, "", "eu-west-3"},
		"untouched": {"AKIAUNTOUCHEDEXAMPL1", "untouched#secret;x", "", "ap-south-1"},
		"mfa":       {"ASIAWRITTENSESSION01", "w/J+alr=XUtn", "IQoJb3JpZ2luX2VjE//////////wEaCXVz+LWVhc3Qt=", "eu-central-1"},
		"stale":     {"AKIASTALEEXAMPLE0001", "stale", "", "us-east-1"},
	}
	var e Editor
	err := e.UpdatePair(cp, fp, func(c, f *File) error {
		for _, kv := range [][3]string{
			{"default", "aws_access_key_id", want["default"].key},
			{"default", "aws_secret_access_key", want["default"].secret},
			{"mfa", "aws_access_key_id", want["mfa"].key},
			{"mfa", "aws_secret_access_key", want["mfa"].secret},
			{"mfa", "aws_session_token", want["mfa"].token},
			{"mfa", "stsmfa_expiration", "2030-01-01T00:00:00Z"},
		} {
			if err := c.Set(kv[0], kv[1], kv[2]); err != nil {
				return err
			}
		}
		c.Delete("stale", "aws_session_token")
		if err := f.Set("default", "region", want["default"].region); err != nil {
			return err
		}
		return f.Set("mfa", "region", want["mfa"].region)
	})
	if err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(home, cp, fp)

	// AWS CLI v2
	for p, w := range want {
		cmd := exec.Command(awsCLI, "configure", "export-credentials", "--profile", p, "--format", "process")
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws cli, profile %s: %v %s", p, err, stderrOf(err))
		}
		var got struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if got.AccessKeyId != w.key || got.SecretAccessKey != w.secret || got.SessionToken != w.token {
			t.Errorf("aws cli, profile %s: got %+v, want %+v", p, got, w)
		}
		cmd = exec.Command(awsCLI, "configure", "get", "region", "--profile", p)
		cmd.Env = env
		out, _ = cmd.Output()
		if r := strings.TrimSpace(string(out)); r != w.region && !(p == "stale" && r == "") {
			t.Errorf("aws cli, profile %s: region %q, want %q", p, r, w.region)
		}
	}

	// boto3
	args := []string{"testdata/botocore_read.py", "creds"}
	for p := range want {
		args = append(args, p)
	}
	cmd := exec.Command(python3, args...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3: %v %s", err, stderrOf(err))
	}
	var boto map[string]struct {
		Key, Secret, Region string
		Token               *string
	}
	if err := json.Unmarshal(out, &boto); err != nil {
		t.Fatal(err)
	}
	for p, w := range want {
		b := boto[p]
		tok := ""
		if b.Token != nil {
			tok = *b.Token
		}
		region := w.region
		if p == "stale" {
			region = ""
		}
		if b.Key != w.key || b.Secret != w.secret || tok != w.token || b.Region != region {
			t.Errorf("boto3, profile %s: got %+v, want %+v", p, b, w)
		}
	}

	// Go SDK
	for p, w := range want {
		sc, err := config.LoadSharedConfigProfile(context.Background(), p, func(o *config.LoadSharedConfigOptions) {
			o.CredentialsFiles = []string{cp}
			o.ConfigFiles = []string{fp}
		})
		if err != nil {
			t.Fatalf("go sdk, profile %s: %v", p, err)
		}
		region := w.region
		if p == "stale" {
			region = ""
		}
		c := sc.Credentials
		if c.AccessKeyID != w.key || c.SecretAccessKey != w.secret || c.SessionToken != w.token || sc.Region != region {
			t.Errorf("go sdk, profile %s: got %+v region %q, want %+v", p, c, sc.Region, w)
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// sectionValues is what configparser would hand botocore: every section (DEFAULT excluded) with its
// own keys plus those of [DEFAULT].
func sectionValues(f *File) map[string]map[string]string {
	out := map[string]map[string]string{}
	for si, s := range f.secs {
		if s.name == "DEFAULT" {
			continue
		}
		kv := map[string]string{}
		for _, d := range f.dflts {
			for _, j := range f.secs[d].keys {
				kv[f.lines[j].key] = f.value(j)
			}
		}
		for _, j := range f.secs[si].keys {
			kv[f.lines[j].key] = f.value(j)
		}
		out[s.name] = kv
	}
	return out
}

// TestParseMatchesBotocore runs botocore's own reader over the corpus, the fuzz corpus inputs and
// some edge cases and compares: same accept/reject, same sections, keys and values.
func TestParseMatchesBotocore(t *testing.T) {
	testkit.RequireBoto3(t)
	inputs := map[string][]byte{
		"default-section":   []byte("[DEFAULT]\nregion = x\n[a]\nk = v\n[DEFAULT]\noutput = json\n"),
		"default-dup-key":   []byte("[DEFAULT]\nregion = x\n[DEFAULT]\nregion = y\n"),
		"header-junk":       []byte("[a] junk ] more\nk = v\n[b]]\nx = 1\n"),
		"lone-cr":           []byte("[a]\rk = v\r  cont\r\n[b]\nx=1"),
		"indented-header":   []byte("[a]\nk = v\n  [b]\nx = 1\n"),
		"comment-in-value":  []byte("[a]\nk =\n  a = 1\n  # c\n\n  b = 2\n\n\n[b]\n"),
		"unicode-space":     []byte("[a]\n\u00a0k = v\n\u2003\u2003x = y\nz\u3000=\u3000w\u00a0\n"),
		"empty-header":      []byte("[]\nk = v\n"),
		"colon-first":       []byte("[a]\nk:x=y\nk2 = a:b\n"),
		"nested-bad":        []byte("[a]\ns3 =\n  x\n"),
		"nested-exotic-sep": []byte("[a]\ns3 =\n  x\x0by = 1\n"),
		"dotted-i":          []byte("[a]\n\u0130x = 1\ni\u0307x = 2\n"),
	}
	for _, c := range loadCorpus(t) {
		if !strings.HasPrefix(c.name, "generated") {
			inputs["corpus/"+c.name] = c.data
		}
	}
	for name, data := range fuzzInputs(t) {
		inputs[name] = data
	}
	dir := t.TempDir()
	var names, paths []string
	for name, data := range inputs {
		p := filepath.Join(dir, strconv.Itoa(len(paths)))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		names, paths = append(names, name), append(paths, p)
	}
	cmd := exec.Command(python3, append([]string{"testdata/botocore_read.py", "sections"}, paths...)...)
	cmd.Env = append(os.Environ(), "PYTHONUTF8=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v %s", err, stderrOf(err))
	}
	var res []struct {
		Error    bool
		Sections map[string]map[string]string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		f, err := Parse(name, Credentials, inputs[name])
		// and Load (scan.go) reads exactly what Parse reads
		lz, lerr := load(name, Credentials, string(inputs[name]))
		if fmt.Sprint(err) != fmt.Sprint(lerr) {
			t.Errorf("%s: Parse error %v, Load error %v", name, err, lerr)
		} else if err == nil {
			if verr := sameView(f, lz); verr != nil {
				t.Errorf("%s: Load differs from Parse: %v", name, verr)
			}
		}
		if (err != nil) != res[i].Error {
			t.Errorf("%s: our error %v, botocore error %v\n%q", name, err, res[i].Error, inputs[name])
			continue
		}
		if err != nil {
			continue
		}
		got, want := fmt.Sprint(sectionValues(f)), fmt.Sprint(res[i].Sections)
		if got != want {
			t.Errorf("%s: sections differ\nours:     %s\nbotocore: %s\ninput: %q", name, got, want, inputs[name])
		}
	}
	t.Logf("%d inputs compared with botocore", len(names))
}

// fuzzInputs are the file contents of FuzzEdit's committed corpus, by "fuzz/<entry name>".
func fuzzInputs(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	ents, _ := os.ReadDir("testdata/fuzz/FuzzEdit")
	for _, e := range ents {
		raw, err := os.ReadFile(filepath.Join("testdata/fuzz/FuzzEdit", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if data, ok := fuzzInputData(raw); ok {
			out["fuzz/"+e.Name()] = data
		}
	}
	return out
}

// fuzzInputData extracts the []byte argument from a "go test fuzz v1" file.
func fuzzInputData(raw []byte) ([]byte, bool) {
	lines := bytes.Split(raw, []byte("\n"))
	if len(lines) < 2 || !bytes.HasPrefix(lines[1], []byte("[]byte(")) {
		return nil, false
	}
	lit := strings.TrimSuffix(strings.TrimPrefix(string(lines[1]), "[]byte("), ")")
	s, err := strconv.Unquote(lit)
	if err != nil {
		return nil, false
	}
	return []byte(s), true
}
