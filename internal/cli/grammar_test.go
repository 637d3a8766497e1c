package cli

import (
	"io"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/cmdline"
	"github.com/stsmfa/stsmfa/internal/shellenv"
)

// The front reads its command lines with internal/cmdline; the engine with cobra and pflag. Wherever
// cmdline says a line is one the front may serve, cobra must read the same command, the same flag
// values and the same arguments, and accept them. (The front may leave any line to the engine: only
// what it serves must mean the same.) The profile reader of credential_process lines agrees too.

func formatKnown(f string) bool {
	_, err := shellenv.Set(f, nil)
	return err == nil
}

// cobraLine is what cobra reads from args, in cmdline's terms; ok is false when cobra refuses them.
func cobraLine(t *testing.T, args []string) (cmdline.Line, bool) {
	a := &app{Options: Options{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now}}
	root := a.rootCmd()
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		return cmdline.Line{}, false
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return cmdline.Line{}, false
	}
	pos := cmd.Flags().Args()
	if err := cmd.ValidateArgs(pos); err != nil {
		return cmdline.Line{}, false
	}
	f := cmd.Flags()
	l := cmdline.Line{Cmd: cmd.Name()}
	l.Profile, _ = f.GetString("profile")
	l.Debug, _ = f.GetBool("debug")
	switch l.Cmd {
	case "status":
		l.Check, _ = f.GetBool("check")
		l.Prompt, _ = f.GetBool("prompt")
		l.MinRemaining, _ = f.GetDuration("min-remaining")
		l.MinSet = f.Changed("min-remaining")
	case "env":
		l.Format, _ = f.GetString("format")
	case "exec":
		l.Command = pos
	}
	return l, true
}

func checkGrammar(t *testing.T, args []string) {
	got, ok := cmdline.Parse(args, formatKnown)
	if !ok {
		return
	}
	want, cok := cobraLine(t, args)
	if !cok {
		t.Fatalf("the front would serve %q but cobra refuses it", args)
	}
	if got.Cmd == "env" && got.Format == "" {
		got.Format = "bash" // env's default, which cobra fills in
	}
	if !got.MinSet && want.MinSet == false && got.Cmd == "status" {
		got.MinRemaining = want.MinRemaining // the default; the front uses its own when not given
	}
	if strings.Join(got.Command, "\x00") != strings.Join(want.Command, "\x00") || len(got.Command) != len(want.Command) {
		t.Fatalf("%q: the front runs %q, cobra %q", args, got.Command, want.Command)
	}
	got.Command, want.Command = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: the front reads %+v, cobra %+v", args, got, want)
	}
	if got.Cmd == "credential-process" {
		line := "/usr/bin/stsmfa " + strings.Join(args, " ")
		if p, ok := cmdline.ProcessProfile(line); (ok || want.Profile != "") && p != want.Profile && !strings.ContainsAny(strings.Join(args, ""), " \t") {
			t.Fatalf("%q: the credential_process reader finds profile %q, cobra %q", line, p, want.Profile)
		}
	}
}

// words is what the generated command lines are made of: every flag the served commands know, in every
// form pflag accepts, values good and bad, and stray arguments.
var words = []string{
	"credential-process", "status", "env", "exec", "login", "--", "-",
	"--profile", "-p", "--profile=a", "-p=a", "-pa", "a", "b", "prod", "",
	"--debug", "--debug=true", "--debug=false", "--check", "--check=true", "--prompt", "--prompt=false",
	"--min-remaining", "--min-remaining=5m", "5m", "1h30m", "-1m", "soon", "0s",
	"--format", "--format=fish", "bash", "fish", "process", "json", "bogus", "--unset", "--json",
	"--timeout", "1s", "--help", "-h", "aws", "sts", "-x", "--x",
}

func TestGrammarMatchesCobra(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 20000
	if testing.Short() {
		n = 3000
	}
	for i := 0; i < n; i++ {
		k := 1 + rng.Intn(7)
		args := make([]string, k)
		for j := range args {
			args[j] = words[rng.Intn(len(words))]
		}
		if rng.Intn(2) == 0 { // most interesting lines start with a served command
			args[0] = words[rng.Intn(4)]
		}
		checkGrammar(t, args)
	}
}

func FuzzGrammar(f *testing.F) {
	for _, s := range []string{
		"credential-process\x00--profile\x00prod", "status\x00--check\x00--min-remaining\x0030m", "--debug\x00env\x00--format=fish",
		"exec\x00-p\x00prod\x00--\x00aws\x00--debug", "status\x00--prompt\x00-p\x00x", "env\x00--format\x00process",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkGrammar(t, strings.Split(s, "\x00"))
	})
}
