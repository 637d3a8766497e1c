//go:build linux

package prompt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit/xvfb"
)

// The Linux dialogs for real, on an Xvfb display, driven by xdotool as a person would: the code typed
// comes back, Escape is Cancel, a list row can be picked, and zenity's own timeout ends it.
func TestRealDialogs(t *testing.T) {
	for _, kind := range []Mode{Zenity, KDialog} {
		t.Run(string(kind), func(t *testing.T) {
			prog := xvfb.Tool(t, "/usr/bin/"+string(kind))
			x := xvfb.Start(t)
			for _, kv := range x.Env() {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			d := &Dialog{Kind: kind, Program: prog, Title: "stsmfa", Note: "Asked by aws (pid 42).", Timeout: time.Minute}

			type answer struct {
				s   string
				i   int
				err error
			}
			ask := func(f func() (string, int, error)) chan answer {
				ch := make(chan answer, 1)
				go func() {
					s, i, err := f()
					ch <- answer{s, i, err}
				}()
				return ch
			}
			prompt := func() chan answer {
				return ask(func() (string, int, error) {
					s, err := d.Prompt("MFA code for work_1 (arn:aws:iam::****9012:mfa/alice): ")
					return s, 0, err
				})
			}
			wait := func(ch chan answer) answer {
				select {
				case a := <-ch:
					return a
				case <-time.After(time.Minute):
					t.Fatal("the dialog did not end")
				}
				return answer{}
			}

			ch := prompt()
			x.Window("stsmfa", 30*time.Second)
			x.Type("123456")
			x.Key("Return")
			if a := wait(ch); a.err != nil || a.s != "123456" {
				t.Errorf("typed 123456 and Enter: %q, %v", a.s, a.err)
			}
			x.Gone("stsmfa", 10*time.Second)

			ch = prompt()
			x.Window("stsmfa", 30*time.Second)
			x.Type("99")
			x.Key("Escape")
			if a := wait(ch); !errors.Is(a.err, ErrCancelled) || a.s != "" {
				t.Errorf("Escape: %q, %v; want ErrCancelled", a.s, a.err)
			}
			x.Gone("stsmfa", 10*time.Second)

			ch = ask(func() (string, int, error) {
				i, err := d.Choose("Profile work has 2 MFA devices. Which one do you want to use?", []string{"arn:aws:iam::****9012:mfa/a", "arn:aws:iam::****9012:mfa/b"})
				return "", i, err
			})
			x.Window("stsmfa", 30*time.Second)
			x.Key("Down", "Return")
			a := wait(ch)
			if a.err != nil || a.i < 0 || a.i > 1 {
				t.Errorf("list, Down and Enter: %d, %v", a.i, a.err)
			}
			x.Gone("stsmfa", 10*time.Second)

			if kind == Zenity { // kdialog has no timeout of its own: the Dialog kills it (TestDialogKilled)
				d.Timeout = 2 * time.Second
				start := time.Now()
				ch = prompt()
				x.Window("stsmfa", 30*time.Second)
				if a := wait(ch); !errors.Is(a.err, ErrTimeout) {
					t.Errorf("nobody answered: %v; want ErrTimeout", a.err)
				}
				if el := time.Since(start); el > 2*time.Second+killGrace {
					t.Errorf("ended after %s", el)
				}
			}
		})
	}
}
