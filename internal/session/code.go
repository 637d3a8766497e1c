package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
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
	cmd := shellCommand(ctx, command)
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

// withCode gets a code and makes the call that carries it. When the call failed where AWS may have
// taken the code (ErrCodeMaybeSpent: the connection dropped, or no answer in time), the same code is
// never sent again: a token command is run again for the next time step's code, a person at the
// terminal is asked for the next code, and the call is tried once more. A code given up front cannot
// be renewed, so that failure is final.
func (r *run) withCode(ctx context.Context, op string, call func(code string) (Session, error)) (Session, error) {
	code, err := getCode(ctx, &r.req, r.src, r.env.Terminal)
	if err != nil {
		return Session{}, err
	}
	s, err := call(code)
	if err == nil || !errors.Is(err, ErrCodeMaybeSpent) || r.req.Code != "" {
		return s, err
	}
	var next string
	switch {
	case r.src.TokenCommand != "":
		wait := nextStep(time.Now()).Sub(time.Now())
		r.env.info(fmt.Sprintf("%s; AWS may have taken the code, so stsmfa waits %s for the next one from the token command and tries once more", firstClause(err), Human(wait)))
		if next, err = nextTokenCode(ctx, r.src, code, wait); err != nil {
			return Session{}, err
		}
	case r.env.Terminal != nil:
		r.env.info(firstClause(err) + "; AWS may have taken that code, so it will not be sent again")
		for tries := 0; ; tries++ {
			ans, perr := r.env.Terminal.Prompt(fmt.Sprintf("the next MFA code for %s (%s), not the one just used: ", r.src.Profile, MaskSerial(r.src.Serial)))
			if perr != nil {
				return Session{}, promptErr(perr)
			}
			if ans = normalizeCode(ans); ans != code && isCode(ans) {
				next = ans
				break
			}
			if tries == 2 {
				return Session{}, usageErr("no new 6-digit code was typed; the last one may already be spent")
			}
		}
	default:
		return s, err
	}
	r.env.debugf("calling %s once more with the next code", op)
	return call(next)
}

// nextStep is the start of the next 30-second TOTP time step after t.
func nextStep(t time.Time) time.Time {
	return time.Unix((t.Unix()/30+1)*30, 0)
}

// nextTokenCode waits for the next time step, then runs the token command until it prints a code
// other than used (a few more tries a second apart, for a clock slightly behind).
func nextTokenCode(ctx context.Context, src *Source, used string, wait time.Duration) (string, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return "", cancelledErr("cancelled while waiting for the next code")
	case <-timer.C:
	}
	for i := 0; i < 6; i++ {
		code, err := runTokenCommand(ctx, src.TokenCommand, src.TokenFrom)
		if err != nil {
			return "", err
		}
		if code != used {
			return code, CheckCode(code, "from the token command ("+src.TokenFrom+")")
		}
		time.Sleep(time.Second)
	}
	return "", noCodeErr("the token command (%s) kept printing the code that may already be spent; wait for the next code and try again", src.TokenFrom)
}

// firstClause is an error message up to its first colon-separated advice, for a notice.
func firstClause(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": AWS may have"); i > 0 {
		return msg[:i]
	}
	return msg
}

// normalizeCode accepts a code typed the way authenticator apps show it ("123 456").
func normalizeCode(s string) string {
	return strings.Join(strings.Fields(s), "")
}
