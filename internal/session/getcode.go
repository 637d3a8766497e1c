package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/tokencmd"
	"github.com/stsmfa/stsmfa/internal/usedcode"
)

// codeOrigin is where a code came from, for the messages about it.
type codeOrigin int

const (
	fromArgument codeOrigin = iota
	fromCommand
	fromTerminal
)

// codeSource gets MFA codes for one device: the code given up front, else the token command, else
// the terminal. It never hands out a code AWS has already taken (the step record, steps.go): a
// token command is run again at the next time step, a person is asked again, and a code given up
// front is refused before any call.
type codeSource struct {
	req     *Request
	src     *Source
	tty     Terminal
	profile string // the profile asked for
	getenv  func(string) string
	info    func(string)
	debugf  func(string, ...any)
	editor  *awsfile.Editor
	now     func() time.Time // the wall clock TOTP steps follow (not Env.Now, which tests freeze)

	origin codeOrigin
	had    time.Time // when the last code was had
}

// codeSource is this run's source of codes.
func (r *run) codeSource() *codeSource {
	profile := r.src.Profile
	if r.plan != nil {
		profile = r.plan.Asked
	}
	return &codeSource{req: &r.req, src: r.src, tty: r.env.Terminal, profile: profile, getenv: r.env.Getenv,
		info: r.env.info, debugf: r.env.debugf, editor: r.env.Editor, now: time.Now}
}

func (c *codeSource) say(msg string) {
	if c.info != nil {
		c.info(msg)
	}
}

func (c *codeSource) debug(format string, args ...any) {
	if c.debugf != nil {
		c.debugf(format, args...)
	}
}

func (c *codeSource) clock() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}

// device names the MFA device in messages.
func (c *codeSource) device() string { return cred.MaskSerial(c.src.Serial) }

// get returns the next code to send.
func (c *codeSource) get(ctx context.Context) (string, error) {
	if err := checkNotFIDO(c.src.Serial, c.src.SerialFrom); err != nil {
		return "", err
	}
	if c.req.Code != "" {
		c.origin, c.had = fromArgument, c.clock()
		code := tokencmd.NormalizeCode(c.req.Code)
		if rec := usedcode.Load(c.src.Serial).Find(c.src.Serial, code, c.had); rec != nil {
			return "", fault.RefusedErr("the MFA code given on the command line %s: %s for MFA device %s, and AWS takes each code once; wait for the next code (in %s) and try again",
				rec.State(), rec.How(), c.device(), cred.Human(nextStep(c.had).Sub(c.had)))
		}
		return code, nil
	}
	if c.src.TokenCommand != "" {
		if c.src.tokenErr != nil {
			return "", c.src.tokenErr
		}
		if err := c.src.checkTokenCommandFile(); err != nil {
			return "", err
		}
		c.origin = fromCommand
		code, err := c.runCommand(ctx)
		if err != nil {
			return "", err
		}
		rec := usedcode.Load(c.src.Serial).Find(c.src.Serial, code, c.had)
		if rec == nil {
			return code, nil
		}
		wait := nextStep(c.had).Sub(c.had)
		c.say(fmt.Sprintf("the code from the token command (%s) %s (%s, and AWS takes each code once); waiting %s for the next one",
			c.command().Label(), rec.State(), rec.How(), cred.Human(wait)))
		return c.nextCommandCode(ctx, code, wait)
	}
	if c.tty == nil {
		return "", errNoTerminal(c.profile, c.src.Profile)
	}
	c.origin = fromTerminal
	return c.prompt(fmt.Sprintf("MFA code for %s (%s): ", c.src.Profile, c.device()), "")
}

// runCommand runs the token command once.
func (c *codeSource) runCommand(ctx context.Context) (string, error) {
	t := &tokencmd.Run{Cmd: c.command(), Timeout: c.src.TokenTimeout, TimeoutFrom: c.src.TokenTimeoutFrom, TTY: c.tty,
		Profile: c.profile, Getenv: c.getenv, Debugf: c.debugf}
	code, err := t.Do(ctx)
	c.had = c.clock()
	return code, err
}

