package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/exitcode"
	"github.com/stsmfa/stsmfa/internal/session"
)

// SoonThreshold is when a session counts as "expiring" in status.
const SoonThreshold = time.Hour

// States a managed profile can be in.
const (
	StateValid    = "valid"
	StateExpiring = "expiring"
	StateExpired  = "expired"
	StateMissing  = "missing"
)

// statusJSON is the documented, stable schema of `status --json` (docs/status.md). Add fields, never
// rename or remove them.
type statusJSON struct {
	SchemaVersion int             `json:"schema_version"`
	Now           string          `json:"now"`
	Profiles      []profileStatus `json:"profiles"`
	Problems      []problem       `json:"problems"`
}

type profileStatus struct {
	Profile          string  `json:"profile"`
	Source           string  `json:"source"`
	MFASerial        string  `json:"mfa_serial"` // masked: account digits hidden, device name kept
	Expiration       *string `json:"expiration"` // RFC 3339 UTC; null when missing
	ExpirationLocal  *string `json:"expiration_local"`
	RemainingSeconds int64   `json:"remaining_seconds"` // 0 when expired or missing
	State            string  `json:"state"`             // valid, expiring, expired, missing
}

type problem struct {
	Kind    string `json:"kind"` // file_permissions, env_override, source_has_session, malformed_file
	Message string `json:"message"`
}

func (a *app) statusCmd() *cobra.Command {
	var asJSON, check, prompt bool
	var profile string
	var minRemaining time.Duration
	c := &cobra.Command{
		Use:   "status",
		Short: "Show which MFA sessions are valid and for how long",
		Long: `status lists every profile stsmfa manages: its source, MFA device, expiry in local time, time left
and state (valid, expiring within 1h, expired, missing), and problems it can see: AWS files readable by
others, AWS_* variables that override profiles, source profiles holding session credentials.

--check prints nothing and exits 0 when the session of --profile (a target, or a source) is valid for
longer than --min-remaining, 1 otherwise. --prompt prints a short form for shell prompts: "mfa 3h12m".`,
		Example: `  stsmfa status
  stsmfa status --json
  stsmfa status --check --min-remaining 30m || stsmfa login
  PS1='$(stsmfa status --prompt) \$ '`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if check && prompt {
				return exitcode.UsageErr("--check and --prompt do not go together")
			}
			if minRemaining < 0 {
				return exitcode.UsageErr("--min-remaining must not be negative")
			}
			credPath, err := awsfile.CredentialsPath()
			if err != nil {
				return exitcode.FilesErr("%v", err)
			}
			creds, err := awsfile.Load(credPath, awsfile.Credentials)
			if err != nil {
				return exitcode.FilesErr("%v", err)
			}
			now := a.Now()
			if check || prompt {
				name := sourceProfile(profile)
				s, ok := pick(creds, name)
				if check {
					if !ok || s.Expiration.Sub(now) <= minRemaining {
						return &exitError{code: exitcode.NotValid}
					}
					return nil
				}
				if ok {
					fmt.Fprintf(a.Stdout, "%s %s\n", s.Profile, left(s, now))
				}
				return nil
			}
			return a.fullStatus(creds, credPath, now, asJSON)
		},
	}
	f := c.Flags()
	f.BoolVar(&asJSON, "json", false, "print JSON (schema in docs/status.md)")
	f.BoolVar(&check, "check", false, "no output; exit 0 if valid longer than --min-remaining, else 1")
	f.BoolVar(&prompt, "prompt", false, `print a short form for shell prompts ("mfa 3h12m")`)
	f.StringVarP(&profile, "profile", "p", "", "with --check/--prompt: target or source profile (default: $AWS_PROFILE, else default)")
	f.DurationVar(&minRemaining, "min-remaining", 0, "with --check: required time left")
	return c
}

// pick finds the session of a target profile, or the longest-lived one made from a source profile.
func pick(creds *awsfile.File, name string) (session.Session, bool) {
	if s, ok := session.ReadManaged(creds, name); ok {
		return s, true
	}
	var best session.Session
	found := false
	for _, s := range session.Managed(creds) {
		if s.Source == name && s.SessionToken != "" && (!found || s.Expiration.After(best.Expiration)) {
			best, found = s, true
		}
	}
	return best, found
}

