package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// Terminal is how a person is asked: the terminal device (/dev/tty, never stdin/stdout) or a desktop
// dialog (which may also be a Chooser). Prompt shows question and returns the line typed; it returns
// an error wrapping ErrInterrupted on Ctrl-C/Ctrl-D or Cancel, wrapping ErrNoAnswer when nobody
// answered in time; an error that is an *Error is passed on as it is.
type Terminal interface {
	Prompt(question string) (string, error)
}

// ErrInterrupted is returned by a Terminal when the user gives up at the prompt.
var ErrInterrupted = errors.New("interrupted")

// getCode takes the code from the argument, else the token command, else the terminal (see
// codeSource in getcode.go).
func getCode(ctx context.Context, req *Request, src *Source, tty Terminal) (string, error) {
	return (&codeSource{req: req, src: src, tty: tty, profile: src.Profile}).get(ctx)
}

func errNoTerminal(profile, source string) error {
	return fault.WithField(fault.NoCodeErr("no terminal to ask for the MFA code of profile %q and no token command: set mfa_process in the config section of %s (e.g. mfa_process = ykman oath accounts code -s NAME), or run `stsmfa login --profile %s` first", profile, source, source), fault.FieldTokenCommand)
}

func promptErr(err error) error {
	if errors.Is(err, ErrInterrupted) {
		return fault.CancelledErr("cancelled at the prompt; nothing was changed")
	}
	var se *fault.Error
	if errors.As(err, &se) { // the prompt's own words (a dialog that timed out or failed)
		return err
	}
	return fault.NoCodeErr("cannot read from the terminal: %v", err)
}

// chooseSerial picks among several MFA devices on the terminal or in a dialog's list, or fails
// listing them all.
func chooseSerial(serials []string, profile string, tty Terminal) (string, error) {
	if tty == nil {
		return "", fault.WithField(fault.UsageErr("profile %q has %d MFA devices (%s); choose one with mfa_serial in its config section",
			profile, len(serials), joinList(serials)), fault.FieldSerial)
	}
	if c, ok := tty.(Chooser); ok {
		return chooseInList(serials, profile, c)
	}
	q := fmt.Sprintf("profile %s has %d MFA devices:\n", profile, len(serials))
	for i, s := range serials {
		q += fmt.Sprintf("  %d) %s\n", i+1, cred.MaskSerial(s))
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
	return "", fault.WithField(fault.UsageErr("no MFA device chosen; set mfa_serial in the profile's config section"), fault.FieldSerial)
}

// chooseInList picks a device in a dialog's list; OK with nothing picked asks again, twice at most.
func chooseInList(serials []string, profile string, c Chooser) (string, error) {
	items := make([]string, len(serials))
	for i, s := range serials {
		items[i] = cred.MaskSerial(s)
	}
	q := fmt.Sprintf("Profile %s has %d MFA devices. Which one do you want to use?", profile, len(serials))
	for tries := 0; tries < 3; tries++ {
		i, err := c.Choose(q, items)
		if err != nil {
			return "", promptErr(err)
		}
		if i >= 0 && i < len(serials) {
			return serials[i], nil
		}
		q = fmt.Sprintf("Pick one of the %d MFA devices of profile %s.", len(serials), profile)
	}
	return "", fault.WithField(fault.UsageErr("no MFA device chosen; set mfa_serial in the profile's config section"), fault.FieldSerial)
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
// taken the code (fault.ErrCodeMaybeSpent: the connection dropped, or no answer in time), the same code is
// never sent again: a token command is run again for the next time step's code, a person at the
// terminal is asked for the next code, and the call is tried once more. A code given up front cannot
// be renewed, so that failure is final. Every code AWS took is remembered (steps.go), so that no later
// run sends it again; AWS's refusals are worded by what was refused (codeSource.refused).
func (r *run) withCode(ctx context.Context, op string, call func(code string) (cred.Session, error)) (cred.Session, error) {
	cs := r.codeSource()
	code, err := cs.get(ctx)
	if err != nil {
		return cred.Session{}, err
	}
	// a code is recorded as maybe spent before the request carrying it leaves, so that an interrupt,
	// a kill or a crash while it is in flight can never lead to sending it again; it is forgotten only
	// when the answer proves AWS never looked at it
	send := func(code string) (cred.Session, error) {
		cs.accepted(code, true)
		s, err := call(code)
		if err != nil && !errors.Is(err, fault.ErrCodeMaybeSpent) && codeUnused(err) {
			cs.forget(code)
		}
		return s, err
	}
	s, err := send(code)
	if err == nil || !errors.Is(err, fault.ErrCodeMaybeSpent) {
		return cs.result(s, err, code)
	}
	if r.req.Code != "" {
		return s, err
	}
	var next string
	switch {
	case r.src.TokenCommand != "":
		wait := nextStep(time.Now()).Sub(time.Now())
		r.env.info(fmt.Sprintf("%s; AWS may have taken the code, so stsmfa waits %s for the next one from the token command and tries once more", firstClause(err), cred.Human(wait)))
		if next, err = cs.nextCommandCode(ctx, code, wait); err != nil {
			return cred.Session{}, err
		}
	case r.env.Terminal != nil:
		r.env.info(firstClause(err) + "; AWS may have taken that code, so it will not be sent again")
		q := fmt.Sprintf("the next MFA code for %s (%s), not the one just used: ", r.src.Profile, cred.MaskSerial(r.src.Serial))
		if next, err = cs.prompt(q, code); err != nil {
			return cred.Session{}, err
		}
	default:
		return s, err
	}
	r.env.debugf("calling %s once more with the next code", op)
	s, err = send(next)
	if err != nil && errors.Is(err, fault.ErrCodeMaybeSpent) {
		return s, err
	}
	return cs.result(s, err, next)
}

// result remembers an accepted code and words a refused one.
func (c *codeSource) result(s cred.Session, err error, code string) (cred.Session, error) {
	if err != nil {
		return s, c.refused(err, code)
	}
	c.accepted(code, false)
	return s, nil
}

// nextStep is the start of the next 30-second TOTP time step after t.
func nextStep(t time.Time) time.Time {
	return time.Unix((t.Unix()/30+1)*30, 0)
}

// firstClause is an error message up to its first colon-separated advice, for a notice.
func firstClause(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": AWS may have"); i > 0 {
		return msg[:i]
	}
	return msg
}

// codeUnused reports whether err proves AWS never looked at the code of the request: the request
// never left (no AWS answer at all, and not a maybe-spent failure), or AWS refused it at
// authentication or throttling, before any MFA code is checked.
func codeUnused(err error) bool {
	var api apiError
	if !errors.As(err, &api) {
		return fault.Code(err) != fault.Cancelled
	}
	switch api.ErrorCode() {
	case "RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture", "SignatureDoesNotMatch", "IncompleteSignature",
		"InvalidSignatureException", "InvalidClientTokenId", "ExpiredToken", "Throttling", "ThrottlingException", "RequestLimitExceeded":
		return true
	}
	return false
}
