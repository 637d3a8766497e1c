//go:build !windows

// Command proctime times whole processes: it runs each command many times, interleaved round-robin so
// that machine noise hits all of them alike, and prints the median and 90th percentile of the wall
// time of each run (fork, exec, run, exit, wait), plus the median CPU time (user+sys), as a Markdown
// table. Every child runs in its own session (no controlling terminal), with stdin from /dev/null and
// its output discarded; a run whose exit code is not the expected one stops the benchmark, so a figure
// never comes from a failing command.
//
//	proctime [-n 200] [-warmup 5] [-ref NAME,...] -- [name=LABEL] [exit=0] [runs=N] [env=K=V] [target=5ms]
//	         [ratio=OTHER:50] [over=OTHER:1.2ms] CMD ARGS... --- ...
//
// Options before each command: name labels it; exit is the expected exit code; runs overrides -n;
// env=K=V sets a variable in its environment (repeatable; the rest is inherited); target is the
// median it should stay under; ratio=OTHER:K says its median should be at least K times OTHER's (by
// name); over=OTHER:D says its median should be at most D above OTHER's. -ref adds a column per named
// command with the difference of each median to that command's (e.g. a Go hello-world, /bin/true).
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
	overOf   string
	overMax  time.Duration
	env      []string // K=V added to the inherited environment
	runs     int      // 0 = -n
	wall     []time.Duration
	cpu      []time.Duration
}

func main() {
	n := flag.Int("n", 200, "timed runs of each command")
	warmup := flag.Int("warmup", 5, "untimed runs of each command first (page cache, CPU frequency)")
	ref := flag.String("ref", "", "comma-separated names of commands to print each median's difference to")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: proctime [-n N] [-warmup W] [-ref NAME,...] -- [name=L] [exit=C] [env=K=V] [target=D] [ratio=OTHER:K] [over=OTHER:D] CMD ARGS... --- ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	groups, err := parse(flag.Args())
	var refs []*group
	if err == nil && *ref != "" {
		for _, name := range strings.Split(*ref, ",") {
			g := find(groups, name)
			if g == nil {
				err = fmt.Errorf("-ref names %q, which is not a command here", name)
				break
			}
			refs = append(refs, g)
		}
	}
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
	os.Exit(report(groups, refs, *warmup))
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
				case "over":
					other, d, ok := strings.Cut(v, ":")
					if !ok {
						return nil, fmt.Errorf("over=%s: want over=OTHER:DURATION", v)
					}
					cur.overOf = other
					cur.overMax, err = time.ParseDuration(d)
				case "env":
					if !strings.Contains(v, "=") {
						return nil, fmt.Errorf("env=%s: want env=NAME=VALUE", v)
					}
					cur.env = append(cur.env, v)
				default:
					return nil, fmt.Errorf("unknown option %s (the command comes after name=, exit=, runs=, env=, target=, ratio=, over=)", a)
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
		if g.overOf != "" && find(groups, g.overOf) == nil {
			return nil, fmt.Errorf("%s: over names %q, which is not a command here", g.name, g.overOf)
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
	if len(g.env) > 0 {
		cmd.Env = append(os.Environ(), g.env...)
	}
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

// diff formats a difference of medians with its sign.
func diff(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "−", -d
	}
	return sign + ms(d)
}

func report(groups, refs []*group, warmup int) int {
	status := 0
	fmt.Printf("Wall time of whole processes, interleaved round-robin after %d untimed warm-up runs of each.\n\n", warmup)
	head, rule := "| command | runs | median | p90 | min | median CPU |", "|---|---:|---:|---:|---:|---:|"
	for _, r := range refs {
		head += " − " + r.name + " |"
		rule += "---:|"
	}
	fmt.Println(head + " target | |")
	fmt.Println(rule + "---|---|")
	for _, g := range groups {
		med := quantile(g.wall, 0.5)
		var targets, verdicts []string
		check := func(target string, ok bool, shown string) {
			targets = append(targets, target)
			if !ok {
				status = 3
				verdicts = append(verdicts, shown+"MISSED")
				return
			}
			verdicts = append(verdicts, shown+"met")
		}
		if g.target > 0 {
			check("median ≤ "+ms(g.target), med <= g.target, "")
		}
		if g.ratioOf != "" {
			o := find(groups, g.ratioOf)
			r := float64(med) / float64(quantile(o.wall, 0.5))
			check(fmt.Sprintf("≥ %g× %s", g.ratioMin, o.name), r >= g.ratioMin, fmt.Sprintf("%.0f×, ", r))
		}
		if g.overOf != "" {
			o := find(groups, g.overOf)
			d := med - quantile(o.wall, 0.5)
			check(fmt.Sprintf("≤ %s + %s", o.name, ms(g.overMax)), d <= g.overMax, diff(d)+", ")
		}
		row := fmt.Sprintf("| %s | %d | %s | %s | %s | %s |", g.name, len(g.wall), ms(med), ms(quantile(g.wall, 0.9)), ms(quantile(g.wall, 0)), ms(quantile(g.cpu, 0.5)))
		for _, r := range refs {
			row += " " + diff(med-quantile(r.wall, 0.5)) + " |"
		}
		fmt.Printf("%s %s | %s |\n", row, strings.Join(targets, "; "), strings.Join(verdicts, "; "))
	}
	fmt.Println()
	for _, g := range groups {
		env := ""
		if len(g.env) > 0 {
			env = strings.Join(g.env, " ") + " "
		}
		fmt.Printf("- %s: `%s%s` (exit %d)\n", g.name, env, strings.Join(g.argv, " "), g.exit)
	}
	return status
}
