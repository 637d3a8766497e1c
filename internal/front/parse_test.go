//go:build !windows

package front

import (
	"reflect"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	served := []struct {
		args []string
		want line
	}{
		{[]string{"credential-process"}, line{cmd: "credential-process"}},
		{[]string{"credential-process", "--profile", "work"}, line{cmd: "credential-process", profile: "work"}},
		{[]string{"credential-process", "--profile=work"}, line{cmd: "credential-process", profile: "work"}},
		{[]string{"credential-process", "-p", "work"}, line{cmd: "credential-process", profile: "work"}},
		{[]string{"status", "--check"}, line{cmd: "status", check: true}},
		{[]string{"status", "--profile", "x", "--check", "--min-remaining", "30m"}, line{cmd: "status", profile: "x", check: true, minRemaining: 30 * time.Minute, minSet: true}},
		{[]string{"status", "--check", "--min-remaining=0s"}, line{cmd: "status", check: true, minSet: true}},
		{[]string{"status", "--prompt", "-p", "x"}, line{cmd: "status", prompt: true, profile: "x"}},
		{[]string{"exec", "--", "aws", "s3", "ls"}, line{cmd: "exec", command: []string{"aws", "s3", "ls"}}},
		{[]string{"exec", "aws", "--profile", "x"}, line{cmd: "exec", command: []string{"aws", "--profile", "x"}}},
		{[]string{"exec", "-p", "prod", "--", "env", "--", "-x"}, line{cmd: "exec", profile: "prod", command: []string{"env", "--", "-x"}}},
		{[]string{"exec", "--profile=prod", "true"}, line{cmd: "exec", profile: "prod", command: []string{"true"}}},
		{[]string{"env"}, line{cmd: "env", format: "bash"}},
		{[]string{"env", "--format", "fish", "-p", "prod"}, line{cmd: "env", format: "fish", profile: "prod"}},
		{[]string{"env", "--format=process"}, line{cmd: "env", format: "process"}},
	}
	for _, c := range served {
		got, ok := parse(c.args)
		if !ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parse(%q) = %+v, %v; want %+v, true", c.args, got, ok, c.want)
		}
	}
	// each of these is the engine's: another command or flag, a usage error, a form pflag reads
	// differently
	engine := [][]string{
		nil, {}, {"login"}, {"--debug", "credential-process"}, {"credential-process", "--debug"},
		{"credential-process", "extra"}, {"credential-process", "--"}, {"credential-process", "--profile"},
		{"credential-process", "--profile", ""}, {"credential-process", "--profile="}, {"credential-process", "--profile", "-x"},
		{"credential-process", "-p=work"}, {"credential-process", "-pwork"}, {"credential-process", "--profile", "a", "--profile", "b"},
		{"credential-process", "-p", "a", "--profile", "b"}, {"credential-process", "--check"}, {"credential-process", "--min-remaining", "1h"},
		{"credential-process", "--help"}, {"credential-process", "-h"}, {"credential-process", "--serial-number", "x"},
		{"status"}, {"status", "--json"}, {"status", "--check", "--prompt"}, {"status", "--prompt", "--min-remaining", "1h"},
		{"status", "--check", "--min-remaining", "-1m"}, {"status", "--check", "--min-remaining", "soon"}, {"status", "--check=true"},
		{"status", "--check", "--check"}, {"status", "--check", "x"}, {"status", "--check", "--timeout", "1s"},
		{"exec"}, {"exec", "--"}, {"exec", "--profile", "x"}, {"exec", "--min-remaining", "1h", "--", "true"},
		{"exec", "--debug", "--", "true"}, {"exec", "--check", "--", "true"},
		{"env", "--unset"}, {"env", "--format", "bogus"}, {"env", "--format"}, {"env", "--format", ""},
		{"env", "--format", "fish", "--format", "bash"}, {"env", "--check"}, {"credential-process", "--format", "bash"},
	}
	for _, args := range engine {
		if got, ok := parse(args); ok {
			t.Errorf("parse(%q) = %+v, true; want it left to the engine", args, got)
		}
	}
}
