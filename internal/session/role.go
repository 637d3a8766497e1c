package session

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// Role session limits (documented by AWS).
const (
	// MaxChainedDuration: a role assumed with session credentials (an MFA session or another role's
	// session) lasts at most 1h.
	MaxChainedDuration  = time.Hour
	MaxRoleDuration     = 12 * time.Hour
	DefaultRoleDuration = time.Hour // what AWS gives when DurationSeconds is not sent
	// signMargin is how long an MFA session must still be valid to sign AssumeRole.
	signMargin = time.Minute
)

// roleDuration is the duration asked for the last role: the request's, else duration_seconds, else
// AWS's default (not sent).
func (r *run) roleDuration() (d time.Duration, set bool, from string) {
	last := r.plan.Last()
	switch {
	case r.req.Duration != 0:
		return r.req.Duration, true, r.req.label(fault.FieldDuration, "the requested duration")
	case last.Duration != 0:
		return last.Duration, true, fmt.Sprintf("%s of profile %s", KeyDurationSeconds, last.Profile)
	}
	return DefaultRoleDuration, false, "the AWS default"
}

// ensureRole serves a role profile. With a valid cached role session nothing else happens. Otherwise,
// under the source's lock, the source's MFA session (cached, or made with one code) signs AssumeRole
// for each role of the chain; a single role that asks for more than 1h is assumed directly with the
// long-term keys and a code of its own.
func (r *run) ensureRole(ctx context.Context) (*Result, error) {
	d, set, from := r.roleDuration()
	if d%time.Second != 0 || d < MinDuration || d > MaxRoleDuration {
		err := fault.UsageErr("%s is %s: a role session must last %ds–%ds (15m–12h)", from, cred.Human(d), int64(MinDuration/time.Second), int64(MaxRoleDuration/time.Second))
		if r.req.Duration != 0 {
			err = fault.WithField(err, fault.FieldDuration)
		}
		return nil, err
	}
	direct := len(r.plan.Roles) == 1 && d > MaxChainedDuration
	r.direct = direct
	if !r.req.Force {
		if s, ok := r.cachedRole(); ok {
			return r.serveRole(s, true, "")
		}
	}
	if r.req.ReuseOnly {
		return nil, ErrRefreshNeeded
	}
	var noCode error
	if r.roleNeedsCode(direct) {
		if err := r.keys(); err != nil {
			return nil, err
		}
		noCode = r.canAskCode()
	}
	unlock, err := r.lock(ctx, noCode)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := r.load(); err != nil {
		return nil, err
	}
	if !r.req.Force {
		if s, ok := r.cachedRole(); ok {
			return r.serveRole(s, true, "")
		}
	}
	if r.roleNeedsCode(direct) {
		if err := r.gaveUpMeanwhile(); err != nil {
			return nil, err
		}
		if err := r.keys(); err != nil {
			return nil, err
		}
		if err := r.canAskCode(); err != nil {
			return nil, err
		}
	}
	if err := r.checkRoleCachesWritable(); err != nil {
		return nil, err
	}
	var s cred.Session
	why := ""
	if direct {
		s, err = r.assumeDirect(ctx, d)
	} else {
		s, why, err = r.assumeChained(ctx, d, set)
	}
	if err != nil {
		r.noteGaveUp(err)
		return nil, err
	}
	if err := r.checkFresh(s, "AssumeRole"); err != nil {
		return nil, err
	}
	last := r.plan.Last()
	s.Source, s.RoleARN, s.RoleProfile = r.src.Profile, last.RoleARN, r.plan.Profile
	if s.Serial == "" {
		s.Serial = r.src.Serial
	}
	if err := r.saveRole(s, direct); err != nil {
		if !r.req.HandOver {
			return nil, err
		}
		return r.handOver(r.result(&Result{Session: s, Why: why}), err), nil
	}
	return r.serveRole(s, false, why)
}

// roleNeedsCode reports whether serving the role takes a code: a role assumed directly always does;
// a chained one when no cached MFA session of the source can sign AssumeRole.
func (r *run) roleNeedsCode(direct bool) bool {
	if direct {
		return true
	}
	_, ok := findCached(r.creds, r.plan.Source, r.src.Serial, r.env.Now(), signMargin)
	return !ok
}

// serveRole stores a role session where this request wants it: login's targets, and (for login and
// after every refresh) the AWS CLI's own cache entry, so plain `aws --profile ROLE` uses it.
func (r *run) serveRole(s cred.Session, reused bool, why string) (*Result, error) {
	if len(r.req.Targets) > 0 && (r.req.StoreReused || !reused) {
		if err := r.storeTargets(r.req.Targets, s); err != nil {
			return nil, err
		}
	}
	if r.req.StoreReused || !reused {
		if err := r.writeCLICache(s); err != nil {
			return nil, err
		}
	}
	targets := r.req.Targets
	if !r.req.StoreReused && reused {
		targets = nil
	}
	if reused {
		r.env.debugf("reusing the role session of profile %s (key %s, %s left)", r.plan.Profile, cred.MaskKey(s.AccessKeyID), cred.Human(s.Expiration.Sub(r.env.Now())))
	}
	return r.result(&Result{Session: s, Reused: reused, Targets: targets, Why: why}), nil
}

