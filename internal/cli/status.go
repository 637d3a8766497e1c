package cli

import (
	"encoding/json"
	"fmt"
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

// SoonThreshold is when a session counts as "expiring" in status: 1h or less left. It is fixed on
// purpose (docs/status.md): scripts that need another margin use --check --min-remaining or
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

func (a *app) statusCmd() *cobra.Command {
	var asJSON, check, prompt bool
	var profile string
	var minRemaining time.Duration
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
			case check && prompt:
				return fault.UsageErr("--check and --prompt do not go together")
			case asJSON && (check || prompt):
				return fault.UsageErr("--json does not go with --check or --prompt")
			case c.Flags().Changed("min-remaining") && !check:
				return fault.UsageErr("--min-remaining only goes with --check")
			case minRemaining < 0:
				return fault.UsageErr("--min-remaining must not be negative")
			}
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
			if check || prompt {
				s, ok := answer.Pick(creds, credPath, sourceProfile(profile))
				if check {
					if !answer.Valid(s, ok, now, minRemaining) {
						return &fault.Passthrough{Status: fault.NotValid}
					}
					return nil
				}
				if ok {
					fmt.Fprint(a.Stdout, answer.PromptLine(s, now))
				}
				return nil
			}
			return a.fullStatus(creds, credPath, now, profile, asJSON)
		},
	}
	f := c.Flags()
	f.BoolVar(&asJSON, "json", false, "print JSON (schema in docs/status.md)")
	f.BoolVar(&check, "check", false, "no output; exit 0 if valid longer than --min-remaining, else 1")
	f.BoolVar(&prompt, "prompt", false, `print a short form for shell prompts ("mfa 3h12m", "mfa expired", or nothing)`)
	f.StringVarP(&profile, "profile", "p", "", "target or source profile (--check/--prompt default: $AWS_PROFILE, else default; listing: all)")
	f.DurationVar(&minRemaining, "min-remaining", 0, "with --check: time the session must still have left, e.g. 30m")
	return c
}

func state(s cred.Session, now time.Time) string {
	switch d := s.Expiration.Sub(now); {
	case s.SessionToken == "" || s.Expiration.IsZero():
		return StateMissing
	case d <= 0:
		return StateExpired
	case d <= SoonThreshold:
		return StateExpiring
	default:
		return StateValid
	}
}

