package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/prompt"
	"github.com/stsmfa/stsmfa/internal/session"
)

// promptVar chooses how to ask for a code, like --prompt (which wins) and mfa_prompt (which it beats).
const promptVar = "STSMFA_PROMPT"

// openPrompt is session.Env.OpenPrompt: the terminal or a dialog (package prompt) for the mode asked
// for, and what to close afterwards. It runs only when a refresh may need a person.
func (a *app) openPrompt(spec session.PromptSpec) (session.Terminal, io.Closer, error) {
	mode, err := prompt.ParseMode(spec.Mode)
	if err != nil {
		return nil, nil, fault.UsageErr("%s: %v", spec.From, err)
	}
	var tty session.Terminal
	env := prompt.Env{
		GOOS:     runtime.GOOS,
		Getenv:   os.Getenv,
		LookPath: exec.LookPath,
		Terminal: func() prompt.Asker {
			if tty = a.Terminal(a.ctx); tty == nil {
				return nil
			}
			return tty
		},
	}
	note := "Asked by " + prompt.Parent()
	if spec.Profile != "" && spec.Profile != spec.Source {
		note += " for profile " + spec.Profile
	}
	d := prompt.Dialog{Title: "stsmfa", Note: note + ".", Timeout: prompt.DefaultTimeout, Ctx: a.ctx}
	asker, why, err := prompt.Open(mode, env, d)
	closer, _ := tty.(io.Closer)
	if err != nil {
		from := spec.From
		if from == "" {
			from = "the prompt"
		}
		return nil, closer, &fault.Error{Code: fault.NoCode, Field: fault.FieldTokenCommand, Cause: err,
			Msg: fmt.Sprintf("%s asks for %s, but %v: no MFA code can be asked for", from, mode, err)}
	}
	if spec.From != "" {
		why += " (" + spec.From + ")"
	}
	a.debugf("asking for the code: %s", why)
	switch p := asker.(type) {
	case nil:
		return nil, closer, nil
	case *prompt.Dialog:
		return dialogPrompt{p}, closer, nil
	default:
		return tty, closer, nil
	}
}

// dialogPrompt is a desktop dialog as session sees it: a Terminal that can show a list, whose errors
// are session's (Cancel = ErrInterrupted, exit 130; no answer = ErrNoAnswer, exit 6).
type dialogPrompt struct{ d *prompt.Dialog }

func (p dialogPrompt) Prompt(q string) (string, error) {
	s, err := p.d.Prompt(q)
	return s, p.err(err)
}

func (p dialogPrompt) Choose(q string, items []string) (int, error) {
	i, err := p.d.Choose(q, items)
	return i, p.err(err)
}

func (p dialogPrompt) err(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, prompt.ErrCancelled):
		return fmt.Errorf("%s dialog: %w", p.d.Kind, session.ErrInterrupted)
	case errors.Is(err, prompt.ErrTimeout):
		return &fault.Error{Code: fault.NoCode, Cause: session.ErrNoAnswer,
			Msg: fmt.Sprintf("no answer in the %s dialog within %s; nothing was changed", p.d.Kind, cred.Human(p.d.Timeout))}
	}
	return &fault.Error{Code: fault.NoCode, Cause: err, Msg: fmt.Sprintf("the %s dialog could not ask for the code: %v", p.d.Kind, err)}
}
