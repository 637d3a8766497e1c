package session

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/exitcode"
)

// Request says which session is wanted and how.
type Request struct {
	Source       string        // profile with long-term keys
	SourceFrom   string        // where Source came from when not --profile, e.g. "AWS_PROFILE"; named in errors
	Targets      []string      // profiles to store the session in; empty = DefaultTarget(Source)
	Serial       string        // --serial-number
	Code         string        // code given on the command line
	TokenCommand string        // --token-command
	Duration     time.Duration // 0 = mfa_session_duration or DefaultDuration
	Force        bool          // refresh even when a cached session is valid
	// StoreReused writes a reused session into targets that lack it (login); env, exec and
	// credential-process only read a reused session and write targets only after a refresh.
	StoreReused  bool
	MinRemaining time.Duration // reuse only sessions valid for longer than this
	LockTimeout  time.Duration // how long to wait for another process refreshing the same source
}

// Env is what Ensure needs from the outside world; tests swap parts of it.
type Env struct {
	Now      func() time.Time
	Getenv   func(string) string
	Terminal Terminal             // nil when there is no terminal
	Debugf   func(string, ...any) // --debug diagnostics; never passed a secret
	Info     func(string)         // one-line notices for the user (serial saved, duration capped)
	Warn     func(string)
	Timeout  time.Duration // per AWS call
	Editor   *awsfile.Editor
}

// Result is what Ensure did.
type Result struct {
	Session     Session
	Reused      bool     // no code, no AWS call
	Targets     []string // where the session is stored
	SerialSaved bool
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

// Ensure returns a session for req.Source valid for longer than req.MinRemaining, reusing a cached one
// when it can and otherwise asking for one MFA code under a cross-process lock.
func Ensure(ctx context.Context, env *Env, req Request) (*Result, error) {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if req.Code != "" {
		if err := CheckCode(req.Code, "given on the command line"); err != nil {
			return nil, err
		}
	}
	if req.Duration != 0 {
		if err := CheckDuration(req.Duration, false, "--duration"); err != nil {
			return nil, err
		}
	}
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return nil, exitcode.FilesErr("%v", err)
	}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return nil, exitcode.FilesErr("%v", err)
	}

	src, res, err := check(env, &req, credPath, confPath)
	if res != nil || err != nil {
		return res, err
	}
	if src.TokenCommand == "" && req.Code == "" && env.Terminal == nil {
		// nothing could answer a code prompt: fail now, not after waiting for the lock
		return nil, errNoTerminal(req.Source)
	}

	lockTimeout := req.LockTimeout
	if lockTimeout == 0 {
		lockTimeout = DefaultLockTimeout
	}
	env.debugf("waiting for the session lock of profile %s", req.Source)
	unlock, err := lockSource(ctx, credPath, req.Source, lockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	env.debugf("holding the session lock of profile %s", req.Source)

	// another process may have refreshed while we waited: look again under the lock
	src, res, err = check(env, &req, credPath, confPath)
	if res != nil || err != nil {
		return res, err
	}
	return refresh(ctx, env, &req, src, credPath, confPath)
}

