// Package prompt decides how stsmfa asks a person for an MFA code (or a choice of MFA device) and runs
// the desktop dialogs that ask when there is no terminal: zenity or kdialog (Linux and other Unix
// with a display), osascript (macOS), a PowerShell Windows Forms dialog (Windows).
//
// Rules every dialog keeps:
//   - nothing secret is in its argv: the code comes back on the dialog's stdout;
//   - it names the profile, the MFA device (masked by the caller) and the program that asked;
//   - it times out (Dialog.Timeout) and is killed if it outlives that, so processes waiting for the
//     one showing it never hang;
//   - Cancel (or Escape, or the window closed) is ErrCancelled; no answer in time is ErrTimeout.
//
// The terminal prompt itself belongs to the cli package; Open only calls the opener it is given.
package prompt

import (
	"errors"
	"fmt"
	"strings"
)

// Mode is how to ask: --prompt, STSMFA_PROMPT or mfa_prompt.
type Mode string

const (
	Auto      Mode = "auto"      // the terminal, else the platform's dialog when a display is available, else nothing
	Terminal  Mode = "terminal"  // the terminal device only
	Zenity    Mode = "zenity"    // GTK dialog
	KDialog   Mode = "kdialog"   // KDE dialog
	OSAScript Mode = "osascript" // macOS: AppleScript's display dialog
	Windows   Mode = "windows"   // Windows Forms through powershell.exe
	None      Mode = "none"      // never ask
)

// Modes are every mode, in the order help texts list them.
var Modes = []Mode{Auto, Terminal, Zenity, KDialog, OSAScript, Windows, None}

// ModeList is the modes as help and error texts show them: "auto, terminal, ..., none".
func ModeList() string {
	names := make([]string, len(Modes))
	for i, m := range Modes {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// ParseMode reads a mode as a person writes it (any case, surrounding spaces); "" is Auto.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToLower(strings.TrimSpace(s)))
	if m == "" {
		return Auto, nil
	}
	for _, k := range Modes {
		if m == k {
			return m, nil
		}
	}
	return "", fmt.Errorf("%q is not a way to ask; use one of %s", s, ModeList())
}

// IsDialog reports whether m is one of the desktop dialogs.
func (m Mode) IsDialog() bool {
	switch m {
	case Zenity, KDialog, OSAScript, Windows:
		return true
	}
	return false
}

// Asker asks for one line (the cli's terminal and every Dialog).
type Asker interface {
	Prompt(question string) (string, error)
}

var (
	// ErrCancelled: the person pressed Cancel or Escape, closed the dialog, or stsmfa was interrupted.
	ErrCancelled = errors.New("cancelled in the dialog")
	// ErrTimeout: nobody answered within the dialog's timeout.
	ErrTimeout = errors.New("no answer in the dialog in time")
	// ErrUnavailable: the mode asked for cannot work here (no terminal, no display, not installed).
	ErrUnavailable = errors.New("cannot ask this way here")
)

// unavailable is an ErrUnavailable that says why, in words that follow "but".
type unavailable string

func (u unavailable) Error() string        { return string(u) }
func (u unavailable) Is(target error) bool { return target == ErrUnavailable }

// Env is what choosing a way to ask looks at; cli fills it from the process, tests by hand.
type Env struct {
	GOOS     string
	Getenv   func(string) string
	LookPath func(string) (string, error)
	// Terminal opens the terminal device (/dev/tty, CONIN$); nil when it does not open.
	Terminal func() Asker
}

// Open returns the way to ask in mode m, and a few words on what it chose (for --debug):
//   - None: nil.
//   - Terminal: the terminal, or an error wrapping ErrUnavailable.
//   - a dialog: d with its Kind and Program set, or an error wrapping ErrUnavailable when the program
//     is not installed or (zenity, kdialog) there is no display.
//   - Auto: the terminal when it opens; else, when a display is available, the platform's dialog in a
//     fixed order (macOS: osascript; Windows: the PowerShell dialog; others: zenity, then kdialog);
//     else nil: there is no way to ask, and the caller fails fast.
//
// d is the dialog to use (Title, Note, Timeout, Ctx); Open fills in Kind and Program.
func Open(m Mode, env Env, d Dialog) (Asker, string, error) {
	switch m {
	case None:
		return nil, "none: never asks", nil
	case Terminal:
		if t := env.Terminal(); t != nil {
			return t, "the terminal", nil
		}
		return nil, "", unavailable(fmt.Sprintf("no terminal (%s cannot be opened)", ttyName(env.GOOS)))
	case Zenity, KDialog, OSAScript, Windows:
		if why := noDisplay(m, env); why != "" {
			return nil, "", unavailable(why)
		}
		path, err := env.LookPath(program(m))
		if err != nil {
			return nil, "", unavailable(program(m) + " is not installed (not found in PATH)")
		}
		d.Kind, d.Program = m, path
		return &d, fmt.Sprintf("%s (%s)", m, path), nil
	case Auto, "":
	default:
		return nil, "", unavailable(fmt.Sprintf("%q is not a way to ask", string(m)))
	}
	if t := env.Terminal(); t != nil {
		return t, "the terminal", nil
	}
	var tried []string
	for _, k := range autoDialogs(env.GOOS) {
		if why := noDisplay(k, env); why != "" {
			return nil, "no terminal, and " + why, nil
		}
		path, err := env.LookPath(program(k))
		if err != nil {
			tried = append(tried, program(k))
			continue
		}
		d.Kind, d.Program = k, path
		return &d, fmt.Sprintf("no terminal: %s (%s)", k, path), nil
	}
	if len(tried) == 0 {
		return nil, "no terminal and no dialog for " + env.GOOS, nil
	}
	return nil, "no terminal, and a display but none of " + strings.Join(tried, ", ") + " installed", nil
}

// autoDialogs are the dialogs auto tries on a platform, in order.
func autoDialogs(goos string) []Mode {
	switch goos {
	case "darwin":
		return []Mode{OSAScript}
	case "windows":
		return []Mode{Windows}
	case "android", "ios", "plan9", "js", "wasip1":
		return nil
	}
	return []Mode{Zenity, KDialog}
}

// program is the command a dialog runs.
func program(m Mode) string {
	switch m {
	case OSAScript:
		return "osascript"
	case Windows:
		return "powershell.exe"
	}
	return string(m)
}

// noDisplay says why a dialog cannot be shown here, or "" when a display is available: X11 or Wayland
// for zenity and kdialog; a macOS session not reached over SSH for osascript (its dialog would appear
// on a screen the person at the other end cannot see); always for Windows.
func noDisplay(m Mode, env Env) string {
	switch m {
	case Zenity, KDialog:
		if env.Getenv("DISPLAY") == "" && env.Getenv("WAYLAND_DISPLAY") == "" {
			return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
		}
	case OSAScript:
		if env.Getenv("SSH_CONNECTION") != "" || env.Getenv("SSH_TTY") != "" {
			return "no display (logged in over SSH)"
		}
	}
	return ""
}

func ttyName(goos string) string {
	if goos == "windows" {
		return "CONIN$"
	}
	return "/dev/tty"
}
