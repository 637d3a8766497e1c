package tokencmd

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/fault"
)

func TestParseTokenCommand(t *testing.T) {
	cases := []struct {
		value, device string
		argv          []string // nil: a plain command
		label, line   string
	}{
		{"ykman:aws", "", []string{"ykman", "oath", "accounts", "code", "--single", "aws"},
			"ykman:aws, from F", "ykman oath accounts code --single aws"},
		{"  ykman: Amazon Web Services:alice@example.com ", "", []string{"ykman", "oath", "accounts", "code", "--single", "Amazon Web Services:alice@example.com"},
			"ykman:Amazon Web Services:alice@example.com, from F", "ykman oath accounts code --single 'Amazon Web Services:alice@example.com'"},
		{"ykman:aws", "12345678", []string{"ykman", "--device", "12345678", "oath", "accounts", "code", "--single", "aws"},
			"ykman:aws, from F", "ykman --device 12345678 oath accounts code --single aws"},
		{"op:AWS prod", "12345678", []string{"op", "item", "get", "AWS prod", "--otp"}, // ykman_device is ykman's alone
			"op:AWS prod, from F", "op item get 'AWS prod' --otp"},
		{"bw:it's", "", []string{"bw", "get", "totp", "it's"}, "bw:it's, from F", `bw get totp 'it'\''s'`},
		{"pass:aws/alice", "", []string{"pass", "otp", "aws/alice"}, "pass:aws/alice, from F", "pass otp aws/alice"},
		// plain commands: as written, through the shell
		{"ykman oath accounts code -s aws", "", nil, "F", "ykman oath accounts code -s aws"},
		{"ykmanx:aws", "", nil, "F", "ykmanx:aws"},
		{"echo op:aws", "", nil, "F", "echo op:aws"},
		{"totp   SEED\n  ran", "", nil, "F", "totp SEED ran"},
		{strings.Repeat("x", 100), "", nil, "F", strings.Repeat("x", 77) + "..."},
	}
	for _, c := range cases {
		got, err := Parse(c.value, "F", c.device, "ykman_device in C line 3")
		if err != nil {
			t.Errorf("%q: %v", c.value, err)
			continue
		}
		if !reflect.DeepEqual(got.argv, c.argv) || got.Label() != c.label || got.commandLine() != c.line {
			t.Errorf("%q: argv %q label %q line %q; want %q %q %q", c.value, got.argv, got.Label(), got.commandLine(), c.argv, c.label, c.line)
		}
		if c.argv == nil && got.line != c.value {
			t.Errorf("%q: plain command changed to %q", c.value, got.line)
		}
	}
	for _, v := range []string{"ykman:", "op:  ", "bw:", "pass:"} {
		_, err := Parse(v, "--token-command", "", "")
		if fault.Code(err) != fault.Usage || !strings.Contains(err.Error(), "names no item") || fault.FieldOf(err) != fault.FieldTokenCommand {
			t.Errorf("%q: %v", v, err)
		}
	}
	// an item that starts with - would reach the tool as an option (issue 21)
	for _, v := range []string{"ykman:--password=x", "op:-v", "pass:--help"} {
		_, err := Parse(v, "--token-command", "", "")
		if fault.Code(err) != fault.Usage || !strings.Contains(err.Error(), "starts with -") || fault.FieldOf(err) != fault.FieldTokenCommand {
			t.Errorf("%q: %v", v, err)
		}
	}
	for _, d := range []string{"my-key", "-1", "12 34", "0x1f"} {
		_, err := Parse("ykman:aws", "F", d, "ykman_device in C line 3")
		if fault.Code(err) != fault.Usage || !strings.Contains(err.Error(), "ykman_device in C line 3 is") {
			t.Errorf("device %q: %v", d, err)
		}
	}
}

func TestParseOutput(t *testing.T) {
	ykman, _ := Parse("ykman:aws", "F", "", "")
	bw, _ := Parse("bw:aws", "F", "", "")
	for _, c := range []struct {
		cmd       Command
		out, want string
	}{
		{ykman, "123456\n", "123456"},
		{bw, "654321", "654321"}, // bw writes no newline when stdout is not a terminal
		{ykman, "  123456\r\n", "123456"},
		{ykman, "123 456\n", "123456"},
	} {
		if got, err := c.cmd.parseOutput(c.out); err != nil || got != c.want {
			t.Errorf("%s %q: %q %v", c.cmd.Label(), c.out, got, err)
		}
	}
	for out, want := range map[string]string{
		"":                     "printed nothing; is the YubiKey plugged in",
		"\n":                   "printed nothing",
		"123456\n654321\n":     "printed several lines; ykman prints only the code",
		"12345678\n":           "printed a code of 8 digits",
		"Code: 123456\n":       "printed something other than a 6-digit code",
		"Error: no such key\n": "printed something other than a 6-digit code",
	} {
		_, err := ykman.parseOutput(out)
		if fault.Code(err) != fault.NoCode || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v; want %q", out, err, want)
			continue
		}
		for _, leak := range []string{"123456", "654321", "12345678", "no such key"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%q: the error echoes the output: %v", out, err)
			}
		}
	}
	// a plain command: one group of exactly six digits anywhere, else a line like "123 456"
	plain := Command{line: "x", from: "--token-command"}
	for out, want := range map[string]string{
		"code: 042042 (valid 20s)\n":  "042042",
		"042 042\n":                   "042042",
		"your code\n 042 042 \nbye\n": "042042",
		"04 20 42\n":                  "042042",
	} {
		if got, err := plain.parseOutput(out); err != nil || got != want {
			t.Errorf("plain %q: %q %v", out, got, err)
		}
	}
	for _, out := range []string{"12 34 5\n", "042 042\n123 456\n", "042 0420\n", "042-042\n"} {
		if _, err := plain.parseOutput(out); fault.Code(err) != fault.NoCode {
			t.Errorf("plain %q: %v", out, err)
		}
	}
}
