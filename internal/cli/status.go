package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/answer"
	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/rolecache"
	"github.com/stsmfa/stsmfa/internal/session"
)

// SoonThreshold is when a session counts as "expiring" in status: 1h or less left, or a quarter of
// its life for a session shorter than 4h whose start is known (a fresh 59-minute role session is
// valid, not expiring). Scripts that need another margin use --check --min-remaining or
// remaining_seconds.
const SoonThreshold = time.Hour

// States a managed profile can be in.
const (
	StateValid    = "valid"
	StateExpiring = "expiring"
	StateExpired  = "expired"
	StateMissing  = "missing"
)

// Kinds of problems status reports.
const (
	ProblemFilePermissions  = "file_permissions"
	ProblemEnvOverride      = "env_override"
	ProblemSourceHasSession = "source_has_session"
	ProblemMalformedFile    = "malformed_file"
	ProblemSuspectExpiry    = "suspect_expiration"
)

// statusJSON is the documented, stable schema of `status --json` (docs/status.md). Add fields, never
// rename or remove them.
type statusJSON struct {
	SchemaVersion int             `json:"schema_version"`
	Now           string          `json:"now"`
	Profiles      []profileStatus `json:"profiles"`
	Problems      []problem       `json:"problems"`
	Keys          []keyAge        `json:"keys,omitempty"` // sources whose key age is known (status_keys.go)
}

type profileStatus struct {
	Profile          string  `json:"profile"`
	Source           string  `json:"source"`
	MFASerial        string  `json:"mfa_serial"`       // masked: account digits hidden, device name kept; "" when unknown
	Expiration       *string `json:"expiration"`       // RFC 3339 UTC; null when missing
	ExpirationLocal  *string `json:"expiration_local"` // RFC 3339 with the local offset; null when missing
	RemainingSeconds int64   `json:"remaining_seconds"`
	State            string  `json:"state"`              // valid, expiring, expired, missing
	Kind             string  `json:"kind"`               // "mfa": the source's MFA session; "role": an assumed-role session
	RoleARN          string  `json:"role_arn,omitempty"` // for kind "role": the role assumed
	// for kind "login" (aws login) and "sso" (IAM Identity Center): the AWS CLI command that signs it in
	SignIn string `json:"sign_in,omitempty"`
}

// setExpiry fills the expiry fields of a listed session (left null when it is missing).
func (ps *profileStatus) setExpiry(s cred.Session, now time.Time) {
	if ps.State == StateMissing {
		return
	}
	utc, loc := s.Expiration.UTC().Format(time.RFC3339), s.Expiration.Local().Format(time.RFC3339)
	ps.Expiration, ps.ExpirationLocal = &utc, &loc
	if d := s.Expiration.Sub(now); d > 0 {
		ps.RemainingSeconds = int64(d / time.Second)
	}
}

type problem struct {
	Kind    string `json:"kind"` // file_permissions, env_override, source_has_session, malformed_file, suspect_expiration
	Message string `json:"message"`
}

// StatusOptions are the flags of `status`.
type StatusOptions struct {
	app          *app
	JSON         bool
	Check        bool
	Prompt       bool
	Profile      string
	MinRemaining time.Duration
}

