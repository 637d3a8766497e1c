package cli

import (
	"errors"
	"testing"
)

// vtColour is the Windows colour decision (console_windows.go wires it to Get/SetConsoleMode). Wine's
// console accepts every mode, so the refusing console of Windows before 10 is only tested here.
func TestVTColour(t *testing.T) {
	notConsole := errors.New("The handle is invalid.")
	for _, c := range []struct {
		name    string
		mode    uint32
		getErr  error
		setErr  error
		want    bool
		wantSet uint32 // 0: set must not be called
	}{
		{name: "pipe or file", getErr: notConsole},
		{name: "console with VT on", mode: 0x7, want: true},
		{name: "console takes VT", mode: 0x3, want: true, wantSet: 0x7},
		{name: "old console refuses VT", mode: 0x3, setErr: errors.New("The parameter is incorrect."), wantSet: 0x7},
	} {
		var set uint32
		got := vtColour(func() (uint32, error) { return c.mode, c.getErr }, func(m uint32) error { set = m; return c.setErr })
		if got != c.want || set != c.wantSet {
			t.Errorf("%s: colour %v, set mode %#x; want %v, %#x", c.name, got, set, c.want, c.wantSet)
		}
	}
}
