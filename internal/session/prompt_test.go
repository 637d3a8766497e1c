package session

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// fakeChooser is a dialog: it picks from lists and answers code prompts.
type fakeChooser struct {
	fakeTerminal
	picks []int // -1 = OK with nothing picked; -2 = Cancel
	lists []string
	items [][]string
}

func (f *fakeChooser) Choose(q string, items []string) (int, error) {
	f.lists = append(f.lists, q)
	f.items = append(f.items, items)
	p := f.picks[0]
	f.picks = f.picks[1:]
	if p == -2 {
		return 0, ErrInterrupted
	}
	return p, nil
}

// A dialog picks a device from a list of masked devices; OK with nothing picked asks again (three
// times at most); Cancel is exit 130.
func TestChooseSerialInList(t *testing.T) {
	serials := []string{"arn:aws:iam::123456789012:mfa/a", "arn:aws:iam::123456789012:mfa/b"}
	c := &fakeChooser{picks: []int{1}}
	if got, err := chooseSerial(serials, "work", c); err != nil || got != serials[1] {
		t.Errorf("picked 2: %q %v", got, err)
	}
	if c.lists[0] != "Profile work has 2 MFA devices. Which one do you want to use?" ||
		strings.Join(c.items[0], ",") != "arn:aws:iam::****9012:mfa/a,arn:aws:iam::****9012:mfa/b" || len(c.asked) != 0 {
		t.Errorf("list %q %q; text prompts %q", c.lists, c.items, c.asked)
	}
	c = &fakeChooser{picks: []int{-1, -1, 0}}
	if got, err := chooseSerial(serials, "work", c); err != nil || got != serials[0] || len(c.lists) != 3 {
		t.Errorf("third try: %q %v after %d lists", got, err, len(c.lists))
	}
	if _, err := chooseSerial(serials, "work", &fakeChooser{picks: []int{-1, -1, -1}}); codeOf(err) != fault.Usage || fault.FieldOf(err) != fault.FieldSerial {
		t.Errorf("nothing picked three times: %v", err)
	}
	if _, err := chooseSerial(serials, "work", &fakeChooser{picks: []int{-2}}); codeOf(err) != fault.Cancelled {
		t.Errorf("Cancel: %v", err)
	}
}

// A prompt's own error (a dialog nobody answered) keeps its words and kind; other errors are "cannot
// read from the terminal".
func TestPromptErr(t *testing.T) {
	own := &fault.Error{Code: fault.NoCode, Msg: "no answer in the zenity dialog within 2m; nothing was changed", Cause: ErrNoAnswer}
	if err := promptErr(own); err != error(own) || !errors.Is(err, ErrNoAnswer) {
		t.Errorf("own error: %v", err)
	}
	if err := promptErr(errors.New("EIO")); codeOf(err) != fault.NoCode || err.Error() != "cannot read from the terminal: EIO" {
		t.Errorf("read error: %v", err)
	}
}

// openRecorder is an Env.OpenPrompt that records what it was asked to open.
type openRecorder struct {
	specs []PromptSpec
	tty   Terminal
	err   error
}

func (o *openRecorder) open(s PromptSpec) (Terminal, error) {
	o.specs = append(o.specs, s)
	return o.tty, o.err
}

// Where the way to ask comes from: the request (flag, environment), else mfa_prompt of the profile
// asked for, of its roles from the last, then of the source. The prompt is opened only when a refresh
// needs it, once.
func TestPromptSpecAndLazyOpen(t *testing.T) {
	w := worldEnv(t)
	conf := "[default]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice-phone\nmfa_prompt = kdialog\n" +
		"[profile mid]\nrole_arn = arn:aws:iam::123456789012:role/mid\nsource_profile = default\nmfa_prompt = zenity\n" +
		"[profile top]\nrole_arn = arn:aws:iam::123456789012:role/top\nsource_profile = mid\n"
	w.Write(t, w.ConfPath, conf)
	spec := func(req Request) PromptSpec {
		r := &run{env: &Env{Getenv: os.Getenv}, req: req}
		var err error
		r.credPath, r.confPath = w.CredPath, w.ConfPath
		if err = r.load(); err != nil {
			t.Fatal(err)
		}
		return r.promptSpec()
	}
	for _, c := range []struct {
		req  Request
		want PromptSpec
	}{
		{Request{Profile: "default"}, PromptSpec{Mode: "kdialog", From: "mfa_prompt in " + w.ConfPath + " line 4", Profile: "default", Source: "default"}},
		{Request{Profile: "top"}, PromptSpec{Mode: "zenity", From: "mfa_prompt in " + w.ConfPath + " line 8", Profile: "top", Source: "default"}},
		{Request{Profile: "top", Prompt: "none", Names: names(fault.FieldPrompt, "--prompt")}, PromptSpec{Mode: "none", From: "--prompt", Profile: "top", Source: "default"}},
	} {
		if got := spec(c.req); got != c.want {
			t.Errorf("%+v: %+v, want %+v", c.req, got, c.want)
		}
	}

	w.Write(t, w.ConfPath, "[default]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice-phone\n")
	o := &openRecorder{tty: &codeTerminal{w: w}}
	env := newEnv(w, nil)
	env.OpenPrompt = o.open
	if _, err := Ensure(context.Background(), env, Request{Profile: "default", MinRemaining: DefaultMargin, StoreReused: true}); err != nil {
		t.Fatal(err)
	}
	if len(o.specs) != 1 || o.specs[0] != (PromptSpec{Profile: "default", Source: "default"}) {
		t.Errorf("opened %+v, want once with no mode", o.specs)
	}
	env = newEnv(w, nil)
	env.OpenPrompt = o.open
	if _, err := Ensure(context.Background(), env, Request{Profile: "default", MinRemaining: DefaultMargin}); err != nil {
		t.Fatal(err)
	}
	if len(o.specs) != 1 {
		t.Errorf("a cached session opened the prompt: %+v", o.specs)
	}
}

