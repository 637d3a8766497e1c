package awssignin

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"

	"github.com/stsmfa/stsmfa/internal/awsfile"
)

const conf = `[profile keys]
region = eu-west-1
[profile web]
login_session = arn:aws:iam::123456789012:user/alice
[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile legacy]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Admin
[profile shadowed]
sso_session = corp
`

const creds = `[keys]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
[shadowed]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`

func files(t *testing.T) (*awsfile.File, *awsfile.File) {
	t.Helper()
	c, err := awsfile.Parse("credentials", awsfile.Credentials, []byte(creds))
	if err != nil {
		t.Fatal(err)
	}
	f, err := awsfile.Parse("config", awsfile.Config, []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func TestList(t *testing.T) {
	c, f := files(t)
	got := List(c, f)
	want := []struct {
		name string
		kind Kind
		key  string
		cmd  string
	}{
		{"web", Login, KeyLoginSession, "aws login --profile web"},
		{"sso", SSO, KeySSOSession, "aws sso login --profile sso"},
		{"legacy", SSO, KeySSOStartURL, "aws sso login --profile legacy"},
	}
	if len(got) != len(want) {
		t.Fatalf("List = %+v, want %d profiles (keys in the credentials file win over sso_session)", got, len(want))
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Kind != w.kind || got[i].Key != w.key || got[i].Command() != w.cmd {
			t.Errorf("List[%d] = %+v (%s), want %+v", i, got[i], got[i].Command(), w)
		}
	}
	if _, ok := Of(c, f, "keys"); ok {
		t.Error("a profile with keys is not signed in by the AWS CLI")
	}
}

// The cache file names are the SDK's own: the Go SDK's functions are the oracle.
func TestCachePathsAreTheSDKs(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	c, f := files(t)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	for _, p := range List(c, f) {
		got, err := p.CachePath(getenv)
		if err != nil {
			t.Fatal(err)
		}
		var want string
		if p.Kind == Login {
			want, err = logincreds.StandardCachedTokenFilepath(p.Session, filepath.Join(home, ".aws", "login", "cache"))
		} else {
			want, err = ssocreds.StandardCachedTokenFilepath(p.Session)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: cache path %s, the SDK reads %s", p.Name, got, want)
		}
	}
	env["AWS_LOGIN_CACHE_DIRECTORY"] = "/elsewhere"
	p, _ := Of(c, f, "web")
	got, _ := p.CachePath(getenv)
	want, _ := logincreds.StandardCachedTokenFilepath(p.Session, "/elsewhere")
	if got != want {
		t.Errorf("AWS_LOGIN_CACHE_DIRECTORY: %s, want %s", got, want)
	}
}

func TestReadToken(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	c, f := files(t)
	getenv := func(string) string { return "" }
	web, _ := Of(c, f, "web")
	sso, _ := Of(c, f, "sso")
	for _, p := range []Profile{web, sso} {
		if _, err := p.ReadToken(getenv); !errors.Is(err, ErrNotSignedIn) {
			t.Fatalf("%s without a cache file: %v, want ErrNotSignedIn", p.Name, err)
		}
	}
	exp := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	write := func(p Profile, body string) {
		path, _ := p.CachePath(getenv)
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(web, `{"accessToken":{"accessKeyId":"ASIA","secretAccessKey":"s","sessionToken":"t","accountId":"123456789012","expiresAt":"2026-12-06T10:00:00Z"},"tokenType":"aws_sigv4","refreshToken":"r","clientId":"c","dpopKey":"k"}`)
	write(sso, `{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"tok","expiresAt":"2026-12-06T10:00:00Z"}`)
	for _, x := range []struct {
		p       Profile
		refresh bool
	}{{web, true}, {sso, false}} {
		tok, err := x.p.ReadToken(getenv)
		if err != nil {
			t.Fatal(err)
		}
		if !tok.Expires.Equal(exp) || tok.Refreshable != x.refresh {
			t.Errorf("%s: %+v, want expiry %s refreshable %v", x.p.Name, tok, exp, x.refresh)
		}
	}
	write(sso, `not json`)
	if _, err := sso.ReadToken(getenv); err == nil || errors.Is(err, ErrNotSignedIn) {
		t.Errorf("a broken cache file: %v", err)
	}
}
