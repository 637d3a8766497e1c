// Command stsmfa-docs writes stsmfa's man pages and shell completions, generated from the cobra
// commands themselves, for the release packages (.goreleaser.yaml) and scripts/package-check.sh:
//
//	stsmfa-docs DIR    writes DIR/man/man1/stsmfa*.1 and DIR/completions/stsmfa.{bash,zsh,fish,ps1}
//
// It is a separate program so that the man page generator is not linked into stsmfa itself.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/stsmfa/stsmfa/internal/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: stsmfa-docs DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "stsmfa-docs:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	root := cli.Command()
	root.DisableAutoGenTag = true // no generation date: the pages are reproducible
	man := filepath.Join(dir, "man", "man1")
	comp := filepath.Join(dir, "completions")
	for _, d := range []string{man, comp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	header := &doc.GenManHeader{Title: "STSMFA", Section: "1", Source: "stsmfa", Manual: "stsmfa manual"}
	placeholders(root)
	if err := doc.GenManTree(root, header, man); err != nil {
		return err
	}
	if err := appendSections(filepath.Join(man, "stsmfa.1")); err != nil {
		return err
	}
	for name, gen := range map[string]func(string) error{
		"stsmfa.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"stsmfa.zsh":  root.GenZshCompletionFile,
		"stsmfa.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
		"stsmfa.ps1":  root.GenPowerShellCompletionFileWithDesc,
	} {
		if err := gen(filepath.Join(comp, name)); err != nil {
			return err
		}
	}
	return nil
}

// placeholders shows a flag whose zero value means "not given" (--token-timeout: then
// mfa_process_timeout, else 2m) as DURATION in the man pages, not as a default of 0s.
func placeholders(c *cobra.Command) {
	if f := c.Flags().Lookup("token-timeout"); f != nil && f.DefValue == "0s" {
		f.DefValue = "DURATION"
	}
	for _, sub := range c.Commands() {
		placeholders(sub)
	}
}

// appendSections adds ENVIRONMENT and FILES to stsmfa(1), which cobra does not generate.
func appendSections(path string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(sections); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

const sections = `.SH ENVIRONMENT
.TP
\fBAWS_SHARED_CREDENTIALS_FILE\fR, \fBAWS_CONFIG_FILE\fR
The credentials and config files (default ~/.aws/credentials and ~/.aws/config), as the AWS CLI reads them.
.TP
\fBAWS_PROFILE\fR, \fBAWS_DEFAULT_PROFILE\fR
The profile when --profile is not given.
.TP
\fBAWS_MFA_SERIAL\fR
The MFA device when neither --serial-number nor mfa_serial names one.
.TP
\fBAWS_REGION\fR, \fBAWS_DEFAULT_REGION\fR, \fBAWS_ENDPOINT_URL\fR, \fBAWS_ENDPOINT_URL_STS\fR, \fBAWS_ENDPOINT_URL_IAM\fR, \fBAWS_CA_BUNDLE\fR, \fBAWS_MAX_ATTEMPTS\fR, \fBHTTPS_PROXY\fR
How the STS and IAM calls are made, as the AWS SDKs read them.
.TP
\fBSTSMFA_PROMPT\fR
How to ask for a code when --prompt is not given: auto, terminal, zenity, kdialog, osascript, windows, none.
.TP
\fBSTSMFA_PROFILE\fR
Set by stsmfa exec in its command's environment: the profile a nested stsmfa serves.
.TP
\fBSTSMFA_FRONT\fR
0 makes the front (stsmfa beside stsmfa-engine) hand every run to the engine.
.TP
\fBXDG_CACHE_HOME\fR
Where stsmfa keeps its role sessions, the record of used codes and its locks (default ~/.cache).
.TP
\fBNO_COLOR\fR
No colour on stderr or in status.
.SH FILES
.TP
~/.aws/credentials
The MFA sessions, in the profiles stsmfa writes (mfa, SOURCE-mfa, or --target), with stsmfa_* keys.
.TP
~/.aws/config
Source settings read (mfa_serial, mfa_process, mfa_prompt, mfa_session_duration, role profiles); region and output copied into targets; credential_process profiles written by setup-credential-process.
.TP
~/.aws/cli/cache/*.json
The AWS CLI's own role cache, written for role profiles (only the AWS CLI reads it).
.TP
$XDG_CACHE_HOME/stsmfa/roles/*.session
Role sessions (0600).
.TP
$XDG_CACHE_HOME/stsmfa/steps/*.json
The record of the codes AWS took, per MFA device: time step and salted hash, never the code.
.TP
$XDG_CACHE_HOME/stsmfa/front/engine
The front's record of the engine of its own version.
`
