package fakeaws

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var (
	asiaRe = regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`)
	ctx    = context.Background()
)

func TestGetSessionTokenWithMFA(t *testing.T) {
	f := newFixture(t)
	out, err := f.gst(f.userSTS(f.alice), aliceSerial, f.code(f.alice, 0), 3600)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !asiaRe.MatchString(*c.AccessKeyId) {
		t.Errorf("AccessKeyId %q", *c.AccessKeyId)
	}
	if len(*c.SecretAccessKey) != 40 {
		t.Errorf("SecretAccessKey length %d", len(*c.SecretAccessKey))
	}
	for _, ch := range []string{"/", "+", "="} {
		if !strings.Contains(*c.SessionToken, ch) {
			t.Errorf("SessionToken lacks %q", ch)
		}
	}
	if want := f.clk.Now().Add(time.Hour); !c.Expiration.Equal(want.Truncate(time.Millisecond)) {
		t.Errorf("Expiration %v, want %v", c.Expiration, want)
	}
	// The server accepts the new credentials.
	id, err := f.credsSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:iam::123456789012:user/alice" || *id.Account != account || !strings.HasPrefix(*id.UserId, "AIDA") {
		t.Errorf("identity %s %s %s", *id.Arn, *id.Account, *id.UserId)
	}
	if n := f.srv.Calls("GetSessionToken"); n != 1 {
		t.Errorf("Calls(GetSessionToken) = %d", n)
	}
	if n := f.srv.Calls("GetCallerIdentity"); n != 1 {
		t.Errorf("Calls(GetCallerIdentity) = %d", n)
	}
}

func TestGetSessionTokenDefaultDurationWithoutMFA(t *testing.T) {
	f := newFixture(t)
	out, err := f.gst(f.userSTS(f.alice), "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Credentials.Expiration.Sub(f.clk.Now()); got != 43200*time.Second {
		t.Errorf("default duration %v", got)
	}
}

func TestGetCallerIdentityLongTermAndRoot(t *testing.T) {
	f := newFixture(t)
	id, err := f.userSTS(f.root).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:iam::123456789012:root" || *id.UserId != account {
		t.Errorf("root identity %s %s", *id.Arn, *id.UserId)
	}
	id, err = f.userSTS(f.bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:iam::123456789012:user/bob" {
		t.Errorf("bob identity %s", *id.Arn)
	}
}

func TestBadSignature(t *testing.T) {
	f := newFixture(t)
	_, err := f.sts(f.alice.AccessKeyID, "wrong"+f.alice.SecretAccessKey[5:], "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403, "The request signature we calculated does not match")
}

func TestUnknownAccessKey(t *testing.T) {
	f := newFixture(t)
	_, err := f.sts("AKIANOBODY0000000000", "x", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
}

func TestClockSkew(t *testing.T) {
	f := newFixture(t)
	// One attempt, and a fresh client per call: the SDK remembers the skew
	// it saw in the Date header and would correct later calls.
	c := f.userSTS(f.alice)
	f.clk.Set(time.Now().Add(20 * time.Minute))
	_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403, "Signature expired: ")
	wantAPIError(t, err, "SignatureDoesNotMatch", 403, " is now earlier than ")

	f.clk.Set(time.Now().Add(-20 * time.Minute))
	c = f.userSTS(f.alice)
	_, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403, "Signature not yet current: ")
	wantAPIError(t, err, "SignatureDoesNotMatch", 403, " is still later than ")

	f.clk.Set(time.Now().Add(14 * time.Minute))
	c = f.userSTS(f.alice)
	if _, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("14 min skew should pass: %v", err)
	}
}

// Like real AWS the server sends its clock in the Date header, so the Go
// SDK (with retries) corrects a skewed client clock on the second attempt.
func TestClockSkewCorrectedBySDKRetry(t *testing.T) {
	f := newFixture(t)
	f.clk.Set(time.Now().Add(30 * time.Minute))
	c := f.stsN(f.alice.AccessKeyID, f.alice.SecretAccessKey, "", 3)
	if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls("GetCallerIdentity"); n != 2 {
		t.Errorf("Calls = %d, want 2 (skewed, then corrected)", n)
	}
}

func TestWrongCode(t *testing.T) {
	f := newFixture(t)
	good := f.code(f.alice, 0)
	bad := fmt.Sprintf("%06d", (mustAtoi(t, good)+1)%1000000)
	_, err := f.gst(f.userSTS(f.alice), aliceSerial, bad, 3600)
	wantAPIError(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	// A code two steps away is outside the ±1 window.
	_, err = f.gst(f.userSTS(f.alice), aliceSerial, f.code(f.alice, -2), 3600)
	wantAPIError(t, err, "AccessDenied", 403, "invalid MFA one time pass code")
}

func mustAtoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCodeWindowAndReuse(t *testing.T) {
	f := newFixture(t)
	c := f.userSTS(f.alice)
	code := f.code(f.alice, 0)
	if _, err := f.gst(c, aliceSerial, code, 3600); err != nil {
		t.Fatal(err)
	}
	// Reuse in the same 30 s window is refused.
	_, err := f.gst(c, aliceSerial, code, 3600)
	wantAPIError(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	// The previous step's code is older than the last accepted one.
	_, err = f.gst(c, aliceSerial, f.code(f.alice, -1), 3600)
	wantAPIError(t, err, "AccessDenied", 403, "invalid MFA one time pass code")
	// Still refused half a minute later (the code is then one step old).
	f.clk.Add(30 * time.Second)
	_, err = f.gst(c, aliceSerial, code, 3600)
	wantAPIError(t, err, "AccessDenied", 403, "invalid MFA one time pass code")
	// The next window's code works; the one after (+1 step) too.
	if _, err := f.gst(c, aliceSerial, f.code(f.alice, 0), 3600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.gst(c, aliceSerial, f.code(f.alice, 1), 3600); err != nil {
		t.Fatalf("+1 step code: %v", err)
	}
	// Bob's device is independent.
	if _, err := f.gst(f.userSTS(f.bob), bobSerial, f.code(f.bob, 0), 3600); err != nil {
		t.Fatal(err)
	}
}

func TestSerialOfAnotherUser(t *testing.T) {
	f := newFixture(t)
	_, err := f.gst(f.userSTS(f.alice), bobSerial, f.code(f.bob, 0), 3600)
	wantAPIError(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
	_, err = f.gst(f.userSTS(f.alice), "arn:aws:iam::123456789012:mfa/nope", "123456", 3600)
	wantAPIError(t, err, "AccessDenied", 403, "unable to validate MFA code")
}

func TestTokenCodeValidation(t *testing.T) {
	f := newFixture(t)
	c := f.userSTS(f.alice)
	_, err := f.gst(c, aliceSerial, "12345", 3600)
	wantAPIError(t, err, "ValidationError", 400, "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6")
	_, err = f.gst(c, aliceSerial, "12a456", 3600)
	wantAPIError(t, err, "ValidationError", 400, "Member must satisfy regular expression pattern")
	_, err = c.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial)})
	wantAPIError(t, err, "ValidationError", 400, "'tokenCode'")
	_, err = f.gst(c, aliceSerial, "1234567", 10)
	wantAPIError(t, err, "ValidationError", 400, "2 validation errors detected: ")
}

func TestDurationLimits(t *testing.T) {
	f := newFixture(t)
	c := f.userSTS(f.alice)
	_, err := f.gst(c, "", "", 10)
	wantAPIError(t, err, "ValidationError", 400, "1 validation error detected: Value '10' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")
	_, err = f.gst(c, "", "", 899)
	wantAPIError(t, err, "ValidationError", 400, "greater than or equal to 900")
	_, err = f.gst(c, "", "", 129601)
	wantAPIError(t, err, "ValidationError", 400, "Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600")
	for _, d := range []int32{900, 129600} {
		out, err := f.gst(c, "", "", d)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Credentials.Expiration.Sub(f.clk.Now()); got != time.Duration(d)*time.Second {
			t.Errorf("duration %d gave %v", d, got)
		}
	}
}

func TestRootCappedAt3600(t *testing.T) {
	f := newFixture(t)
	out, err := f.gst(f.userSTS(f.root), rootSerial, f.code(f.root, 0), 43200)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Credentials.Expiration.Sub(f.clk.Now()); got != time.Hour {
		t.Errorf("root session lasts %v, want 1h", got)
	}
	id, err := f.credsSTS(out.Credentials).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:iam::123456789012:root" {
		t.Errorf("root session ARN %s", *id.Arn)
	}
	// Root cannot assume roles.
	_, err = f.userSTS(f.root).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(adminRole), RoleSessionName: aws.String("x1")})
	wantAPIError(t, err, "AccessDenied", 403, "Roles may not be assumed by root accounts.")
}

func TestSessionCredsRefusedForGetSessionToken(t *testing.T) {
	f := newFixture(t)
	out, err := f.gst(f.userSTS(f.alice), "", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.gst(f.credsSTS(out.Credentials), "", "", 900)
	wantAPIError(t, err, "AccessDenied", 403, "Cannot call GetSessionToken with session credentials")
}

func TestSessionTokenRequiredAndChecked(t *testing.T) {
	f := newFixture(t)
	out, err := f.gst(f.userSTS(f.alice), "", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	_, err = f.sts(*c.AccessKeyId, *c.SecretAccessKey, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	_, err = f.sts(*c.AccessKeyId, *c.SecretAccessKey, "x"+*c.SessionToken).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
}

func TestExpiredSession(t *testing.T) {
	f := newFixture(t)
	// Issue while the server clock is 10 min behind the client's so the
	// 15 min session can expire without the requests looking skewed.
	f.clk.Set(time.Now().Add(-10 * time.Minute))
	out, err := f.gst(f.userSTS(f.alice), "", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	sc := f.credsSTS(out.Credentials)
	if _, err := sc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(time.Now().Add(6 * time.Minute))
	_, err = f.credsSTS(out.Credentials).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken", 403, "The security token included in the request is expired")
}

func TestAssumeRole(t *testing.T) {
	f := newFixture(t)
	c := f.userSTS(f.alice)
	out, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(adminRole), RoleSessionName: aws.String("alice-s1")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/admin/alice-s1" ||
		!regexp.MustCompile(`^AROA[A-Z0-9]+:alice-s1$`).MatchString(*out.AssumedRoleUser.AssumedRoleId) {
		t.Errorf("AssumedRoleUser %s %s", *out.AssumedRoleUser.Arn, *out.AssumedRoleUser.AssumedRoleId)
	}
	if got := out.Credentials.Expiration.Sub(f.clk.Now()); got != time.Hour {
		t.Errorf("default role duration %v", got)
	}
	id, err := f.credsSTS(out.Credentials).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != *out.AssumedRoleUser.Arn || *id.UserId != *out.AssumedRoleUser.AssumedRoleId {
		t.Errorf("role identity %s %s", *id.Arn, *id.UserId)
	}

	_, err = c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/unknown"), RoleSessionName: aws.String("s")})
	wantAPIError(t, err, "ValidationError", 400, "'roleSessionName'")
	_, err = c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/unknown"), RoleSessionName: aws.String("s1")})
	wantAPIError(t, err, "AccessDenied", 403, "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/unknown")
	_, err = c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(adminRole), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(3601)})
	wantAPIError(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	_, err = c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(adminRole), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(899)})
	wantAPIError(t, err, "ValidationError", 400, "greater than or equal to 900")
	long, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(longRole), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(43200)})
	if err != nil {
		t.Fatal(err)
	}

	// Role chaining: a role session assuming a role is capped at 1 hour.
	chain := f.credsSTS(long.Credentials)
	_, err = chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(longRole), RoleSessionName: aws.String("s2"), DurationSeconds: aws.Int32(3601)})
	wantAPIError(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	if _, err := chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(adminRole), RoleSessionName: aws.String("s2"), DurationSeconds: aws.Int32(3600)}); err != nil {
		t.Fatal(err)
	}
	// GetSessionToken with role credentials is refused too.
	_, err = f.gst(chain, "", "", 900)
	wantAPIError(t, err, "AccessDenied", 403, "Cannot call GetSessionToken with session credentials")
}

func TestAssumeRoleRequireMFA(t *testing.T) {
	f := newFixture(t)
	c := f.userSTS(f.alice)
	in := func() *sts.AssumeRoleInput {
		return &sts.AssumeRoleInput{RoleArn: aws.String(mfaRole), RoleSessionName: aws.String("mfa-s")}
	}
	_, err := c.AssumeRole(ctx, in())
	wantAPIError(t, err, "AccessDenied", 403, "is not authorized to perform: sts:AssumeRole")

	// Session creds from GetSessionToken without MFA do not help.
	plain, err := f.gst(c, "", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.credsSTS(plain.Credentials).AssumeRole(ctx, in())
	wantAPIError(t, err, "AccessDenied", 403, "not authorized")

	// A code on the call works, once.
	withCode := in()
	withCode.SerialNumber, withCode.TokenCode = aws.String(aliceSerial), aws.String(f.code(f.alice, 0))
	if _, err := c.AssumeRole(ctx, withCode); err != nil {
		t.Fatal(err)
	}
	_, err = c.AssumeRole(ctx, withCode)
	wantAPIError(t, err, "AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code. ")

	// MFA-authenticated session creds work without a code, also when chaining.
	f.clk.Add(30 * time.Second)
	mfaSess, err := f.gst(c, aliceSerial, f.code(f.alice, 0), 3600)
	if err != nil {
		t.Fatal(err)
	}
	role, err := f.credsSTS(mfaSess.Credentials).AssumeRole(ctx, in())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.credsSTS(role.Credentials).AssumeRole(ctx, in()); err != nil {
		t.Fatalf("chained MFA role: %v", err)
	}
}

func TestListMFADevices(t *testing.T) {
	f := newFixture(t)
	out, err := f.iam(f.alice.AccessKeyID, f.alice.SecretAccessKey, "").ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MFADevices) != 1 || *out.MFADevices[0].SerialNumber != aliceSerial || *out.MFADevices[0].UserName != "alice" ||
		out.MFADevices[0].EnableDate == nil || out.IsTruncated {
		t.Fatalf("ListMFADevices = %+v", out)
	}
	out, err = f.iam(f.alice.AccessKeyID, f.alice.SecretAccessKey, "").ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("bob")})
	if err != nil || len(out.MFADevices) != 1 || *out.MFADevices[0].SerialNumber != bobSerial {
		t.Fatalf("bob's devices: %+v %v", out, err)
	}
	_, err = f.iam(f.alice.AccessKeyID, f.alice.SecretAccessKey, "").ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("carol")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The user with name carol cannot be found.")

	// Session creds without MFA cannot call IAM; with MFA they can.
	plain, err := f.gst(f.userSTS(f.alice), "", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	pc := plain.Credentials
	_, err = f.iam(*pc.AccessKeyId, *pc.SecretAccessKey, *pc.SessionToken).ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	mfa, err := f.gst(f.userSTS(f.alice), aliceSerial, f.code(f.alice, 0), 900)
	if err != nil {
		t.Fatal(err)
	}
	mc := mfa.Credentials
	out, err = f.iam(*mc.AccessKeyId, *mc.SecretAccessKey, *mc.SessionToken).ListMFADevices(ctx, &iam.ListMFADevicesInput{})
	if err != nil || len(out.MFADevices) != 1 {
		t.Fatalf("with MFA session: %+v %v", out, err)
	}
	if n := f.srv.Calls("ListMFADevices"); n != 5 {
		t.Errorf("Calls(ListMFADevices) = %d", n)
	}
}

func TestFailNext(t *testing.T) {
	f := newFixture(t)
	// One throttle: the SDK's retry absorbs it.
	f.srv.FailNext("GetCallerIdentity", "Throttling", 1)
	c := f.stsN(f.alice.AccessKeyID, f.alice.SecretAccessKey, "", 3)
	if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Calls("GetCallerIdentity"); n != 2 {
		t.Errorf("Calls = %d, want 2", n)
	}
	// Persistent throttling: the SDK gives up after 3 attempts.
	f.srv.FailNext("GetCallerIdentity", "Throttling", 3)
	_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "Throttling", 400, "Rate exceeded")
	if n := f.srv.Calls("GetCallerIdentity"); n != 5 {
		t.Errorf("Calls = %d, want 5", n)
	}
	f.srv.FailNext("GetSessionToken", "ServiceUnavailable", 1)
	_, err = f.gst(f.userSTS(f.alice), "", "", 900)
	wantAPIError(t, err, "ServiceUnavailable", 503, "")
	f.srv.FailNext("GetSessionToken", "InternalFailure", 1)
	_, err = f.gst(f.userSTS(f.alice), "", "", 900)
	wantAPIError(t, err, "InternalFailure", 500, "")
	if _, err := f.gst(f.userSTS(f.alice), "", "", 900); err != nil {
		t.Fatalf("after injected failures: %v", err)
	}
	// An injected failure does not consume the MFA code.
	f.srv.FailNext("GetSessionToken", "Throttling", 1)
	code := f.code(f.alice, 0)
	_, err = f.gst(f.userSTS(f.alice), aliceSerial, code, 900)
	wantAPIError(t, err, "Throttling", 400, "Rate exceeded")
	if _, err := f.gst(f.userSTS(f.alice), aliceSerial, code, 900); err != nil {
		t.Fatalf("code after throttled call: %v", err)
	}
}

func TestSetDelay(t *testing.T) {
	f := newFixture(t)
	f.srv.SetDelay(2 * time.Second)
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.userSTS(f.alice).GetCallerIdentity(tctx, &sts.GetCallerIdentityInput{})
	if err == nil || time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("want timeout after 200ms, got %v after %v", err, time.Since(start))
	}
	f.srv.SetDelay(0)
	if _, err := f.userSTS(f.alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentGetCallerIdentity(t *testing.T) {
	f := newFixture(t)
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := f.alice
			if i%2 == 1 {
				u = f.bob
			}
			id, err := f.userSTS(u).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err == nil && !strings.HasSuffix(*id.Arn, "/"+u.Name) {
				err = fmt.Errorf("wrong identity %s for %s", *id.Arn, u.Name)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := f.srv.Calls("GetCallerIdentity"); got != n {
		t.Errorf("Calls = %d, want %d", got, n)
	}
	if got := len(f.srv.Log()); got != n {
		t.Errorf("Log has %d lines, want %d", got, n)
	}
}

func TestLogHasNoSecrets(t *testing.T) {
	f := newFixture(t)
	code := f.code(f.alice, 0)
	out, err := f.gst(f.userSTS(f.alice), aliceSerial, code, 3600)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.gst(f.userSTS(f.alice), aliceSerial, code, 3600) // reused: refused
	_, _ = f.sts(f.alice.AccessKeyID, "bad", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if _, err := f.credsSTS(out.Credentials).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	log := f.srv.Log()
	if len(log) != 4 {
		t.Fatalf("log: %q", log)
	}
	secrets := []string{f.alice.AccessKeyID, f.alice.SecretAccessKey, f.alice.MFA[0].Seed, code,
		*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	for _, line := range log {
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("log line %q contains a secret", line)
			}
		}
	}
	want := []string{
		"sts GetSessionToken key=****0001 result=OK status=200",
		"sts GetSessionToken key=****0001 result=AccessDenied status=403",
		"sts GetCallerIdentity key=****0001 result=SignatureDoesNotMatch status=403",
	}
	for i, w := range want {
		if log[i] != w {
			t.Errorf("log[%d] = %q, want %q", i, log[i], w)
		}
	}
	k := *out.Credentials.AccessKeyId
	if log[3] != "sts GetCallerIdentity key=****"+k[len(k)-4:]+" result=OK status=200" {
		t.Errorf("log[3] = %q", log[3])
	}
}

func TestStartOnRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		if err := New().StartOn(addr); err == nil {
			t.Errorf("StartOn(%q) succeeded", addr)
		}
	}
	s := New()
	if err := s.StartOn("localhost:0"); err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// TestAcceptAnyCode: the benchmarks' switch takes any code of the caller's own device, again and
// again, but still not another user's device.
func TestAcceptAnyCode(t *testing.T) {
	f := newFixture(t)
	f.srv.AcceptAnyCode(true)
	c := f.userSTS(f.alice)
	for i := 0; i < 3; i++ {
		if _, err := f.gst(c, aliceSerial, "123456", 3600); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := f.gst(c, bobSerial, "123456", 3600)
	wantAPIError(t, err, "AccessDenied", 403, "unable to validate MFA code")
	f.srv.AcceptAnyCode(false)
	bad := "123456"
	for bad == f.code(f.alice, -1) || bad == f.code(f.alice, 0) || bad == f.code(f.alice, 1) {
		bad = fmt.Sprintf("%06d", (mustAtoi(t, bad)+1)%1000000)
	}
	_, err = f.gst(c, aliceSerial, bad, 3600)
	wantAPIError(t, err, "AccessDenied", 403, "invalid MFA one time pass code")
}
