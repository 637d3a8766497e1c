package session

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/rolecache"
)

// Removed is one session Logout removed.
type Removed struct {
	Profile string
	Source  string
	Role    bool
	Session cred.Session // the removed session (its expiry is shown; never its secrets)
	Where   string       // the file it was removed from
}

// Logout removes the sessions stsmfa wrote for profile, or every one with all: the keys stsmfa wrote
// into login targets (a section left empty goes too; any other key the user put there stays), role
// sessions in stsmfa's cache, and the AWS CLI cache entries stsmfa wrote for them (only when the entry
// still holds stsmfa's session). Every other byte of the AWS files stays. AWS cannot revoke issued
// session credentials: they stay valid until they expire.
func Logout(env *Env, profile string, all bool) ([]Removed, error) {
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return nil, fault.FilesCause(err)
	}
	creds, conf, err := loadFiles()
	if err != nil {
		return nil, err
	}
	// what the name stands for: a target, a source (all its sessions) or a role profile
	var plan *Plan
	if !all {
		if plan, err = ResolvePlan(creds, conf, profile, nil); err != nil {
			return nil, err
		}
	}
	wanted := func(s cred.Session) bool {
		switch {
		case all:
			return true
		case plan.IsRole():
			return s.RoleProfile == plan.Profile && s.Source == plan.Source
		case plan.Implied != "" || profile != plan.Source:
			return s.Profile == profile // a target named itself: that target only
		default:
			return s.Source == plan.Source // a source: every session made from it
		}
	}
	var out []Removed
	var targets []string
	for _, s := range Managed(creds) {
		if wanted(s) {
			targets = append(targets, s.Profile)
			out = append(out, Removed{Profile: s.Profile, Source: s.Source, Role: s.IsRole(), Session: s, Where: credPath})
		}
	}
	if len(targets) > 0 {
		err := env.Editor.Update(credPath, awsfile.Credentials, func(f *awsfile.File) error {
			for _, t := range targets {
				for _, k := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token",
					KeyExpiration, KeyIssued, KeySource, KeySerial, KeyRoleARNStored, KeyRoleProfile} {
					f.Delete(t, k)
				}
				if len(f.Keys(t)) == 0 {
					f.RemoveProfile(t)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fault.FilesCause(err)
		}
	}
	dir, err := rolecache.Dir()
	if err != nil {
		return out, err
	}
	ents, _ := os.ReadDir(dir)
	want := rolecache.Abs(credPath)
	for _, ent := range ents {
		if filepath.Ext(ent.Name()) != rolecache.Ext {
			continue
		}
		path := filepath.Join(dir, ent.Name())
		e, err := rolecache.Read(path)
		if err != nil || e.CredentialsFile != want {
			continue
		}
		s := e.Session()
		s.Profile = e.Profile
		if !wanted(s) {
			continue
		}
		removeCLICacheEntry(conf, creds, e, env)
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return out, fault.New(fault.Files, fault.FieldNone, err, "cannot remove %s: %v", path, err)
		}
		os.Remove(path + ".lock")
		out = append(out, Removed{Profile: e.Profile, Source: e.Source, Role: true, Session: s, Where: path})
	}
	return out, nil
}

// removeCLICacheEntry deletes the AWS CLI's cache entry of a role profile when it still holds the
// session stsmfa wrote there (an entry the AWS CLI wrote itself is left alone).
func removeCLICacheEntry(conf, creds *awsfile.File, e *rolecache.Entry, env *Env) {
	plan, err := ResolvePlan(creds, conf, e.Profile, nil)
	if err != nil || !plan.IsRole() {
		return
	}
	dir, err := rolecache.CLIDir()
	if err != nil {
		return
	}
	path := filepath.Join(dir, rolecache.CLIKey(plan.Last())+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var c rolecache.CLIEntry
	if json.Unmarshal(b, &c) != nil || c.Credentials.AccessKeyID != e.Credentials.AccessKeyID {
		return
	}
	if os.Remove(path) == nil {
		os.Remove(path + ".lock")
		env.debugf("removed the AWS CLI's cache entry %s", path)
	}
}
