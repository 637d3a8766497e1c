package prompt

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": Auto, "auto": Auto, " Zenity ": Zenity, "KDIALOG": KDialog, "osascript": OSAScript,
		"windows": Windows, "terminal": Terminal, "none": None} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"gui", "yes", "zenity,kdialog"} {
		if _, err := ParseMode(in); err == nil || !strings.Contains(err.Error(), ModeList()) {
			t.Errorf("ParseMode(%q): %v, want an error listing the modes", in, err)
		}
	}
	if ModeList() != "auto, terminal, zenity, kdialog, osascript, windows, none" {
		t.Errorf("ModeList() = %q", ModeList())
	}
}

type fakeTTY struct{}

func (fakeTTY) Prompt(string) (string, error) { return "123456", nil }

// testEnv is a machine: its GOOS, environment, installed programs, and whether the terminal opens.
func testEnv(goos string, vars map[string]string, installed []string, tty bool) Env {
	return Env{
		GOOS:   goos,
		Getenv: func(k string) string { return vars[k] },
		LookPath: func(p string) (string, error) {
			for _, i := range installed {
				if i == p {
					return "/usr/bin/" + p, nil
				}
			}
			return "", errors.New("not found")
		},
		Terminal: func() Asker {
			if tty {
				return fakeTTY{}
			}
			return nil
		},
	}
}

// Which way to ask each mode picks, in auto's fixed order per platform.
func TestOpen(t *testing.T) {
	x11 := map[string]string{"DISPLAY": ":0"}
	wayland := map[string]string{"WAYLAND_DISPLAY": "wayland-0"}
	ssh := map[string]string{"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}
	both := []string{"zenity", "kdialog", "osascript", "powershell.exe"}
	for _, c := range []struct {
		name string
		mode Mode
		env  Env
		want string // "terminal", a dialog kind, "" (nothing), or "error: TEXT"
	}{
		{"auto: terminal first", Auto, testEnv("linux", x11, both, true), "terminal"},
		{"auto: linux X11 zenity", Auto, testEnv("linux", x11, both, false), "zenity"},
		{"auto: linux Wayland zenity", Auto, testEnv("linux", wayland, both, false), "zenity"},
		{"auto: linux kdialog when no zenity", Auto, testEnv("linux", x11, []string{"kdialog"}, false), "kdialog"},
		{"auto: linux no dialog installed", Auto, testEnv("linux", x11, nil, false), ""},
		{"auto: linux no display", Auto, testEnv("linux", nil, both, false), ""},
		{"auto: freebsd X11", Auto, testEnv("freebsd", x11, both, false), "zenity"},
		{"auto: macOS osascript", Auto, testEnv("darwin", nil, both, false), "osascript"},
		{"auto: macOS over SSH", Auto, testEnv("darwin", ssh, both, false), ""},
		{"auto: macOS never zenity", Auto, testEnv("darwin", x11, []string{"zenity"}, false), ""},
		{"auto: windows", Auto, testEnv("windows", nil, both, false), "windows"},
		{"auto: windows without powershell", Auto, testEnv("windows", nil, nil, false), ""},
		{"none", None, testEnv("linux", x11, both, true), ""},
		{"terminal", Terminal, testEnv("linux", x11, both, true), "terminal"},
		{"terminal missing", Terminal, testEnv("linux", x11, both, false), "error: no terminal (/dev/tty cannot be opened)"},
		{"terminal missing windows", Terminal, testEnv("windows", nil, both, false), "error: no terminal (CONIN$ cannot be opened)"},
		{"zenity even with a terminal", Zenity, testEnv("linux", x11, both, true), "zenity"},
		{"zenity without display", Zenity, testEnv("linux", nil, both, false), "error: no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"},
		{"zenity not installed", Zenity, testEnv("linux", x11, []string{"kdialog"}, false), "error: zenity is not installed (not found in PATH)"},
		{"kdialog", KDialog, testEnv("linux", wayland, both, false), "kdialog"},
		{"osascript", OSAScript, testEnv("darwin", nil, both, false), "osascript"},
		{"osascript over SSH", OSAScript, testEnv("darwin", ssh, both, false), "error: no display (logged in over SSH)"},
		{"windows from WSL", Windows, testEnv("linux", nil, both, false), "windows"},
		{"windows not installed", Windows, testEnv("windows", nil, nil, false), "error: powershell.exe is not installed (not found in PATH)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, why, err := Open(c.mode, c.env, Dialog{Title: "stsmfa", Timeout: time.Minute})
			got := ""
			switch v := a.(type) {
			case fakeTTY:
				got = "terminal"
			case *Dialog:
				got = string(v.Kind)
				if v.Program != "/usr/bin/"+program(v.Kind) || v.Title != "stsmfa" || v.Timeout != time.Minute {
					t.Errorf("dialog %+v", v)
				}
			}
			if err != nil {
				got = "error: " + err.Error()
				if !errors.Is(err, ErrUnavailable) {
					t.Errorf("%v is not ErrUnavailable", err)
				}
			}
			if got != c.want {
				t.Errorf("got %q (%s), want %q", got, why, c.want)
			}
			if err == nil && why == "" {
				t.Error("no explanation for --debug")
			}
		})
	}
}

