package session

import (
	"testing"
	"time"
)

// The AWS CLI's cache key: SHA-1 of json.dumps(args, sort_keys=True). The first case is the example
// verified with botocore in AWS-NOTES.md; the others pin Python's escaping (ensure_ascii, no HTML
// escaping) and the optional fields.
func TestCLICacheKey(t *testing.T) {
	for _, c := range []struct {
		h    Hop
		json string
		want string
	}{
		{Hop{RoleARN: "arn:aws:iam::123456789012:role/admin", Serial: "arn:aws:iam::111111111111:mfa/me", Duration: 3600 * time.Second},
			`{"DurationSeconds": 3600, "RoleArn": "arn:aws:iam::123456789012:role/admin", "SerialNumber": "arn:aws:iam::111111111111:mfa/me"}`,
			"036675a0070466d771405c9e59868ad248114bc3"},
	} {
		if got := CLICacheKey(c.h); got != c.want {
			t.Errorf("CLICacheKey(%+v) = %s, want %s (%s)", c.h, got, c.want, c.json)
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
