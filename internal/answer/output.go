// Package answer is what the front and the engine both print from a session: the credential_process
// JSON, status --check's and status --prompt's pick and line, env's lines, and the environment exec gives
// its command (the variables set and the stale ones removed). It holds no logic of its own about
// getting a session (that is session's) and links no SDK or cobra, so the front can answer with it.
package answer

import (
	"encoding/json"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/rolecache"
	"github.com/stsmfa/stsmfa/internal/session"
)

// What credential-process and status --check/--prompt make of a cached session (shared by cli and
// the front build).

// processOutput is the credential_process protocol's JSON (Version 1).
type processOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// ProcessJSON is s in the credential_process format, one line ending in a newline, or indented like
// `aws configure export-credentials --format process` when indent is set.
func ProcessJSON(s cred.Session, indent string) ([]byte, error) {
	v := processOutput{
		Version:         1,
		AccessKeyID:     s.AccessKeyID,
		SecretAccessKey: s.SecretAccessKey,
		SessionToken:    s.SessionToken,
		Expiration:      s.Expiration.UTC().Format(time.RFC3339),
	}
	var out []byte
	var err error
	if indent != "" {
		out, err = json.MarshalIndent(v, "", indent)
	} else {
		out, err = json.Marshal(v)
	}
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Pick finds the session of a target profile, or the longest-lived one made from a source profile.
// Sessions without keys or without a readable expiry are missing: Pick skips them, as status does.
// A name stsmfa does not know from the credentials file alone (a credential_process profile set up
// for stsmfa, a role profile) is resolved with the config file, read only then. For a role profile
// the answer is how long stsmfa can serve it without a new code: its role session, or the source's
// MFA session that renews it, whichever lasts longer.
func Pick(creds *awsfile.File, credPath, name string) (cred.Session, bool) {
	if s, ok := session.ReadManaged(creds, name); ok {
		return s, !s.Expiration.IsZero()
	}
	if s, ok := session.Latest(creds, name, ""); ok {
		return s, true
	}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return cred.Session{}, false
	}
	conf, err := awsfile.Load(confPath, awsfile.Config)
	if err != nil {
		return cred.Session{}, false
	}
	plan, err := session.ResolvePlan(creds, conf, name, nil)
	if err != nil || (plan.Profile == name && !plan.IsRole()) {
		return cred.Session{}, false
	}
	if !plan.IsRole() {
		return Pick(creds, credPath, plan.Profile)
	}
	best, found := session.Latest(creds, plan.Source, "")
	for _, r := range rolecache.List(credPath) {
		if r.RoleProfile == plan.Profile && r.Source == plan.Source && (!found || r.Expiration.After(best.Expiration)) {
			best, found = r, true
		}
	}
	best.Profile = name
	return best, found
}

// PromptLine is status --prompt's line for s: "mfa 3h12m\n", or "mfa expired\n".
func PromptLine(s cred.Session, now time.Time) string {
	left := "expired"
	if d := s.Expiration.Sub(now); d > 0 {
		left = cred.Human(d)
	}
	return s.Profile + " " + left + "\n"
}

// Valid is status --check's test: s is there and valid for longer than min, and its expiry is
// believable.
func Valid(s cred.Session, ok bool, now time.Time, min time.Duration) bool {
	return ok && s.Expiration.Sub(now) > min && !s.Suspect(now)
}