// NewCmdStatus is `status`: it parses the flags into StatusOptions and runs runF on them (statusRun
// when nil).
func NewCmdStatus(a *app, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{app: a}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show which MFA sessions are valid and for how long",
		Long: `status lists every profile stsmfa manages (login targets, and sources set up for MFA that have no
session yet): its source, MFA device (account masked), expiry in local time, time left and state:
valid, expiring (1h or less left), expired, missing. It also names problems it can see: AWS files
other users can read, AWS_* variables that override the profiles, source profiles holding session
credentials. It never prints a secret. --profile limits the list to one target or source.

--check prints nothing and exits 0 when the session of --profile (a target, or a source: its
longest-lived session) is valid for longer than --min-remaining (default 0), else 1; 3 when the
credentials file cannot be read. --prompt prints a short form for shell prompts: "mfa 3h12m",
"mfa expired", or nothing when there is no session. Both read only the credentials file.

Schema of --json, prompt snippets and reminder recipes: docs/status.md.`,
		Example: `  stsmfa status
  stsmfa status --json
  stsmfa status --check --min-remaining 30m || stsmfa login
  PS1='$(stsmfa status --prompt 2>/dev/null) \$ '`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			switch {
			case opts.Check && opts.Prompt:
				return fault.UsageErr("--check and --prompt do not go together")
			case opts.JSON && (opts.Check || opts.Prompt):
				return fault.UsageErr("--json does not go with --check or --prompt")
			case c.Flags().Changed("min-remaining") && !opts.Check:
				return fault.UsageErr("--min-remaining only goes with --check")
			case opts.MinRemaining < 0:
				return fault.UsageErr("--min-remaining must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return statusRun(opts)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.JSON, "json", false, "print JSON (schema in docs/status.md)")
	f.BoolVar(&opts.Check, "check", false, "no output; exit 0 if valid longer than --min-remaining, else 1")
	f.BoolVar(&opts.Prompt, "prompt", false, `print a short form for shell prompts ("mfa 3h12m", "mfa expired", or nothing)`)
	f.StringVarP(&opts.Profile, "profile", "p", "", "target or source profile (--check/--prompt default: $AWS_PROFILE, else default; listing: all)")
	f.DurationVar(&opts.MinRemaining, "min-remaining", 0, "with --check: time the session must still have left, e.g. 30m")
	return c
}

// statusRun is `status` once its flags are checked: --check, --prompt, or the listing.
func statusRun(opts *StatusOptions) error {
	a := opts.app
	// --check and --prompt run on every shell prompt: read the credentials file and nothing
	// else (no config, no SDK, no network).
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return fault.FilesErr("%v", err)
	}
	creds, err := awsfile.Load(credPath, awsfile.Credentials)
	if err != nil {
		return fault.FilesErr("%v", err) // a ParseError names file:line, never the line's text
	}
	now := a.Now()
	if opts.Check || opts.Prompt {
		s, ok := answer.Pick(creds, credPath, sourceProfile(opts.Profile))
		if opts.Check {
			if !answer.Valid(s, ok, now, opts.MinRemaining) {
				return &fault.Passthrough{Status: fault.NotValid}
			}
			return nil
		}
		if ok {
			fmt.Fprint(a.Stdout, answer.PromptLine(s, now))
		}
		return nil
	}
	return a.fullStatus(creds, credPath, now, opts.Profile, opts.JSON)
}

func state(s cred.Session, now time.Time) string {
	switch d := s.Expiration.Sub(now); {
	case s.SessionToken == "" || s.Expiration.IsZero():
		return StateMissing
	case d <= 0:
		return StateExpired
	case d <= s.Margin(SoonThreshold):
		return StateExpiring
	default:
		return StateValid
	}
}

// statusReport is everything `status` shows: what it gathers from the two AWS files and the
// environment, and the problems each check finds there.
func statusReport(creds *awsfile.File, credPath string, now time.Time, only string) (statusJSON, error) {
	f, err := gatherStatus(creds, credPath, now, only, os.Getenv)
	if err != nil {
		return statusJSON{SchemaVersion: 1, Now: now.UTC().Format(time.RFC3339), Profiles: []profileStatus{}, Problems: []problem{}}, err
	}
	out := statusJSON{SchemaVersion: 1, Now: now.UTC().Format(time.RFC3339), Profiles: f.profiles, Problems: []problem{}}
	for _, check := range problemChecks {
		out.Problems = append(out.Problems, check(f)...)
	}
	out.Keys, _ = keyAges(f)
	return out, nil
}

// statusFacts is what status gathers; the problem checks read it and nothing else.
type statusFacts struct {
	now                time.Time
	only               string // --profile: the one target or source listed; "" for all
	creds, conf        *awsfile.File
	credPath, confPath string
	confErr            error           // the config file could not be read (conf is then empty)
	kept               []cred.Session  // the managed profiles of the credentials file that are listed
	profiles           []profileStatus // what the table and --json list, in order
	sources, targets   map[string]bool // every source and login target stsmfa manages (listed or not)
	srcNames           []string        // the sources to check, sorted: the listed ones
	modes              []fileMode      // the AWS files' permission bits (none on Windows)
	getenv             func(string) string
}

type fileMode struct {
	path string
	perm fs.FileMode
}

// gatherStatus reads the profiles stsmfa manages from the credentials file, its role cache and the
// config file, and the AWS files' permissions. Only the config's path failing to resolve is an error:
// a config file that cannot be read is a problem to report (malformedConfig).
func gatherStatus(creds *awsfile.File, credPath string, now time.Time, only string, getenv func(string) string) (*statusFacts, error) {
	f := &statusFacts{now: now, only: only, creds: creds, credPath: credPath, profiles: []profileStatus{},
		sources: map[string]bool{}, targets: map[string]bool{}, getenv: getenv}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return nil, fault.FilesErr("%v", err)
	}
	f.confPath = confPath
	f.conf, f.confErr = awsfile.Load(confPath, awsfile.Config)
	if f.confErr != nil {
		f.conf, _ = awsfile.Parse(confPath, awsfile.Config, nil)
	}
	keep := func(profile, source string) bool { return only == "" || only == profile || only == source }
	for _, s := range session.Managed(creds) {
		f.sources[s.Source] = true
		f.targets[s.Profile] = true
		if !keep(s.Profile, s.Source) {
			continue
		}
		f.kept = append(f.kept, s)
		serial := s.Serial
		if serial == "" { // session.Managed leaves it out for a profile without keys
			serial, _ = creds.Get(s.Profile, session.KeySerial)
		}
		ps := profileStatus{Profile: s.Profile, Source: s.Source, MFASerial: cred.MaskSerial(serial), State: state(s, now), Kind: "mfa", RoleARN: s.RoleARN}
		if s.IsRole() {
			ps.Kind = "role"
		}
		ps.setExpiry(s, now)
		f.profiles = append(f.profiles, ps)
	}
	// role sessions stsmfa cached (not in the credentials file)
	for _, s := range rolecache.List(credPath) {
		f.sources[s.Source] = true
		if !keep(s.RoleProfile, s.Source) {
			continue
		}
		ps := profileStatus{Profile: s.RoleProfile, Source: s.Source, MFASerial: cred.MaskSerial(s.Serial), State: state(s, now), Kind: "role", RoleARN: s.RoleARN}
		ps.setExpiry(s, now)
		f.profiles = append(f.profiles, ps)
	}
	// profiles the AWS CLI signs in itself, with the expiry of its own cache
	f.profiles = append(f.profiles, signedInStatus(creds, f.conf, now, keep)...)
	// sources set up for MFA (mfa_serial or mfa_process in config) that have no session yet
	for _, p := range creds.Profiles() {
		if f.sources[p] || f.targets[p] {
			continue
		}
		serial, hasSerial := f.conf.Get(p, session.KeyMFASerial)
		_, hasProcess := f.conf.Get(p, session.KeyMFAProcess)
		if !hasSerial && !hasProcess {
			continue
		}
		f.sources[p] = true
		if t := session.DefaultTarget(p); keep(t, p) {
			f.profiles = append(f.profiles, profileStatus{Profile: t, Source: p, MFASerial: cred.MaskSerial(serial), State: StateMissing, Kind: "mfa"})
		}
	}
	for s := range f.sources {
		if only == "" || only == s || sourceOf(f.profiles, s) {
			f.srcNames = append(f.srcNames, s)
		}
	}
	sort.Strings(f.srcNames)
	if runtime.GOOS != "windows" { // permission bits mean nothing there
		for _, path := range []string{credPath, confPath} {
			if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() { // a FIFO's mode says nothing
				f.modes = append(f.modes, fileMode{path, st.Mode().Perm()})
			}
		}
	}
	return f, nil
}

