package answer

import (
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/session"
	"github.com/stsmfa/stsmfa/internal/shellenv"
)

// The variables env and exec hand a session over in (shared by cli and the front build).

// EnvNames are the variables env sets; AWS_CREDENTIAL_EXPIRATION is the AWS CLI's own name.
var EnvNames = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"}

// MarkerVar tells a nested stsmfa which source profile the surrounding `stsmfa exec` serves.
const MarkerVar = "STSMFA_PROFILE"

// StaleVars are removed from exec's child: each can override or break the session's variables.
var StaleVars = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
}

// ProfileName is the profile a command serves: flag (--profile) when set, else AWS_PROFILE, else
// AWS_DEFAULT_PROFILE (which the AWS CLI also honours), else default; from names the variable it came
// from ("" for the flag or the default), so errors about it can say so.
func ProfileName(flag string, getenv func(string) string) (name, from string) {
	if flag != "" {
		return flag, ""
	}
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		if p := getenv(v); p != "" {
			return p, v
		}
	}
	return "default", ""
}

// Vars are s as the variables EnvNames.
func Vars(s cred.Session) []shellenv.Var {
	return []shellenv.Var{
		{Name: "AWS_ACCESS_KEY_ID", Value: s.AccessKeyID},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: s.SecretAccessKey},
		{Name: "AWS_SESSION_TOKEN", Value: s.SessionToken},
		{Name: "AWS_CREDENTIAL_EXPIRATION", Value: s.Expiration.UTC().Format(time.RFC3339)},
	}
}

// RegionVars sets AWS_REGION and AWS_DEFAULT_REGION to the profile's region, since the child or
// shell no longer names the profile; a region already in the environment wins, as in the AWS SDKs.
func RegionVars(region string, getenv func(string) string) []shellenv.Var {
	if region == "" || getenv("AWS_REGION") != "" || getenv("AWS_DEFAULT_REGION") != "" {
		return nil
	}
	return []shellenv.Var{{Name: "AWS_REGION", Value: region}, {Name: "AWS_DEFAULT_REGION", Value: region}}
}

// ExecInExec applies a surrounding `stsmfa exec` (MarkerVar set in its child) to an exec request:
// with no profile named on the command line (flag) and no profile variable — the outer exec removed
// them — req serves the outer exec's profile. It returns that outer profile and whether req may run
// inside it: only when both serve the same source profile (else two sessions would mix in one
// environment).
func ExecInExec(flag string, req *session.Request, getenv func(string) string) (outer string, ok bool) {
	outer = getenv(MarkerVar)
	if outer == "" {
		return "", true
	}
	if flag == "" && req.ProfileFrom == "" {
		req.Profile, req.ProfileFrom = outer, MarkerVar // messages about the profile name the variable
	}
	return outer, outer == session.SourceOf(req.Profile)
}

// ChildEnv is exec's environment for its child: environ without StaleVars (or an outer MarkerVar),
// with MarkerVar naming source, then res's session and region variables.
func ChildEnv(environ []string, res *session.Result, getenv func(string) string) []string {
	out := make([]string, 0, len(environ)+7)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		drop := name == MarkerVar
		for _, s := range StaleVars {
			if strings.EqualFold(name, s) {
				drop = true
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	out = append(out, MarkerVar+"="+res.Plan.Profile)
	for _, v := range append(Vars(res.Session), RegionVars(res.Region, getenv)...) {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// EnvLines is what env prints for res in format: a shellenv format's lines setting Vars and (except
// in the AWS CLI's formats, which carry the credentials only) RegionVars; or, for "process", the
// credential_process JSON indented as aws configure export-credentials --format process prints it.
func EnvLines(res *session.Result, format string, getenv func(string) string) ([]byte, error) {
	if format == "process" {
		return ProcessJSON(res.Session, "  ")
	}
	vars := Vars(res.Session)
	if format != "env" && format != "env-no-export" && format != "windows-cmd" {
		vars = append(vars, RegionVars(res.Region, getenv)...)
	}
	out, err := shellenv.Set(format, vars)
	return []byte(out), err
}
