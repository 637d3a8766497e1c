package session

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/testkit"
)

// scriptedTerminal answers prompts from a function of the prompt number, recording the questions.
type scriptedTerminal struct {
	mu     sync.Mutex
	asked  []string
	answer func(n int) string
}

func (s *scriptedTerminal) Prompt(q string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, q)
	return s.answer(len(s.asked)), nil
}

// A typed code whose call ended where AWS may have taken it is not sent again: the person is asked
// for the next code; typing the same code again is refused locally; the next one goes out once.
func TestWithCodeAsksForTheNextTypedCode(t *testing.T) {
	w := worldEnv(t)
	var first string
	tty := &scriptedTerminal{}
	tty.answer = func(n int) string {
		switch n {
		case 1:
			first = w.Code()
			return first
		case 2:
			return first // the same code again: refused before any call
		default:
			w.Advance(30 * time.Second)
			c := w.Code()
			return c[:3] + " " + c[3:] // as authenticator apps show it
		}
	}
	w.Server.DropNext("GetSessionToken", 1)
	var notices []string
	env := newEnv(w, tty)
	env.Info = func(m string) { notices = append(notices, m) }
	res, err := Ensure(context.Background(), env, Request{Profile: "default", MinRemaining: DefaultMargin})
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if res.Session.SessionToken == "" {
		t.Fatal("no session")
	}
	if total, repeated := w.Server.CodesSent(testkit.Serial); total != 2 || repeated != 0 {
		t.Errorf("codes sent %d, repeated %d; want 2 distinct codes", total, repeated)
	}
	if len(tty.asked) != 3 || !strings.Contains(tty.asked[1], "not the one just used") {
		t.Errorf("prompts %q", tty.asked)
	}
	if len(notices) == 0 || !strings.Contains(notices[0], "AWS may have taken that code") {
		t.Errorf("notices %q", notices)
	}
}

// A code given up front cannot be renewed: the failure is final, and the code was sent once.
func TestWithCodeGivenCodeIsFinal(t *testing.T) {
	w := worldEnv(t)
	w.Server.DropNext("GetSessionToken", 1)
	_, err := Ensure(context.Background(), newEnv(w, nil), Request{Profile: "default", Code: w.Code()})
	if fault.Code(err) != fault.Network || !strings.Contains(err.Error(), "cannot be sent again") {
		t.Fatalf("err %v", err)
	}
	if total, repeated := w.Server.CodesSent(testkit.Serial); total != 1 || repeated != 0 {
		t.Errorf("codes sent %d, repeated %d", total, repeated)
	}
}
