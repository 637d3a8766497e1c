// Package cred holds the credentials stsmfa hands out and the names around them: a Session (temporary
// credentials and where they came from, never printed whole), a role as its profile names it (Hop),
// the caller as STS sees it (Identity), and the masked forms of key ids, serials and ARNs that messages
// show. It sits below every package that passes credentials on and imports nothing of stsmfa's.
package cred

import (
	"fmt"
	"strings"
	"time"
)

// Session is a set of temporary credentials and where they came from. Never print it whole.
type Session struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	Issued          time.Time // when the credentials were had; zero when not known
	Source          string    // source profile
	Serial          string    // MFA device used
	Profile         string    // the profile it was read from, when read from the file
	RoleARN         string    // for a role session: the role assumed
	RoleProfile     string    // for a role session: the role profile it serves
	AssumedRoleARN  string    // for a role session: arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION, when known
}

// GoString keeps secrets out of %#v and %v debugging output.
func (s Session) GoString() string { return s.String() }

func (s Session) String() string {
	role := ""
	if s.RoleARN != "" {
		role = ", role " + s.RoleARN
	}
	return fmt.Sprintf("session{key %s, source %s%s, expires %s}", MaskKey(s.AccessKeyID), s.Source, role, s.Expiration.Format(time.RFC3339))
}

// Margin is how much validity s must have left to be reused when callers ask for max: max itself,
// but at most a quarter of the session's own life when that is known, so a session shorter than an
// hour is reusable for three quarters of its life (a 15-minute session for 11m15s, not never).
func (s Session) Margin(max time.Duration) time.Duration {
	if s.Issued.IsZero() || !s.Expiration.After(s.Issued) {
		return max
	}
	if q := s.Expiration.Sub(s.Issued) / 4; q < max {
		return q
	}
	return max
}

// Reusable reports whether s stays valid for longer than its Margin(max) after now.
func (s Session) Reusable(now time.Time, max time.Duration) bool {
	return s.Expiration.Sub(now) > s.Margin(max)
}

// IsRole reports whether s is an assumed-role session rather than the source's own MFA session.
func (s Session) IsRole() bool { return s.RoleARN != "" || s.RoleProfile != "" }

// Human formats a duration the way stsmfa prints time left: 11h59m, 45m, 30s.
func Human(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	default:
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
}

// MaskKey shows only the last four characters of an access key id.
func MaskKey(id string) string {
	if len(id) <= 4 {
		return "****"
	}
	return strings.Repeat("*", 4) + id[len(id)-4:]
}

// MaskSerial keeps the device name of an MFA ARN and masks the account: arn:aws:iam::****9012:mfa/phone.
func MaskSerial(serial string) string {
	parts := strings.SplitN(serial, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" {
		parts[4] = MaskKey(parts[4])
		return strings.Join(parts, ":")
	}
	if len(serial) > 4 {
		return strings.Repeat("*", len(serial)-4) + serial[len(serial)-4:]
	}
	return serial
}

// IsSessionKey reports whether an access key id belongs to temporary credentials.
func IsSessionKey(id string) bool { return strings.HasPrefix(id, "ASIA") }

// Hop is one role of a chain, as its profile says.
type Hop struct {
	Profile     string
	RoleARN     string
	ExternalID  string
	SessionName string        // role_session_name; "" = not configured
	Duration    time.Duration // duration_seconds; 0 = not configured
	Serial      string        // this profile's own mfa_serial; "" = none
}

// Who names a role in messages: "role profile prod (arn:aws:iam::****9012:role/admin)".
func (h Hop) Who() string {
	return fmt.Sprintf("role profile %s (%s)", h.Profile, MaskARN(h.RoleARN))
}

// MaskARN masks the account of an ARN like MaskSerial does.
func MaskARN(arn string) string {
	if strings.HasPrefix(arn, "arn:") {
		return MaskSerial(arn)
	}
	return arn
}

// Identity is the caller as STS sees it.
type Identity struct {
	Account, Arn string
	Root         bool
}

// Suspect reports whether s claims to last longer than any STS session can (36h from now, plus a
// minute of clock leeway; 36h is GetSessionToken's documented maximum): a hand-edited stsmfa_expiration or a clock that was wrong. stsmfa does not
// reuse such a session, and status says so.
func (s Session) Suspect(now time.Time) bool {
	return s.Expiration.Sub(now) > 129600*time.Second+time.Minute
}

// AccessKey is one of an IAM user's access keys as IAM lists it; Secret only when just created.
type AccessKey struct {
	ID      string
	Secret  string
	Active  bool
	Created time.Time
}
