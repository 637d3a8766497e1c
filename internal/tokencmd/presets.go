package tokencmd

import (
	"fmt"
	"strings"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// A preset names a code source by its tool instead of a command line: mfa_process = ykman:aws. The
// tool is run directly (no shell, so an item name needs no quoting) and its output must be exactly
// what the tool prints for one code: the six digits on one line.
type preset struct {
	name    string                             // the prefix before ':'
	tool    string                             // the executable looked up on PATH
	argv    func(item, device string) []string // the command line, tool first
	install string                             // how to get the tool
	check   string                             // what to look at when the tool fails (%s: the item)
}

var presets = []preset{
	{
		name: "ykman", tool: "ykman",
		argv: func(item, device string) []string {
			a := []string{"ykman"}
			if device != "" {
				a = append(a, "--device", device)
			}
			return append(a, "oath", "accounts", "code", "--single", item)
		},
		install: "Debian/Ubuntu: apt-get install yubikey-manager; others: https://developers.yubico.com/yubikey-manager/",
		check:   "is the YubiKey plugged in, and does `ykman oath accounts list` show %s?",
	},
	{
		name: "op", tool: "op",
		argv:    func(item, _ string) []string { return []string{"op", "item", "get", item, "--otp"} },
		install: "1Password CLI: https://developer.1password.com/docs/cli/get-started/",
		check:   "is 1Password signed in (op signin), and does the item %s have a one-time password field?",
	},
	{
		name: "bw", tool: "bw",
		argv:    func(item, _ string) []string { return []string{"bw", "get", "totp", item} },
		install: "Bitwarden CLI: https://bitwarden.com/help/cli/",
		check:   "is the vault unlocked (export BW_SESSION=\"$(bw unlock --raw)\"), and does the item %s have a TOTP key?",
	},
	{
		name: "pass", tool: "pass",
		argv:    func(item, _ string) []string { return []string{"pass", "otp", item} },
		install: "Debian/Ubuntu: apt-get install pass pass-extension-otp",
		check:   "does `pass otp %s` print a code (pass-otp installed, the entry holds an otpauth:// URI, gpg can decrypt it)?",
	},
}

// Command is a token command ready to run: a preset's command line, run without a shell, or
// the user's own command line, run by the shell.
type Command struct {
	preset *preset
	item   string
	argv   []string // a preset's command line
	line   string   // a plain command, for the shell
	from   string   // where it was configured: "--token-command", "mfa_process in FILE"
}

// Parse reads an mfa_process / --token-command value: "NAME:ITEM" for a preset, else a
// plain command. device is ykman_device (the YubiKey's serial), used by the ykman preset only.
func Parse(value, from, device, deviceFrom string) (Command, error) {
	s := strings.TrimSpace(value)
	for i := range presets {
		p := &presets[i]
		rest, ok := strings.CutPrefix(s, p.name+":")
		if !ok {
			continue
		}
		item := strings.TrimSpace(rest)
		if item == "" {
			return Command{}, fault.WithField(fault.UsageErr("the token command (%s) %q names no item: write %s:NAME, e.g. %s:aws", from, s, p.name, p.name), fault.FieldTokenCommand)
		}
		if strings.HasPrefix(item, "-") {
			// the tool would read it as one of its options (e.g. ykman's --password)
			return Command{}, fault.WithField(fault.UsageErr("the token command (%s) %q names an item that starts with -, which %s would read as an option; rename the item", from, s, p.tool), fault.FieldTokenCommand)
		}
		dev := ""
		if p.name == "ykman" && device != "" {
			dev = strings.TrimSpace(device)
			if !allDigits(dev) {
				return Command{}, fault.UsageErr("%s is %q: it must be the YubiKey's serial number, as `ykman list --serials` prints it", deviceFrom, device)
			}
		}
		return Command{preset: p, item: item, argv: p.argv(item, dev), from: from}, nil
	}
	return Command{line: value, from: from}, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// label names the command in messages: the preset and where it was configured, or where the plain
// command was configured.
func (t Command) Label() string {
	if t.preset != nil {
		return fmt.Sprintf("%s:%s, from %s", t.preset.name, t.item, t.from)
	}
	return t.from
}

// commandLine is what runs: a preset's command line, or the user's (shortened). A command line is
// configuration, not output, so it may be shown.
func (t Command) commandLine() string {
	if t.preset != nil {
		return shellQuote(t.argv)
	}
	line := strings.Join(strings.Fields(t.line), " ")
	if r := []rune(line); len(r) > 80 {
		line = string(r[:77]) + "..."
	}
	return line
}

// shellQuote joins argv the way a person would type it.
func shellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// parseOutput takes the code out of what the command printed, never echoing it. A preset's tool
// prints the code alone on one line (bw without the newline); a plain command's output may hold other
// text around exactly one group of exactly six digits, or be one line like "123 456".
func (t Command) parseOutput(out string) (string, error) {
	if t.preset != nil {
		s := strings.TrimSpace(out)
		code := NormalizeCode(s)
		switch {
		case s == "":
			return "", fault.NoCodeErr("the token command (%s) printed nothing; %s", t.Label(), fmt.Sprintf(t.preset.check, t.item))
		case strings.ContainsAny(s, "\r\n"):
			return "", fault.NoCodeErr("the token command (%s) printed several lines; %s prints only the code", t.Label(), t.preset.tool)
		case IsCode(code):
			return code, nil
		case allDigits(code):
			return "", fault.NoCodeErr("the token command (%s) printed a code of %d digits; AWS takes 6-digit codes: the account must be a 6-digit TOTP", t.Label(), len(code))
		}
		return "", fault.NoCodeErr("the token command (%s) printed something other than a 6-digit code; %s prints only the code", t.Label(), t.preset.tool)
	}
	var codes []string
	for _, g := range DigitRuns(out) {
		if len(g) == 6 {
			codes = append(codes, g)
		}
	}
	if len(codes) == 0 {
		// "123 456" on a line of its own, the way authenticator apps show a code
		for _, line := range strings.Split(out, "\n") {
			if c := NormalizeCode(line); IsCode(c) {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) != 1 {
		return "", fault.NoCodeErr("the token command (%s) printed %d groups of exactly 6 digits; it must print exactly one MFA code", t.Label(), len(codes))
	}
	return codes[0], nil
}
