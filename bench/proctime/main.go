//go:build !windows

// Command proctime times whole processes: it runs each command many times, interleaved round-robin so
// that machine noise hits all of them alike, and prints the median and 90th percentile of the wall
// time of each run (fork, exec, run, exit, wait), plus the median CPU time (user+sys), as a Markdown
// table. Every child runs in its own session (no controlling terminal), with stdin from /dev/null and
// its output discarded; a run whose exit code is not the expected one stops the benchmark, so a figure
// never comes from a failing command.
//
//	proctime [-n 200] [-warmup 5] -- [name=LABEL] [exit=0] [runs=N] [target=5ms] [ratio=OTHER:50] CMD ARGS... --- ...
//
// Options before each command: name labels it; exit is the expected exit code; runs overrides -n;
// target is the median it should stay under; ratio=OTHER:K says its median should be at least K
// times OTHER's (by name).
// The exit status is 0 when every target holds, 3 when one is missed, 1 on errors.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type group struct {
	name     string
	argv     []string
	exit     int
	target   time.Duration
	ratioOf  string
	ratioMin float64
	runs     int // 0 = -n
	wall     []time.Duration
	cpu      []time.Duration
}

func main() {
	n := flag.Int("n", 200, "timed runs of each command")
	warmup := flag.Int("warmup", 5, "untimed runs of each command first (page cache, CPU frequency)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: proctime [-n N] [-warmup W] -- [name=L] [exit=C] [target=D] [ratio=OTHER:K] CMD ARGS... --- ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	groups, err := parse(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "proctime:", err)
		flag.Usage()
		os.Exit(1)
	}
	if *n < 1 || *warmup < 0 {
		fmt.Fprintln(os.Stderr, "proctime: -n must be at least 1 and -warmup not negative")
		os.Exit(1)
	}
	for i := 0; i < *warmup; i++ {
		for _, g := range groups {
			if _, _, err := g.run(); err != nil {
				fail(err)
			}
		}
	}
	most := 0
	for _, g := range groups {
		if g.runs == 0 {
			g.runs = *n
		}
		most = max(most, g.runs)
	}
	for i := 0; i < most; i++ {
		for _, g := range groups {
			if i >= g.runs {
				continue
			}
			wall, cpu, err := g.run()
			if err != nil {
				fail(err)
			}
			g.wall = append(g.wall, wall)
			g.cpu = append(g.cpu, cpu)
		}
	}
	os.Exit(report(groups, *warmup))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "proctime:", err)
	os.Exit(1)
}

func parse(args []string) ([]*group, error) {
	var groups []*group
	cur := &group{}
	flush := func() error {
		if len(cur.argv) == 0 {
			return fmt.Errorf("a group has no command")
		}
		if cur.name == "" {
			cur.name = filepath.Base(cur.argv[0])
		}
		for _, g := range groups {
			if g.name == cur.name {
				return fmt.Errorf("two commands are named %q", cur.name)
			}
		}
		groups = append(groups, cur)
		cur = &group{}
		return nil
	}
	for _, a := range args {
		if a == "---" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if len(cur.argv) == 0 {
			if k, v, ok := strings.Cut(a, "="); ok {
				var err error
				switch k {
				case "name":
					cur.name = v
					continue
				case "exit":
					cur.exit, err = strconv.Atoi(v)
				case "runs":
					cur.runs, err = strconv.Atoi(v)
					if err == nil && cur.runs < 1 {
						err = fmt.Errorf("must be at least 1")
					}
				case "target":
					cur.target, err = time.ParseDuration(v)
				case "ratio":
					other, k, ok := strings.Cut(v, ":")
					if !ok {
						return nil, fmt.Errorf("ratio=%s: want ratio=OTHER:K", v)
					}
					cur.ratioOf = other
					cur.ratioMin, err = strconv.ParseFloat(k, 64)
				default:
					return nil, fmt.Errorf("unknown option %s (the command comes after name=, exit=, target=, ratio=)", a)
				}
				if err != nil {
					return nil, fmt.Errorf("%s: %v", a, err)
				}
				continue
			}
		}
		cur.argv = append(cur.argv, a)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.ratioOf != "" && find(groups, g.ratioOf) == nil {
			return nil, fmt.Errorf("%s: ratio names %q, which is not a command here", g.name, g.ratioOf)
		}
	}
	return groups, nil
}

func find(groups []*group, name string) *group {
	for _, g := range groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// run runs the command once and returns its wall and CPU time.
func (g *group) run() (wall, cpu time.Duration, err error) {
	cmd := exec.Command(g.argv[0], g.argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // kept only to explain an unexpected exit
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if cmd.ProcessState == nil {
		return 0, 0, fmt.Errorf("%s: %v", g.name, err)
	}
	if code := cmd.ProcessState.ExitCode(); code != g.exit {
		return 0, 0, fmt.Errorf("%s exited %d, expected %d; its stderr:\n%s", g.name, code, g.exit, stderr.String())
	}
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return wall, cpu, nil
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	// nearest rank
	i := int(q*float64(len(s))+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func report(groups []*group, warmup int) int {
	status := 0
	fmt.Printf("Wall time of whole processes, interleaved round-robin after %d untimed warm-up runs of each.\n\n", warmup)
	fmt.Println("| command | runs | median | p90 | min | median CPU | target | |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|---|")
	for _, g := range groups {
		med := quantile(g.wall, 0.5)
		target, verdict := "", ""
		if g.target > 0 {
			target = "median ≤ " + ms(g.target)
			verdict = "met"
			if med > g.target {
				verdict, status = "MISSED", 3
			}
		}
		if g.ratioOf != "" {
			o := find(groups, g.ratioOf)
			r := float64(med) / float64(quantile(o.wall, 0.5))
			target = fmt.Sprintf("≥ %g× %s", g.ratioMin, o.name)
			verdict = fmt.Sprintf("%.0f×, met", r)
			if r < g.ratioMin {
				verdict, status = fmt.Sprintf("%.1f×, MISSED", r), 3
			}
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %s | %s |\n", g.name, len(g.wall), ms(med), ms(quantile(g.wall, 0.9)), ms(quantile(g.wall, 0)), ms(quantile(g.cpu, 0.5)), target, verdict)
	}
	fmt.Println()
	for _, g := range groups {
		fmt.Printf("- %s: `%s` (exit %d)\n", g.name, strings.Join(g.argv, " "), g.exit)
	}
	return status
}