// statusReport gathers everything `status` shows. It reads the two AWS files and the environment only.
func statusReport(creds *awsfile.File, credPath string, now time.Time, only string) (statusJSON, error) {
	out := statusJSON{SchemaVersion: 1, Now: now.UTC().Format(time.RFC3339), Profiles: []profileStatus{}, Problems: []problem{}}
	add := func(kind, format string, args ...any) {
		out.Problems = append(out.Problems, problem{Kind: kind, Message: fmt.Sprintf(format, args...)})
	}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return out, fault.FilesErr("%v", err)
	}
	conf, err := awsfile.Load(confPath, awsfile.Config)
	if err != nil {
		add(ProblemMalformedFile, "%v", err)
		conf, _ = awsfile.Parse(confPath, awsfile.Config, nil)
	}
	keep := func(profile, source string) bool { return only == "" || only == profile || only == source }
	sources := map[string]bool{}
	targets := map[string]bool{}
	for _, s := range session.Managed(creds) {
		sources[s.Source] = true
		targets[s.Profile] = true
		if !keep(s.Profile, s.Source) {
			continue
		}
		serial := s.Serial
		if serial == "" { // session.Managed leaves it out for a profile without keys
			serial, _ = creds.Get(s.Profile, session.KeySerial)
		}
		if s.SessionToken != "" && s.Suspect(now) {
			add(ProblemSuspectExpiry, "profile %s claims to be valid until %s, longer than any AWS session lasts (36h): its stsmfa_expiration was edited or the clock was wrong; stsmfa will not reuse it: get a new one with: stsmfa login --force --profile %s",
				s.Profile, s.Expiration.UTC().Format(time.RFC3339), s.Source)
		}
		ps := profileStatus{Profile: s.Profile, Source: s.Source, MFASerial: cred.MaskSerial(serial), State: state(s, now), Kind: "mfa", RoleARN: s.RoleARN}
		if s.IsRole() {
			ps.Kind = "role"
		}
		ps.setExpiry(s, now)
		out.Profiles = append(out.Profiles, ps)
	}
	// role sessions stsmfa cached (not in the credentials file)
	for _, s := range rolecache.List(credPath) {
		sources[s.Source] = true
		if !keep(s.RoleProfile, s.Source) {
			continue
		}
		ps := profileStatus{Profile: s.RoleProfile, Source: s.Source, MFASerial: cred.MaskSerial(s.Serial), State: state(s, now), Kind: "role", RoleARN: s.RoleARN}
		ps.setExpiry(s, now)
		out.Profiles = append(out.Profiles, ps)
	}
	// sources set up for MFA (mfa_serial or mfa_process in config) that have no session yet
	for _, p := range creds.Profiles() {
		if sources[p] || targets[p] {
			continue
		}
		serial, hasSerial := conf.Get(p, session.KeyMFASerial)
		_, hasProcess := conf.Get(p, session.KeyMFAProcess)
		if !hasSerial && !hasProcess {
			continue
		}
		sources[p] = true
		if t := session.DefaultTarget(p); keep(t, p) {
			out.Profiles = append(out.Profiles, profileStatus{Profile: t, Source: p, MFASerial: cred.MaskSerial(serial), State: StateMissing, Kind: "mfa"})
		}
	}

	var srcNames []string
	for s := range sources {
		if only == "" || only == s || sourceOf(out.Profiles, s) {
			srcNames = append(srcNames, s)
		}
	}
	sort.Strings(srcNames)
	for _, s := range srcNames {
		key, _ := creds.Get(s, "aws_access_key_id")
		tok, _ := creds.Get(s, "aws_session_token")
		if tok != "" || cred.IsSessionKey(key) {
			add(ProblemSourceHasSession, "source profile %s holds session credentials, not long-term keys; login needs the IAM user's keys there (aws configure --profile %s)", s, s)
		}
	}
	ages, probs := keyAgeProblems(creds, conf, srcNames, now)
	out.Keys, out.Problems = ages, append(out.Problems, probs...)
	if runtime.GOOS != "windows" { // permission bits mean nothing there
		for _, path := range []string{credPath, confPath} {
			if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
				add(ProblemFilePermissions, "%s is open to other users (mode %04o); fix with: chmod 600 %s", path, st.Mode().Perm(), path)
			}
		}
	}
	var set []string
	for _, v := range credentialVars {
		if os.Getenv(v) != "" {
			set = append(set, v)
		}
	}
	if len(set) > 0 {
		verb := "is set in this environment and overrides"
		if len(set) > 1 {
			verb = "are set in this environment and override"
		}
		stale := ""
		if e := os.Getenv("AWS_CREDENTIAL_EXPIRATION"); e != "" {
			if t, err := time.Parse(time.RFC3339, e); err == nil && !t.After(now) {
				stale = fmt.Sprintf(" (AWS_CREDENTIAL_EXPIRATION says they expired %s ago)", cred.Human(now.Sub(t)))
			}
		}
		add(ProblemEnvOverride, "%s %s every profile for AWS tools%s; clear with: eval \"$(stsmfa env --unset)\"",
			strings.Join(set, ", "), verb, stale)
	}
	// AWS_PROFILE naming a login target is how sessions are meant to be used; anything else hides them.
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		val := os.Getenv(v)
		stands := ""
		if val != "" && conf != nil {
			if plan, err := session.ResolvePlan(creds, conf, val, nil); err == nil && (plan.Profile != val || plan.IsRole()) {
				stands = plan.Profile // a credential_process profile set up for stsmfa, or a role profile stsmfa serves
			}
		}
		switch {
		case val == "" || targets[val] || stands != "":
		case sources[val]:
			add(ProblemEnvOverride, "%s=%s makes AWS tools use the long-term keys of source profile %s, not its MFA session; use %s=%s",
				v, val, val, v, targetOf(out.Profiles, val))
		default:
			add(ProblemEnvOverride, "%s=%s is set in this environment: AWS tools use profile %s, which holds no stsmfa session", v, val, val)
		}
	}
	return out, nil
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
			fmt.Fprintf(tw, "%s\t%s\t%s%s\t%s\t%s\t%s\n", p.Profile, p.Source, role, orDash(p.MFASerial), exp, l, a.paintOut(stateColour[p.State], p.State))
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
