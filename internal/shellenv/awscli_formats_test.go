package shellenv

import (
	"strings"
	"testing"
)

// The AWS CLI's format names print its line shapes; a value no AWS credential has is quoted (env) or
// refused (windows-cmd), never written in a way a shell would misread.
func TestAWSCLIFormats(t *testing.T) {
	vars := []Var{{"AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"}, {"AWS_SESSION_TOKEN", "to/ken+=="}, {"AWS_CREDENTIAL_EXPIRATION", "2026-12-01T10:00:00Z"}}
	for format, want := range map[string]string{
		"env":           "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nexport AWS_SESSION_TOKEN=to/ken+==\nexport AWS_CREDENTIAL_EXPIRATION=2026-12-01T10:00:00Z\n",
		"env-no-export": "AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SESSION_TOKEN=to/ken+==\nAWS_CREDENTIAL_EXPIRATION=2026-12-01T10:00:00Z\n",
		"windows-cmd":   strings.ReplaceAll("set AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nset AWS_SESSION_TOKEN=to/ken+==\nset AWS_CREDENTIAL_EXPIRATION=2026-12-01T10:00:00Z\n", "\n", cliEOL),
	} {
		got, err := Set(format, vars)
		if err != nil || got != want {
			t.Errorf("%s: %q, %v\nwant %q", format, got, err, want)
		}
	}
	odd := []Var{{"X", "a b'$c"}}
	if got, _ := Set("env", odd); got != "export X='a b'\\''$c'\n" {
		t.Errorf("env quotes what needs it: %q", got)
	}
	if _, err := Set("windows-cmd", odd); err == nil {
		t.Errorf("windows-cmd must refuse a value cmd would misread")
	}
	if got, _ := Unset("env", []string{"A", "B"}); got != "unset A B\n" {
		t.Errorf("unset env: %q", got)
	}
}
