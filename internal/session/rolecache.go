package session

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// Role sessions are cached by stsmfa in $XDG_CACHE_HOME/stsmfa/roles/<key>.session (0600, directory
// 0700), never in the credentials file unless the user asked for a target: an hourly refresh must not
// rewrite ~/.aws/credentials. The key covers the credentials file, the source profile and every role
// of the chain with its external id and session name, so sessions of different roles, sources,
// external ids and session names never mix; the MFA serial is checked on reading. A mirror entry goes
// into the AWS CLI's own cache (~/.aws/cli/cache), which only the AWS CLI reads.

// RoleEntry is one cached role session. On disk it is one "key = value" line per field (chain repeated,
// first to last): read on every cached credential-process call, it is parsed with strings.Cut, not
// encoding/json, whose reflection cost more than the rest of the cached path (docs/benchmarks.md).
type RoleEntry struct {
	Version         int
	CredentialsFile string
	Profile         string
	Source          string
	MFASerial       string
	RoleARN         string
	Chain           []string // profile=role ARN|external id|session name, first to last
	ExternalID      string
	RoleSessionName string
	AssumedRoleARN  string
	Direct          bool // assumed with the long-term keys and a code of its own
	Credentials     struct {
		AccessKeyID, SecretAccessKey, SessionToken, Expiration string
	}
}

const roleEntryHeader = "# stsmfa role session cache; written by stsmfa, do not edit\n"

// encode writes the entry's lines; a value with a line break cannot be stored (none AWS issues has one).
func (e *RoleEntry) encode() ([]byte, error) {
	var b strings.Builder
	b.WriteString(roleEntryHeader)
	add := func(k, v string) error {
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("the %s of the role session has a line break", k)
		}
		if v != "" {
			b.WriteString(k + " = " + v + "\n")
		}
		return nil
	}
	fields := [][2]string{{"version", strconv.Itoa(e.Version)}, {"credentials_file", e.CredentialsFile}, {"profile", e.Profile},
		{"source", e.Source}, {"mfa_serial", e.MFASerial}, {"role_arn", e.RoleARN}}
	for _, c := range e.Chain {
		fields = append(fields, [2]string{"chain", c})
	}
	direct := ""
	if e.Direct {
		direct = "true"
	}
	fields = append(fields, [][2]string{{"external_id", e.ExternalID}, {"role_session_name", e.RoleSessionName},
		{"assumed_role_arn", e.AssumedRoleARN}, {"direct", direct}, {"access_key_id", e.Credentials.AccessKeyID},
		{"secret_access_key", e.Credentials.SecretAccessKey}, {"session_token", e.Credentials.SessionToken},
		{"expiration", e.Credentials.Expiration}}...)
	for _, f := range fields {
		if err := add(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	return []byte(b.String()), nil
}

// decodeRoleEntry reads what encode wrote.
func decodeRoleEntry(data []byte) (*RoleEntry, error) {
	var e RoleEntry
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			continue
		}
		switch k {
		case "version":
			e.Version, _ = strconv.Atoi(v)
		case "credentials_file":
			e.CredentialsFile = v
		case "profile":
			e.Profile = v
		case "source":
			e.Source = v
		case "mfa_serial":
			e.MFASerial = v
		case "role_arn":
			e.RoleARN = v
		case "chain":
			e.Chain = append(e.Chain, v)
		case "external_id":
			e.ExternalID = v
		case "role_session_name":
			e.RoleSessionName = v
		case "assumed_role_arn":
			e.AssumedRoleARN = v
		case "direct":
			e.Direct = v == "true"
		case "access_key_id":
			e.Credentials.AccessKeyID = v
		case "secret_access_key":
			e.Credentials.SecretAccessKey = v
		case "session_token":
			e.Credentials.SessionToken = v
		case "expiration":
			e.Credentials.Expiration = v
		}
	}
	if e.Version != 1 {
		return nil, fmt.Errorf("not a version 1 role session file")
	}
	return &e, nil
}

// cred.Session is the entry as a Session.
func (e *RoleEntry) Session() cred.Session {
	s := cred.Session{
		AccessKeyID: e.Credentials.AccessKeyID, SecretAccessKey: e.Credentials.SecretAccessKey, SessionToken: e.Credentials.SessionToken,
		Source: e.Source, Serial: e.MFASerial, RoleARN: e.RoleARN, RoleProfile: e.Profile, AssumedRoleARN: e.AssumedRoleARN,
	}
	if t, err := time.Parse(time.RFC3339, e.Credentials.Expiration); err == nil {
		s.Expiration = t
	}
	return s
}