// A problemCheck finds one kind of problem in what status gathered: zero or more, each worded for
// the user.
type problemCheck func(f *statusFacts) []problem

// problemChecks run in this order; their problems are listed in it.
var problemChecks = []problemCheck{malformedConfig, suspectExpiry, sourceHasSession, keyTooOld, filePermissions, envCredentials, envProfile}

func newProblem(kind, format string, args ...any) problem {
	return problem{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// malformedConfig: the config file could not be read, so profiles set up there are not listed.
func malformedConfig(f *statusFacts) []problem {
	if f.confErr == nil {
		return nil
	}
	return []problem{newProblem(ProblemMalformedFile, "%v", f.confErr)}
}

// suspectExpiry: a listed session claims to last longer than any AWS session can.
func suspectExpiry(f *statusFacts) []problem {
	var out []problem
	for _, s := range f.kept {
		if s.SessionToken != "" && s.Suspect(f.now) {
			out = append(out, newProblem(ProblemSuspectExpiry, "profile %s claims to be valid until %s, longer than any AWS session lasts (36h): its stsmfa_expiration was edited or the clock was wrong; stsmfa will not reuse it: get a new one with: stsmfa login --force --profile %s",
				s.Profile, s.Expiration.UTC().Format(time.RFC3339), s.Source))
		}
	}
	return out
}

// sourceHasSession: a source profile holds session credentials where login needs long-term keys.
func sourceHasSession(f *statusFacts) []problem {
	var out []problem
	for _, s := range f.srcNames {
		key, _ := f.creds.Get(s, "aws_access_key_id")
		tok, _ := f.creds.Get(s, "aws_session_token")
		if tok != "" || cred.IsSessionKey(key) {
			out = append(out, newProblem(ProblemSourceHasSession, "source profile %s holds session credentials, not long-term keys; login needs the IAM user's keys there (aws configure --profile %s)", s, s))
		}
	}
	return out
}

// filePermissions: an AWS file other users can read.
func filePermissions(f *statusFacts) []problem {
	var out []problem
	for _, m := range f.modes {
		if m.perm&0o077 != 0 {
			out = append(out, newProblem(ProblemFilePermissions, "%s is open to other users (mode %04o); fix with: chmod 600 %s", m.path, m.perm, m.path))
		}
	}
	return out
}

// envCredentials: credential variables in the environment hide every profile.
func envCredentials(f *statusFacts) []problem {
	var set []string
	for _, v := range credentialVars {
		if f.getenv(v) != "" {
			set = append(set, v)
		}
	}
	if len(set) == 0 {
		return nil
	}
	verb := "is set in this environment and overrides"
	if len(set) > 1 {
		verb = "are set in this environment and override"
	}
	stale := ""
	if e := f.getenv("AWS_CREDENTIAL_EXPIRATION"); e != "" {
		if t, err := time.Parse(time.RFC3339, e); err == nil && !t.After(f.now) {
			stale = fmt.Sprintf(" (AWS_CREDENTIAL_EXPIRATION says they expired %s ago)", cred.Human(f.now.Sub(t)))
		}
	}
	return []problem{newProblem(ProblemEnvOverride, "%s %s every profile for AWS tools%s; clear with: eval \"$(stsmfa env --unset)\"",
		strings.Join(set, ", "), verb, stale)}
}

// envProfile: AWS_PROFILE or AWS_DEFAULT_PROFILE names a profile other than one stsmfa serves.
// AWS_PROFILE naming a login target is how sessions are meant to be used; anything else hides them.
func envProfile(f *statusFacts) []problem {
	var out []problem
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		val := f.getenv(v)
		stands := ""
		if val != "" && f.conf != nil {
			if plan, err := session.ResolvePlan(f.creds, f.conf, val, nil); err == nil && (plan.Profile != val || plan.IsRole()) {
				stands = plan.Profile // a credential_process profile set up for stsmfa, or a role profile stsmfa serves
			}
		}
		switch {
		case val == "" || f.targets[val] || stands != "" || signedInByCLI(f.creds, f.conf, val):
		case f.sources[val]:
			out = append(out, newProblem(ProblemEnvOverride, "%s=%s makes AWS tools use the long-term keys of source profile %s, not its MFA session; use %s=%s",
				v, val, val, v, targetOf(f.profiles, val)))
		default:
			out = append(out, newProblem(ProblemEnvOverride, "%s=%s is set in this environment: AWS tools use profile %s, which holds no stsmfa session", v, val, val))
		}
	}
	return out
}

// sourceOf reports whether s is the source of a listed profile.
func sourceOf(ps []profileStatus, s string) bool {
	for _, p := range ps {
		if p.Source == s {
			return true
		}
	}
	return false
}

// targetOf is the listed target of source s with the most time left (or its default target).
func targetOf(ps []profileStatus, s string) string {
	best, secs := session.DefaultTarget(s), int64(-1)
	for _, p := range ps {
		if p.Source == s && p.RemainingSeconds > secs {
			best, secs = p.Profile, p.RemainingSeconds
		}
	}
	return best
}

func (a *app) fullStatus(creds *awsfile.File, credPath string, now time.Time, only string, asJSON bool) error {
	out, err := statusReport(creds, credPath, now, only)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	switch {
	case len(out.Profiles) == 0 && only != "":
		fmt.Fprintf(a.Stderr, "stsmfa: no MFA session for profile %s; get one with: stsmfa login --profile %s\n", only, only)
	case len(out.Profiles) == 0:
		fmt.Fprintln(a.Stderr, "stsmfa: no MFA sessions yet; get one with: stsmfa login")
	default:
		tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
		roles := false
		for _, p := range out.Profiles {
			roles = roles || p.Kind == "role"
		}
		if roles {
			fmt.Fprintln(tw, "PROFILE\tSOURCE\tROLE\tMFA DEVICE\tEXPIRES\tLEFT\tSTATE")
		} else {
			fmt.Fprintln(tw, "PROFILE\tSOURCE\tMFA DEVICE\tEXPIRES\tLEFT\tSTATE")
		}
		for _, p := range out.Profiles {
			exp, l := "-", "-"
			if p.Expiration != nil {
				t, _ := time.Parse(time.RFC3339, *p.Expiration)
				exp = t.Local().Format("2006-01-02 15:04 MST")
				if p.RemainingSeconds > 0 {
					l = cred.Human(time.Duration(p.RemainingSeconds) * time.Second)
				}
			}
			// STATE is the last column, so colour codes cannot upset the alignment.
			role := ""
			if roles {
				role = orDash(roleName(p.RoleARN)) + "\t"
			}
			src := p.Source
			if p.SignIn != "" {
				src = "(" + p.Kind + ")" // signed in by the AWS CLI itself: aws login, IAM Identity Center
			}
			fmt.Fprintf(tw, "%s\t%s\t%s%s\t%s\t%s\t%s\n", p.Profile, src, role, orDash(p.MFASerial), exp, l, a.paintOut(stateColour[p.State], p.State))
		}
		tw.Flush()
	}
	a.printKeyAges(out.Keys)
	for _, p := range out.Problems {
		a.warn(p.Message)
	}
	return nil
}

// roleName is the part of a role ARN after "role/": role/admin, or a path like role/team/admin.
func roleName(arn string) string {
	if i := strings.Index(arn, ":role/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

var stateColour = map[string]string{StateValid: "32", StateExpiring: "33", StateExpired: "31", StateMissing: "2"}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
