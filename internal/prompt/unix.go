package prompt

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// zenity (GTK). Exit status: 0 OK, 1 Cancel/Escape/closed, 5 its own --timeout. The entry dialog's
// text is a mnemonic label (an underscore marks a shortcut key, so it is doubled); the list dialog's
// text is Pango markup (escaped).
type zenity struct{}

func (zenity) entry(prog, title, text string, timeout time.Duration) cmdline {
	return cmdline{args: []string{prog, "--entry", "--hide-text",
		"--title=" + title,
		"--text=" + strings.ReplaceAll(text, "_", "__"),
		"--width=420",
		fmt.Sprintf("--timeout=%d", seconds(timeout)),
	}}
}

func (zenity) entryAnswer(r result) (string, error) {
	if err := zenityExit(r); err != nil {
		return "", err
	}
	return answerLine(r.stdout), nil
}

// list shows a two-column list (number hidden, device shown) and prints the number of the row picked.
func (zenity) list(prog, title, text string, items []string, timeout time.Duration) cmdline {
	args := []string{prog, "--list",
		"--title=" + title,
		"--text=" + html.EscapeString(text),
		"--column=No.", "--column=MFA device",
		"--hide-column=1", "--print-column=1",
		"--width=520", "--height=300",
		fmt.Sprintf("--timeout=%d", seconds(timeout)),
		"--",
	}
	for i, it := range items {
		args = append(args, fmt.Sprint(i+1), it)
	}
	return cmdline{args: args}
}

func (zenity) listAnswer(r result, n int) (int, error) {
	if err := zenityExit(r); err != nil {
		return 0, err
	}
	return pickedIndex(answerLine(r.stdout), n)
}

func zenityExit(r result) error {
	switch r.exit {
	case 0:
		return nil
	case 1:
		// GTK exits 1 too when it cannot open the display
		if strings.Contains(r.stderr, "cannot open display") {
			return failed("zenity", r)
		}
		return ErrCancelled
	case 5:
		return ErrTimeout
	}
	return failed("zenity", r)
}

// kdialog (KDE). Exit status: 0 OK, 1 Cancel/Escape/closed. It has no timeout of its own (the
// Dialog kills it). Its labels guess between plain and rich text; the text is sent as HTML, escaped.
type kdialog struct{}

func (kdialog) entry(prog, title, text string, _ time.Duration) cmdline {
	return cmdline{args: []string{prog, "--title", title, "--password", richText(text)}}
}

func (kdialog) entryAnswer(r result) (string, error) {
	if err := kdialogExit(r); err != nil {
		return "", err
	}
	return answerLine(r.stdout), nil
}

// list is a menu whose tags are the item numbers; kdialog prints the tag picked.
func (kdialog) list(prog, title, text string, items []string, _ time.Duration) cmdline {
	args := []string{prog, "--title", title, "--menu", richText(text)}
	for i, it := range items {
		args = append(args, fmt.Sprint(i+1), it)
	}
	return cmdline{args: args}
}

func (kdialog) listAnswer(r result, n int) (int, error) {
	if err := kdialogExit(r); err != nil {
		return 0, err
	}
	return pickedIndex(answerLine(r.stdout), n)
}

func kdialogExit(r result) error {
	switch r.exit {
	case 0:
		return nil
	case 1:
		return ErrCancelled
	}
	return failed("kdialog", r)
}

// richText is text as Qt rich text: escaped, line breaks kept.
func richText(text string) string {
	return "<html>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>") + "</html>"
}

// seconds is a timeout in whole seconds, at least 1.
func seconds(d time.Duration) int {
	if s := int((d + time.Second - 1) / time.Second); s > 0 {
		return s
	}
	return 1
}
