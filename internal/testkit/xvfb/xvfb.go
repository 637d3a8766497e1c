// Package xvfb runs real desktop dialogs in tests: an Xvfb server on a free display, xdotool to find
// their windows, type and press keys, and xwd to capture a window as PNG. Each tool is required the
// testkit way: a test skips without it on a developer's machine and fails under CI=true, where .ci/run
// installs xvfb, xdotool and x11-apps.
package xvfb

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/bits"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// Tool returns the path of a program, or skips the test (fails it under CI=true) when it is missing.
func Tool(t testing.TB, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		ci.SkipUnlessCI(t, "%s is not installed (.ci/run names the Debian packages)", path)
	}
	return path
}

// Display is a running Xvfb.
type Display struct {
	t    testing.TB
	Name string // ":N"
}

// Start starts Xvfb on a display number it picks itself (-displayfd), reachable only through its
// local socket (-nolisten tcp); it is killed when the test ends. -noreset: an X server resets itself
// when its last client disconnects, and a client connecting during that reset is refused ("could not
// connect to display") — a dialog started right after the previous one had ended failed that way.
func Start(t testing.TB) *Display {
	t.Helper()
	bin := Tool(t, "/usr/bin/Xvfb")
	Tool(t, "/usr/bin/xdotool")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-displayfd", "3", "-nolisten", "tcp", "-noreset", "-screen", "0", "1024x768x24")
	cmd.ExtraFiles = []*os.File{w}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
		r.Close()
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatalf("Xvfb did not start: %s", stderr.String())
		}
		return &Display{t: t, Name: ":" + n}
	case <-time.After(30 * time.Second):
		t.Fatalf("Xvfb gave no display number within 30s: %s", stderr.String())
	}
	return nil
}

// Env is the environment a dialog needs to appear on this display (GTK's accessibility bridge off,
// a runtime directory of its own with the mode 0700 Qt insists on).
func (d *Display) Env() []string {
	dir := d.t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		d.t.Fatal(err)
	}
	return []string{"DISPLAY=" + d.Name, "NO_AT_BRIDGE=1", "XDG_RUNTIME_DIR=" + dir}
}

// xdotool runs xdotool on this display and returns its output.
func (d *Display) xdotool(timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+d.Name)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("xdotool %s: no answer within %s", strings.Join(args, " "), timeout)
	}
	if err != nil {
		return string(out), fmt.Errorf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Window waits for a visible window whose name matches the regular expression and gives it the
// keyboard focus; it returns the window's id.
func (d *Display) Window(name string, timeout time.Duration) string {
	d.t.Helper()
	id, err := d.Await(name, timeout, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}

// Await is Window for a window some process is expected to show, and returns an error instead of
// failing the test: when ended is closed (or receives) before the window was seen, it stops at once
// (the process will not show it). The error lists the windows that are on the display.
func (d *Display) Await(name string, timeout time.Duration, ended <-chan struct{}) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		out, err := d.xdotool(5*time.Second, "search", "--onlyvisible", "--name", name)
		if ids := strings.Fields(out); err == nil && len(ids) > 0 {
			id := ids[len(ids)-1]
			if _, err := d.xdotool(10*time.Second, "windowfocus", "--sync", id); err != nil {
				return "", err
			}
			return id, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no window named %q within %s; on the display: %s", name, timeout, d.Windows())
		}
		select {
		case <-ended:
			return "", fmt.Errorf("ended before a window named %q was seen; on the display: %s", name, d.Windows())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Windows describes the windows on the display (id, name, and whether visible), for a failure message.
func (d *Display) Windows() string {
	all, err := d.xdotool(5*time.Second, "search", "--name", ".")
	if err != nil && strings.TrimSpace(all) == "" {
		return "no named windows"
	}
	visible, _ := d.xdotool(5*time.Second, "search", "--onlyvisible", "--name", ".")
	shown := map[string]bool{}
	for _, id := range strings.Fields(visible) {
		shown[id] = true
	}
	var b strings.Builder
	for _, id := range strings.Fields(all) {
		name, _ := d.xdotool(5*time.Second, "getwindowname", id)
		fmt.Fprintf(&b, "[%s %q visible=%t] ", id, strings.TrimSpace(name), shown[id])
	}
	return strings.TrimSpace(b.String())
}

// Gone waits until no visible window matches name.
func (d *Display) Gone(name string, timeout time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, _ := d.xdotool(5*time.Second, "search", "--onlyvisible", "--name", name)
		if strings.TrimSpace(out) == "" {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("window %q still there after %s", name, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Type types text into the focused window, as a person would.
func (d *Display) Type(text string) {
	d.t.Helper()
	if _, err := d.xdotool(30*time.Second, "type", "--delay", "40", text); err != nil {
		d.t.Fatal(err)
	}
}

// Key presses keys (xdotool names: Return, Escape, Down).
func (d *Display) Key(keys ...string) {
	d.t.Helper()
	if _, err := d.xdotool(30*time.Second, append([]string{"key", "--delay", "80"}, keys...)...); err != nil {
		d.t.Fatal(err)
	}
}

// Screenshot captures a window (xwd) and writes it as PNG.
func (d *Display) Screenshot(id, path string) {
	d.t.Helper()
	xwd := Tool(d.t, "/usr/bin/xwd")
	cmd := exec.Command(xwd, "-display", d.Name, "-id", id, "-silent")
	out, err := cmd.Output()
	if err != nil {
		d.t.Fatalf("xwd: %v", err)
	}
	img, err := decodeXWD(out)
	if err != nil {
		d.t.Fatalf("xwd output: %v", err)
	}
	f, err := os.Create(path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		d.t.Fatal(err)
	}
}

// decodeXWD reads a TrueColor ZPixmap X window dump (what xwd writes for a 24-bit Xvfb screen).
func decodeXWD(b []byte) (image.Image, error) {
	if len(b) < 100 {
		return nil, io.ErrUnexpectedEOF
	}
	h := make([]uint32, 25)
	for i := range h {
		h[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	headerSize, version, format := h[0], h[1], h[2]
	width, height, byteOrder := int(h[4]), int(h[5]), h[7]
	bpp, bytesPerLine := int(h[11]), int(h[12])
	masks := [3]uint32{h[14], h[15], h[16]}
	ncolors := int(h[19])
	if version != 7 || format != 2 || (bpp != 32 && bpp != 24) {
		return nil, fmt.Errorf("unsupported xwd: version %d, format %d, %d bits per pixel", version, format, bpp)
	}
	data := b[int(headerSize)+12*ncolors:]
	if len(data) < bytesPerLine*height {
		return nil, io.ErrUnexpectedEOF
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	step := bpp / 8
	for y := 0; y < height; y++ {
		row := data[y*bytesPerLine:]
		for x := 0; x < width; x++ {
			p := row[x*step : x*step+step]
			var v uint32
			for i := 0; i < step; i++ {
				if byteOrder == 0 { // LSBFirst
					v |= uint32(p[i]) << (8 * i)
				} else {
					v = v<<8 | uint32(p[i])
				}
			}
			var c [3]uint8
			for i, m := range masks {
				c[i] = uint8((v & m) >> bits.TrailingZeros32(m))
			}
			img.Set(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	return img, nil
}