// fakeRun records the command line and answers with a canned result.
type fakeRun struct {
	got  cmdline
	res  result
	err  error
	wait bool // block until the context ends
}

func (f *fakeRun) run(ctx context.Context, c cmdline) (result, error) {
	f.got = c
	if f.wait {
		<-ctx.Done()
		return result{exit: -1}, ctx.Err()
	}
	return f.res, f.err
}

func newDialog(kind Mode, f *fakeRun) *Dialog {
	return &Dialog{Kind: kind, Program: "/bin/" + program(kind), Title: "stsmfa", Note: "Asked by aws (pid 42).",
		Timeout: 90 * time.Second, run: f.run}
}

const question = "MFA code for my_work (arn:aws:iam::****9012:mfa/alice-phone): "

// The exact command lines: nothing but the dialog's words in argv (never a code), the question
// without the terminal's colon, the note under it, the timeout in seconds.
func TestCommandLines(t *testing.T) {
	text := "MFA code for my_work (arn:aws:iam::****9012:mfa/alice-phone)\n\nAsked by aws (pid 42)."
	items := []string{"arn:aws:iam::****9012:mfa/a&b", "arn:aws:iam::****9012:mfa/<c>"}
	for _, c := range []struct {
		kind       Mode
		entry      []string
		list       []string
		entryEnv   []string
		listEnvEnd string
	}{
		{
			kind: Zenity,
			entry: []string{"/bin/zenity", "--entry", "--hide-text", "--title=stsmfa",
				"--text=MFA code for my__work (arn:aws:iam::****9012:mfa/alice-phone)\n\nAsked by aws (pid 42).",
				"--width=420", "--timeout=90"},
			list: []string{"/bin/zenity", "--list", "--title=stsmfa",
				"--text=Profile p has 2 devices\n\nAsked by aws (pid 42).",
				"--column=No.", "--column=MFA device", "--hide-column=1", "--print-column=1", "--width=520", "--height=300", "--timeout=90",
				"--", "1", items[0], "2", items[1]},
		},
		{
			kind: KDialog,
			entry: []string{"/bin/kdialog", "--title", "stsmfa", "--password",
				"<html>MFA code for my_work (arn:aws:iam::****9012:mfa/alice-phone)<br><br>Asked by aws (pid 42).</html>"},
			list: []string{"/bin/kdialog", "--title", "stsmfa", "--menu",
				"<html>Profile p has 2 devices<br><br>Asked by aws (pid 42).</html>", "1", items[0], "2", items[1]},
		},
		{
			kind:  OSAScript,
			entry: append(osascriptArgs("/bin/osascript", osascriptEntry), "stsmfa", text, "90"),
			list:  append(osascriptArgs("/bin/osascript", osascriptList), "stsmfa", "Profile p has 2 devices\n\nAsked by aws (pid 42).", "90", "1) "+items[0], "2) "+items[1]),
		},
		{
			kind:       Windows,
			entry:      []string{"/bin/powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Sta", "-EncodedCommand", encodeCommand(psEntryScript)},
			list:       []string{"/bin/powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Sta", "-EncodedCommand", encodeCommand(psListScript)},
			entryEnv:   []string{"STSMFA_DIALOG_TITLE=stsmfa", "STSMFA_DIALOG_TEXT=" + text, "STSMFA_DIALOG_TIMEOUT=90"},
			listEnvEnd: "STSMFA_DIALOG_ITEMS=" + items[0] + "\n" + items[1],
		},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			f := &fakeRun{res: result{stdout: "123456\n"}}
			d := newDialog(c.kind, f)
			_, _ = d.Prompt(question)
			if strings.Join(f.got.args, "\x00") != strings.Join(c.entry, "\x00") {
				t.Errorf("entry argv:\n got %q\nwant %q", f.got.args, c.entry)
			}
			if strings.Join(f.got.env, "\x00") != strings.Join(c.entryEnv, "\x00") {
				t.Errorf("entry env:\n got %q\nwant %q", f.got.env, c.entryEnv)
			}
			f.res = result{stdout: "1\n"}
			_, _ = d.Choose("Profile p has 2 devices", items)
			if strings.Join(f.got.args, "\x00") != strings.Join(c.list, "\x00") {
				t.Errorf("list argv:\n got %q\nwant %q", f.got.args, c.list)
			}
			if c.listEnvEnd != "" && (len(f.got.env) == 0 || f.got.env[len(f.got.env)-1] != c.listEnvEnd) {
				t.Errorf("list env %q, want it to end with %q", f.got.env, c.listEnvEnd)
			}
		})
	}
}

