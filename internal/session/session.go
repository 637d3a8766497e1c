package session

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/tokencmd"
)

// Request says which session is wanted and how. Messages name a value the caller gave by Names (the
// caller's flag or variable for it); session itself knows no flag names.
type Request struct {
	Profile      string // the profile asked for: a source, a role profile, or one standing for either
	ProfileFrom  string // where Profile came from when not asked for explicitly, e.g. "AWS_PROFILE"
	Targets      []string
	Serial       string // MFA serial asked for
	Code         string // code given up front
	TokenCommand string
	Prompt       string        // how to ask a person (a mode name, see KeyMFAPrompt); "" = the profile's mfa_prompt, else auto
	Duration     time.Duration // 0 = the profile's setting or the default
	Force        bool          // refresh even when a cached session is valid
	// StoreReused writes a reused session into targets that lack it (login); env, exec and
	// credential-process only read a reused session and write targets only after a refresh.
	StoreReused  bool
	MinRemaining time.Duration // reuse only sessions valid for longer than this; 0: the default margin, scaled to each session's life
	LockTimeout  time.Duration // how long to wait for another process refreshing the same source

	// TokenTimeout bounds each run of the token command (0: mfa_process_timeout, else tokencmd.DefaultTimeout).
	TokenTimeout time.Duration

	// HandOver: when a new session cannot be stored after its code was spent (a full disk, say), it
	// is still returned, with Result.Unsaved set and a warning, for a caller that can use it at once
	// (credential-process, env, exec); without it that is an error.
	HandOver bool

	// Console asks for a role session that can sign in to the AWS console: assumed directly with the
	// long-term keys and a code (AWS's federation endpoint refuses GetSessionToken sessions and role
	// chaining). A cached role session serves only when it was assumed that way; a chain is refused.
	Console bool

	// ReuseOnly serves a cached session or fails with ErrRefreshNeeded before any lock, prompt, code,
	// AWS call or write: the front build's test of whether it must hand the run to the engine.
	ReuseOnly bool

	// NoCode serves a cached session, or one made without a code (a role re-assumed with the source's
	// MFA session), but never asks for a code: when one would be needed it waits only for another
	// process that is refreshing, else fails with fault.NoCode (exec --server's requests; the code
	// is asked for ahead of time elsewhere).
	NoCode bool

	// Names says how messages name a value given in the request (e.g. the flag that set it); nil or
	// "" for a field: generic words ("the requested duration").
	Names func(fault.Field) string
}

// label is how messages name the request's value of field f, else def.
func (req *Request) label(f fault.Field, def string) string {
	if req.Names != nil {
		if l := req.Names(f); l != "" {
			return l
		}
	}
	return def
}

// Env is what Ensure needs from the outside world; tests swap parts of it.
type Env struct {
	Now      func() time.Time
	Getenv   func(string) string
	Terminal Terminal // how to ask a person; nil when there is no way (set from OpenPrompt when that is given)
	// OpenPrompt opens the prompt a refresh needs (the terminal or a dialog), called at most once per
	// Ensure and only when a session must be refreshed. nil Terminal and nil error: no way to ask.
	OpenPrompt func(PromptSpec) (Terminal, error)
	Debugf     func(string, ...any) // --debug diagnostics; never passed a secret
	Info       func(string)         // one-line notices for the user (serial saved, duration capped)
	Warn       func(string)
	Timeout    time.Duration // per AWS call
	// Dial opens AWS for a refresh (internal/awsapi in the program); nil: cached sessions only.
	Dial   func(Conn) (AWS, error)
	Editor *awsfile.Editor
	// Keys opens the key store of a source whose keys `stsmfa keys import` moved out of the
	// credentials file; nil: such a source cannot be refreshed here (the front).
	Keys KeyStore
}

// KeyStore reads a source's long-term keys from the key store its stsmfa_backend names. Only a
// refresh calls it; the cached path never does.
type KeyStore interface {
	LongTermKeys(profile, backend string) (id, secret string, err error)
}