func chainOf(p *Plan) []string {
	var out []string
	for _, h := range p.Roles {
		out = append(out, h.Profile+"="+h.RoleARN+"|"+h.ExternalID+"|"+h.SessionName)
	}
	return out
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

const roleEntryExt = ".session"

// roleCacheDir is stsmfa's directory of role sessions (not created: ReplaceWhole creates it 0700 on the
// first write, so the cached path makes no mkdir).
func roleCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fault.FilesErr("no cache directory: %v (set HOME or XDG_CACHE_HOME)", err)
	}
	return filepath.Join(dir, "stsmfa", "roles"), nil
}

// roleCachePath is where the plan's role session is cached.
func (r *run) roleCachePath() (string, error) {
	dir, err := roleCacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", absPath(r.credPath), r.plan.Source, strings.Join(chainOf(r.plan), "\x00"))
	return filepath.Join(dir, hex.EncodeToString(h.Sum(nil))[:32]+roleEntryExt), nil
}

// cachedRole returns the cached role session of this plan if it matches exactly and stays valid for
// longer than the request's margin.
func (r *run) cachedRole() (cred.Session, bool) {
	path, err := r.roleCachePath()
	if err != nil {
		return cred.Session{}, false
	}
	e, err := readRoleEntry(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.env.debugf("ignoring the role cache entry %s: %v", path, err)
		}
		return cred.Session{}, false
	}
	if e.CredentialsFile != absPath(r.credPath) || e.Source != r.plan.Source || strings.Join(e.Chain, "\x00") != strings.Join(chainOf(r.plan), "\x00") {
		return cred.Session{}, false
	}
	if r.src.Serial != "" && e.MFASerial != "" && e.MFASerial != r.src.Serial {
		r.env.debugf("the cached role session of %s was made with another MFA device; not using it", r.plan.Profile)
		return cred.Session{}, false
	}
	s := e.Session()
	if s.AccessKeyID == "" || s.SessionToken == "" || s.Expiration.Sub(r.env.Now()) <= r.req.MinRemaining {
		r.env.debugf("no cached role session of %s valid for more than %s", r.plan.Profile, r.req.MinRemaining)
		return cred.Session{}, false
	}
	return s, true
}

func readRoleEntry(path string) (*RoleEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeRoleEntry(b)
}

// RoleSessions lists the role sessions cached for the credentials file at credPath, sorted by profile.
func RoleSessions(credPath string) []cred.Session {
	dir, err := roleCacheDir()
	if err != nil {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	want := absPath(credPath)
	var out []cred.Session
	for _, ent := range ents {
		if !strings.HasSuffix(ent.Name(), roleEntryExt) {
			continue
		}
		e, err := readRoleEntry(filepath.Join(dir, ent.Name()))
		if err != nil || e.CredentialsFile != want {
			continue
		}
		out = append(out, e.Session())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoleProfile < out[j].RoleProfile })
	return out
}

// saveRole writes the role session into stsmfa's cache and the AWS CLI's.
func (r *run) saveRole(s cred.Session, direct bool) error {
	path, err := r.roleCachePath()
	if err != nil {
		return err
	}
	last := r.plan.Last()
	e := RoleEntry{Version: 1, CredentialsFile: absPath(r.credPath), Profile: r.plan.Profile, Source: r.plan.Source,
		MFASerial: s.Serial, RoleARN: last.RoleARN, Chain: chainOf(r.plan), ExternalID: last.ExternalID,
		RoleSessionName: last.SessionName, AssumedRoleARN: s.AssumedRoleARN, Direct: direct}
	e.Credentials.AccessKeyID, e.Credentials.SecretAccessKey, e.Credentials.SessionToken = s.AccessKeyID, s.SecretAccessKey, s.SessionToken
	e.Credentials.Expiration = s.Expiration.UTC().Format(time.RFC3339)
	b, err := e.encode()
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "cannot cache the role session: %v", err)
	}
	err = r.env.Editor.ReplaceWhole(path, func([]byte) ([]byte, error) { return b, nil })
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "got a role session but could not cache it: %v", err)
	}
	r.env.debugf("cached the role session of %s in %s", r.plan.Profile, path)
	return nil
}

