package session

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// KeyMFAPrompt is how to ask a person for a code (mfa_prompt), read from a role profile's config
// section first, then from its source's: auto, terminal, zenity, kdialog, osascript, windows, none.
// session knows only "none" (never ask); Env.OpenPrompt interprets the others.
const KeyMFAPrompt = "mfa_prompt"

// PromptSpec is what Env.OpenPrompt is asked to open.
type PromptSpec struct {
	Mode    string // as the user wrote it; "" when nobody chose (auto)
	From    string // where Mode came from ("mfa_prompt in FILE line N", the request's label), for messages
	Profile string // the profile asked for (a dialog names it)
	Source  string // its source profile
}

// Chooser is a Terminal that can also show a list (a dialog): Choose returns the index of the item
// picked, -1 when nothing was picked; errors as Prompt's.
type Chooser interface {
	Choose(question string, items []string) (int, error)
}

// ErrNoAnswer is wrapped by a Terminal's error when nobody answered in time (a dialog's timeout).
var ErrNoAnswer = errors.New("no answer in time")

// promptState is what a run knows about its prompt, opened on first need.
type promptState struct {
	opened bool
	spec   PromptSpec
	err    error     // why the chosen prompt cannot be used here (only fatal when a code must be typed)
	since  time.Time // when this run started waiting for the source's lock
}

// promptSpec is the prompt asked for: the request's (flag, environment), else mfa_prompt of the
// profile asked for, of each role profile from the last to the first, and of the source.
func (r *run) promptSpec() PromptSpec {
	spec := PromptSpec{Profile: r.plan.Asked, Source: r.plan.Source}
	if r.req.Prompt != "" {
		spec.Mode, spec.From = r.req.Prompt, r.req.label(fault.FieldPrompt, "the requested prompt")
		return spec
	}
	names := []string{r.plan.Asked}
	for i := len(r.plan.Roles) - 1; i >= 0; i-- {
		names = append(names, r.plan.Roles[i].Profile)
	}
	for _, name := range append(names, r.plan.Source) {
		if v, _ := r.conf.Get(name, KeyMFAPrompt); strings.TrimSpace(v) != "" {
			spec.Mode = strings.TrimSpace(v)
			spec.From = fmt.Sprintf("%s in %s line %d", KeyMFAPrompt, r.conf.Path(), r.conf.Line(name, KeyMFAPrompt))
			return spec
		}
	}
	return spec
}

// promptOff reports whether the user turned prompts off (none).
func (s PromptSpec) off() bool { return strings.EqualFold(strings.TrimSpace(s.Mode), "none") }

// openPrompt sets env.Terminal to the prompt chosen, once per run and only when a refresh may need a
// person: before the lock (canAskCode) or under it. Without Env.OpenPrompt, env.Terminal is used as
// given (tests).
func (r *run) openPrompt() {
	if r.prompt.opened {
		return
	}
	r.prompt.opened = true
	r.prompt.spec = r.promptSpec()
	if r.prompt.spec.off() {
		r.env.debugf("prompts are off (%s)", r.prompt.spec.From)
		r.env.Terminal = nil
		return
	}
	if r.env.OpenPrompt == nil {
		return
	}
	r.env.Terminal, r.prompt.err = r.env.OpenPrompt(r.prompt.spec)
}

// noPromptErr is the fast failure when no code can be had: prompts turned off, a chosen prompt that
// cannot work here, or nothing to ask with.
func (r *run) noPromptErr() error {
	switch {
	case r.prompt.err != nil:
		return r.prompt.err
	case r.prompt.spec.off():
		return fault.WithField(fault.NoCodeErr("prompts are off (none, from %s) and profile %q has no token command: set mfa_process in the config section of %s (e.g. mfa_process = ykman oath accounts code -s NAME)",
			r.prompt.spec.From, r.plan.Asked, r.plan.Source), fault.FieldTokenCommand)
	}
	return errNoTerminal(r.plan.Asked, r.plan.Source)
}

// A refresh that ends because the person gave up — cancelled the prompt, let a dialog time out — leaves
// a note beside the source's lock. Processes that were waiting on that lock meanwhile, and find no
// session under it, end the same way instead of asking again one after another (16 dialogs in a row
// after one Cancel). Processes that start later are not affected.

func gaveUpPath(credPath, source string) (string, error) {
	p, err := lockPath(credPath, source)
	if err != nil {
		return "", err
	}
	return p + ".gaveup", nil
}

// noteGaveUp records, under the lock, that this refresh ended with the person giving up.
func (r *run) noteGaveUp(err error) {
	what := ""
	switch {
	case fault.Code(err) == fault.Cancelled:
		what = "cancelled"
	case errors.Is(err, ErrNoAnswer):
		what = "timeout"
	default:
		return
	}
	p, perr := gaveUpPath(r.credPath, r.plan.Source)
	if perr != nil {
		return
	}
	_ = os.WriteFile(p, []byte(what+"\n"), 0o600)
}

// gaveUpMeanwhile is the error to end with when, while this run waited for the lock, the refresh
// holding it ended with the person giving up; nil otherwise.
func (r *run) gaveUpMeanwhile() error {
	if r.prompt.since.IsZero() {
		return nil
	}
	p, err := gaveUpPath(r.credPath, r.plan.Source)
	if err != nil {
		return nil
	}
	st, err := os.Stat(p)
	if err != nil || st.ModTime().Before(r.prompt.since) {
		return nil
	}
	data, _ := os.ReadFile(p)
	if strings.TrimSpace(string(data)) == "timeout" {
		return fault.NoCodeErr("the MFA prompt another stsmfa process showed for profile %q got no answer while this one waited; nothing was changed", r.plan.Source)
	}
	return fault.CancelledErr("the MFA prompt was cancelled in another stsmfa process for profile %q while this one waited; nothing was changed", r.plan.Source)
}