// Result is what Ensure did.
type Result struct {
	Session     cred.Session
	Reused      bool     // no code, no AWS call
	Targets     []string // where the session is stored in the credentials file
	SerialSaved bool
	Plan        *Plan
	Region      string // the region of the profile asked for (else of its source, for a plain MFA session), "" when none is set
	// Why explains a role session's length when it is shorter than a user might expect.
	Why string
	// CodeProfile is the profile whose refresh takes the next MFA code (the source; a role assumed
	// directly with a code of its own: the role profile), and CodeFreeUntil when that is needed:
	// until then stsmfa serves this profile without a code (zero when unknown).
	CodeProfile   string
	CodeFreeUntil time.Time
	// Unsaved is why a new session could not be stored (with Request.HandOver); nil when it was.
	Unsaved error
}

func (e *Env) debugf(format string, args ...any) {
	if e.Debugf != nil {
		e.Debugf(format, args...)
	}
}

func (e *Env) info(msg string) {
	if e.Info != nil {
		e.Info(msg)
	}
}

func (e *Env) warn(msg string) {
	if e.Warn != nil {
		e.Warn(msg)
	}
}

// run is one Ensure call: the request, the two files as last read, and what the profile stands for.
type run struct {
	env                *Env
	req                Request
	credPath, confPath string
	creds, conf        *awsfile.File
	plan               *Plan
	src                *Source
	stored             *Source // the source's keys as read from a key store, once per run
	targetsGiven       bool
	prompt             promptState
	direct             bool      // a role assumed directly with the long-term keys and a code of its own
	signerExp          time.Time // the expiry of the MFA session that signed AssumeRole in this run
	roConf             roConfig  // a config file that cannot be written (roconfig.go)
}

// Ensure returns a session for req.Profile valid for longer than req.MinRemaining, reusing a cached one
// when it can and otherwise asking for at most one MFA code under a cross-process lock. A role profile
// gets a role session assumed with the source's MFA session (one code serves every role), or, when it
// asks for more than an hour, assumed directly with a code of its own.
func Ensure(ctx context.Context, env *Env, req Request) (*Result, error) {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if req.Code != "" {
		req.Code = tokencmd.NormalizeCode(req.Code) // "123 456", as authenticator apps show it
		if err := CheckCode(req.Code, "given on the command line"); err != nil {
			return nil, err
		}
	}
	r := &run{env: env, req: req, targetsGiven: len(req.Targets) > 0}
	var err error
	if r.credPath, err = awsfile.CredentialsPath(); err != nil {
		return nil, fault.FilesCause(err)
	}
	if r.confPath, err = awsfile.ConfigPath(); err != nil {
		return nil, fault.FilesCause(err)
	}
	if err := checkDistinct(r.credPath, r.confPath); err != nil {
		return nil, err
	}
	if err := r.load(); err != nil {
		return nil, err
	}
	if r.plan.IsRole() {
		return r.ensureRole(ctx)
	}
	if req.Duration != 0 {
		if err := CheckDuration(req.Duration, false, req.label(fault.FieldDuration, "the requested duration")); err != nil {
			return nil, fault.WithField(err, fault.FieldDuration)
		}
	}
	return r.ensureMFA(ctx)
}

// load (re)reads both files and works out what the profile stands for, its source's settings and the
// targets, checking each target before any code can be spent. Read again (under the source's lock), a
// file whose bytes did not change keeps the File read before: nothing is scanned or parsed twice.
func (r *run) load() error {
	var err error
	if r.creds, err = loadOrReload(r.creds, r.credPath, awsfile.Credentials); err != nil {
		return fault.FilesCause(err)
	}
	if r.conf, err = loadOrReload(r.conf, r.confPath, awsfile.Config); err != nil {
		return fault.FilesCause(err)
	}
	first := r.plan == nil
	if r.plan, err = ResolvePlan(r.creds, r.conf, r.req.Profile, r.warnOnce(first)); err != nil {
		return err
	}
	p := r.plan
	if first {
		if p.Via != "" {
			r.env.debugf("profile %s stands for profile %s (%s)", p.Asked, p.Profile, p.Via)
		}
		for _, h := range p.Roles {
			r.env.debugf("role profile %s: role %s", h.Profile, h.RoleARN)
		}
	}
	if !r.targetsGiven {
		r.req.Targets = nil
		if p.Implied != "" {
			r.req.Targets = []string{p.Implied} // a profile stsmfa wrote is refreshed in place
		} else if !p.IsRole() {
			r.req.Targets = []string{DefaultTarget(p.Source)}
		}
	}
	if r.src, err = loadSource(r.creds, r.conf, &r.req, p, r.env.Getenv); err != nil {
		return err
	}
	if !p.IsRole() && !r.targetsGiven {
		r.req.Targets = r.withSiblings(r.req.Targets)
	}
	if first {
		r.env.debugf("source profile %s (credentials file %s); region %s", r.src.Profile, r.credPath, r.src.Region)
		if r.src.Serial != "" {
			r.env.debugf("MFA serial %s from %s", cred.MaskSerial(r.src.Serial), r.src.SerialFrom)
		}
	}
	for _, t := range r.req.Targets {
		if err := checkTarget(r.creds, r.conf, t, p.Source); err != nil {
			return err
		}
		if p.IsRole() && t == p.Profile {
			return fault.WithField(fault.UsageErr("the target %q is the role profile itself; keys written there would shadow its role_arn", t), fault.FieldTarget)
		}
	}
	return nil
}