// command is the source's token command as loadSource parsed it.
func (c *codeSource) command() tokencmd.Command {
	if c.src.token.IsZero() { // a Source built by hand (tests)
		return tokencmd.Plain(c.src.TokenCommand, c.src.TokenFrom)
	}
	return c.src.token
}

// nextCommandCode waits (with a countdown on the terminal) for the next time step, then runs the
// token command until it prints a code other than used: a few more tries a second apart, for a clock
// slightly behind.
func (c *codeSource) nextCommandCode(ctx context.Context, used string, wait time.Duration) (string, error) {
	if err := c.countdown(ctx, wait); err != nil {
		return "", err
	}
	for i := 0; i < 6; i++ {
		code, err := c.runCommand(ctx)
		if err != nil {
			return "", err
		}
		if code != used {
			return code, nil
		}
		c.debug("the token command printed the same code again; trying again in 1s")
		if err := sleepCtx(ctx, time.Second); err != nil {
			return "", err
		}
	}
	return "", fault.NoCodeErr("the token command (%s) kept printing the code AWS already took; is this computer's clock right? wait for the next code and try again", c.command().Label())
}

// countdown waits d, showing the seconds left on the terminal device when there is one.
func (c *codeSource) countdown(ctx context.Context, d time.Duration) error {
	var out *os.File
	if dev, ok := c.tty.(tokencmd.TerminalDevice); ok {
		_, out = dev.Device()
	}
	end := c.clock().Add(d)
	for {
		left := end.Sub(c.clock())
		if left <= 0 {
			break
		}
		if out != nil {
			fmt.Fprintf(out, "\rstsmfa: next MFA code in %2ds ", int((left+time.Second-1)/time.Second))
		}
		step := left % time.Second
		if step == 0 {
			step = time.Second
		}
		if err := sleepCtx(ctx, step); err != nil {
			if out != nil {
				fmt.Fprint(out, "\r\x1b[K")
			}
			return err
		}
	}
	if out != nil {
		fmt.Fprint(out, "\r\x1b[K")
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fault.CancelledErr("cancelled while waiting for the next MFA code; nothing was changed")
	case <-t.C:
		return nil
	}
}

// prompt asks on the terminal until a 6-digit code AWS has not taken is typed ("123 456" is fine),
// at most 3 times: a typo does not end the run (nor lose the device chosen a moment ago). used, when
// set, is a code that must not come back (it may be spent though no record says so).
func (c *codeSource) prompt(question, used string) (string, error) {
	q := question
	for tries := 1; ; tries++ {
		ans, err := c.tty.Prompt(q)
		if err != nil {
			return "", promptErr(err)
		}
		c.had = c.clock()
		code := tokencmd.NormalizeCode(ans)
		switch rec := usedcode.Load(c.src.Serial).Find(c.src.Serial, code, c.had); {
		case !tokencmd.IsCode(code):
			if tries == 3 {
				return "", fault.UsageErr("the MFA code typed at the prompt must be exactly 6 digits (3 tries)")
			}
			q = fmt.Sprintf("that is not 6 digits; MFA code for %s (%s): ", c.src.Profile, c.device())
		case code == used || rec != nil:
			state, how := "may already be spent", "AWS may have taken it a moment ago"
			if code != used {
				state, how = rec.State(), rec.How()
			}
			if tries == 3 {
				return "", fault.UsageErr("the MFA code typed at the prompt %s (%s); AWS takes each code once: wait for the next code and try again", state, how)
			}
			q = fmt.Sprintf("that code %s (%s); the next MFA code for %s (%s): ", state, how, c.src.Profile, c.device())
		default:
			return code, nil
		}
	}
}

// accepted remembers a code AWS accepted (maybe: may have taken), so that it is never sent again.
func (c *codeSource) accepted(code string, maybe bool) {
	if c.src.Serial == "" || c.had.IsZero() {
		return
	}
	if err := usedcode.Save(c.editor, c.src.Serial, code, c.had, c.clock(), maybe); err != nil {
		c.debug("could not remember the time step of the code: %v", err)
	}
}

