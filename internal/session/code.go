package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// Terminal is the user's terminal device (/dev/tty), never stdin/stdout. Prompt writes question and
// returns the line typed; it returns an error wrapping ErrInterrupted on Ctrl-C/Ctrl-D.
type Terminal interface {
	Prompt(question string) (string, error)
}

// ErrInterrupted is returned by a Terminal when the user gives up at the prompt.
var ErrInterrupted = errors.New("interrupted")

// TokenCommandTimeout bounds a token command (ykman waits for a touch, password managers for unlock).
const TokenCommandTimeout = 2 * time.Minute

// digitRuns returns the maximal runs of ASCII digits in s.
func digitRuns(s string) []string {
	var runs []string
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		runs = append(runs, s[i:j])
		i = j
	}
	return runs
}

// runTokenCommand runs the user's command through the shell and takes the one 6-digit group from its
// output. Its output is never echoed: it may hold other secrets.
func runTokenCommand(ctx context.Context, command, from string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, TokenCommandTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd", "/C", command)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", command)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr // its own prompts ("touch your YubiKey") reach the user
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", noCodeErr("the token command (%s) gave no code within %s", from, TokenCommandTimeout)
		}
		return "", noCodeErr("the token command (%s) failed: %v; run it by hand to see why", from, err)
	}
	var codes []string
	for _, g := range digitRuns(out.String()) {
		if len(g) == 6 {
			codes = append(codes, g)
		}
	}
	if len(codes) != 1 {
		return "", noCodeErr("the token command (%s) printed %d groups of exactly 6 digits; it must print exactly one MFA code", from, len(codes))
	}
	return codes[0], nil
}

// getCode takes the code from the argument, else the token command, else the terminal.
func getCode(ctx context.Context, req *Request, src *Source, tty Terminal) (string, error) {
	if req.Code != "" {
		return req.Code, nil
	}
	if src.TokenCommand != "" {
		if err := src.checkTokenCommandFile(); err != nil {
			return "", err
		}
		code, err := runTokenCommand(ctx, src.TokenCommand, src.TokenFrom)
		if err != nil {
			return "", err
		}
		return code, CheckCode(code, "from the token command ("+src.TokenFrom+")")
	}
	if tty == nil {
		return "", errNoTerminal(src.Profile, src.Profile)
	}
	code, err := tty.Prompt(fmt.Sprintf("MFA code for %s (%s): ", src.Profile, MaskSerial(src.Serial)))
	if err != nil {
		return "", promptErr(err)
	}
	return code, CheckCode(code, "typed at the prompt")
}

func errNoTerminal(profile, source string) error {
	return withField(noCodeErr("no terminal to ask for the MFA code of profile %q and no token command: set mfa_process in the config section of %s (e.g. mfa_process = ykman oath accounts code -s NAME), or run `stsmfa login --profile %s` first", profile, source, source), FieldTokenCommand)
}

func promptErr(err error) error {
	if errors.Is(err, ErrInterrupted) {
		return cancelledErr("cancelled at the prompt; nothing was changed")
	}
	return noCodeErr("cannot read from the terminal: %v", err)
}

// chooseSerial picks among several MFA devices on the terminal, or fails listing them all.
func chooseSerial(serials []string, profile string, tty Terminal) (string, error) {
	if tty == nil {
		return "", withField(usageErr("profile %q has %d MFA devices (%s); choose one with mfa_serial in its config section",
			profile, len(serials), joinList(serials)), FieldSerial)
	}
	q := fmt.Sprintf("profile %s has %d MFA devices:\n", profile, len(serials))
	for i, s := range serials {
		q += fmt.Sprintf("  %d) %s\n", i+1, MaskSerial(s))
	}
	q += fmt.Sprintf("use which [1-%d]? ", len(serials))
	for tries := 0; tries < 3; tries++ {
		ans, err := tty.Prompt(q)
		if err != nil {
			return "", promptErr(err)
		}
		var n int
		if _, err := fmt.Sscanf(ans, "%d", &n); err == nil && n >= 1 && n <= len(serials) {
			return serials[n-1], nil
		}
		q = fmt.Sprintf("type a number from 1 to %d: ", len(serials))
	}
	return "", withField(usageErr("no MFA device chosen; set mfa_serial in the profile's config section"), FieldSerial)
}

func joinList(xs []string) string {
	var b bytes.Buffer
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x)
	}
	return b.String()
}
