package rolecache

import (
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
)

// The AWS CLI's cache key: SHA-1 of json.dumps(args, sort_keys=True). The first case is the example
// verified with botocore in AWS-NOTES.md; the others pin Python's escaping (ensure_ascii, no HTML
// escaping) and the optional fields.
func TestCLICacheKey(t *testing.T) {
	for _, c := range []struct {
		h    cred.Hop
		json string
		want string
	}{
		{cred.Hop{RoleARN: "arn:aws:iam::123456789012:role/admin", Serial: "arn:aws:iam::111111111111:mfa/me", Duration: 3600 * time.Second},
			`{"DurationSeconds": 3600, "RoleArn": "arn:aws:iam::123456789012:role/admin", "SerialNumber": "arn:aws:iam::111111111111:mfa/me"}`,
			"036675a0070466d771405c9e59868ad248114bc3"},
	} {
		if got := CLIKey(c.h); got != c.want {
			t.Errorf("CLIKey(%+v) = %s, want %s (%s)", c.h, got, c.want, c.json)
		}
	}
	for in, want := range map[string]string{
		`a<b>&c/d`:   `"a<b>&c/d"`,
		"é":          `"\u00e9"`,
		"😀":          `"\ud83d\ude00"`,
		"q\"\\\n\t":  `"q\"\\\n\t"`,
		"\x01\x7f":   `"\u0001\u007f"`,
		"team-id:42": `"team-id:42"`,
	} {
		if got := pyJSONString(in); got != want {
			t.Errorf("pyJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

// The role cache file round-trips, refuses a value with a line break, and rejects another version.
func TestRoleEntryEncoding(t *testing.T) {
	e := Entry{Version: 1, CredentialsFile: "/home/a b/.aws/credentials", Profile: "prod", Source: "default",
		MFASerial: "arn:aws:iam::123456789012:mfa/me", RoleARN: "arn:aws:iam::123456789012:role/admin",
		Chain: []string{"prod=arn:aws:iam::123456789012:role/admin|x = y|"}, ExternalID: "x = y", Direct: true}
	e.Credentials.AccessKeyID, e.Credentials.SecretAccessKey, e.Credentials.SessionToken, e.Credentials.Expiration = "ASIA1", "s/e+c=", "t/o+k==", "2026-12-01T10:00:00Z"
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil || got.Profile != e.Profile || got.ExternalID != e.ExternalID || len(got.Chain) != 1 || got.Chain[0] != e.Chain[0] ||
		got.Credentials != e.Credentials || !got.Direct || got.CredentialsFile != e.CredentialsFile {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	e.Profile = "a\nversion = 2"
	if _, err := e.Encode(); err == nil {
		t.Errorf("a value with a line break must be refused")
	}
	if _, err := Decode([]byte("version = 2\nprofile = x\n")); err == nil {
		t.Errorf("another version must be refused")
	}
}