// forget drops a code recorded before sending when the answer proved AWS never used it.
func (c *codeSource) forget(code string) {
	if c.src.Serial == "" || c.had.IsZero() {
		return
	}
	if err := usedcode.Forget(c.editor, c.src.Serial, code, c.had); err != nil {
		c.debug("could not update the record of codes: %v", err)
	}
}

// refused words AWS's refusal of a code: a code AWS already took, a wrong code, or a device AWS does
// not know for this user. Other errors pass unchanged.
func (c *codeSource) refused(err error, code string) error {
	var api apiError
	if !errors.As(err, &api) {
		return err
	}
	msg := strings.ToLower(api.ErrorMessage())
	switch {
	case strings.Contains(msg, "invalid mfa one time pass code"):
		if rec := usedcode.Load(c.src.Serial).Find(c.src.Serial, code, c.clock()); rec != nil && !rec.Maybe {
			// another process (sharing this device) had it accepted meanwhile (this one's own mark,
			// made before sending, is a maybe)
			return fault.New(fault.Refused, fault.FieldNone, err, "AWS refused the MFA code as already used (%s, for another login with MFA device %s); AWS takes each code once: wait for the next code and try again",
				rec.How(), c.device())
		}
		if c.origin == fromCommand {
			return fault.New(fault.Refused, fault.FieldNone, err, "AWS rejected the MFA code from the token command (%s) as wrong: check that it gives the code of MFA device %s; if it keeps failing, is this computer's clock right? (the codes follow it: sync it with NTP); wait for the next code and try again",
				c.command().Label(), c.device())
		}
		return fault.New(fault.Refused, fault.FieldNone, err, "AWS rejected the MFA code as wrong (or used elsewhere within the last minute): check that it is the current code of MFA device %s; if this device's codes keep failing, is its clock right? (a phone's time must be set automatically); wait for the next code and try again",
			c.device())
	case strings.Contains(msg, "unable to validate mfa code") || strings.Contains(msg, "mfa serial"):
		from := orLabel(c.src.SerialFrom, "the configured serial")
		text := fmt.Sprintf("AWS does not know MFA device %s (%s) as a device of the IAM user of profile %q; `aws iam list-mfa-devices --profile %s` lists that user's devices",
			c.device(), from, c.src.Profile, c.src.Profile)
		if strings.HasPrefix(from, KeyMFASerial+" ") {
			return fault.New(fault.Refused, fault.FieldSerial, err, "%s: fix mfa_serial, or remove it and stsmfa finds the device itself", text)
		}
		return fault.New(fault.Refused, fault.FieldNone, err, "%s", text)
	}
	return err
}

// NormalizeCode accepts a code written the way authenticator apps show it ("123 456"): spaces go.
func NormalizeCode(s string) string { return tokencmd.NormalizeCode(s) }

// isFIDO reports whether serial is a FIDO security key (arn:aws:iam::ACCOUNT:u2f/...).
func isFIDO(serial string) bool {
	return strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":u2f/")
}

// checkNotFIDO refuses a FIDO security key before any call: STS takes codes only from virtual or
// hardware TOTP devices.
func checkNotFIDO(serial, from string) error {
	if !isFIDO(serial) {
		return nil
	}
	from = orLabel(from, "the configured serial")
	err := fault.RefusedErr("MFA device %s (%s) is a FIDO security key, and STS accepts no FIDO key: assign the IAM user a virtual (authenticator app) or hardware TOTP device and use its serial, or sign in with `aws login` (AWS CLI 2.32 or later), which works with FIDO keys",
		cred.MaskSerial(serial), from)
	if strings.HasPrefix(from, KeyMFASerial+" ") {
		err = fault.WithField(err, fault.FieldSerial)
	}
	return err
}

// fidoOnly is the error for an IAM user whose every MFA device is a FIDO key.
func fidoOnly(serials []string) error {
	masked := make([]string, len(serials))
	for i, s := range serials {
		masked[i] = cred.MaskSerial(s)
	}
	return fault.RefusedErr("the IAM user's only MFA devices are FIDO security keys (%s), and STS accepts no FIDO key: assign a virtual (authenticator app) or hardware TOTP device in the IAM console, or sign in with `aws login` (AWS CLI 2.32 or later), which works with FIDO keys",
		strings.Join(masked, ", "))
}
