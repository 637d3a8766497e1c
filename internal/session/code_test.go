package session

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/tokencmd"
)

// fakeTerminal answers prompts from a script and records what was asked.
type fakeTerminal struct {
	answers []string // "^D" = ErrInterrupted
	asked   []string
}

func (f *fakeTerminal) Prompt(q string) (string, error) {
	f.asked = append(f.asked, q)
	if len(f.answers) == 0 {
		return "", errors.New("no more input")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	if a == "^D" {
		return "", ErrInterrupted
	}
	return a, nil
}

func TestRunTokenCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the commands below are POSIX sh")
	}
	ok := map[string]string{
		"echo 123456":                     "123456",
		"printf '123456'":                 "123456",
		"echo 'code: 042042 (valid 20s)'": "042042",
		"echo 'aws 12345 654321 1234567'": "654321",
	}
	for cmd, want := range ok {
		got, err := runLine(context.Background(), cmd, "--token-command")
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", cmd, got, err, want)
		}
	}
	bad := map[string]string{
		"true":                            "printed 0 groups",
		"echo 12345":                      "printed 0 groups",
		"echo 1234567":                    "printed 0 groups",
		"echo 123456 654321":              "printed 2 groups",
		"echo 123456; echo 345678":        "printed 2 groups",
		"echo 999999-secret-ish; exit 3":  "failed: exit status 3",
		"echo nothing useful >&2; exit 1": "failed: exit status 1",
	}
	for cmd, want := range bad {
		_, err := runLine(context.Background(), cmd, "mfa_process in /x/config")
		if codeOf(err) != fault.NoCode || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v (exit %d), want exit %d with %q", cmd, err, codeOf(err), fault.NoCode, want)
			continue
		}
		if !strings.Contains(err.Error(), "mfa_process in /x/config") {
			t.Errorf("%s: error does not name where the command came from: %v", cmd, err)
		}
		for _, leak := range []string{"123456", "654321", "999999", "1234567"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: error echoes the command's output: %v", cmd, err)
			}
		}
	}
}

// runLine runs a plain token command without a terminal.
func runLine(ctx context.Context, line, from string) (string, error) {
	return (&tokencmd.Run{Cmd: tokencmd.Plain(line, from)}).Do(ctx)
}

func TestGetCodeOrder(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx := context.Background()
	src := &Source{Profile: "default", Serial: "arn:aws:iam::123456789012:mfa/phone"}

	// the argument wins: no command, no prompt
	tty := &fakeTerminal{answers: []string{"111111"}}
	withCmd := *src
	withCmd.TokenCommand, withCmd.TokenFrom = "exit 9", "--token-command"
	if code, err := getCode(ctx, &Request{Code: "222222"}, &withCmd, tty); err != nil || code != "222222" || len(tty.asked) != 0 {
		t.Errorf("argument: %q %v asked %d", code, err, len(tty.asked))
	}
	// then the token command: no prompt
	if runtime.GOOS != "windows" {
		withCmd.TokenCommand = "echo 333333"
		if code, err := getCode(ctx, &Request{}, &withCmd, tty); err != nil || code != "333333" || len(tty.asked) != 0 {
			t.Errorf("token command: %q %v asked %d", code, err, len(tty.asked))
		}
	}
	// then the terminal, with the masked serial in the question
	if code, err := getCode(ctx, &Request{}, src, tty); err != nil || code != "111111" {
		t.Errorf("terminal: %q %v", code, err)
	}
	if len(tty.asked) != 1 || tty.asked[0] != "MFA code for default (arn:aws:iam::****9012:mfa/phone): " {
		t.Errorf("asked %q", tty.asked)
	}
	// no terminal: exit 6 naming the ways out
	if _, err := getCode(ctx, &Request{}, src, nil); codeOf(err) != fault.NoCode || !strings.Contains(err.Error(), "mfa_process") || fault.FieldOf(err) != fault.FieldTokenCommand {
		t.Errorf("no terminal: %v", err)
	}
	// typed garbage is asked for again, up to 3 times, then usage; "123 456" is a code
	tty = &fakeTerminal{answers: []string{"12 34", "123 456"}}
	if code, err := getCode(ctx, &Request{}, src, tty); err != nil || code != "123456" {
		t.Errorf("typed garbage, then 123 456: %q %v", code, err)
	}
	if len(tty.asked) != 2 || tty.asked[1] != "that is not 6 digits; MFA code for default (arn:aws:iam::****9012:mfa/phone): " {
		t.Errorf("asked again %q", tty.asked)
	}
	tty = &fakeTerminal{answers: []string{"12 34", "abcdef", "1234567", "123456"}}
	if _, err := getCode(ctx, &Request{}, src, tty); codeOf(err) != fault.Usage || len(tty.asked) != 3 {
		t.Errorf("typed garbage 3 times: %v after %d prompts", err, len(tty.asked))
	}
	// Ctrl-D: cancelled
	if _, err := getCode(ctx, &Request{}, src, &fakeTerminal{answers: []string{"^D"}}); codeOf(err) != fault.Cancelled {
		t.Errorf("Ctrl-D: %v (exit %d), want %d", err, codeOf(err), fault.Cancelled)
	}
	if _, err := getCode(ctx, &Request{}, src, &fakeTerminal{}); codeOf(err) != fault.NoCode {
		t.Errorf("terminal read error: %v", err)
	}
}

func TestChooseSerial(t *testing.T) {
	serials := []string{"arn:aws:iam::123456789012:mfa/a", "arn:aws:iam::123456789012:mfa/b", "arn:aws:iam::123456789012:mfa/c"}
	tty := &fakeTerminal{answers: []string{"2"}}
	if got, err := chooseSerial(serials, "default", tty); err != nil || got != serials[1] {
		t.Errorf("answer 2: %q %v", got, err)
	}
	// masked like the code prompt that follows it
	if q := tty.asked[0]; !strings.Contains(q, "  1) arn:aws:iam::****9012:mfa/a\n  2) arn:aws:iam::****9012:mfa/b\n  3) arn:aws:iam::****9012:mfa/c\n") || !strings.HasSuffix(q, "use which [1-3]? ") {
		t.Errorf("question %q", q)
	}
	tty = &fakeTerminal{answers: []string{"0", "four", "3"}}
	if got, err := chooseSerial(serials, "default", tty); err != nil || got != serials[2] {
		t.Errorf("third try: %q %v", got, err)
	}
	if tty.asked[1] != "type a number from 1 to 3: " {
		t.Errorf("re-ask %q", tty.asked[1])
	}
	if _, err := chooseSerial(serials, "default", &fakeTerminal{answers: []string{"9", "9", "9", "1"}}); codeOf(err) != fault.Usage {
		t.Errorf("three wrong answers: %v", err)
	}
	if _, err := chooseSerial(serials, "default", &fakeTerminal{answers: []string{"^D"}}); codeOf(err) != fault.Cancelled {
		t.Errorf("Ctrl-D: %v", err)
	}
	_, err := chooseSerial(serials, "work", nil)
	if codeOf(err) != fault.Usage || !strings.Contains(err.Error(), strings.Join(serials, ", ")) || fault.FieldOf(err) != fault.FieldSerial {
		t.Errorf("no terminal must list every device: %v", err)
	}
}
