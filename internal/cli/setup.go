package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/session"
)

// shellSafe are the characters a credential_process path may hold without quoting: the AWS CLI
// splits the value like a shell and the Go SDK runs it through sh -c.
const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@,="

// conflictingKeys make a config profile get credentials some other way than credential_process.
var conflictingKeys = []string{"role_arn", "source_profile", "credential_source", "web_identity_token_file", "sso_start_url", "sso_session", "aws_access_key_id"}

// SetupOptions are the flags and argument of `setup-credential-process`.
type SetupOptions struct {
	app     *app
	Name    string // NAME: the config profile to write
	Profile string // --profile: the source (or role) profile it serves
	Command string // --command: the stsmfa to run
	Force   bool
}

// NewCmdSetup is `setup-credential-process`: it parses the flags into SetupOptions and runs runF on
// them (setupRun when nil).
func NewCmdSetup(a *app, runF func(*SetupOptions) error) *cobra.Command {
	opts := &SetupOptions{app: a}
	c := &cobra.Command{
		Use:   "setup-credential-process NAME",
		Short: "Write a config profile that gets the MFA session through credential_process",
		Long: `setup-credential-process writes [profile NAME] into the AWS config file with

  credential_process = /absolute/path/stsmfa credential-process --profile SOURCE

so that "aws --profile NAME" and every SDK get (and refresh) the session by themselves. SOURCE may be a
role profile (role_arn + source_profile): NAME then gets the role session, assumed with the source's
MFA session. The region and output of SOURCE are copied unless NAME already has its own. NAME must not be a profile of the
credentials file: keys there would win over credential_process.`,
		Example: `  stsmfa setup-credential-process work --profile default
  stsmfa setup-credential-process prod-auto --profile prod     # prod: a role profile
  aws sts get-caller-identity --profile work`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return setupRun(opts)
		},
	}
	c.Flags().StringVarP(&opts.Profile, "profile", "p", "", "source profile with long-term keys, or a role profile (default: $AWS_PROFILE, else default)")
	c.Flags().StringVar(&opts.Command, "command", "", "absolute path of stsmfa to write (default: this program)")
	c.Flags().BoolVarP(&opts.Force, "force", "f", false, "replace an existing credential_process")
	return c
}

// setupRun writes the credential_process profile and says whether anything changed.
func setupRun(opts *SetupOptions) error {
	a, name := opts.app, opts.Name
	source := sourceProfile(opts.Profile)
	if name == source {
		return fault.UsageErr("NAME %q is the source profile; choose another name for the credential_process profile", name)
	}
	exe, err := selfPath(opts.Command)
	if err != nil {
		return err
	}
	arg, err := profileArg(source)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s credential-process --profile %s", exe, arg)
	credPath, err := awsfile.CredentialsPath()
	if err != nil {
		return fault.FilesErr("%v", err)
	}
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return fault.FilesErr("%v", err)
	}
	changed := false
	err = a.editor().UpdatePair(credPath, confPath, func(creds, conf *awsfile.File) error {
		var err error
		changed, err = setupProfile(creds, conf, setupEdit{name: name, source: source, line: line, force: opts.Force})
		return err
	})
	if err != nil {
		return err
	}
	if changed {
		fmt.Fprintf(a.Stderr, "wrote [profile %s] to %s; try: aws sts get-caller-identity --profile %s\n", name, confPath, name)
	} else {
		fmt.Fprintf(a.Stderr, "[profile %s] in %s is already set up\n", name, confPath)
	}
	return nil
}

// setupEdit is what setupProfile writes: credential_process = line in [profile name], serving source.
type setupEdit struct {
	name, source, line string
	force              bool
}

