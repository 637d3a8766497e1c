package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/tokencmd"
	"github.com/stsmfa/stsmfa/internal/usedcode"
)

const testSerial = "arn:aws:iam::123456789012:mfa/phone"

func refusal(code, msg string) error {
	return &fault.Error{Code: fault.Refused, Msg: "explained", Cause: &smithy.GenericAPIError{Code: code, Message: msg}}
}

// AWS's refusals of a code are told apart: wrong (with what to check for the code's origin), already
// used (a record says so: another process had it accepted), and a device AWS does not know.
func TestCodeSourceRefused(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	src := &Source{Profile: "work", Serial: testSerial, SerialFrom: "mfa_serial in /h/.aws/config", TokenCommand: "ykman:aws", TokenFrom: "mfa_process in /h/.aws/config"}
	src.token, _ = tokencmd.Parse(src.TokenCommand, src.TokenFrom, "", "")
	wrongCode := refusal("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	c := &codeSource{req: &Request{}, src: src, origin: fromTerminal}
	err := c.refused(wrongCode, "123456")
	if codeOf(err) != fault.Refused || !strings.Contains(err.Error(), "AWS rejected the MFA code as wrong (or used elsewhere within the last minute)") ||
		!strings.Contains(err.Error(), "is its clock right?") || !errors.Is(err, wrongCode) {
		t.Errorf("typed: %v", err)
	}
	c.origin = fromCommand
	if err := c.refused(wrongCode, "123456"); !strings.Contains(err.Error(), "from the token command (ykman:aws, from mfa_process in /h/.aws/config) as wrong") ||
		!strings.Contains(err.Error(), "is this computer's clock right?") {
		t.Errorf("token command: %v", err)
	}
	now := time.Now()
	if err := usedcode.Save(nil, testSerial, "123456", now, now, false); err != nil {
		t.Fatal(err)
	}
	if err := c.refused(wrongCode, "123456"); codeOf(err) != fault.Refused || !strings.Contains(err.Error(), "AWS refused the MFA code as already used (AWS accepted it at ") {
		t.Errorf("already used: %v", err)
	}
	badSerial := refusal("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
	err = c.refused(badSerial, "123456")
	if !strings.Contains(err.Error(), `AWS does not know MFA device arn:aws:iam::****9012:mfa/phone (mfa_serial in /h/.aws/config) as a device of the IAM user of profile "work"`) ||
		!strings.Contains(err.Error(), "fix mfa_serial") || fault.FieldOf(err) != fault.FieldSerial {
		t.Errorf("serial from config: %v", err)
	}
	src.SerialFrom = "--serial-number"
	if err := c.refused(badSerial, "123456"); strings.Contains(err.Error(), "mfa_serial") || fault.FieldOf(err) != fault.FieldNone {
		t.Errorf("serial from a flag: %v", err)
	}
	other := refusal("AccessDenied", "User is not authorized")
	if err := c.refused(other, "123456"); err != other {
		t.Errorf("other refusals pass unchanged: %v", err)
	}
}

func TestCheckNotFIDO(t *testing.T) {
	for _, s := range []string{"arn:aws:iam::123456789012:mfa/phone", "GAHT12345678", ""} {
		if err := checkNotFIDO(s, "x"); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	err := checkNotFIDO("arn:aws:iam::123456789012:u2f/user/alice/key-ABC", "mfa_serial in /c")
	if codeOf(err) != fault.Refused || !strings.Contains(err.Error(), "arn:aws:iam::****9012:u2f/user/alice/key-ABC (mfa_serial in /c) is a FIDO security key") ||
		!strings.Contains(err.Error(), "aws login") || fault.FieldOf(err) != fault.FieldSerial {
		t.Errorf("FIDO: %v", err)
	}
}

// A code given up front that stsmfa's record says AWS took is refused before any call; a typed one is
// said so and asked for again.
func TestCodeSourceUsedCode(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	now := time.Now()
	if err := usedcode.Save(nil, testSerial, "123456", now, now, false); err != nil {
		t.Fatal(err)
	}
	src := &Source{Profile: "default", Serial: testSerial}
	ctx := context.Background()
	_, err := getCode(ctx, &Request{Code: "123 456"}, src, nil)
	if codeOf(err) != fault.Refused || !strings.Contains(err.Error(), "the MFA code given on the command line was already used: AWS accepted it at ") {
		t.Errorf("argument: %v", err)
	}
	if code, err := getCode(ctx, &Request{Code: "654321"}, src, nil); err != nil || code != "654321" {
		t.Errorf("another argument: %q %v", code, err)
	}
	tty := &fakeTerminal{answers: []string{"123456", "654321"}}
	if code, err := getCode(ctx, &Request{}, src, tty); err != nil || code != "654321" {
		t.Errorf("typed: %q %v", code, err)
	}
	if len(tty.asked) != 2 || !strings.HasPrefix(tty.asked[1], "that code was already used (AWS accepted it at ") {
		t.Errorf("asked %q", tty.asked)
	}
	tty = &fakeTerminal{answers: []string{"123456", "123 456", "123456", "654321"}}
	if _, err := getCode(ctx, &Request{}, src, tty); codeOf(err) != fault.Usage || !strings.Contains(err.Error(), "already used") || len(tty.asked) != 3 {
		t.Errorf("typed 3 times: %v after %d", err, len(tty.asked))
	}
}