// loadOrReload is awsfile.Load the first time, awsfile.Reload after.
func loadOrReload(f *awsfile.File, path string, kind awsfile.Kind) (*awsfile.File, error) {
	if f == nil {
		return awsfile.Load(path, kind)
	}
	return awsfile.Reload(f)
}

// withSiblings adds every other profile holding an MFA session stsmfa made from the same source and
// device (stsmfa_source, stsmfa_mfa_serial): one daily refresh with one code renews them all, as does
// a reuse that stores the session. Only when no target was named: explicit targets are exactly those.
func (r *run) withSiblings(targets []string) []string {
	seen := map[string]bool{}
	for _, t := range targets {
		seen[t] = true
	}
	for _, s := range Managed(r.creds) {
		if seen[s.Profile] || s.Source != r.plan.Source || s.IsRole() || s.Profile == r.plan.Source {
			continue
		}
		if r.src.Serial != "" && s.Serial != "" && s.Serial != r.src.Serial {
			continue
		}
		seen[s.Profile] = true
		targets = append(targets, s.Profile)
	}
	return targets
}

func (r *run) warnOnce(first bool) func(string) {
	if !first {
		return nil
	}
	return r.env.warn
}

// region is the region of the profile asked for, else of its source, else "" (for env and exec).
func (r *run) region() string {
	names := []string{r.plan.Asked, r.plan.Profile, r.plan.Source}
	if r.plan.IsRole() {
		// as the AWS CLI reads a role profile: its own region, never its source_profile's
		names = names[:2]
	}
	for _, p := range names {
		if v, _ := r.conf.Get(p, "region"); v != "" {
			return v
		}
	}
	return ""
}

func (r *run) result(res *Result) *Result {
	res.Plan = r.plan
	res.Region = r.region()
	res.CodeProfile, res.CodeFreeUntil = r.plan.Source, res.Session.Expiration
	switch {
	case r.plan.IsRole() && r.direct:
		res.CodeProfile = r.plan.Profile
	case r.plan.IsRole():
		// roles are re-assumed with the MFA session while it lasts
		if mfa, ok := Latest(r.creds, r.plan.Source, r.src.Serial); ok && mfa.Expiration.After(res.CodeFreeUntil) {
			res.CodeFreeUntil = mfa.Expiration
		}
		if r.signerExp.After(res.CodeFreeUntil) { // made in this run: not in r.creds
			res.CodeFreeUntil = r.signerExp
		}
	}
	return res
}

// keys loads the source's long-term keys (only a refresh needs them): from the credentials file, or
// from the key store its stsmfa_backend names (read once per run, even when load runs again).
func (r *run) keys() error {
	if r.src.AccessKeyID != "" {
		return nil
	}
	if backend := r.src.backend(r.creds); backend != "" {
		if r.stored == nil || r.stored.Profile != r.src.Profile {
			if r.env.Keys == nil {
				return fault.UsageErr("the long-term keys of profile %q are in the %s key store, which this program does not open; run stsmfa-engine (the full program)", r.src.Profile, backend)
			}
			id, secret, err := r.env.Keys.LongTermKeys(r.src.Profile, backend)
			if err != nil {
				return err
			}
			if cred.IsSessionKey(id) {
				return fault.WithField(fault.FilesErr("the %s key store holds temporary session credentials for profile %q; GetSessionToken needs the IAM user's long-term keys (AKIA…)", backend, r.src.Profile), fault.FieldProfile)
			}
			r.stored = &Source{Profile: r.src.Profile, AccessKeyID: id, SecretAccessKey: secret}
		}
		r.src.AccessKeyID, r.src.SecretAccessKey = r.stored.AccessKeyID, r.stored.SecretAccessKey
		r.env.debugf("long-term key %s of profile %s from the %s key store", cred.MaskKey(r.src.AccessKeyID), r.src.Profile, backend)
		return nil
	}
	if err := r.src.loadKeys(r.creds); err != nil {
		return err
	}
	r.env.debugf("long-term key %s of profile %s", cred.MaskKey(r.src.AccessKeyID), r.src.Profile)
	return nil
}