// The AppleScript and PowerShell scripts are fixed text: the question, the title and the items reach
// them as arguments or environment variables, never spliced into the script.
func TestScriptsAreFixed(t *testing.T) {
	evil := `x" & (do shell script "touch /tmp/pwned") & "` + "'; Remove-Item C:\\ -Recurse; '" + "\n$(calc)"
	for _, kind := range []Mode{OSAScript, Windows} {
		f := &fakeRun{res: result{stdout: "cancel\n"}}
		d := newDialog(kind, f)
		d.Note = evil
		_, _ = d.Prompt(evil)
		var script string
		switch kind {
		case OSAScript:
			n := len(osascriptEntry)
			script = strings.Join(f.got.args[:1+2*n], "\n")
			if got := f.got.args[1+2*n+1]; !strings.HasPrefix(got, `x" & (do shell`) {
				t.Errorf("osascript: the question is not passed whole as an argument: %q", got)
			}
		case Windows:
			script = decodeCommand(t, f.got.args[len(f.got.args)-1])
			if script != psEntryScript {
				t.Error("powershell: the encoded script is not psEntryScript")
			}
		}
		if strings.Contains(script, "pwned") || strings.Contains(script, "Remove-Item") {
			t.Errorf("%s: the question reached the script text", kind)
		}
	}
}

// decodeCommand undoes encodeCommand, as powershell.exe does with -EncodedCommand.
func decodeCommand(t *testing.T, b64 string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw)%2 != 0 {
		t.Fatalf("not base64 of UTF-16LE: %v", err)
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return string(utf16.Decode(units))
}

