// Package rolecache owns the two caches of role sessions: stsmfa's own, one "key = value" file per
// role chain in $XDG_CACHE_HOME/stsmfa/roles (Entry, Path, List), and the mirror entry in the AWS
// CLI's cache, ~/.aws/cli/cache/<botocore's key>.json (CLIKey, CLIEntry), which only the AWS CLI
// reads. It encodes, decodes and names; session decides when to read and write them.
package rolecache

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/state"
)

// Entry is one cached role session. On disk it is one "key = value" line per field (chain repeated,
// first to last): read on every cached credential-process call, it is parsed with strings.Cut, not
// encoding/json, whose reflection cost more than the rest of the cached path (docs/benchmarks.md).
type Entry struct {
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
	Direct          bool   // assumed with the long-term keys and a code of its own
	Issued          string // RFC 3339: when the session was had ("" in entries written before it was kept)
	Credentials     struct {
		AccessKeyID, SecretAccessKey, SessionToken, Expiration string
	}
}

const entryHeader = "# stsmfa role session cache; written by stsmfa, do not edit\n"

// Encode writes the entry's lines; a value with a line break cannot be stored (none AWS issues has one).
func (e *Entry) Encode() ([]byte, error) {
	var b strings.Builder
	b.WriteString(entryHeader)
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
		{"expiration", e.Credentials.Expiration}, {"issued", e.Issued}}...)
	for _, f := range fields {
		if err := add(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	return []byte(b.String()), nil
}

// Decode reads what encode wrote.
func Decode(data []byte) (*Entry, error) {
	var e Entry
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
		case "issued":
			e.Issued = v
		}
	}
	if e.Version != 1 {
		return nil, fmt.Errorf("not a version 1 role session file")
	}
	return &e, nil
}

// Session is the entry as a Session.
func (e *Entry) Session() cred.Session {
	s := cred.Session{
		AccessKeyID: e.Credentials.AccessKeyID, SecretAccessKey: e.Credentials.SecretAccessKey, SessionToken: e.Credentials.SessionToken,
		Source: e.Source, Serial: e.MFASerial, RoleARN: e.RoleARN, RoleProfile: e.Profile, AssumedRoleARN: e.AssumedRoleARN,
	}
	if t, err := time.Parse(time.RFC3339, e.Credentials.Expiration); err == nil {
		s.Expiration = t
	}
	if t, err := time.Parse(time.RFC3339, e.Issued); err == nil {
		s.Issued = t
	}
	return s
}

func Chain(hops []cred.Hop) []string {
	var out []string
	for _, h := range hops {
		out = append(out, h.Profile+"="+h.RoleARN+"|"+h.ExternalID+"|"+h.SessionName)
	}
	return out
}

func Abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

const Ext = ".session"

// Dir is stsmfa's directory of role sessions (not created: ReplaceWhole creates it 0700 on the
// first write, so the cached path makes no mkdir).
func Dir() (string, error) { return state.Dir("roles") }

// Path is where the role session of a chain is cached: the key covers the credentials file, the source
// profile and every role of the chain (Chain) with its external id and session name.
func Path(credPath, source string, chain []string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", Abs(credPath), source, strings.Join(chain, "\x00"))
	return filepath.Join(dir, hex.EncodeToString(h.Sum(nil))[:32]+Ext), nil
}

func Read(path string) (*Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// List lists the role sessions cached for the credentials file at credPath, sorted by profile.
func List(credPath string) []cred.Session {
	dir, err := Dir()
	if err != nil {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	want := Abs(credPath)
	var out []cred.Session
	for _, ent := range ents {
		if !strings.HasSuffix(ent.Name(), Ext) {
			continue
		}
		e, err := Read(filepath.Join(dir, ent.Name()))
		if err != nil || e.CredentialsFile != want {
			continue
		}
		out = append(out, e.Session())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoleProfile < out[j].RoleProfile })
	return out
}

// CLIDir is the AWS CLI's assume-role cache: ~/.aws/cli/cache, a fixed path (AWS_CONFIG_FILE does
// not move it).
func CLIDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".aws", "cli", "cache"), nil
}

// CLIKey is the file name (without .json) under which the AWS CLI looks for a role profile's
// assumed-role credentials: SHA-1 of json.dumps(args, sort_keys=True) with Python's default
// separators, where args holds RoleArn and, when the profile sets them, RoleSessionName, ExternalId,
// SerialNumber (the profile's own mfa_serial) and DurationSeconds (a JSON number).
func CLIKey(h cred.Hop) string {
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

// CLIEntry is the AWS CLI's JSON for an assumed role.
type CLIEntry struct {
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

// MkdirPrivate creates dir (and missing parents) with mode 0700; existing directories are left alone.
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "cannot create %s: %v", dir, err)
	}
	return nil
}