// canAskCode reports whether a code could be had at all; without one a refresh can only wait for
// another process that is refreshing (see lock).
func (r *run) canAskCode() error {
	if r.req.NoCode {
		return fault.NoCodeErr("profile %q needs a new MFA code, and this request may not ask for one", r.plan.Source)
	}
	if r.src.TokenCommand == "" && r.req.Code == "" {
		r.openPrompt()
		if r.env.Terminal == nil {
			return r.noPromptErr()
		}
	}
	return nil
}

// lock takes the source's refresh lock. When no code can be had here (noCode), a refresh is only worth
// waiting for: if another process holds the lock (someone typing a code into stsmfa login, a dialog),
// lock waits for it so that the caller re-reads the cache under it; when nobody holds it, lock fails
// with noCode at once.
func (r *run) lock(ctx context.Context, noCode error) (func(), error) {
	timeout := r.req.LockTimeout
	if timeout == 0 {
		timeout = DefaultLockTimeout
	}
	r.prompt.since = time.Now()
	var unlock func()
	var err error
	if noCode != nil {
		r.env.debugf("no code can be had here; waiting for the session lock of profile %s only if another process is refreshing", r.plan.Source)
		if unlock, err = lockSourceIfHeld(ctx, r.credPath, r.plan.Source, timeout); err == nil && unlock == nil {
			return nil, noCode
		}
	} else {
		r.openPrompt() // a choice of device, or a code after all, may need it under the lock
		r.env.debugf("waiting for the session lock of profile %s", r.plan.Source)
		unlock, err = lockSource(ctx, r.credPath, r.plan.Source, timeout)
	}
	if err != nil {
		return nil, err
	}
	r.env.debugf("holding the session lock of profile %s", r.plan.Source)
	return unlock, nil
}

// ensureMFA serves a source's own MFA session (GetSessionToken).
func (r *run) ensureMFA(ctx context.Context) (*Result, error) {
	if res, err := r.reuseMFA(); res != nil || err != nil {
		return res, err
	}
	if r.req.ReuseOnly {
		return nil, ErrRefreshNeeded
	}
	if err := r.keys(); err != nil {
		return nil, err
	}
	unlock, err := r.lock(ctx, r.canAskCode())
	if err != nil {
		return nil, err
	}
	defer unlock()
	// another process may have refreshed while we waited: look again under the lock
	if err := r.load(); err != nil {
		return nil, err
	}
	if res, err := r.reuseMFA(); res != nil || err != nil {
		return res, err
	}
	if err := r.gaveUpMeanwhile(); err != nil {
		return nil, err
	}
	if err := r.keys(); err != nil {
		return nil, err
	}
	if err := r.canAskCode(); err != nil {
		return nil, err
	}
	res, err := r.newMFASession(ctx, r.req.Targets)
	if err != nil {
		r.noteGaveUp(err)
		return nil, err
	}
	return r.result(res), nil
}

// reuseMFA returns a Result when a cached MFA session answers the request (writing it to targets
// that lack it, without any AWS call).
func (r *run) reuseMFA() (*Result, error) {
	if r.req.Force {
		r.env.debugf("forced: not reusing any cached session")
		return nil, nil
	}
	cached, ok := findCached(r.creds, r.plan.Source, r.src.Serial, r.env.Now(), r.req.MinRemaining)
	if !ok {
		r.env.debugf("no cached session of %s valid for more than %s", r.plan.Source, r.req.MinRemaining)
		return nil, nil
	}
	r.env.debugf("reusing the session in profile %s (key %s, %s left)", cached.Profile, cred.MaskKey(cached.AccessKeyID), cred.Human(cached.Expiration.Sub(r.env.Now())))
	if !r.req.StoreReused {
		return r.result(&Result{Session: cached, Reused: true, Targets: []string{cached.Profile}}), nil
	}
	if err := r.storeTargets(r.req.Targets, cached); err != nil {
		return nil, err
	}
	return r.result(&Result{Session: cached, Reused: true, Targets: r.req.Targets}), nil
}

