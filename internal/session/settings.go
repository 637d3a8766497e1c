// Package session gets a user's MFA session: it resolves the source profile's long-term keys, the MFA
// serial, the code and the duration, reuses a cached session when one is valid, and otherwise takes a
// cross-process lock, asks for one code and calls STS GetSessionToken once.
//
// The cache is the login target profile in the credentials file (see docs/DESIGN.md): the keys plus
// stsmfa_expiration, stsmfa_source and stsmfa_mfa_serial, which every AWS reader ignores.
package session

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/tokencmd"
)

// Keys stsmfa writes into a target profile besides the AWS ones; AWS readers ignore them.
const (
	KeyExpiration = "stsmfa_expiration"
	KeySource     = "stsmfa_source"
	KeySerial     = "stsmfa_mfa_serial"
	KeyIssued     = "stsmfa_issued" // when the session was had: its length scales the reuse margin
	// a role session stored in a login target also records the role and the role profile it serves
	KeyRoleARNStored = "stsmfa_role_arn"
	KeyRoleProfile   = "stsmfa_role_profile"
)

// Keys stsmfa reads from a source profile's config section.
const (
	KeyMFASerial   = "mfa_serial"           // the AWS CLI's own key
	KeyMFAProcess  = "mfa_process"          // a command that prints the code
	KeyMFADuration = "mfa_session_duration" // default --duration
)

// Duration limits of GetSessionToken (documented by AWS).
const (
	MinDuration     = 900 * time.Second
	MaxDuration     = 129600 * time.Second
	MaxRootDuration = 3600 * time.Second
	DefaultDuration = 43200 * time.Second
	// DefaultMargin is how much validity a cached session must have left to be reused: botocore
	// treats credentials with less than 15 minutes left as expired.
	DefaultMargin = 15 * time.Minute
)

// DefaultTarget is where a source's session goes when no --target is given.
func DefaultTarget(source string) string {
	if source == "default" {
		return "mfa"
	}
	return source + "-mfa"
}

// CheckCode validates an MFA code without echoing it.
func CheckCode(code, from string) error {
	if !tokencmd.IsCode(code) {
		return fault.UsageErr("the MFA code %s must be exactly 6 digits", from)
	}
	return nil
}

// ParseDuration reads seconds ("43200") or a Go duration ("12h", "36h", "90m").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > 1<<31 {
			return 0, fmt.Errorf("out of range")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("not seconds or a duration like 12h")
	}
	return d, nil
}

// CheckDuration enforces STS's limits before any network call. from names where the value came from.
func CheckDuration(d time.Duration, root bool, from string) error {
	if d%time.Second != 0 {
		return fault.UsageErr("%s must be whole seconds (got %s)", from, d)
	}
	lo, hi := MinDuration, MaxDuration
	who := "an IAM user's session"
	if root {
		hi, who = MaxRootDuration, "the root user's session"
	}
	if d < lo || d > hi {
		shown := cred.Human(d) // cred.Human drops the sign
		if d < 0 {
			shown = "-" + shown
		}
		return fault.UsageErr("%s is %s (%ds): %s must last %ds–%ds (%s–%s)",
			from, shown, int64(d/time.Second), who, int64(lo/time.Second), int64(hi/time.Second), cred.Human(lo), cred.Human(hi))
	}
	return nil
}

// Source is what stsmfa knows about a source profile before it talks to AWS.
type Source struct {
	Profile         string
	AccessKeyID     string
	SecretAccessKey string
	Region          string // AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region, else us-east-1
	Output          string
	Serial          string // "" until discovered
	SerialFrom      string // the request's label, "mfa_serial in FILE", "AWS_MFA_SERIAL", "discovered"
	TokenCommand    string
	TokenFrom       string
	tokenSettings   // its timeout and parsed form (tokencmd.go)
	Duration        time.Duration
	DurationFrom    string
	DurationSet     bool          // chosen by the user (flag or config) rather than the default
	ConfigExists    bool          // the profile has a config section
	conf            *awsfile.File // the config file, for endpoint, CA bundle and retry settings
	who, orEnv      string        // how errors name the profile, and the AWS_PROFILE hint
}

