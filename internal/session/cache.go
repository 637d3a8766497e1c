package session

import (
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// ReadManaged returns the session stored in a profile written by stsmfa, or ok=false when the profile
// is not one stsmfa manages (no stsmfa_source) or lacks keys. A stored but unparsable expiry counts
// as expired (zero time).
func ReadManaged(creds *awsfile.File, profile string) (s cred.Session, ok bool) {
	src, _ := creds.Get(profile, KeySource)
	if src == "" {
		return cred.Session{}, false
	}
	s.Profile = profile
	s.Source = src
	s.Serial, _ = creds.Get(profile, KeySerial)
	s.RoleARN, _ = creds.Get(profile, KeyRoleARNStored)
	s.RoleProfile, _ = creds.Get(profile, KeyRoleProfile)
	s.AccessKeyID, _ = creds.Get(profile, "aws_access_key_id")
	s.SecretAccessKey, _ = creds.Get(profile, "aws_secret_access_key")
	s.SessionToken, _ = creds.Get(profile, "aws_session_token")
	if exp, _ := creds.Get(profile, KeyExpiration); exp != "" {
		if t, err := time.Parse(time.RFC3339, exp); err == nil {
			s.Expiration = t
		}
	}
	if iss, _ := creds.Get(profile, KeyIssued); iss != "" {
		if t, err := time.Parse(time.RFC3339, iss); err == nil {
			s.Issued = t
		}
	}
	return s, s.AccessKeyID != "" && s.SecretAccessKey != "" && s.SessionToken != ""
}

// Managed lists every profile in the credentials file that stsmfa wrote, in file order. Only the
// profiles holding stsmfa_source are read (ProfilesWithKey): a File from awsfile.Load then lexes only
// those sections, not the whole file.
func Managed(creds *awsfile.File) []cred.Session {
	var out []cred.Session
	for _, p := range creds.ProfilesWithKey(KeySource) {
		if s, ok := ReadManaged(creds, p); ok {
			out = append(out, s)
		} else if src, _ := creds.Get(p, KeySource); src != "" {
			serial, _ := creds.Get(p, KeySerial)
			rarn, _ := creds.Get(p, KeyRoleARNStored)
			rprof, _ := creds.Get(p, KeyRoleProfile)
			out = append(out, cred.Session{Profile: p, Source: src, Serial: serial, RoleARN: rarn, RoleProfile: rprof}) // keys missing: shown as "missing"
		}
	}
	return out
}

// Latest is the longest-lived MFA session stored from source (and from serial, when both it and the
// stored one are known), expired or not; sessions without a token or a readable expiry are skipped, and
// so are role sessions: a role session never passes for the source's own MFA session.
func Latest(creds *awsfile.File, source, serial string) (cred.Session, bool) {
	var best cred.Session
	found := false
	for _, s := range Managed(creds) {
		if s.Source != source || s.SessionToken == "" || s.Expiration.IsZero() || s.IsRole() {
			continue
		}
		if serial != "" && s.Serial != "" && s.Serial != serial {
			continue
		}
		if !found || s.Expiration.After(best.Expiration) {
			best, found = s, true
		}
	}
	return best, found
}

// findCached returns the longest-lived session made from this source (and this serial, when known)
// if it stays valid for more than margin. A suspect session is never returned. Every managed profile is searched, so a session written by
// `login --target X` also serves env/exec/credential-process.
func findCached(creds *awsfile.File, source, serial string, now time.Time, margin time.Duration) (cred.Session, bool) {
	var best cred.Session
	found := false
	for _, s := range Managed(creds) {
		if s.Source != source || s.SessionToken == "" || s.Expiration.IsZero() || s.IsRole() || s.Suspect(now) {
			continue
		}
		if serial != "" && s.Serial != "" && s.Serial != serial {
			continue
		}
		if !found || s.Expiration.After(best.Expiration) {
			best, found = s, true
		}
	}
	if !found || !reusable(best, now, margin) {
		return cred.Session{}, false
	}
	return best, true
}

// holds reports whether profile already stores exactly this session.
func holds(creds *awsfile.File, profile string, s cred.Session) bool {
	got, ok := ReadManaged(creds, profile)
	return ok && got.AccessKeyID == s.AccessKeyID && got.SessionToken == s.SessionToken &&
		got.Source == s.Source && got.Expiration.Equal(s.Expiration) && got.RoleProfile == s.RoleProfile
}

// checkTarget refuses a target whose writing would hurt: the source itself, a name the files cannot
// hold, someone's long-term keys, or a config profile that gets credentials another way (its
// credential_process or role would be shadowed by keys in the credentials file).
func checkTarget(creds, conf *awsfile.File, target, source string) error {
	bad := func(err error) error { return fault.WithField(err, fault.FieldTarget) }
	if target == source {
		return bad(fault.UsageErr("the target %q is the source profile itself; its long-term keys would be overwritten", target))
	}
	// a name the files cannot hold must fail now, not after the code is spent on GetSessionToken
	if err := awsfile.ValidateProfile(awsfile.Credentials, target); err != nil {
		return bad(fault.UsageErr("target: %v", err))
	}
	if conf != nil {
		for _, k := range []string{KeyCredentialProc, KeyRoleARN, "credential_source", "web_identity_token_file", "sso_start_url", "sso_session"} {
			if _, ok := conf.Get(target, k); ok {
				return bad(fault.FilesErr("profile %q in %s has %s (line %d): keys written into [%s] of the credentials file would shadow it, and expire", target, conf.Path(), k, conf.Line(target, k), target))
			}
		}
	}
	if !creds.HasProfile(target) {
		return nil
	}
	if src, _ := creds.Get(target, KeySource); src != "" {
		return nil
	}
	key, _ := creds.Get(target, "aws_access_key_id")
	tok, _ := creds.Get(target, "aws_session_token")
	if key != "" && tok == "" && !cred.IsSessionKey(key) {
		return bad(fault.FilesErr("profile %q in %s holds long-term keys that stsmfa did not write; refusing to overwrite them", target, creds.Path()))
	}
	return nil
}

// writeTargets stores s in every target of the credentials file and gives each target a config
// section with region and output copied from the source (keys the target already has are kept).
func writeTargets(creds, conf *awsfile.File, src *Source, targets []string, s cred.Session) error {
	for _, t := range targets {
		for _, kv := range [][2]string{
			{"aws_access_key_id", s.AccessKeyID},
			{"aws_secret_access_key", s.SecretAccessKey},
			{"aws_session_token", s.SessionToken},
			{KeyExpiration, s.Expiration.UTC().Format(time.RFC3339)},
			{KeyIssued, formatTime(s.Issued)},
			{KeySource, s.Source},
			{KeySerial, s.Serial},
			{KeyRoleARNStored, s.RoleARN},
			{KeyRoleProfile, s.RoleProfile},
		} {
			if kv[1] == "" {
				creds.Delete(t, kv[0])
				continue
			}
			if err := creds.Set(t, kv[0], kv[1]); err != nil {
				return fault.FilesErr("cannot write profile %q: %v", t, err)
			}
		}
		creds.Delete(t, "aws_security_token") // a stale legacy token would shadow the new one in some readers
		from := src.Profile
		if s.RoleProfile != "" {
			from = s.RoleProfile
		}
		if _, err := CopyProfileDefaults(conf, from, t); err != nil {
			return fault.FilesErr("cannot write profile %q in %s: %v", t, conf.Path(), err)
		}
	}
	return nil
}

// CopyProfileDefaults gives profile to the region and output that profile from has in the config
// file, keeping any the target already has. Only values really in from's section are copied (not a
// region from AWS_REGION or the built-in default). It reports whether it changed anything.
func CopyProfileDefaults(conf *awsfile.File, from, to string) (changed bool, err error) {
	for _, k := range []string{"region", "output"} {
		v, ok := conf.Get(from, k)
		if !ok || v == "" {
			continue
		}
		if _, has := conf.Get(to, k); has {
			continue
		}
		if err := conf.Set(to, k, v); err != nil {
			return changed, err
		}
		changed = true
	}
	return changed, nil
}

// SourceOf is the profile a name stands for: the source or role profile recorded in a profile stsmfa
// wrote, or named by an stsmfa credential_process line, else the name itself. It never fails: an
// unreadable file is reported later by Ensure.
func SourceOf(profile string) string {
	creds, conf, err := loadFiles()
	if err != nil {
		return profile
	}
	p, _, _ := resolveName(creds, conf, profile)
	return p
}

// loadFiles reads the credentials and config files at their configured paths.
func loadFiles() (creds, conf *awsfile.File, err error) {
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return nil, nil, fault.FilesCause(err)
	}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return nil, nil, fault.FilesCause(err)
	}
	if creds, err = awsfile.Load(credPath, awsfile.Credentials); err != nil {
		return nil, nil, fault.FilesCause(err)
	}
	if conf, err = awsfile.Load(confPath, awsfile.Config); err != nil {
		return nil, nil, fault.FilesCause(err)
	}
	return creds, conf, nil
}

// reusable reports whether a cached session s stays valid long enough after now: for longer than min
// when that is set (> 0), else than DefaultMargin scaled to s's own life (cred.Session.Margin), so a
// session shorter than an hour is reusable for three quarters of its life.
func reusable(s cred.Session, now time.Time, min time.Duration) bool {
	if min > 0 {
		return s.Expiration.Sub(now) > min
	}
	return s.Reusable(now, DefaultMargin)
}

// formatTime is t as stored (RFC 3339, UTC), or "" for the zero time (nothing stored).
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
