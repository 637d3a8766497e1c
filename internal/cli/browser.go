package cli

import (
	"context"
	"errors"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// How console hands the secret sign-in URL to a browser without putting it in any command line:
// it writes a small HTML page that redirects to the URL into a new private directory (0700; the file
// 0600) under $XDG_RUNTIME_DIR (else the temporary directory) and opens that file with the desktop's
// opener: $BROWSER when set, else xdg-open (open on macOS, rundll32 url.dll on Windows). The opener's
// argv holds only the file's path. The page is deleted as soon as the browser has read it (its access
// time moves; stsmfa sets it back before the opener runs, so even relatime records the read), and
// after readWait at the latest.

// readWait bounds how long console waits for the browser to read the page.
var readWait = 20 * time.Second

// hasDisplay reports whether a browser can be opened here: on Linux and the BSDs an X11 or Wayland
// display; macOS and Windows always have one (outside an SSH session).
func hasDisplay(getenv func(string) string) bool {
	switch runtime.GOOS {
	case "windows":
		return true
	case "darwin":
		return getenv("SSH_CONNECTION") == "" || getenv("DISPLAY") != ""
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

// opener is the command that opens path: $BROWSER's first entry (with %s replaced, or path appended),
// else the platform's opener.
func opener(getenv func(string) string, path string) []string {
	if b := strings.TrimSpace(strings.Split(getenv("BROWSER"), string(os.PathListSeparator))[0]); b != "" {
		f := strings.Fields(b)
		replaced := false
		for i := range f {
			if strings.Contains(f[i], "%s") {
				f[i], replaced = strings.ReplaceAll(f[i], "%s", path), true
			}
		}
		if !replaced {
			f = append(f, path)
		}
		return f
	}
	switch runtime.GOOS {
	case "darwin":
		return []string{"open", path}
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler", path}
	}
	return []string{"xdg-open", path}
}

// redirectPage is the page that sends the browser on to u without leaving itself in its history.
func redirectPage(u string) []byte {
	attr := html.EscapeString(u)
	js := strconv.Quote(u) // a Go-quoted string is a valid JavaScript string literal for a URL
	js = strings.ReplaceAll(js, "<", `\u003c`)
	return []byte(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=` + attr + `">
<title>AWS console (stsmfa)</title>
<script>location.replace(` + js + `);</script>
</head><body><p><a href="` + attr + `">Continue to the AWS console</a></p></body></html>
`)
}

// openSecretURL opens u in the browser through a private page (see above).
func openSecretURL(ctx context.Context, u string, getenv func(string) string, debugf func(string, ...any)) error {
	base := getenv("XDG_RUNTIME_DIR")
	if st, err := os.Stat(base); base == "" || err != nil || !st.IsDir() {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "stsmfa-console-")
	if err != nil {
		return fault.FilesErr("cannot make a private directory for the console page: %v", err)
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "console.html")
	if err := os.WriteFile(page, redirectPage(u), 0o600); err != nil {
		return fault.FilesErr("cannot write the console page: %v", err)
	}
	argv := opener(getenv, page)
	debugf("opening the console page %s with %s", page, argv[0])
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fault.CancelledErr("interrupted")
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fault.New(fault.NotValid, fault.FieldNone, err, "%s could not open a browser (exit %d); run stsmfa console --print and open the URL yourself", argv[0], ee.ExitCode())
		}
		return fault.New(fault.NotValid, fault.FieldNone, err, "cannot run %s to open a browser (%v); set BROWSER, or run stsmfa console --print", argv[0], errors.Unwrap(err))
	}
	// the opener may have read the page itself (xdg-open sniffs its type) and handed it on to a
	// browser that reads it later: wait for a read after the opener exited
	resetAtime(page)
	before := atime(page)
	wait := time.NewTimer(readWait)
	defer wait.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return fault.CancelledErr("interrupted")
		case <-wait.C:
			debugf("deleting the console page after %s", readWait)
			return nil
		case <-tick.C:
			if a := atime(page); !before.IsZero() && !a.Equal(before) {
				debugf("the browser read the console page; deleting it")
				return nil
			}
		}
	}
}

// resetAtime sets the page's access time before its modification time, so that a read records a new
// one even under relatime.
func resetAtime(path string) {
	if st, err := os.Stat(path); err == nil {
		os.Chtimes(path, st.ModTime().Add(-time.Minute), st.ModTime())
	}
}
