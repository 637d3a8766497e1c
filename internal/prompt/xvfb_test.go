//go:build linux

package prompt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit/ci"
	"github.com/stsmfa/stsmfa/internal/testkit/xvfb"
)

// The Linux dialogs for real, on an Xvfb display, driven by xdotool as a person would: the code typed
// comes back, Escape is Cancel, a list row can be picked, and zenity's own timeout ends it.
func TestRealDialogs(t *testing.T) {
	ci.SkipShort(t, "real zenity and kdialog dialogs under Xvfb")
	for _, kind := range []Mode{Zenity, KDialog} {
		t.Run(string(kind), func(t *testing.T) {
			prog := xvfb.Tool(t, "/usr/bin/"+string(kind))
			x := xvfb.Start(t)
			for _, kv := range x.Env() {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			d := &Dialog{Kind: kind, Program: prog, Title: "stsmfa", Note: "Asked by aws (pid 42).", Timeout: time.Minute}
			// What each run of the dialog ended with, for the log of a retry or a failure.
			var mu sync.Mutex
			var runs []string
			d.run = func(ctx context.Context, c cmdline) (result, error) {
				r, err := runCommand(ctx, c)
				mu.Lock()
				runs = append(runs, fmt.Sprintf("run %d: exit %d, stderr %q, err %v", len(runs)+1, r.exit, r.stderr, err))
				mu.Unlock()
				return r, err
			}
			var running sync.WaitGroup
			t.Cleanup(running.Wait)
			t.Cleanup(func() {
				if t.Failed() {
					mu.Lock()
					defer mu.Unlock()
					t.Logf("%s runs:\n%s", kind, strings.Join(runs, "\n"))
				}
			})

			type answer struct {
				s   string
				i   int
				err error
			}
			type pending struct {
				ch    chan answer
				ended chan struct{} // closed when the dialog has ended
			}
			wait := func(p pending) answer {
				select {
				case a := <-p.ch:
					return a
				case <-time.After(time.Minute):
					t.Fatal("the dialog did not end")
				}
				return answer{}
			}
			// ask starts a dialog (f runs it with its own copy of d) and waits for its window; a dialog
			// that ends before showing one fails the test at once, with what it returned and its stderr.
			ask := func(f func(d *Dialog) (string, int, error)) pending {
				t.Helper()
				ctx, cancel := context.WithCancel(context.Background())
				t.Cleanup(cancel)
				dd := *d
				dd.Ctx = ctx
				p := pending{make(chan answer, 1), make(chan struct{})}
				running.Add(1)
				go func() {
					defer running.Done()
					s, i, err := f(&dd)
					p.ch <- answer{s, i, err}
					close(p.ended)
				}()
				if _, err := x.Await("stsmfa", 30*time.Second, p.ended); err != nil {
					cancel()
					a := wait(p)
					t.Fatalf("%v; the dialog returned %q, %d, %v", err, a.s, a.i, a.err)
				}
				return p
			}
			prompt := func() pending {
				return ask(func(d *Dialog) (string, int, error) {
					s, err := d.Prompt("MFA code for work_1 (arn:aws:iam::****9012:mfa/alice): ")
					return s, 0, err
				})
			}

			ch := prompt()
			x.Type("123456")
			x.Key("Return")
			if a := wait(ch); a.err != nil || a.s != "123456" {
				t.Errorf("typed 123456 and Enter: %q, %v", a.s, a.err)
			}
			x.Gone("stsmfa", 10*time.Second)

			ch = prompt()
			x.Type("99")
			x.Key("Escape")
			if a := wait(ch); !errors.Is(a.err, ErrCancelled) || a.s != "" {
				t.Errorf("Escape: %q, %v; want ErrCancelled", a.s, a.err)
			}
			x.Gone("stsmfa", 10*time.Second)

			ch = ask(func(d *Dialog) (string, int, error) {
				i, err := d.Choose("Profile work has 2 MFA devices. Which one do you want to use?", []string{"arn:aws:iam::****9012:mfa/a", "arn:aws:iam::****9012:mfa/b"})
				return "", i, err
			})
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