// Each dialog's answers: the code typed, Cancel, its own timeout, and failures (whose message never
// holds stdout).
func TestAnswers(t *testing.T) {
	type want struct {
		code string
		err  error  // errors.Is
		msg  string // substring of a failure
	}
	for _, c := range []struct {
		kind Mode
		res  result
		want want
	}{
		{Zenity, result{stdout: "123456\n"}, want{code: "123456"}},
		{Zenity, result{stdout: " 123 456 \n"}, want{code: "123 456"}},
		{Zenity, result{exit: 1}, want{err: ErrCancelled}},
		{Zenity, result{exit: 5}, want{err: ErrTimeout}},
		{Zenity, result{exit: 1, stderr: "\n(zenity:1): Gtk-WARNING **: cannot open display: :9\n"}, want{msg: "zenity failed (exit status 1): (zenity:1): Gtk-WARNING **: cannot open display: :9"}},
		{Zenity, result{exit: 255, stdout: "999999"}, want{msg: "zenity failed (exit status 255)"}},
		{KDialog, result{stdout: "654321\n"}, want{code: "654321"}},
		{KDialog, result{exit: 1}, want{err: ErrCancelled}},
		{KDialog, result{exit: 134, stderr: "qt.qpa.xcb: could not connect to display\n"}, want{msg: "kdialog failed (exit status 134): qt.qpa.xcb: could not connect to display"}},
		{OSAScript, result{stdout: "code:123456\n"}, want{code: "123456"}},
		{OSAScript, result{stdout: "code:\n"}, want{code: ""}},
		{OSAScript, result{stdout: "timeout\n"}, want{err: ErrTimeout}},
		{OSAScript, result{exit: 1, stderr: "0:312: execution error: User canceled. (-128)\n"}, want{err: ErrCancelled}},
		{OSAScript, result{exit: 1, stderr: "0:12: execution error: No user interaction allowed. (-1713)\n"}, want{msg: "osascript failed (exit status 1): 0:12: execution error: No user interaction allowed. (-1713)"}},
		{OSAScript, result{stdout: "999999\n"}, want{msg: "osascript answered something other than a code"}},
		{Windows, result{stdout: "code:123456\r\n"}, want{code: "123456"}},
		{Windows, result{stdout: "cancel\r\n"}, want{err: ErrCancelled}},
		{Windows, result{stdout: "timeout\r\n"}, want{err: ErrTimeout}},
		{Windows, result{exit: 1, stderr: "Add-Type : Cannot add type.\r\n"}, want{msg: "the PowerShell dialog failed (exit status 1): Add-Type : Cannot add type."}},
		{Windows, result{stdout: "999999\r\n"}, want{msg: "the PowerShell dialog answered something other than a code"}},
	} {
		code, err := newDialog(c.kind, &fakeRun{res: c.res}).Prompt(question)
		switch {
		case c.want.err != nil:
			if !errors.Is(err, c.want.err) {
				t.Errorf("%s %+v: %q, %v; want %v", c.kind, c.res, code, err, c.want.err)
			}
		case c.want.msg != "":
			if err == nil || err.Error() != c.want.msg {
				t.Errorf("%s %+v: %v; want %q", c.kind, c.res, err, c.want.msg)
			}
			if err != nil && strings.Contains(err.Error(), "999999") {
				t.Errorf("%s: a failure shows stdout: %v", c.kind, err)
			}
		default:
			if err != nil || code != c.want.code {
				t.Errorf("%s %+v: %q, %v; want %q", c.kind, c.res, code, err, c.want.code)
			}
		}
	}
}