func left(s session.Session, now time.Time) string {
	if d := s.Expiration.Sub(now); d > 0 {
		return session.Human(d)
	}
	return "expired"
}

func state(s session.Session, now time.Time) string {
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

func (a *app) fullStatus(creds *awsfile.File, credPath string, now time.Time, asJSON bool) error {
	out := statusJSON{SchemaVersion: 1, Now: now.UTC().Format(time.RFC3339), Profiles: []profileStatus{}, Problems: []problem{}}
	add := func(kind, format string, args ...any) {
		out.Problems = append(out.Problems, problem{Kind: kind, Message: fmt.Sprintf(format, args...)})
	}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return exitcode.FilesErr("%v", err)
	}
	conf, err := awsfile.Load(confPath, awsfile.Config)
	if err != nil {
		add("malformed_file", "%v", err)
		conf, _ = awsfile.Parse(confPath, awsfile.Config, nil)
	}
	sources := map[string]bool{}
	for _, s := range session.Managed(creds) {
		sources[s.Source] = true
		ps := profileStatus{Profile: s.Profile, Source: s.Source, MFASerial: session.MaskSerial(s.Serial), State: state(s, now)}
		if !s.Expiration.IsZero() {
			utc, loc := s.Expiration.UTC().Format(time.RFC3339), s.Expiration.Local().Format(time.RFC3339)
			ps.Expiration, ps.ExpirationLocal = &utc, &loc
			if d := s.Expiration.Sub(now); d > 0 {
				ps.RemainingSeconds = int64(d / time.Second)
			}
		}
		out.Profiles = append(out.Profiles, ps)
	}
	// sources set up for MFA that have no session yet
	for _, p := range creds.Profiles() {
		_, hasSerial := conf.Get(p, session.KeyMFASerial)
		_, hasProcess := conf.Get(p, session.KeyMFAProcess)
		if (hasSerial || hasProcess) && !sources[p] {
			if src, _ := creds.Get(p, session.KeySource); src == "" {
				serial, _ := conf.Get(p, session.KeyMFASerial)
				out.Profiles = append(out.Profiles, profileStatus{Profile: session.DefaultTarget(p), Source: p, MFASerial: session.MaskSerial(serial), State: StateMissing})
				sources[p] = true
			}
		}
	}
	var srcNames []string
	for s := range sources {
		srcNames = append(srcNames, s)
	}
	sort.Strings(srcNames)
	for _, s := range srcNames {
		key, _ := creds.Get(s, "aws_access_key_id")
		tok, _ := creds.Get(s, "aws_session_token")
		if tok != "" || session.IsSessionKey(key) {
			add("source_has_session", "source profile %s holds session credentials; login needs its long-term keys (aws configure --profile %s)", s, s)
		}
	}
	for _, path := range []string{credPath, confPath} {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			add("file_permissions", "%s is readable by others (mode %04o); fix with: chmod 600 %s", path, st.Mode().Perm(), path)
		}
	}
	for _, v := range append(credentialVars, "AWS_PROFILE", "AWS_DEFAULT_PROFILE") {
		if val := os.Getenv(v); val != "" {
			what := "overrides every profile"
			if strings.HasSuffix(v, "PROFILE") {
				what = fmt.Sprintf("= %s picks the profile AWS tools use", val)
			}
			add("env_override", "%s is set in this environment and %s", v, what)
		}
	}
	if asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(out.Profiles) == 0 {
		fmt.Fprintln(a.Stdout, "no MFA sessions yet; get one with: stsmfa login")
	} else {
		tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROFILE\tSOURCE\tMFA DEVICE\tEXPIRES\tLEFT\tSTATE")
		for _, p := range out.Profiles {
			exp, l := "-", "-"
			if p.Expiration != nil {
				t, _ := time.Parse(time.RFC3339, *p.Expiration)
				exp = t.Local().Format("2006-01-02 15:04 MST")
				l = session.Human(time.Duration(p.RemainingSeconds) * time.Second)
				if p.RemainingSeconds == 0 {
					l = "-"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Profile, p.Source, orDash(p.MFASerial), exp, l, p.State)
		}
		tw.Flush()
	}
	for _, p := range out.Problems {
		fmt.Fprintf(a.Stderr, "stsmfa: warning: %s\n", p.Message)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
