// Package awssignin knows the profiles the AWS CLI signs in by itself, which stsmfa neither makes nor
// refreshes: `aws login` profiles (login_session, AWS CLI 2.32) and IAM Identity Center profiles
// (sso_session with an [sso-session NAME] section, or the legacy sso_start_url). It reads, never
// writes, the token caches those sign-ins leave, to say how long each stays signed in:
//
//   - aws login: $AWS_LOGIN_CACHE_DIRECTORY (default ~/.aws/login/cache)/<sha256 hex of login_session>.json,
//     {"accessToken": {"expiresAt": RFC 3339, ...}, "refreshToken": ...} (aws-sdk-go-v2
//     credentials/logincreds.StandardCachedTokenFilepath; the AWS CLI and botocore use the same name).
//   - IAM Identity Center: ~/.aws/sso/cache/<sha1 hex of the sso_session name, or of sso_start_url for
//     a legacy profile>.json, {"expiresAt": RFC 3339, "refreshToken": ...} (botocore's SSOTokenLoader,
//     aws-sdk-go-v2 credentials/ssocreds.StandardCachedTokenFilepath).
package awssignin

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
)

// Config keys that mark a profile the AWS CLI signs in itself.
const (
	KeyLoginSession = "login_session"
	KeySSOSession   = "sso_session"
	KeySSOStartURL  = "sso_start_url"
)

// Kind is how a profile is signed in.
type Kind int

const (
	None  Kind = iota
	Login      // aws login
	SSO        // IAM Identity Center
)

// Profile is a profile the AWS CLI signs in itself.
type Profile struct {
	Name string
	Kind Kind
	Key  string // the config key that makes it one: login_session, sso_session or sso_start_url
	// Session is that key's value: the login session's ARN, the sso-session name or the start URL.
	Session string
}

// Of reports whether profile name of the config file is signed in by the AWS CLI itself. A profile
// that also holds long-term keys in the credentials file is not: every SDK uses those first.
func Of(creds, conf *awsfile.File, name string) (Profile, bool) {
	if creds != nil {
		if k, _ := creds.Get(name, "aws_access_key_id"); strings.TrimSpace(k) != "" {
			return Profile{}, false
		}
	}
	if conf == nil {
		return Profile{}, false
	}
	for _, x := range []struct {
		key  string
		kind Kind
	}{{KeyLoginSession, Login}, {KeySSOSession, SSO}, {KeySSOStartURL, SSO}} {
		if v, ok := conf.Get(name, x.key); ok && strings.TrimSpace(v) != "" {
			return Profile{Name: name, Kind: x.kind, Key: x.key, Session: strings.TrimSpace(v)}, true
		}
	}
	return Profile{}, false
}

// List is every such profile of the config file, in file order.
func List(creds, conf *awsfile.File) []Profile {
	seen := map[string]bool{}
	var out []Profile
	for _, k := range []string{KeyLoginSession, KeySSOSession, KeySSOStartURL} {
		for _, name := range conf.ProfilesWithKey(k) {
			if seen[name] {
				continue
			}
			if p, ok := Of(creds, conf, name); ok {
				seen[name] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// What names the sign-in for people: "aws login" or "IAM Identity Center".
func (p Profile) What() string {
	if p.Kind == Login {
		return "aws login"
	}
	return "IAM Identity Center"
}

// KindName is the kind as status lists it: "login" or "sso".
func (p Profile) KindName() string {
	if p.Kind == Login {
		return "login"
	}
	return "sso"
}

// Command is the AWS CLI command that signs the profile in.
func (p Profile) Command() string {
	if p.Kind == Login {
		return "aws login --profile " + p.Name
	}
	return "aws sso login --profile " + p.Name
}

// CachePath is the AWS CLI's token cache file of the profile's sign-in.
func (p Profile) CachePath(getenv func(string) string) (string, error) {
	home, err := os.UserHomeDir()
	if p.Kind == Login {
		dir := strings.TrimSpace(getenv("AWS_LOGIN_CACHE_DIRECTORY"))
		if dir == "" {
			if err != nil || home == "" {
				return "", fmt.Errorf("no home directory for the aws login cache")
			}
			dir = filepath.Join(home, ".aws", "login", "cache")
		}
		sum := sha256.Sum256([]byte(p.Session))
		return filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), nil
	}
	if err != nil || home == "" {
		return "", fmt.Errorf("no home directory for the IAM Identity Center cache")
	}
	sum := sha1.Sum([]byte(p.Session))
	return filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"), nil
}

// Token is what the cache file says about the sign-in.
type Token struct {
	Path    string
	Expires time.Time // when the cached credentials (aws login) or access token (SSO) expire
	// Refreshable: the file holds a refresh token, so the AWS CLI and SDKs renew the sign-in
	// without a browser while the refresh token lasts (aws login: up to 12h).
	Refreshable bool
}

// ErrNotSignedIn: the cache has no token for the profile's sign-in.
var ErrNotSignedIn = errors.New("not signed in")

// ReadToken reads the profile's token cache file; ErrNotSignedIn when there is none.
func (p Profile) ReadToken(getenv func(string) string) (Token, error) {
	path, err := p.CachePath(getenv)
	if err != nil {
		return Token{}, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Token{Path: path}, ErrNotSignedIn
	}
	if err != nil {
		return Token{Path: path}, err
	}
	var f struct {
		ExpiresAt   string `json:"expiresAt"`
		AccessToken json.RawMessage
		Refresh     string `json:"refreshToken"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return Token{Path: path}, fmt.Errorf("%s is not a token cache file of the AWS CLI", path)
	}
	exp := f.ExpiresAt
	if p.Kind == Login {
		var at struct {
			ExpiresAt string `json:"expiresAt"`
		}
		if len(f.AccessToken) > 0 && json.Unmarshal(f.AccessToken, &at) == nil {
			exp = at.ExpiresAt
		}
	}
	t, err := parseTime(exp)
	if err != nil {
		return Token{Path: path}, fmt.Errorf("%s has no expiry the AWS CLI wrote", path)
	}
	return Token{Path: path, Expires: t, Refreshable: f.Refresh != ""}, nil
}

// parseTime reads RFC 3339 and the "...UTC" form older AWS CLI v1 releases wrote.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05UTC", s)
}