// CLICacheDir is the AWS CLI's assume-role cache: ~/.aws/cli/cache, a fixed path (AWS_CONFIG_FILE does
// not move it).
func CLICacheDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".aws", "cli", "cache"), nil
}

// CLICacheKey is the file name (without .json) under which the AWS CLI looks for a role profile's
// assumed-role credentials: SHA-1 of json.dumps(args, sort_keys=True) with Python's default
// separators, where args holds RoleArn and, when the profile sets them, RoleSessionName, ExternalId,
// SerialNumber (the profile's own mfa_serial) and DurationSeconds (a JSON number).
func CLICacheKey(h cred.Hop) string {
	args := map[string]string{"RoleArn": pyJSONString(h.RoleARN)}
	if h.SessionName != "" {
		args["RoleSessionName"] = pyJSONString(h.SessionName)
	}
	if h.ExternalID != "" {
		args["ExternalId"] = pyJSONString(h.ExternalID)
	}
	if h.Serial != "" {
		args["SerialNumber"] = pyJSONString(h.Serial)
	}
	if h.Duration != 0 {
		args["DurationSeconds"] = strconv.FormatInt(int64(h.Duration/time.Second), 10)
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyJSONString(k))
		b.WriteString(": ")
		b.WriteString(args[k])
	}
	b.WriteByte('}')
	sum := sha1.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// pyJSONString quotes s as Python's json.dumps does by default (ensure_ascii): non-ASCII as \uXXXX
// (surrogate pairs beyond the BMP), and no HTML escaping.
func pyJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r <= 0xffff):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// cliCacheEntry is the AWS CLI's JSON for an assumed role.
type cliCacheEntry struct {
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	AssumedRoleUser *struct {
		AssumedRoleID string `json:"AssumedRoleId,omitempty"`
		Arn           string
	} `json:",omitempty"`
}

// writeCLICache writes (or refreshes) the AWS CLI's cache entry of the role profile.
func (r *run) writeCLICache(s cred.Session) error {
	dir, err := CLICacheDir()
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "no home directory for the AWS CLI's cache: %v", err)
	}
	path := filepath.Join(dir, CLICacheKey(r.plan.Last())+".json")
	var e cliCacheEntry
	e.Credentials.AccessKeyID, e.Credentials.SecretAccessKey, e.Credentials.SessionToken = s.AccessKeyID, s.SecretAccessKey, s.SessionToken
	e.Credentials.Expiration = s.Expiration.UTC().Format(time.RFC3339)
	if s.AssumedRoleARN != "" {
		e.AssumedRoleUser = &struct {
			AssumedRoleID string `json:"AssumedRoleId,omitempty"`
			Arn           string
		}{Arn: s.AssumedRoleARN}
	}
	b, err := json.Marshal(&e)
	if err != nil {
		return err
	}
	if err := mkdirPrivate(dir); err != nil {
		return err
	}
	err = r.env.Editor.ReplaceWhole(path, func([]byte) ([]byte, error) { return b, nil })
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "could not write the AWS CLI's cache entry: %v", err)
	}
	r.env.debugf("wrote the AWS CLI's cache entry %s for profile %s", path, r.plan.Profile)
	return nil
}

// mkdirPrivate creates dir (and missing parents) with mode 0700; existing directories are left alone.
func mkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "cannot create %s: %v", dir, err)
	}
	return nil
}

// checkRoleCachesWritable finds out before any code or AWS call whether the role session can be stored
// everywhere it goes: stsmfa's cache, the AWS CLI's cache and the requested targets.
func (r *run) checkRoleCachesWritable() error {
	path, err := r.roleCachePath()
	if err != nil {
		return err
	}
	dir, err := CLICacheDir()
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "no home directory for the AWS CLI's cache: %v", err)
	}
	if err := mkdirPrivate(dir); err != nil {
		return err
	}
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return err
	}
	for _, p := range []string{path, filepath.Join(dir, CLICacheKey(r.plan.Last())+".json")} {
		if err := awsfile.CheckWritable(p); err != nil {
			return fault.New(fault.Files, fault.FieldNone, err, "%v; fix that before a code is spent on a session that could not be saved", err)
		}
	}
	return r.checkWritable(r.req.Targets)
}
