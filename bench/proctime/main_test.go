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
	gs, err = parse(strings.Fields("name=h /bin/h --- name=c env=A=1 env=B=x=y over=h:1.2ms target=2.5ms /bin/c env=C=2"))
	if err != nil {
		t.Fatal(err)
	}
	c := gs[1]
	if strings.Join(c.env, " ") != "A=1 B=x=y" || c.overOf != "h" || c.overMax != 1200*time.Microsecond || strings.Join(c.argv, " ") != "/bin/c env=C=2" {
		t.Errorf("group c: %+v", c)
	}
	for _, bad := range []string{"", "name=a", "/bin/x --- ---", "ratio=nosuch:2 /bin/x", "exit=x /bin/x", "runs=0 /bin/x", "bogus=1 /bin/x", "/bin/x --- /bin/x",
		"over=nosuch:1ms /bin/x", "name=a /bin/a --- over=a /bin/x", "name=a /bin/a --- over=a:x /bin/x", "env=NOVALUE /bin/x"} {
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
	g = &group{name: "env", argv: []string{"/bin/sh", "-c", `test "$PROCTIME_X" = "a b" && test -n "$PATH"`}, env: []string{"PROCTIME_X=a b"}}
	if _, _, err := g.run(); err != nil {
		t.Errorf("env= not passed, or the inherited environment lost: %v", err)
	}
}

// TestReport checks the verdicts of target, ratio and over, and the difference columns.
func TestReport(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*100*time.Microsecond)
		}
		return out
	}
	hello := &group{name: "hello", argv: []string{"/h"}, wall: ms(14, 14, 14), cpu: ms(1, 1, 1)}
	fast := &group{name: "fast", argv: []string{"/f"}, env: []string{"A=1"}, target: 2500 * time.Microsecond, overOf: "hello", overMax: 1200 * time.Microsecond, wall: ms(20, 20, 20), cpu: ms(1, 1, 1)}
	slow := &group{name: "slow", argv: []string{"/s"}, overOf: "hello", overMax: 1200 * time.Microsecond, wall: ms(30, 30, 30), cpu: ms(1, 1, 1)}
	if got := report([]*group{hello, fast}, []*group{hello}, 0); got != 0 {
		t.Errorf("all met: status %d", got)
	}
	if got := report([]*group{hello, fast, slow}, nil, 0); got != 3 {
		t.Errorf("slow is 1.6 ms above hello: status %d, want 3", got)
	}
	if diff(-1500*time.Microsecond) != "−1.50 ms" || diff(600*time.Microsecond) != "+0.60 ms" {
		t.Errorf("diff: %q %q", diff(-1500*time.Microsecond), diff(600*time.Microsecond))
	}
}