// check loads both files, the source, and a reusable cached session. It returns a Result when the
// cached session answers the request (writing it to targets that lack it, without any AWS call).
func check(env *Env, req *Request, credPath, confPath string) (*Source, *Result, error) {
	creds, err := awsfile.Load(credPath, awsfile.Credentials)
	if err != nil {
		return nil, nil, exitcode.FilesErr("%v", err)
	}
	conf, err := awsfile.Load(confPath, awsfile.Config)
	if err != nil {
		return nil, nil, exitcode.FilesErr("%v", err)
	}
	// A profile stsmfa wrote (e.g. AWS_PROFILE=mfa after login) stands for its session: refresh it
	// from the source it records, into that same profile.
	if from, _ := creds.Get(req.Source, KeySource); from != "" && from != req.Source {
		env.debugf("profile %s holds the session stsmfa made from %s: using %s as the source", req.Source, from, from)
		if len(req.Targets) == 0 {
			req.Targets = []string{req.Source}
		}
		req.Source, req.SourceFrom = from, ""
	}
	if len(req.Targets) == 0 {
		req.Targets = []string{DefaultTarget(req.Source)}
	}
	src, err := loadSource(creds, conf, req, env.Getenv)
	if err != nil {
		return nil, nil, err
	}
	env.debugf("source profile %s: key %s from %s; region %s", src.Profile, MaskKey(src.AccessKeyID), credPath, src.Region)
	if src.Serial != "" {
		env.debugf("MFA serial %s from %s", MaskSerial(src.Serial), src.SerialFrom)
	}
	for _, t := range req.Targets {
		if err := checkTarget(creds, t, req.Source); err != nil {
			return nil, nil, err
		}
	}
	if req.Force {
		env.debugf("--force: not reusing any cached session")
		return src, nil, nil
	}
	cached, ok := findCached(creds, req.Source, src.Serial, env.Now(), req.MinRemaining)
	if !ok {
		env.debugf("no cached session of %s valid for more than %s", req.Source, req.MinRemaining)
		return src, nil, nil
	}
	env.debugf("reusing the session in profile %s (key %s, %s left)", cached.Profile, MaskKey(cached.AccessKeyID), Human(cached.Expiration.Sub(env.Now())))
	var missing []string
	for _, t := range req.Targets {
		if !holds(creds, t, cached) {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 && req.StoreReused {
		env.debugf("copying it to %v", missing)
		err := env.Editor.UpdatePair(credPath, confPath, func(c, f *awsfile.File) error {
			return writeTargets(c, f, src, missing, cached)
		})
		if err != nil {
			return nil, nil, exitcode.FilesErr("%v", err)
		}
	}
	if !req.StoreReused {
		return src, &Result{Session: cached, Reused: true, Targets: []string{cached.Profile}}, nil
	}
	return src, &Result{Session: cached, Reused: true, Targets: req.Targets}, nil
}

// refresh runs under the source's lock: discover what is missing, get one code, call STS once, write.
func refresh(ctx context.Context, env *Env, req *Request, src *Source, credPath, confPath string) (*Result, error) {
	clients, err := newClients(src, env.Getenv, env.Timeout)
	if err != nil {
		return nil, err
	}
	env.debugf("STS endpoint %s", stsEndpoint(ctx, src, env.Getenv))
	discovered := false
	if src.Serial == "" || src.Duration > MaxRootDuration {
		env.debugf("calling GetCallerIdentity")
		id, err := clients.callerIdentity(ctx)
		if err != nil {
			return nil, err
		}
		env.debugf("caller is %s", id.Arn)
		if id.Root && src.Duration > MaxRootDuration {
			if src.DurationSet {
				return nil, CheckDuration(src.Duration, true, src.DurationFrom)
			}
			src.Duration = MaxRootDuration
			env.info("the root user's sessions last at most 1h; asking for 1h")
		}
		if src.Serial == "" {
			env.debugf("no MFA serial configured; calling ListMFADevices")
			serials, err := clients.listMFADevices(ctx)
			if err != nil {
				return nil, err
			}
			switch len(serials) {
			case 0:
				return nil, exitcode.RefusedErr("%s has no MFA device; assign one in the IAM console (Security credentials → Assign MFA device), then run stsmfa login again", id.Arn)
			case 1:
				src.Serial = serials[0]
			default:
				if src.Serial, err = chooseSerial(serials, src.Profile, env.Terminal); err != nil {
					return nil, err
				}
			}
			src.SerialFrom, discovered = "discovered", true
			env.debugf("using MFA device %s", MaskSerial(src.Serial))
		}
	}
	code, err := getCode(ctx, req, src, env.Terminal)
	if err != nil {
		return nil, err
	}
	env.debugf("calling GetSessionToken for %s", Human(src.Duration))
	s, err := clients.getSessionToken(ctx, src.Serial, code, src.Duration)
	if err != nil {
		return nil, err
	}
	s.Source = src.Profile
	res := &Result{Session: s, Targets: req.Targets}
	err = env.Editor.UpdatePair(credPath, confPath, func(creds, conf *awsfile.File) error {
		if err := writeTargets(creds, conf, src, req.Targets, s); err != nil {
			return err
		}
		if discovered {
			if v, _ := conf.Get(src.Profile, KeyMFASerial); v == "" {
				if err := conf.Set(src.Profile, KeyMFASerial, src.Serial); err != nil {
					return exitcode.FilesErr("cannot save mfa_serial: %v", err)
				}
				res.SerialSaved = true
			}
		}
		return nil
	})
	if err != nil {
		if exitcode.Of(err) == exitcode.NotValid {
			err = exitcode.FilesErr("%v", err)
		}
		return nil, fmt.Errorf("got a session but could not save it, nothing was changed: %w", err)
	}
	if res.SerialSaved {
		env.info(fmt.Sprintf("saved mfa_serial = %s for profile %s in %s; the next login needs no IAM call", src.Serial, src.Profile, confPath))
	}
	return res, nil
}
