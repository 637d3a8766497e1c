package session

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/rolecache"
)

// Role sessions are cached by stsmfa in $XDG_CACHE_HOME/stsmfa/roles/<key>.session (0600, directory
// 0700), never in the credentials file unless the user asked for a target: an hourly refresh must not
// rewrite ~/.aws/credentials. The key covers the credentials file, the source profile and every role
// of the chain with its external id and session name, so sessions of different roles, sources,
// external ids and session names never mix; the MFA serial is checked on reading. A mirror entry goes
// into the AWS CLI's own cache (~/.aws/cli/cache), which only the AWS CLI reads.

// roleCachePath is where the plan's role session is cached.
func (r *run) roleCachePath() (string, error) {
	return rolecache.Path(r.credPath, r.plan.Source, rolecache.Chain(r.plan.Roles))
}

// cachedRole returns the cached role session of this plan if it matches exactly and stays valid for
// longer than the request's margin.
func (r *run) cachedRole() (cred.Session, bool) {
	path, err := r.roleCachePath()
	if err != nil {
		return cred.Session{}, false
	}
	e, err := rolecache.Read(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.env.debugf("ignoring the role cache entry %s: %v", path, err)
		}
		return cred.Session{}, false
	}
	if e.CredentialsFile != rolecache.Abs(r.credPath) || e.Source != r.plan.Source || strings.Join(e.Chain, "\x00") != strings.Join(rolecache.Chain(r.plan.Roles), "\x00") {
		return cred.Session{}, false
	}
	if r.src.Serial != "" && e.MFASerial != "" && e.MFASerial != r.src.Serial {
		r.env.debugf("the cached role session of %s was made with another MFA device; not using it", r.plan.Profile)
		return cred.Session{}, false
	}
	s := e.Session()
	if s.AccessKeyID == "" || s.SessionToken == "" || !reusable(s, r.env.Now(), r.req.MinRemaining) {
		r.env.debugf("no cached role session of %s valid for more than %s", r.plan.Profile, r.req.MinRemaining)
		return cred.Session{}, false
	}
	return s, true
}

// saveRole writes the role session into stsmfa's cache and the AWS CLI's.
func (r *run) saveRole(s cred.Session, direct bool) error {
	path, err := r.roleCachePath()
	if err != nil {
		return err
	}
	last := r.plan.Last()
	e := rolecache.Entry{Version: 1, CredentialsFile: rolecache.Abs(r.credPath), Profile: r.plan.Profile, Source: r.plan.Source,
		MFASerial: s.Serial, RoleARN: last.RoleARN, Chain: rolecache.Chain(r.plan.Roles), ExternalID: last.ExternalID,
		RoleSessionName: last.SessionName, AssumedRoleARN: s.AssumedRoleARN, Direct: direct}
	e.Credentials.AccessKeyID, e.Credentials.SecretAccessKey, e.Credentials.SessionToken = s.AccessKeyID, s.SecretAccessKey, s.SessionToken
	e.Credentials.Expiration = s.Expiration.UTC().Format(time.RFC3339)
	e.Issued = formatTime(s.Issued)
	b, err := e.Encode()
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

// writeCLICache writes (or refreshes) the AWS CLI's cache entry of the role profile.
func (r *run) writeCLICache(s cred.Session) error {
	dir, err := rolecache.CLIDir()
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "no home directory for the AWS CLI's cache: %v", err)
	}
	path := filepath.Join(dir, rolecache.CLIKey(r.plan.Last())+".json")
	var e rolecache.CLIEntry
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
	if err := rolecache.MkdirPrivate(dir); err != nil {
		return err
	}
	err = r.env.Editor.ReplaceWhole(path, func([]byte) ([]byte, error) { return b, nil })
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "could not write the AWS CLI's cache entry: %v", err)
	}
	r.env.debugf("wrote the AWS CLI's cache entry %s for profile %s", path, r.plan.Profile)
	return nil
}

// checkRoleCachesWritable finds out before any code or AWS call whether the role session can be stored
// everywhere it goes: stsmfa's cache, the AWS CLI's cache and the requested targets.
func (r *run) checkRoleCachesWritable() error {
	path, err := r.roleCachePath()
	if err != nil {
		return err
	}
	dir, err := rolecache.CLIDir()
	if err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "no home directory for the AWS CLI's cache: %v", err)
	}
	if err := rolecache.MkdirPrivate(dir); err != nil {
		return err
	}
	if err := rolecache.MkdirPrivate(filepath.Dir(path)); err != nil {
		return err
	}
	for _, p := range []string{path, filepath.Join(dir, rolecache.CLIKey(r.plan.Last())+".json")} {
		if err := awsfile.CheckWritable(p); err != nil {
			return fault.New(fault.Files, fault.FieldNone, err, "%v; fix that before a code is spent on a session that could not be saved", err)
		}
	}
	return r.checkWritable(r.req.Targets)
}