// setupProfile checks that o.name can take a credential_process line for o.source without another
// way of getting credentials winning over it, and writes it (with the source's region and output).
// changed says whether conf was changed.
func setupProfile(creds, conf *awsfile.File, o setupEdit) (changed bool, err error) {
	name, source, line := o.name, o.source, o.line
	plan, err := session.ResolvePlan(creds, conf, source, nil)
	if err != nil {
		return false, err
	}
	if !plan.IsRole() && !creds.HasProfile(source) {
		return false, fault.FilesErr("source profile %q not found in %s; add its long-term keys with: aws configure --profile %s", source, creds.Path(), source)
	}
	if !plan.IsRole() && name == session.DefaultTarget(source) {
		// credential-process caches the session there, in the credentials file: once written,
		// those keys would win over credential_process and outlive their expiry
		return false, fault.UsageErr("NAME %q is where stsmfa stores the session of profile %q in the credentials file, whose keys would win over credential_process; choose another NAME", name, source)
	}
	if name == plan.Source {
		return false, fault.UsageErr("NAME %q is the source profile of %q; choose another name for the credential_process profile", name, source)
	}
	for _, h := range plan.Roles {
		if h.Profile == name {
			return false, fault.UsageErr("NAME %q is a role profile of the chain of %q; choose another name for the credential_process profile", name, source)
		}
	}
	if creds.HasProfile(name) && len(creds.Keys(name)) > 0 {
		return false, fault.FilesErr("%s has a [%s] section; its keys would win over credential_process: choose another NAME or remove that section", creds.Path(), name)
	}
	if old, ok := conf.Get(name, "credential_process"); ok && old != line && !o.force {
		return false, fault.FilesErr("profile %q in %s already has another credential_process (line %d); pass --force to replace it", name, conf.Path(), conf.Line(name, "credential_process"))
	}
	for _, k := range conflictingKeys {
		if _, ok := conf.Get(name, k); ok {
			return false, fault.FilesErr("profile %q in %s has %s (line %d), which the AWS tools would use instead of credential_process; remove it or choose another NAME", name, conf.Path(), k, conf.Line(name, k))
		}
	}
	if old, _ := conf.Get(name, "credential_process"); old != line {
		if err := conf.Set(name, "credential_process", line); err != nil {
			return changed, fault.FilesErr("%v", err)
		}
		changed = true
	}
	copied, err := session.CopyProfileDefaults(conf, source, name)
	if err != nil {
		return changed, fault.FilesErr("%v", err)
	}
	return changed || copied, nil
}

// profileArg is the source profile as one word of the credential_process line, which the AWS CLI
// splits like a shell and the Go SDK runs through sh -c (cmd /C on Windows). Names that would need
// quoting are refused: the AWS readers disagree on such names in the config file anyway.
func profileArg(source string) (string, error) {
	if source == "" || strings.Trim(source, shellSafe) != "" {
		return "", fault.UsageErr("the profile name %q has spaces or shell characters that cannot be written safely into credential_process; use a profile name of letters, digits and - _ . @ + = , :", source)
	}
	return source, nil
}

// selfPath is the absolute path that runs this stsmfa: the PATH entry the user typed (a stable
// symlink survives upgrades), else the executable itself.

// selfFromArgv0 is the path argv[0] names when it leads to this program (or to the front that handed
// the run over, a file named stsmfa), else the running executable: argv[0] is whatever the caller
// chose (`exec -a sh stsmfa …` made it sh, and /usr/bin/sh was written into credential_process).
func selfFromArgv0(argv0 string) string {
	exe, exeErr := os.Executable()
	p := argv0
	if !strings.ContainsRune(p, filepath.Separator) {
		lp, err := exec.LookPath(p)
		if err != nil {
			if exeErr == nil {
				return exe
			}
			return p
		}
		p = lp
	}
	if exeErr != nil {
		return p
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return exe
	}
	realExe, _ := filepath.EvalSymlinks(exe)
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(real)), ".exe")
	if a, b := statOf(real), statOf(realExe); (a != nil && b != nil && os.SameFile(a, b)) || base == "stsmfa" {
		return p
	}
	return exe
}

func statOf(p string) os.FileInfo {
	st, err := os.Stat(p)
	if err != nil {
		return nil
	}
	return st
}
func selfPath(override string) (string, error) {
	p := override
	if p == "" {
		p = selfFromArgv0(os.Args[0])
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fault.UsageErr("cannot find the path of stsmfa: %v; pass --command", err)
	}
	if st, err := os.Stat(abs); err != nil || st.IsDir() {
		return "", fault.UsageErr("%s is not a program; pass --command /path/to/stsmfa", abs)
	}
	safe := shellSafe
	if runtime.GOOS == "windows" {
		safe += `\`
	}
	if strings.Trim(abs, safe) != "" {
		return "", fault.UsageErr("the path %q has spaces or shell characters the AWS tools would split; install stsmfa in a plain path or pass --command", abs)
	}
	if strings.Contains(abs, "go-build") {
		return "", fault.UsageErr("%s is a temporary `go run` build; install stsmfa (go install ./cmd/stsmfa) or pass --command", abs)
	}
	return abs, nil
}