// Without a way to ask: the opener's own error, prompts turned off, or nothing to ask with; each fails
// before any AWS call and without waiting, since nobody holds the lock.
func TestNoPrompt(t *testing.T) {
	w := worldEnv(t)
	unavailable := &fault.Error{Code: fault.NoCode, Msg: "--prompt asks for zenity, but no display"}
	for _, c := range []struct {
		name string
		req  Request
		o    *openRecorder
		want string
	}{
		{"unavailable", Request{Prompt: "zenity", Names: names(fault.FieldPrompt, "--prompt")}, &openRecorder{err: unavailable}, "--prompt asks for zenity, but no display"},
		{"none", Request{Prompt: "None", Names: names(fault.FieldPrompt, "STSMFA_PROMPT")}, &openRecorder{tty: &codeTerminal{w: w}}, `prompts are off (none, from STSMFA_PROMPT) and profile "default" has no token command`},
		{"nothing", Request{}, &openRecorder{}, `no terminal to ask for the MFA code of profile "default"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := newEnv(w, nil)
			env.OpenPrompt = c.o.open
			c.req.Profile = "default"
			start := time.Now()
			_, err := Ensure(context.Background(), env, c.req)
			if codeOf(err) != fault.NoCode || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("%v, want exit 6 %q", err, c.want)
			}
			if c.name == "none" && len(c.o.specs) != 0 {
				t.Error("none opened a prompt")
			}
			if time.Since(start) > 5*time.Second {
				t.Error("did not fail fast")
			}
		})
	}
	if n := w.Server.Calls("GetSessionToken") + w.Server.Calls("ListMFADevices"); n != 0 {
		t.Errorf("%d AWS calls", n)
	}
}

// The "gave up" note: a refresh that ends in Cancel or in a prompt nobody answered leaves it; a run
// that was waiting for the lock meanwhile ends the same way; one that started later does not.
func TestGaveUpNote(t *testing.T) {
	w := worldEnv(t)
	r := &run{env: &Env{}, credPath: w.CredPath, plan: &Plan{Source: "default"}}
	r.prompt.since = time.Now()
	if err := r.gaveUpMeanwhile(); err != nil {
		t.Fatalf("no note yet: %v", err)
	}
	r.noteGaveUp(fault.RefusedErr("wrong code")) // not giving up
	if err := r.gaveUpMeanwhile(); err != nil {
		t.Fatalf("a refused code is no note: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	r.noteGaveUp(promptErr(ErrInterrupted))
	if err := r.gaveUpMeanwhile(); codeOf(err) != fault.Cancelled || !strings.Contains(err.Error(), "cancelled in another stsmfa process") {
		t.Errorf("after Cancel: %v", err)
	}
	r.noteGaveUp(&fault.Error{Code: fault.NoCode, Msg: "no answer", Cause: ErrNoAnswer})
	if err := r.gaveUpMeanwhile(); codeOf(err) != fault.NoCode || !strings.Contains(err.Error(), "got no answer while this one waited") {
		t.Errorf("after a timeout: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	later := &run{env: &Env{}, credPath: w.CredPath, plan: &Plan{Source: "default"}}
	later.prompt.since = time.Now()
	if err := later.gaveUpMeanwhile(); err != nil {
		t.Errorf("a run that started after the note: %v", err)
	}
}
