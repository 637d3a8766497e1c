package fakeaws

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/totp"
)

const (
	stsVersion = "2011-06-15"
	iamVersion = "2010-05-08"

	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

	expirationFmt = "2006-01-02T15:04:05.000Z"
)

var (
	serialPattern  = regexp.MustCompile(`^[\w+=/:,.@-]*$`)
	digitsPattern  = regexp.MustCompile(`^[\d]*$`)
	sessionPattern = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDPat  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

// durationParam validates DurationSeconds against [min,max]; it returns def
// when absent.
func durationParam(p url.Values, v *validation, def, min, max int64) int64 {
	if !p.Has("DurationSeconds") {
		return def
	}
	raw := p.Get("DurationSeconds")
	n, err := strconv.ParseInt(raw, 10, 64)
	switch {
	case err != nil:
		v.add(&raw, "durationSeconds", "Member must be a number")
	case n < min:
		v.add(&raw, "durationSeconds", "Member must have value greater than or equal to "+strconv.FormatInt(min, 10))
	case n > max:
		v.add(&raw, "durationSeconds", "Member must have value less than or equal to "+strconv.FormatInt(max, 10))
	}
	return n
}

// mfaParams validates SerialNumber/TokenCode; it returns the serial ("" when
// none) and the code.
func mfaParams(p url.Values, v *validation) (serial, code string) {
	if p.Has("SerialNumber") {
		serial = p.Get("SerialNumber")
		switch {
		case len(serial) < 9:
			v.add(&serial, "serialNumber", "Member must have length greater than or equal to 9")
		case len(serial) > 256:
			v.add(&serial, "serialNumber", "Member must have length less than or equal to 256")
		case !serialPattern.MatchString(serial):
			v.add(&serial, "serialNumber", `Member must satisfy regular expression pattern: [\w+=/:,.@-]*`)
		}
		if !p.Has("TokenCode") {
			v.add(nil, "tokenCode", "Member must not be null")
		}
	}
	if p.Has("TokenCode") {
		code = p.Get("TokenCode")
		switch {
		case len(code) < 6:
			v.add(&code, "tokenCode", "Member must have length greater than or equal to 6")
		case len(code) > 6:
			v.add(&code, "tokenCode", "Member must have length less than or equal to 6")
		case !digitsPattern.MatchString(code):
			v.add(&code, "tokenCode", `Member must satisfy regular expression pattern: [\d]*`)
		}
	}
	return serial, code
}

// checkMFA validates code for serial at the server's clock: the device must
// belong to the caller's user, the code must match a step within ±1 of now,
// and that step must be later than the device's last accepted step.
func (s *Server) checkMFA(c *caller, serial, code string, now time.Time) *awsError {
	owner := s.devices[serial]
	if owner == nil || owner != c.user {
		return errAccessDenied(msgMFASerial)
	}
	var seed string
	for _, d := range owner.MFA {
		if d.Serial == serial {
			seed = d.Seed
		}
	}
	if s.anyCode {
		return nil
	}
	last, used := s.lastStep[serial]
	cur := totp.Counter(now)
	for step := cur - 1; step <= cur+1; step++ {
		want, err := totp.CodeAt(seed, step)
		if err != nil {
			return errAccessDenied(msgMFACode)
		}
		if want == code && (!used || step > last) {
			s.lastStep[serial] = step
			return nil
		}
	}
	return errAccessDenied(msgMFACode)
}

// lengthOf is d, or the length SetSessionLength set for action (s.mu held).
func (s *Server) lengthOf(action string, d time.Duration) time.Duration {
	if l, ok := s.length[action]; ok {
		return l
	}
	return d
}

func (s *Server) issue(u *User, dur time.Duration, mfa bool, role *Role, sessionName string, now time.Time) *session {
	akid := "ASIA" + randomUpperAlnum(16)
	ss := &session{
		user:        u,
		secret:      randomSecret(),
		token:       newSessionToken(),
		expires:     now.Add(dur),
		mfa:         mfa,
		role:        role,
		sessionName: sessionName,
	}
	s.sessions[akid] = ss
	ss.akid = akid
	return ss
}

// newSessionToken returns a long base64 token that always contains '/',
// '+' and '=' so quoting bugs show up.
func newSessionToken() string {
	for {
		b := make([]byte, 301) // 301 % 3 == 1: ends in "=="
		rand.Read(b)
		t := "FwoGZXIvYXdzE" + base64.StdEncoding.EncodeToString(b)
		if strings.Contains(t, "/") && strings.Contains(t, "+") {
			return t
		}
	}
}

func (s *Server) getSessionToken(p url.Values, c *caller, now time.Time) (any, *awsError) {
	if c.sess != nil {
		return nil, errAccessDenied("Cannot call GetSessionToken with session credentials")
	}
	var v validation
	dur := durationParam(p, &v, 43200, 900, 129600)
	serial, code := mfaParams(p, &v)
	if aerr := v.err(); aerr != nil {
		return nil, aerr
	}
	if c.user.Root && dur > 3600 {
		dur = 3600 // AWS silently caps root sessions at one hour
	}
	mfa := false
	if serial != "" {
		if aerr := s.checkMFA(c, serial, code, now); aerr != nil {
			return nil, aerr
		}
		mfa = true
	}
	ss := s.issue(c.user, s.lengthOf("GetSessionToken", time.Duration(dur)*time.Second), mfa, nil, "", now)
	return &getSessionTokenResult{Credentials: ss.credentialsXML()}, nil
}

func (s *Server) getCallerIdentity(c *caller) any {
	if c.sess != nil && c.sess.role != nil {
		return &getCallerIdentityResult{
			Arn:     c.arn(),
			UserId:  roleID(c.sess.role) + ":" + c.sess.sessionName,
			Account: roleAccount(c.sess.role),
		}
	}
	return &getCallerIdentityResult{Arn: c.user.ARN(), UserId: c.user.UserID(), Account: c.user.Account}
}

func (s *Server) assumeRole(p url.Values, c *caller, now time.Time) (any, *awsError) {
	var v validation
	roleArn, name := p.Get("RoleArn"), p.Get("RoleSessionName")
	switch {
	case !p.Has("RoleArn"):
		v.add(nil, "roleArn", "Member must not be null")
	case len(roleArn) < 20:
		v.add(&roleArn, "roleArn", "Member must have length greater than or equal to 20")
	}
	switch {
	case !p.Has("RoleSessionName"):
		v.add(nil, "roleSessionName", "Member must not be null")
	case len(name) < 2:
		v.add(&name, "roleSessionName", "Member must have length greater than or equal to 2")
	case len(name) > 64:
		v.add(&name, "roleSessionName", "Member must have length less than or equal to 64")
	case !sessionPattern.MatchString(name):
		v.add(&name, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	extID := p.Get("ExternalId")
	if p.Has("ExternalId") {
		switch {
		case len(extID) < 2:
			v.add(&extID, "externalId", "Member must have length greater than or equal to 2")
		case len(extID) > 1224:
			v.add(&extID, "externalId", "Member must have length less than or equal to 1224")
		case !externalIDPat.MatchString(extID):
			v.add(&extID, "externalId", `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
		}
	}
	dur := durationParam(p, &v, 3600, 900, 43200)
	serial, code := mfaParams(p, &v)
	if aerr := v.err(); aerr != nil {
		return nil, aerr
	}
	if c.user.Root {
		return nil, errAccessDenied("Roles may not be assumed by root accounts.")
	}
	notAuthorized := errAccessDenied("User: " + c.arn() + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn)
	role := s.roles[roleArn]
	if role == nil || !trusts(role, c) || (role.ExternalID != "" && extID != role.ExternalID) {
		return nil, notAuthorized
	}
	// Any session credentials (GetSessionToken's or a role's) make this
	// role chaining, capped at one hour.
	if c.sess != nil && dur > 3600 {
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if dur > int64(role.MaxSessionDuration) {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	mfa := c.sess != nil && c.sess.mfa
	if serial != "" {
		if aerr := s.checkMFA(c, serial, code, now); aerr != nil {
			return nil, aerr
		}
		mfa = true
	}
	if role.RequireMFA && !mfa {
		return nil, notAuthorized
	}
	ss := s.issue(c.user, s.lengthOf("AssumeRole", time.Duration(dur)*time.Second), mfa, role, name, now)
	return &assumeRoleResult{
		Credentials: ss.credentialsXML(),
		AssumedRoleUser: assumedRoleUserXML{
			Arn:           assumedRoleARN(role, name),
			AssumedRoleId: roleID(role) + ":" + name,
		},
	}, nil
}

// trusts reports whether role's trust policy admits the caller: its
// principal is the role ARN for a role session, else the user's ARN.
func trusts(role *Role, c *caller) bool {
	if len(role.Trust) == 0 {
		return true
	}
	principal, account := c.user.ARN(), c.user.Account
	if c.sess != nil && c.sess.role != nil {
		principal, account = c.sess.role.ARN, roleAccount(c.sess.role)
	}
	for _, t := range role.Trust {
		if t == principal || t == "arn:aws:iam::"+account+":root" {
			return true
		}
	}
	return false
}

func (ss *session) credentialsXML() credentialsXML {
	return credentialsXML{
		AccessKeyId:     ss.akid,
		SecretAccessKey: ss.secret,
		SessionToken:    ss.token,
		Expiration:      ss.expires.UTC().Format(expirationFmt),
	}
}

// roleAccount returns ACCOUNT from arn:aws:iam::ACCOUNT:role/NAME.
func roleAccount(r *Role) string {
	parts := strings.SplitN(r.ARN, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// roleName returns the last path segment of the role ARN's resource.
func roleName(r *Role) string {
	i := strings.LastIndexByte(r.ARN, '/')
	return r.ARN[i+1:]
}

func assumedRoleARN(r *Role, sessionName string) string {
	return "arn:aws:sts::" + roleAccount(r) + ":assumed-role/" + roleName(r) + "/" + sessionName
}

func roleID(r *Role) string { return "AROA" + stableID(r.ARN, 17) }

// stableID derives an upper-case id of n characters from s.
func stableID(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(sum[:])[:n]
}

func newSeed() string { return totp.NewSecret() }
