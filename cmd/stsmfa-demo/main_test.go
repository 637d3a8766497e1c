package main

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// The README's "run it" command must keep working: the demo logs in, reuses the session, reports it,
// and masks every secret it prints.
func TestDemo(t *testing.T) {
	for _, k := range []string{"HOME", "XDG_CACHE_HOME", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE"} {
		t.Setenv(k, os.Getenv(k)) // restored after the demo rewrites them
	}
	var out bytes.Buffer
	if err := run(&out, false); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		`(?m)^mfa: new session valid 11h59m, until `,
		`(?m)^mfa: reusing session, valid 11h59m, until .*; no code needed`,
		`(?m)^mfa\s+default\s+arn:aws:iam::\*\*\*\*9012:mfa/alice-phone\s+.*\s+valid$`,
		`(?m)^mfa 11h59m$`,
		`(?m)^export AWS_SESSION_TOKEN='[^']{8}…'$`,
		`"Version":1`,
		`The stand-in answered 1 GetSessionToken call\(s\) in all\.`,
	} {
		if !regexp.MustCompile(want).Match(out.Bytes()) {
			t.Errorf("demo output lacks %s\n%s", want, out.String())
		}
	}
	// no unmasked secret: a 40-character secret key or a long token would show as a long run
	if m := regexp.MustCompile(`(?m)(aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken)\W+[A-Za-z0-9/+=]{9,}`).Find(out.Bytes()); m != nil {
		t.Errorf("demo printed a secret unmasked: %q", m)
	}
}
