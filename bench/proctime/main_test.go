//go:build !windows

package main

import (
	"strings"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	var ds []time.Duration
	for i := 10; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0: 1 * time.Millisecond, 0.5: 5 * time.Millisecond, 0.9: 9 * time.Millisecond, 1: 10 * time.Millisecond} {
		if got := quantile(ds, q); got != want {
			t.Errorf("quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if ds[0] != 10*time.Millisecond {
		t.Error("quantile sorted its input in place")
	}
	if got := quantile([]time.Duration{7}, 0.9); got != 7 {
		t.Errorf("one sample: %v", got)
	}
}

func TestParse(t *testing.T) {
	gs, err := parse(strings.Fields("name=a exit=6 target=5ms runs=3 /bin/x -y name=literal --- ratio=a:50 /bin/z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 {
		t.Fatalf("%d groups", len(gs))
	}
	a, z := gs[0], gs[1]
	if a.name != "a" || a.exit != 6 || a.target != 5*time.Millisecond || a.runs != 3 || strings.Join(a.argv, " ") != "/bin/x -y name=literal" {
		t.Errorf("group a: %+v", a)
	}
	if z.name != "z" || z.ratioOf != "a" || z.ratioMin != 50 {
		t.Errorf("group z: %+v", z)
	}
	for _, bad := range []string{"", "name=a", "/bin/x --- ---", "ratio=nosuch:2 /bin/x", "exit=x /bin/x", "runs=0 /bin/x", "bogus=1 /bin/x", "/bin/x --- /bin/x"} {
		if _, err := parse(strings.Fields(bad)); err == nil {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
}

// TestRun measures real processes and checks the exit-code guard.
func TestRun(t *testing.T) {
	g := &group{name: "true", argv: []string{"/bin/sh", "-c", "exit 0"}}
	if wall, _, err := g.run(); err != nil || wall <= 0 {
		t.Fatalf("run: %v %v", wall, err)
	}
	g = &group{name: "three", argv: []string{"/bin/sh", "-c", "echo why >&2; exit 3"}}
	if _, _, err := g.run(); err == nil || !strings.Contains(err.Error(), "exited 3, expected 0") || !strings.Contains(err.Error(), "why") {
		t.Errorf("unexpected exit not reported: %v", err)
	}
	g.exit = 3
	if _, _, err := g.run(); err != nil {
		t.Errorf("expected exit 3 refused: %v", err)
	}
}