// storeTargets writes s into the targets that do not hold it yet.
func (r *run) storeTargets(targets []string, s cred.Session) error {
	var missing []string
	for _, t := range targets {
		if !holds(r.creds, t, s) {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	r.env.debugf("storing the session in %v", missing)
	err := r.env.Editor.UpdatePairFrom(r.creds, r.conf, func(c, f *awsfile.File) error {
		f = r.configFor(f)
		return writeTargets(c, f, r.src, missing, s)
	})
	if err != nil {
		return fault.FilesCause(err)
	}
	return nil
}

// newMFASession runs under the source's lock: discover what is missing, get one code, call
// GetSessionToken once, store the session in targets.
func (r *run) newMFASession(ctx context.Context, targets []string) (*Result, error) {
	src := r.src
	// find out now whether the session can be stored: a code must not be spent on a session that
	// cannot be saved
	if err := r.checkWritable(targets); err != nil {
		return nil, err
	}
	clients, err := r.dial(nil)
	if err != nil {
		return nil, err
	}
	r.env.debugf("STS endpoint %s", clients.Endpoint(ctx))
	discovered := false
	if src.Serial == "" {
		if src.Serial, err = r.discoverSerial(ctx, clients); err != nil {
			return nil, err
		}
		src.SerialFrom, discovered = "discovered", true
	}
	asked := r.env.Now()
	s, err := r.withCode(ctx, "GetSessionToken", func(code string) (cred.Session, error) {
		r.env.debugf("calling GetSessionToken for %s", cred.Human(src.Duration))
		return clients.GetSessionToken(ctx, src.Serial, code, src.Duration)
	})
	if err != nil {
		return nil, err
	}
	if err := r.checkFresh(s, "GetSessionToken"); err != nil {
		return nil, err
	}
	s.Issued = r.env.Now() // at the latest: a life read short only lowers the reuse margin
	// AWS may give less than was asked (the account's root user, for one, gets at most 1h): say what
	// it gave, without guessing why
	if got := s.Expiration.Sub(asked); got > 0 && got < src.Duration-time.Minute {
		r.env.info(fmt.Sprintf("AWS gave a %s session instead of the %s asked for (%s)", cred.Human(got.Round(time.Minute)), cred.Human(src.Duration), src.DurationFrom))
	}
	s.Source = src.Profile
	res := &Result{Session: s, Targets: targets}
	err = r.env.Editor.UpdatePairFrom(r.creds, r.conf, func(creds, conf *awsfile.File) error {
		conf = r.configFor(conf)
		if err := writeTargets(creds, conf, src, targets, s); err != nil {
			return err
		}
		if discovered && r.confUnwritable() == nil {
			if v, _ := conf.Get(src.Profile, KeyMFASerial); v == "" {
				if err := conf.Set(src.Profile, KeyMFASerial, src.Serial); err != nil {
					return fault.FilesErr("cannot save mfa_serial: %v", err)
				}
				res.SerialSaved = true
			}
		}
		return nil
	})
	if err != nil {
		if r.req.HandOver {
			return r.handOver(res, err), nil
		}
		return nil, fault.New(fault.Files, fault.FieldNone, err, "got a session but could not save it, nothing was changed: %v", err)
	}
	if res.SerialSaved {
		r.env.info(fmt.Sprintf("saved mfa_serial = %s for profile %s in %s; the next login needs no IAM call", src.Serial, src.Profile, r.confPath))
	}
	return res, nil
}

// handOver returns a session that was paid for with a code but could not be stored, for this command
// only, and says so: throwing it away would waste the code and leave the caller with nothing.
func (r *run) handOver(res *Result, err error) *Result {
	res.Unsaved, res.Targets = err, nil
	r.env.warn(fmt.Sprintf("got a session but could not store it (%v); it serves this command only, and the next run needs a new code: free the space or fix the file, then run stsmfa login", err))
	return res
}

// checkFresh refuses credentials that are already expired by this computer's clock (storing them would
// only fail later, and the cause is a clock that is wrong, or an answer that is), and credentials that
// claim to last longer than AWS issues any (36h; 12h for a role): not AWS's answer, or a clock far
// behind. Neither is stored.
func (r *run) checkFresh(s cred.Session, op string) error {
	now := r.env.Now()
	if !s.Expiration.After(now) {
		return fault.RefusedErr("AWS answered %s with credentials that expire at %s, %s before this computer's time (%s): this computer's clock is probably wrong; sync it (NTP) and try again; nothing was stored",
			op, s.Expiration.UTC().Format(time.RFC3339), cred.Human(now.Sub(s.Expiration)), now.UTC().Format(time.RFC3339))
	}
	limit := MaxDuration
	if op == "AssumeRole" {
		limit = MaxRoleDuration
	}
	if s.Expiration.After(now.Add(limit + 5*time.Minute)) {
		return fault.New(fault.Network, fault.FieldNone, fault.ErrCodeMaybeSpent, "the STS endpoint answered %s with credentials that expire at %s, later than AWS lets any such session last (%s): that is not AWS's answer (check HTTPS_PROXY and the STS endpoint), or this computer's clock is far behind; nothing was stored, and a code sent with it cannot be sent again",
			op, s.Expiration.UTC().Format(time.RFC3339), cred.Human(limit))
	}
	return nil
}

// discoverSerial asks IAM for the caller's MFA devices (and STS who the caller is, for the message
// when there is none).
func (r *run) discoverSerial(ctx context.Context, clients AWS) (string, error) {
	r.env.debugf("no MFA serial configured; calling ListMFADevices")
	all, err := clients.ListMFADevices(ctx)
	if err != nil {
		return "", err
	}
	// FIDO security keys are listed too, but STS accepts no code from them
	var serials, fido []string
	for _, s := range all {
		if isFIDO(s) {
			fido = append(fido, s)
		} else {
			serials = append(serials, s)
		}
	}
	if len(serials) == 0 && len(fido) > 0 {
		return "", fidoOnly(fido)
	}
	var serial string
	switch len(serials) {
	case 0:
		r.env.debugf("calling GetCallerIdentity")
		who := fmt.Sprintf("the IAM user of profile %s", r.src.Profile)
		if id, err := clients.CallerIdentity(ctx); err == nil {
			who = id.Arn
		}
		return "", fault.RefusedErr("%s has no MFA device; assign one in the IAM console (Security credentials → Assign MFA device), then run stsmfa login again", who)
	case 1:
		serial = serials[0]
	default:
		if serial, err = chooseSerial(serials, r.src.Profile, r.env.Terminal); err != nil {
			return "", err
		}
	}
	r.env.debugf("using MFA device %s", cred.MaskSerial(serial))
	return serial, nil
}

// checkWritable finds out, before a code is spent, whether the files a refresh writes can be
// written: it applies the same edit to copies in memory and checks each file that would change.
func (r *run) checkWritable(targets []string) error {
	// copies, not new parses: the files were read once (load) and UpdatePairFrom copies them again
	c, f := r.creds.Clone(), r.conf.Clone()
	probe := cred.Session{AccessKeyID: "ASIAPROBEPROBEPROBE0", SecretAccessKey: "probe", SessionToken: "probe",
		Expiration: r.env.Now().Add(time.Hour), Source: r.src.Profile, Serial: "arn:aws:iam::000000000000:mfa/probe"}
	if r.plan.IsRole() {
		probe.RoleARN, probe.RoleProfile = r.plan.Last().RoleARN, r.plan.Profile
	}
	if err := writeTargets(c, f, r.src, targets, probe); err != nil {
		return err
	}
	if r.src.Serial == "" { // a discovered serial is saved in the config file
		if err := f.Set(r.src.Profile, KeyMFASerial, probe.Serial); err != nil {
			return fault.FilesCause(err)
		}
	}
	for _, x := range []struct {
		path          string
		before, after []byte
	}{{r.credPath, r.creds.Bytes(), c.Bytes()}, {r.confPath, r.conf.Bytes(), f.Bytes()}} {
		if string(x.before) == string(x.after) {
			continue
		}
		if x.path == r.confPath && r.confUnwritable() != nil {
			r.configFor(r.conf) // not saved there; said once
			continue
		}
		if err := awsfile.CheckWritable(x.path); err != nil {
			return fault.New(fault.Files, fault.FieldNone, err, "%v; fix that before a code is spent on a session that could not be saved", err)
		}
	}
	return nil
}