// loadSource reads a source profile's settings from the two files; not its keys, which loadKeys reads
// only when a refresh needs them. For a role plan the request's duration belongs to the role, and the
// MFA device is the role's own mfa_serial before the source's.
func loadSource(creds, conf *awsfile.File, req *Request, plan *Plan, getenv func(string) string) (*Source, error) {
	name := plan.Source
	s := &Source{Profile: name}
	// a profile named by a stale AWS_PROFILE must not look like one the user asked for
	s.who = fmt.Sprintf("profile %q", name)
	if req.ProfileFrom != "" && plan.Asked == name {
		s.who += " (from " + req.ProfileFrom + ")"
		s.orEnv = fmt.Sprintf(", or unset %s to use the default profile", req.ProfileFrom)
	}
	s.ConfigExists = conf.HasProfile(name)
	s.conf = conf
	// as in the AWS SDKs, the environment wins over the profile: AWS_REGION, AWS_DEFAULT_REGION, then
	// the profile's region (only a region really in the profile is copied into targets)
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if s.Region == "" {
			s.Region = strings.TrimSpace(getenv(v))
		}
	}
	if s.Region == "" {
		s.Region, _ = conf.Get(name, "region")
	}
	if s.Region == "" {
		s.Region = "us-east-1"
	}
	s.Output, _ = conf.Get(name, "output")

	roleSerial, roleSerialFrom := "", ""
	for i := len(plan.Roles) - 1; i >= 0 && roleSerial == ""; i-- {
		if h := plan.Roles[i]; h.Serial != "" {
			roleSerial = h.Serial
			roleSerialFrom = fmt.Sprintf("%s of role profile %s in %s", KeyMFASerial, h.Profile, conf.Path())
		}
	}
	switch v, _ := conf.Get(name, KeyMFASerial); {
	case req.Serial != "":
		s.Serial, s.SerialFrom = req.Serial, req.label(fault.FieldSerial, "the requested MFA serial")
	case roleSerial != "":
		s.Serial, s.SerialFrom = roleSerial, roleSerialFrom
	case v != "":
		s.Serial, s.SerialFrom = v, fmt.Sprintf("%s in %s", KeyMFASerial, conf.Path())
	case getenv("AWS_MFA_SERIAL") != "":
		s.Serial, s.SerialFrom = getenv("AWS_MFA_SERIAL"), "AWS_MFA_SERIAL"
	}

	if v, _ := conf.Get(name, KeyMFAProcess); req.TokenCommand != "" {
		s.TokenCommand, s.TokenFrom = req.TokenCommand, req.label(fault.FieldTokenCommand, "the requested token command")
	} else if v != "" {
		s.TokenCommand, s.TokenFrom = v, fmt.Sprintf("%s in %s", KeyMFAProcess, conf.Path())
	}
	s.loadTokenSettings(conf, req)

	s.Duration, s.DurationFrom = DefaultDuration, "the default duration"
	if req.Duration != 0 && !plan.IsRole() {
		s.Duration, s.DurationFrom, s.DurationSet = req.Duration, req.label(fault.FieldDuration, "the requested duration"), true
	} else if v, ok := conf.Get(name, KeyMFADuration); ok {
		from := fmt.Sprintf("%s in %s line %d", KeyMFADuration, conf.Path(), conf.Line(name, KeyMFADuration))
		d, err := ParseDuration(v)
		if err != nil {
			return nil, fault.UsageErr("%s: %v", from, err)
		}
		s.Duration, s.DurationFrom, s.DurationSet = d, from, true
	}
	if err := CheckDuration(s.Duration, false, s.DurationFrom); err != nil {
		if req.Duration != 0 && s.DurationFrom == req.label(fault.FieldDuration, "the requested duration") {
			err = fault.WithField(err, fault.FieldDuration)
		}
		return nil, err
	}
	return s, nil
}

func orLabel(label, def string) string {
	if label != "" {
		return label
	}
	return def
}

// KeyBackend, in a source's config section, names the key store holding its long-term keys
// (written by stsmfa keys import and keys add). Keys still in the credentials file win.
const KeyBackend = "stsmfa_backend"

// backend is the key store holding the source's keys, "" when they are (or should be) in the
// credentials file.
func (s *Source) backend(creds *awsfile.File) string {
	if k, _ := creds.Get(s.Profile, "aws_access_key_id"); k != "" {
		return ""
	}
	b, _ := s.conf.Get(s.Profile, KeyBackend)
	return strings.TrimSpace(b)
}