func TestListAnswers(t *testing.T) {
	items := []string{"a", "b", "c"}
	for _, c := range []struct {
		kind Mode
		res  result
		want int
		err  error
		msg  string
	}{
		{kind: Zenity, res: result{stdout: "2\n"}, want: 1},
		{kind: Zenity, res: result{stdout: "\n"}, want: -1},
		{kind: Zenity, res: result{exit: 1}, err: ErrCancelled},
		{kind: Zenity, res: result{exit: 5}, err: ErrTimeout},
		{kind: Zenity, res: result{stdout: "4\n"}, msg: `the dialog answered "4", not a number from 1 to 3`},
		{kind: KDialog, res: result{stdout: "3\n"}, want: 2},
		{kind: KDialog, res: result{exit: 1}, err: ErrCancelled},
		{kind: OSAScript, res: result{stdout: "choice:1) a\n"}, want: 0},
		{kind: OSAScript, res: result{stdout: "choice:3) c\n"}, want: 2},
		{kind: OSAScript, res: result{stdout: "cancel\n"}, err: ErrCancelled},
		{kind: OSAScript, res: result{stdout: "choice:x) a\n"}, msg: `the dialog answered "x) a", not a number from 1 to 3`},
		{kind: Windows, res: result{stdout: "choice:2\r\n"}, want: 1},
		{kind: Windows, res: result{stdout: "choice:\r\n"}, want: -1},
		{kind: Windows, res: result{stdout: "cancel\r\n"}, err: ErrCancelled},
		{kind: Windows, res: result{stdout: "timeout\r\n"}, err: ErrTimeout},
		{kind: Windows, res: result{stdout: "choice:02\r\n"}, msg: `the dialog answered "02", not a number from 1 to 3`},
	} {
		got, err := newDialog(c.kind, &fakeRun{res: c.res}).Choose("which?", items)
		switch {
		case c.err != nil:
			if !errors.Is(err, c.err) {
				t.Errorf("%s %+v: %d, %v; want %v", c.kind, c.res, got, err, c.err)
			}
		case c.msg != "":
			if err == nil || err.Error() != c.msg {
				t.Errorf("%s %+v: %v; want %q", c.kind, c.res, err, c.msg)
			}
		default:
			if err != nil || got != c.want {
				t.Errorf("%s %+v: %d, %v; want %d", c.kind, c.res, got, err, c.want)
			}
		}
	}
}

// A dialog that outlives its timeout is killed (ErrTimeout); one whose caller is cancelled (Ctrl-C)
// is killed at once (ErrCancelled).
func TestDialogKilled(t *testing.T) {
	defer func(g time.Duration) { killGrace = g }(killGrace)
	killGrace = 20 * time.Millisecond
	d := newDialog(KDialog, &fakeRun{wait: true})
	d.Timeout = 10 * time.Millisecond
	start := time.Now()
	if _, err := d.Prompt(question); !errors.Is(err, ErrTimeout) {
		t.Errorf("outlived its timeout: %v, want ErrTimeout", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("killed after %s", el)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d = newDialog(Zenity, &fakeRun{wait: true})
	d.Ctx = ctx
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := d.Prompt(question); !errors.Is(err, ErrCancelled) {
		t.Errorf("caller cancelled: %v, want ErrCancelled", err)
	}
}

// runCommand for real: stdout captured, the exit status read, extra environment passed, the process
// killed with its context.
func TestRunCommand(t *testing.T) {
	sh := "/bin/sh"
	if _, err := os.Stat(sh); err != nil {
		t.Skip("no /bin/sh")
	}
	r, err := runCommand(context.Background(), cmdline{args: []string{sh, "-c", `echo "$STSMFA_X"; echo oops >&2; exit 3`}, env: []string{"STSMFA_X=hello"}})
	if err != nil || r.stdout != "hello\n" || r.exit != 3 || r.stderr != "oops\n" {
		t.Errorf("runCommand: %+v, %v", r, err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := runCommand(ctx, cmdline{args: []string{sh, "-c", "sleep 30"}}); err != nil && !strings.Contains(err.Error(), "cannot run") {
		t.Errorf("killed: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("not killed with its context")
	}
	if _, err := runCommand(context.Background(), cmdline{args: []string{"/nonexistent/zenity"}}); err == nil {
		t.Error("a missing program is not an error")
	}
}

func TestParent(t *testing.T) {
	p := Parent()
	if !strings.Contains(p, "pid ") {
		t.Errorf("Parent() = %q", p)
	}
}

func TestLimitedBuffer(t *testing.T) {
	var b limitedBuffer
	b.max = 4
	n, err := b.Write([]byte("abcdef"))
	if n != 6 || err != nil || b.String() != "abcd" {
		t.Errorf("%d %v %q", n, err, b.String())
	}
}
