package awsfile

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/testkit/ci"
)

// ntEnv is the environment of the ntpath tests (Windows' is case-insensitive; these names are used
// in one spelling only).
var ntEnv = map[string]string{
	"USERPROFILE": `C:\Users\Zoë Ünal`,
	"USERNAME":    "Zoë Ünal",
	"APPDATA":     `C:\Users\Zoë Ünal\AppData\Roaming`,
	"AWSDIR":      `D:\aws files`,
	"EMPTY":       "",
	"A-B":         "dash",
	"X_1":         "x1",
}

var ntInputs = []string{
	`C:\plain\credentials`, `%USERPROFILE%\.aws\credentials`, `%AWSDIR%\config`, `%NOPE%\x`, `%%USERPROFILE%%`,
	`100%`, `%`, `%%`, `a%b`, `%EMPTY%x`, `$AWSDIR\x`, `${AWSDIR}\x`, `$NOPE\x`, `${NOPE}`, `$$AWSDIR`, `${unclosed`,
	`$A-B\x`, `$X_1.txt`, `'%AWSDIR%'\x`, `'unclosed %AWSDIR%`, `$`, `x$`, `%APPDATA%\..\cfg`,
	`~`, `~\.aws\credentials`, `~/.aws/config`, `~Zoë Ünal\x`, `~bob\.aws\credentials`, `~bob`, `x~\y`, `%USERPROFILE%~`,
}

func TestNTPathExamples(t *testing.T) {
	lookup := func(n string) (string, bool) { v, ok := ntEnv[n]; return v, ok }
	for in, want := range map[string]string{
		`%USERPROFILE%\.aws\credentials`: `C:\Users\Zoë Ünal\.aws\credentials`,
		`~\.aws\credentials`:             `C:\Users\Zoë Ünal\.aws\credentials`,
		`~bob\.aws\credentials`:          `C:\Users\bob\.aws\credentials`,
		`%NOPE%\x`:                       `%NOPE%\x`,
		`${AWSDIR}\config`:               `D:\aws files\config`,
	} {
		if got := expandUserNT(expandVarsNT(in, lookup), lookup); got != want {
			t.Errorf("%s -> %s, want %s", in, got, want)
		}
	}
	// without USERPROFILE: HOMEDRIVE + HOMEPATH; without either, ~ stays
	hp := map[string]string{"HOMEDRIVE": "C:", "HOMEPATH": `\Users\bob`}
	if got := expandUserNT(`~\x`, func(n string) (string, bool) { v, ok := hp[n]; return v, ok }); got != `C:\Users\bob\x` {
		t.Errorf("HOMEDRIVE+HOMEPATH: %s", got)
	}
	if got := expandUserNT(`~\x`, func(string) (string, bool) { return "", false }); got != `~\x` {
		t.Errorf("no home: %s", got)
	}
}

// The AWS CLI on Windows expands the file variables with Python's ntpath; these are held to it (Python's
// ntpath module runs on any system).
func TestNTPathMatchesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		ci.SkipUnlessCI(t, "python3 is not installed (apt-get install python3)")
	}
	in, _ := json.Marshal(ntInputs)
	cmd := exec.Command(py, "-c", `import json, ntpath, sys
print(json.dumps([ntpath.expanduser(ntpath.expandvars(p)) for p in json.loads(sys.argv[1])]))`, string(in))
	for k, v := range ntEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "PYTHONIOENCODING=utf-8", "LANG=C.UTF-8")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(ntInputs) {
		t.Fatalf("python3 printed %s (%v)", out, err)
	}
	lookup := func(n string) (string, bool) { v, ok := ntEnv[n]; return v, ok }
	for i, p := range ntInputs {
		if got := expandUserNT(expandVarsNT(p, lookup), lookup); got != want[i] {
			t.Errorf("%q: got %q, Python's ntpath %q", p, got, want[i])
		}
	}
	if t.Failed() {
		t.Logf("inputs: %s", strings.Join(ntInputs, "  "))
	}
}
