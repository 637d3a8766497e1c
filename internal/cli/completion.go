package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/awssignin"
	"github.com/stsmfa/stsmfa/internal/cmdline"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/session"
)

// Completion of profile names. cobra's completion machinery (`stsmfa __complete ...`, which the bash,
// zsh, fish and PowerShell scripts of `stsmfa completion SHELL` and of the packages call) asks these
// functions for the names of --profile/-p and login's --target/-t. They read the two AWS files
// (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE honoured) and nothing else: no keys, no network, no
// cache, no write. A file that cannot be read or parsed completes nothing rather than an error.

// profileKind is a bit set: what a profile is to stsmfa.
type profileKind uint8

const (
	kindSource   profileKind = 1 << iota // long-term keys in the credentials file
	kindTarget                           // a session stsmfa stored (stsmfa_source)
	kindRole                             // role_arn in either file
	kindProcess                          // a config profile whose credential_process runs stsmfa
	kindSignedIn                         // aws login / IAM Identity Center (the AWS CLI signs it in)
)

// which kinds each command's --profile completes; the rest complete no profile.
var profileKinds = map[string]profileKind{
	"login":                    kindSource | kindTarget | kindRole | kindProcess,
	"env":                      kindSource | kindTarget | kindRole | kindProcess,
	"exec":                     kindSource | kindTarget | kindRole | kindProcess,
	"credential-process":       kindSource | kindTarget | kindRole | kindProcess,
	"console":                  kindSource | kindTarget | kindRole | kindProcess,
	"setup-credential-process": kindSource | kindRole,
	"logout":                   kindSource | kindTarget | kindRole,
	"status":                   kindSource | kindTarget | kindRole | kindSignedIn,
}

// registerCompletions walks the command tree and registers the profile completions of every command
// that has --profile, and of login's --target. A new command with --profile gets them by being in
// profileKinds; positional arguments that name no file complete nothing.
func registerCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		kinds, ok := profileKinds[c.Name()]
		if f := c.Flags().Lookup("profile"); f != nil && ok {
			_ = c.RegisterFlagCompletionFunc("profile", completeProfiles(kinds))
		}
		if f := c.Flags().Lookup("target"); f != nil {
			_ = c.RegisterFlagCompletionFunc("target", completeTargets)
		}
		if c.ValidArgsFunction == nil && c.Name() != "exec" && c.Name() != "completion" && c.Name() != "help" {
			c.ValidArgsFunction = noFiles
		}
	}
}

func noFiles(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// profileInfo is one profile name with what it is and a short description for the shells that show one.
type profileInfo struct {
	name string
	kind profileKind
	desc string
}

// knownProfiles classifies the profiles of both files, credentials file first, each name once.
func knownProfiles() []profileInfo {
	creds, conf := loadForCompletion()
	var out []profileInfo
	index := map[string]int{}
	add := func(name string, k profileKind, desc string) {
		if i, ok := index[name]; ok {
			out[i].kind |= k
			if out[i].desc == "" {
				out[i].desc = desc
			}
			return
		}
		index[name] = len(out)
		out = append(out, profileInfo{name: name, kind: k, desc: desc})
	}
	if creds != nil {
		for _, p := range creds.Profiles() {
			if src, _ := creds.Get(p, session.KeySource); src != "" {
				add(p, kindTarget, "MFA session of "+src)
				continue
			}
			key, _ := creds.Get(p, "aws_access_key_id")
			tok, _ := creds.Get(p, "aws_session_token")
			switch {
			case key != "" && tok == "" && !cred.IsSessionKey(key):
				add(p, kindSource, "long-term keys")
			default:
				add(p, 0, "")
			}
		}
	}
	if conf != nil {
		for _, p := range conf.ProfilesWithKey(session.KeyRoleARN) {
			arn, _ := conf.Get(p, session.KeyRoleARN)
			add(p, kindRole, "role "+strings.TrimPrefix(roleName(strings.TrimSpace(arn)), "role/"))
		}
		for _, p := range conf.ProfilesWithKey(session.KeyCredentialProc) {
			cp, _ := conf.Get(p, session.KeyCredentialProc)
			if of, ok := cmdline.ProcessProfile(cp); ok {
				add(p, kindProcess, "stsmfa credential_process of "+of)
			}
		}
		for _, sp := range awssignin.List(creds, conf) {
			add(sp.Name, kindSignedIn, sp.What())
		}
	}
	if creds != nil {
		for _, p := range creds.ProfilesWithKey(session.KeyRoleARN) { // role_arn in the credentials file
			arn, _ := creds.Get(p, session.KeyRoleARN)
			add(p, kindRole, "role "+strings.TrimPrefix(roleName(strings.TrimSpace(arn)), "role/"))
		}
	}
	return out
}

func loadForCompletion() (creds, conf *awsfile.File) {
	if p, err := awsfile.CredentialsPath(); err == nil {
		creds, _ = awsfile.Load(p, awsfile.Credentials)
	}
	if p, err := awsfile.ConfigPath(); err == nil {
		conf, _ = awsfile.Load(p, awsfile.Config)
	}
	return creds, conf
}

func completeProfiles(kinds profileKind) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, p := range knownProfiles() {
			if p.kind&kinds != 0 && strings.HasPrefix(p.name, prefix) {
				out = append(out, cobra.CompletionWithDesc(p.name, p.desc))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeTargets completes login's --target: the profiles holding sessions stsmfa stored, and the
// default target of each source that has none yet.
func completeTargets(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	all := knownProfiles()
	have := map[string]bool{}
	for _, p := range all {
		have[p.name] = true
	}
	var out []cobra.Completion
	for _, p := range all {
		if p.kind&kindTarget != 0 && strings.HasPrefix(p.name, prefix) {
			out = append(out, cobra.CompletionWithDesc(p.name, p.desc))
		}
	}
	for _, p := range all {
		if t := session.DefaultTarget(p.name); p.kind&kindSource != 0 && !have[t] && strings.HasPrefix(t, prefix) {
			have[t] = true
			out = append(out, cobra.CompletionWithDesc(t, "new MFA session of "+p.name))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