// loadKeys reads the source's long-term keys, refusing a profile that lacks them or holds session
// credentials. Only a refresh calls it: a cached session is served without touching the keys.
func (s *Source) loadKeys(creds *awsfile.File) error {
	name, who, orEnv := s.Profile, s.who, s.orEnv
	if !creds.HasProfile(name) {
		hint := fmt.Sprintf("add its long-term keys with: aws configure --profile %s%s", name, orEnv)
		if k, _ := s.conf.Get(name, "aws_access_key_id"); k != "" { // keys put in the config file
			hint = fmt.Sprintf("stsmfa reads long-term keys from the credentials file, not %s; move them there (aws configure --profile %s)%s", s.conf.Path(), name, orEnv)
		}
		return fault.FilesErr("%s not found in %s; %s", who, creds.Path(), hint)
	}
	s.AccessKeyID, _ = creds.Get(name, "aws_access_key_id")
	s.SecretAccessKey, _ = creds.Get(name, "aws_secret_access_key")
	if s.AccessKeyID == "" || s.SecretAccessKey == "" {
		return fault.FilesErr("%s in %s has no aws_access_key_id/aws_secret_access_key; add them with: aws configure --profile %s%s", who, creds.Path(), name, orEnv)
	}
	if tok, _ := creds.Get(name, "aws_session_token"); tok != "" || cred.IsSessionKey(s.AccessKeyID) {
		return fault.WithField(fault.FilesErr("%s in %s holds temporary session credentials (line %d); GetSessionToken needs the IAM user's long-term keys (AKIA…)%s",
			who, creds.Path(), creds.Line(name, "aws_access_key_id"), orEnv), fault.FieldProfile)
	}
	return nil
}

// checkTokenCommandFile refuses to run an mfa_process from a config file that other users can change
// (as ssh refuses a key file others can read): whoever can write the file chooses what runs as you.
// As ssh's StrictModes does, it also checks every directory from the file's up to the home directory
// (or / for a file outside it), for the path as given and for the real file behind symbolic links:
// whoever can write one of them can put another file in its place. A directory must belong to the
// user or root and be writable by nobody else, unless it is sticky (/tmp: others cannot replace
// what is yours there).
func (s *Source) checkTokenCommandFile() error {
	if runtime.GOOS == "windows" || s.conf == nil || !strings.HasPrefix(s.TokenFrom, KeyMFAProcess+" in ") {
		return nil
	}
	path := s.conf.Path()
	st, err := os.Stat(path)
	if err != nil {
		return nil
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fault.FilesErr("%s is writable by group or others (mode %04o), so anyone who can change it chooses the command mfa_process runs as you; refusing to run it: fix with chmod go-w %s",
			path, st.Mode().Perm(), path)
	}
	if uid, ok := fileOwner(st); ok && uid != os.Getuid() && uid != 0 {
		return fault.FilesErr("%s belongs to another user (uid %d), who chooses the command mfa_process runs as you; refusing to run it: fix with chown %d %s", path, uid, os.Getuid(), path)
	}
	home, _ := os.UserHomeDir()
	paths := []string{path}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
		paths = append(paths, real)
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		stop := string(filepath.Separator)
		if home != "" && strings.HasPrefix(abs, filepath.Clean(home)+string(filepath.Separator)) {
			stop = filepath.Clean(home)
		}
		for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
			if err := checkDirOf(dir, path); err != nil {
				return err
			}
			if dir == stop || dir == filepath.Dir(dir) {
				break
			}
		}
	}
	return nil
}

// checkDirOf refuses a directory others could use to replace file (see checkTokenCommandFile).
func checkDirOf(dir, file string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	if st.Mode()&os.ModeSticky == 0 && st.Mode().Perm()&0o022 != 0 {
		return fault.FilesErr("directory %s is writable by group or others (mode %04o), so anyone who can write it can put another %s in its place and choose the command mfa_process runs as you; refusing to run it: fix with chmod go-w %s",
			dir, st.Mode().Perm(), file, dir)
	}
	if uid, ok := fileOwner(st); ok && uid != os.Getuid() && uid != 0 {
		return fault.FilesErr("directory %s belongs to another user (uid %d), who can put another %s in its place and choose the command mfa_process runs as you; refusing to run it", dir, uid, file)
	}
	return nil
}
