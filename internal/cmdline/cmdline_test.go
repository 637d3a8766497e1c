package cmdline

import (
	"reflect"
	"testing"
	"time"
)

// known stands for shellenv's formats.
func known(f string) bool { return f == "bash" || f == "fish" }

func TestParse(t *testing.T) {
	served := []struct {
		args []string
		want Line
	}{
		{[]string{"credential-process"}, Line{Cmd: "credential-process"}},
		{[]string{"credential-process", "--profile", "work"}, Line{Cmd: "credential-process", Profile: "work"}},
		{[]string{"credential-process", "--profile=work"}, Line{Cmd: "credential-process", Profile: "work"}},
		{[]string{"credential-process", "-p", "work"}, Line{Cmd: "credential-process", Profile: "work"}},
		{[]string{"status", "--check"}, Line{Cmd: "status", Check: true}},
		{[]string{"status", "--profile", "x", "--check", "--min-remaining", "30m"}, Line{Cmd: "status", Profile: "x", Check: true, MinRemaining: 30 * time.Minute, MinSet: true}},
		{[]string{"status", "--check", "--min-remaining=0s"}, Line{Cmd: "status", Check: true, MinSet: true}},
		{[]string{"status", "--prompt", "-p", "x"}, Line{Cmd: "status", Prompt: true, Profile: "x"}},
		{[]string{"exec", "--", "aws", "s3", "ls"}, Line{Cmd: "exec", Command: []string{"aws", "s3", "ls"}}},
		{[]string{"exec", "aws", "--profile", "x"}, Line{Cmd: "exec", Command: []string{"aws", "--profile", "x"}}},
		{[]string{"exec", "-p", "prod", "--", "env", "--", "-x"}, Line{Cmd: "exec", Profile: "prod", Command: []string{"env", "--", "-x"}}},
		{[]string{"exec", "--profile=prod", "true"}, Line{Cmd: "exec", Profile: "prod", Command: []string{"true"}}},
		{[]string{"env"}, Line{Cmd: "env"}},
		{[]string{"env", "--format", "fish", "-p", "prod"}, Line{Cmd: "env", Format: "fish", Profile: "prod"}},
		{[]string{"env", "--format=process"}, Line{Cmd: "env", Format: "process"}},
		{[]string{"--debug", "credential-process"}, Line{Cmd: "credential-process", Debug: true}},
		{[]string{"credential-process", "--debug", "-p", "x"}, Line{Cmd: "credential-process", Debug: true, Profile: "x"}},
		{[]string{"exec", "--debug", "--", "true"}, Line{Cmd: "exec", Debug: true, Command: []string{"true"}}},
		{[]string{"--debug", "status", "--prompt"}, Line{Cmd: "status", Debug: true, Prompt: true}},
	}
	for _, c := range served {
		got, ok := Parse(c.args, known)
		if !ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parse(%q) = %+v, %v; want %+v, true", c.args, got, ok, c.want)
		}
	}
	// each of these is the engine's: another command or flag, a usage error, a form pflag reads
	// differently
	engine := [][]string{
		nil, {}, {"login"}, {"--debug"}, {"--debug", "--debug", "status", "--check"}, {"--debug=true", "credential-process"}, {"credential-process", "--debug=true"},
		{"credential-process", "extra"}, {"credential-process", "--"}, {"credential-process", "--profile"},
		{"credential-process", "--profile", ""}, {"credential-process", "--profile="}, {"credential-process", "--profile", "-x"},
		{"credential-process", "-p=work"}, {"credential-process", "-pwork"}, {"credential-process", "--profile", "a", "--profile", "b"},
		{"credential-process", "-p", "a", "--profile", "b"}, {"credential-process", "--check"}, {"credential-process", "--min-remaining", "1h"},
		{"credential-process", "--help"}, {"credential-process", "-h"}, {"credential-process", "--serial-number", "x"},
		{"status"}, {"status", "--json"}, {"status", "--check", "--prompt"}, {"status", "--prompt", "--min-remaining", "1h"},
		{"status", "--check", "--min-remaining", "-1m"}, {"status", "--check", "--min-remaining", "soon"}, {"status", "--check=true"},
		{"status", "--check", "--check"}, {"status", "--check", "x"}, {"status", "--check", "--timeout", "1s"},
		{"exec"}, {"exec", "--"}, {"exec", "--profile", "x"}, {"exec", "--min-remaining", "1h", "--", "true"},
		{"exec", "--check", "--", "true"}, {"status", "--check", "--debug", "--debug"},
		{"env", "--unset"}, {"env", "--format", "bogus"}, {"env", "--format"}, {"env", "--format", ""},
		{"env", "--format", "fish", "--format", "bash"}, {"env", "--check"}, {"credential-process", "--format", "bash"},
	}
	for _, args := range engine {
		if got, ok := Parse(args, known); ok {
			t.Errorf("parse(%q) = %+v, true; want it left to the engine", args, got)
		}
	}
}