// assumeChained signs AssumeRole for each role of the chain, the first with the source's MFA session.
func (r *run) assumeChained(ctx context.Context, d time.Duration, set bool) (cred.Session, string, error) {
	mfa, ok := findCached(r.creds, r.plan.Source, r.src.Serial, r.env.Now(), signMargin)
	if ok {
		r.env.debugf("signing AssumeRole with the MFA session in profile %s (%s left)", mfa.Profile, cred.Human(mfa.Expiration.Sub(r.env.Now())))
	} else {
		var err error
		if mfa, err = r.newSigningSession(ctx); err != nil {
			return cred.Session{}, "", err
		}
	}
	s, why, err := r.assumeWith(ctx, mfa, d, set)
	if ok && deadSession(err) {
		// AWS no longer takes the cached MFA session (revoked, or the clock was behind when it was
		// stored): it is not the long-term keys' fault; a new MFA session (one code) replaces it
		r.env.info(fmt.Sprintf("AWS no longer accepts the MFA session in profile %s (%s); getting a new one", mfa.Profile, apiCode(err)))
		if mfa, err = r.newSigningSession(ctx); err != nil {
			return cred.Session{}, "", err
		}
		s, why, err = r.assumeWith(ctx, mfa, d, set)
	}
	return s, why, err
}

// newSigningSession gets the source a new MFA session (one code) in its default target, to sign
// AssumeRole with.
func (r *run) newSigningSession(ctx context.Context) (cred.Session, error) {
	if err := r.keys(); err != nil {
		return cred.Session{}, err
	}
	target := DefaultTarget(r.plan.Source)
	if err := checkTarget(r.creds, r.conf, target, r.plan.Source); err != nil {
		// the default target is taken (a role profile named mfa, say): the MFA session that signs the
		// roles goes to SOURCE-mfa instead, rather than blocking every role of the source
		alt := r.plan.Source + "-mfa"
		if alt == target || checkTarget(r.creds, r.conf, alt, r.plan.Source) != nil {
			return cred.Session{}, err
		}
		r.env.info(fmt.Sprintf("%s; the MFA session of %s goes to profile %s instead", firstClause(err), r.plan.Source, alt))
		target = alt
	}
	res, err := r.newMFASession(ctx, []string{target})
	if err != nil {
		return cred.Session{}, err
	}
	r.env.info(fmt.Sprintf("%s: new MFA session of %s %s; every role of %s uses it without a code", target, r.plan.Source, untilShort(res.Session.Expiration, r.env.Now()), r.plan.Source))
	return res.Session, nil
}

// deadSession reports whether AWS refused a request signed with session credentials as no longer
// valid: ExpiredToken, or InvalidClientTokenId (a revoked session).
func deadSession(err error) bool {
	switch apiCode(err) {
	case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId":
		return true
	}
	return false
}

// apiCode is the AWS error code behind err, or "".
func apiCode(err error) string {
	var api apiError
	if err != nil && errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// assumeWith assumes each role of the chain, the first signed with the MFA session mfa.
func (r *run) assumeWith(ctx context.Context, mfa cred.Session, d time.Duration, set bool) (cred.Session, string, error) {
	why := ""
	signer := mfa
	r.signerExp = mfa.Expiration
	var s cred.Session
	for i, h := range r.plan.Roles {
		dur, send := time.Duration(0), false
		if i == len(r.plan.Roles)-1 {
			dur, send = d, set
			if d > MaxChainedDuration {
				dur = MaxChainedDuration
				why = fmt.Sprintf("a role reached through another role lasts at most 1h; asked for %s", cred.Human(d))
			}
		}
		clients, err := r.dial(&signer)
		if err != nil {
			return cred.Session{}, "", err
		}
		r.env.debugf("calling AssumeRole for %s (profile %s)", h.RoleARN, h.Profile)
		s, err = clients.AssumeRole(ctx, h, r.sessionName(h), dur, send, "", "")
		if err != nil {
			return cred.Session{}, "", err
		}
		signer = s
	}
	s.Issued = r.env.Now()
	if why == "" && !set && s.Expiration.Sub(r.env.Now()) <= MaxChainedDuration {
		why = "a role assumed with an MFA session lasts at most 1h; set duration_seconds above 3600 for up to 12h, one code per role"
	}
	s.Serial = mfa.Serial
	return s, why, nil
}

// assumeDirect assumes a single role with the long-term keys and a code of its own: the only way to a
// role session longer than 1h.
func (r *run) assumeDirect(ctx context.Context, d time.Duration) (cred.Session, error) {
	if err := r.keys(); err != nil {
		return cred.Session{}, err
	}
	if err := r.checkWritable(r.req.Targets); err != nil {
		return cred.Session{}, err
	}
	h := r.plan.Last()
	clients, err := r.dial(nil)
	if err != nil {
		return cred.Session{}, err
	}
	if r.src.Serial == "" {
		if r.src.Serial, err = r.discoverSerial(ctx, clients); err != nil {
			return cred.Session{}, err
		}
	}
	r.env.info(fmt.Sprintf("%s: a role session of %s needs a code of its own (AWS allows a role assumed with an MFA session at most 1h)", r.plan.Profile, cred.Human(d)))
	s, err := r.withCode(ctx, "AssumeRole", func(code string) (cred.Session, error) {
		r.env.debugf("calling AssumeRole for %s with the long-term keys and an MFA code", h.RoleARN)
		return clients.AssumeRole(ctx, h, r.sessionName(h), d, true, r.src.Serial, code)
	})
	if err != nil {
		return cred.Session{}, err
	}
	s.Serial, s.Issued = r.src.Serial, r.env.Now()
	return s, nil
}

// sessionName is the role's role_session_name, else stsmfa-<unix time> (as botocore uses
// botocore-session-<unix time>).
func (r *run) sessionName(h cred.Hop) string {
	if h.SessionName != "" {
		return h.SessionName
	}
	return "stsmfa-" + strconv.FormatInt(r.env.Now().Unix(), 10)
}

func untilShort(exp, now time.Time) string {
	return "valid " + cred.Human(exp.Sub(now))
}
