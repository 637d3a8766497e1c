package fakeaws

import (
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

const (
	vendorRole  = "arn:aws:iam::123456789012:role/vendor"
	bobOnlyRole = "arn:aws:iam::123456789012:role/bob-only"
	acctRole    = "arn:aws:iam::123456789012:role/account-wide"
	otherRole   = "arn:aws:iam::123456789012:role/other-account-only"
	chainRoleA  = "arn:aws:iam::123456789012:role/chain-a"
	chainRoleB  = "arn:aws:iam::123456789012:role/chain-b"
	chainRoleC  = "arn:aws:iam::123456789012:role/chain-c"
)

// assume calls AssumeRole with session name name; ext, serial and code are
// sent when not empty; dur 0 means the default.
func assume(c *sts.Client, role, name, ext, serial, code string, dur int32) (*types.Credentials, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String(name)}
	if ext != "" {
		in.ExternalId = aws.String(ext)
	}
	if serial != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code)
	}
	if dur != 0 {
		in.DurationSeconds = aws.Int32(dur)
	}
	out, err := c.AssumeRole(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.Credentials, nil
}

func notAuthorized(who, role string) string {
	return "User: " + who + " is not authorized to perform: sts:AssumeRole on resource: " + role
}

func TestAssumeRoleExternalID(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRole(Role{ARN: vendorRole, ExternalID: "Vendor-42:x/y"})
	c := f.userSTS(f.alice)
	const alice = "arn:aws:iam::123456789012:user/alice"

	_, err := assume(c, vendorRole, "s1", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized(alice, vendorRole))
	_, err = assume(c, vendorRole, "s1", "Vendor-43:x/y", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized(alice, vendorRole))
	if _, err := assume(c, vendorRole, "s1", "Vendor-42:x/y", "", "", 0); err != nil {
		t.Fatalf("right external id: %v", err)
	}

	// The parameter is validated before the role is looked at.
	_, err = assume(c, vendorRole, "s1", "a", "", "", 0)
	wantAPIError(t, err, "ValidationError", 400,
		"1 validation error detected: Value 'a' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2")
	_, err = assume(c, vendorRole, "s1", strings.Repeat("a", 1225), "", "", 0)
	wantAPIError(t, err, "ValidationError", 400, "at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224")
	_, err = assume(c, vendorRole, "s1", "bad id!", "", "", 0)
	wantAPIError(t, err, "ValidationError", 400,
		`Value 'bad id!' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)

	// A role without an external id ignores any valid one.
	for _, ext := range []string{"ab", strings.Repeat("x", 1224), "A_z0+=,.@:/-"} {
		if _, err := assume(c, adminRole, "s1", ext, "", "", 0); err != nil {
			t.Fatalf("external id %.10q on a role without one: %v", ext, err)
		}
	}

	// Denied to a role session, the message names the assumed-role ARN.
	admin, err := assume(c, adminRole, "s1", "", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = assume(f.credsSTS(admin), vendorRole, "s2", "wrong-id", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:sts::123456789012:assumed-role/admin/s1", vendorRole))
	if _, err := assume(f.credsSTS(admin), vendorRole, "s2", "Vendor-42:x/y", "", "", 0); err != nil {
		t.Fatalf("chained with external id: %v", err)
	}
}

func TestAssumeRoleTrust(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRole(Role{ARN: bobOnlyRole, Trust: []string{"arn:aws:iam::123456789012:user/bob"}})
	f.srv.AddRole(Role{ARN: acctRole, Trust: []string{"arn:aws:iam::123456789012:root"}})
	f.srv.AddRole(Role{ARN: otherRole, Trust: []string{"arn:aws:iam::999999999999:root", "arn:aws:iam::999999999999:user/alice"}})
	f.srv.AddRole(Role{ARN: chainRoleB, Trust: []string{adminRole}})
	alice, bob := f.userSTS(f.alice), f.userSTS(f.bob)

	_, err := assume(alice, bobOnlyRole, "s1", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:iam::123456789012:user/alice", bobOnlyRole))
	if _, err := assume(bob, bobOnlyRole, "s1", "", "", "", 0); err != nil {
		t.Fatalf("bob into a role trusting bob: %v", err)
	}
	// A GetSessionToken session is its user.
	aliceSess, err := f.gst(alice, "", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	bobSess, err := f.gst(bob, "", "", 900)
	if err != nil {
		t.Fatal(err)
	}
	_, err = assume(f.credsSTS(aliceSess.Credentials), bobOnlyRole, "s1", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:iam::123456789012:user/alice", bobOnlyRole))
	if _, err := assume(f.credsSTS(bobSess.Credentials), bobOnlyRole, "s1", "", "", "", 0); err != nil {
		t.Fatalf("bob's session into a role trusting bob: %v", err)
	}

	// The account root principal admits any principal of that account, role sessions too.
	if _, err := assume(alice, acctRole, "s1", "", "", "", 0); err != nil {
		t.Fatal(err)
	}
	admin, err := assume(alice, adminRole, "s1", "", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := assume(f.credsSTS(admin), acctRole, "s2", "", "", "", 0); err != nil {
		t.Fatalf("role session into an account-wide role: %v", err)
	}
	// Another account's principals (even a same-named user) are not us.
	_, err = assume(alice, otherRole, "s1", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:iam::123456789012:user/alice", otherRole))

	// A role trusting a role: only that role's sessions get in.
	_, err = assume(alice, chainRoleB, "s1", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:iam::123456789012:user/alice", chainRoleB))
	if _, err := assume(f.credsSTS(admin), chainRoleB, "s2", "", "", "", 0); err != nil {
		t.Fatalf("admin session into a role trusting admin: %v", err)
	}
	long, err := assume(alice, longRole, "s1", "", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = assume(f.credsSTS(long), chainRoleB, "s2", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:sts::123456789012:assumed-role/long/s1", chainRoleB))

	// Roles without Trust still admit any known caller.
	if _, err := assume(bob, adminRole, "s1", "", "", "", 0); err != nil {
		t.Fatal(err)
	}
}

func TestChainingCapForGetSessionTokenSessions(t *testing.T) {
	f := newFixture(t)
	alice := f.userSTS(f.alice)
	plain, err := f.gst(alice, "", "", 7200)
	if err != nil {
		t.Fatal(err)
	}
	withMFA, err := f.gst(alice, aliceSerial, f.code(f.alice, 0), 7200)
	if err != nil {
		t.Fatal(err)
	}
	for name, creds := range map[string]*types.Credentials{"without MFA": plain.Credentials, "with MFA": withMFA.Credentials} {
		c := f.credsSTS(creds)
		for _, role := range []string{longRole, adminRole} {
			_, err := assume(c, role, "s1", "", "", "", 3601)
			wantAPIError(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		got, err := assume(c, longRole, "s1", "", "", "", 3600)
		if err != nil {
			t.Fatalf("%s: 3600 s: %v", name, err)
		}
		if d := got.Expiration.Sub(f.clk.Now()); d != time.Hour {
			t.Errorf("%s: role session lasts %v", name, d)
		}
	}
	// Long-term keys are not capped; MaxSessionDuration still applies.
	if _, err := assume(alice, longRole, "s1", "", "", "", 43200); err != nil {
		t.Fatal(err)
	}
	_, err = assume(alice, adminRole, "s1", "", "", "", 3601)
	wantAPIError(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
}

func TestMFAContextThroughChain(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRole(Role{ARN: chainRoleA, RequireMFA: true, Trust: []string{"arn:aws:iam::123456789012:user/alice"}})
	f.srv.AddRole(Role{ARN: chainRoleB, RequireMFA: true, Trust: []string{chainRoleA}})
	f.srv.AddRole(Role{ARN: chainRoleC, RequireMFA: true, Trust: []string{chainRoleB}, MaxSessionDuration: 43200})
	alice := f.userSTS(f.alice)

	// A -> B -> C from an MFA-authenticated GetSessionToken session: no further code.
	sess, err := f.gst(alice, aliceSerial, f.code(f.alice, 0), 3600)
	if err != nil {
		t.Fatal(err)
	}
	a, err := assume(f.credsSTS(sess.Credentials), chainRoleA, "hop-a", "", "", "", 0)
	if err != nil {
		t.Fatalf("A: %v", err)
	}
	b, err := assume(f.credsSTS(a), chainRoleB, "hop-b", "", "", "", 0)
	if err != nil {
		t.Fatalf("B: %v", err)
	}
	c, err := assume(f.credsSTS(b), chainRoleC, "hop-c", "", "", "", 0)
	if err != nil {
		t.Fatalf("C: %v", err)
	}
	id, err := f.credsSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:sts::123456789012:assumed-role/chain-c/hop-c" || *id.Account != account ||
		!regexp.MustCompile(`^AROA[A-Z0-9]{17}:hop-c$`).MatchString(*id.UserId) {
		t.Errorf("C identity %s %s %s", *id.Arn, *id.Account, *id.UserId)
	}
	// Chained C is capped at 1 h even though its MaxSessionDuration is 12 h.
	_, err = assume(f.credsSTS(b), chainRoleC, "hop-c", "", "", "", 3601)
	wantAPIError(t, err, "ValidationError", 400, "1 hour session limit for roles assumed by role chaining")

	// A code on the first hop from long-term keys carries through too.
	f.clk.Add(30 * time.Second)
	a, err = assume(alice, chainRoleA, "hop-a", "", aliceSerial, f.code(f.alice, 0), 0)
	if err != nil {
		t.Fatalf("A with code: %v", err)
	}
	b, err = assume(f.credsSTS(a), chainRoleB, "hop-b", "", "", "", 0)
	if err != nil {
		t.Fatalf("B after A with code: %v", err)
	}
	if _, err := assume(f.credsSTS(b), chainRoleC, "hop-c", "", "", "", 0); err != nil {
		t.Fatalf("C after A with code: %v", err)
	}

	// Without MFA anywhere in the chain, a role requiring MFA refuses.
	plain, err := f.gst(alice, "", "", 3600)
	if err != nil {
		t.Fatal(err)
	}
	_, err = assume(f.credsSTS(plain.Credentials), chainRoleA, "hop-a", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:iam::123456789012:user/alice", chainRoleA))
	admin, err := assume(alice, adminRole, "plain", "", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = assume(f.credsSTS(admin), mfaRole, "hop", "", "", "", 0)
	wantAPIError(t, err, "AccessDenied", 403, notAuthorized("arn:aws:sts::123456789012:assumed-role/admin/plain", mfaRole))

	if total, repeated := f.srv.CodesSent(aliceSerial); total != 2 || repeated != 0 {
		t.Errorf("CodesSent = %d, %d; want 2, 0", total, repeated)
	}
}

func TestAssumeRoleMFAOnCallMustBeCallersDevice(t *testing.T) {
	f := newFixture(t)
	_, err := assume(f.userSTS(f.alice), mfaRole, "s1", "", bobSerial, f.code(f.bob, 0), 0)
	wantAPIError(t, err, "AccessDenied", 403, msgMFASerial)
	code := f.code(f.alice, 0)
	if _, err := assume(f.userSTS(f.alice), mfaRole, "s1", "", aliceSerial, code, 0); err != nil {
		t.Fatal(err)
	}
	// Once per step, across actions: the code is spent for GetSessionToken too.
	_, err = f.gst(f.userSTS(f.alice), aliceSerial, code, 900)
	wantAPIError(t, err, "AccessDenied", 403, msgMFACode)
}

func TestRoleCalls(t *testing.T) {
	f := newFixture(t)
	alice := f.userSTS(f.alice)
	if _, err := assume(alice, adminRole, "s1", "", "", "", 0); err != nil { // success
		t.Fatal(err)
	}
	_, _ = assume(alice, adminRole, "s1", "", "", "", 3601)                                       // too long
	_, _ = assume(f.sts(f.alice.AccessKeyID, "wrong-secret", ""), adminRole, "s1", "", "", "", 0) // bad signature
	_, _ = assume(alice, adminRole, "x", "", "", "", 0)                                           // bad session name
	_, _ = assume(alice, mfaRole, "s1", "", "", "", 0)                                            // no MFA
	_, _ = assume(alice, "arn:aws:iam::123456789012:role/unknown", "s1", "", "", "", 0)           // no such role
	f.srv.FailNext("AssumeRole", "Throttling", 1)
	_, _ = assume(alice, adminRole, "s1", "", "", "", 0) // injected
	if _, err := f.gst(alice, "", "", 900); err != nil {
		t.Fatal(err)
	}
	for role, want := range map[string]int{adminRole: 5, mfaRole: 1, "arn:aws:iam::123456789012:role/unknown": 1, longRole: 0} {
		if got := f.srv.RoleCalls(role); got != want {
			t.Errorf("RoleCalls(%s) = %d, want %d", role, got, want)
		}
	}
	if got := f.srv.Calls("AssumeRole"); got != 7 {
		t.Errorf("Calls(AssumeRole) = %d, want 7", got)
	}
	if got := f.srv.Refused("AssumeRole"); got != 6 {
		t.Errorf("Refused(AssumeRole) = %d, want 6", got)
	}
}

func TestCodesSentAndRefused(t *testing.T) {
	f := newFixture(t)
	alice := f.userSTS(f.alice)
	want := func(total, repeated int) {
		t.Helper()
		if gt, gr := f.srv.CodesSent(aliceSerial); gt != total || gr != repeated {
			t.Fatalf("CodesSent = %d, %d; want %d, %d", gt, gr, total, repeated)
		}
	}
	want(0, 0)
	if _, err := f.gst(alice, "", "", 900); err != nil { // no code: not counted
		t.Fatal(err)
	}
	want(0, 0)
	code := f.code(f.alice, 0)
	if _, err := f.gst(alice, aliceSerial, code, 900); err != nil {
		t.Fatal(err)
	}
	want(1, 0)
	_, err := f.gst(alice, aliceSerial, code, 900) // a re-send
	wantAPIError(t, err, "AccessDenied", 403, msgMFACode)
	want(2, 1)
	_, err = assume(alice, mfaRole, "s1", "", aliceSerial, code, 0) // the same value again, via AssumeRole
	wantAPIError(t, err, "AccessDenied", 403, msgMFACode)
	want(3, 2)
	f.clk.Add(30 * time.Second)
	if _, err := assume(alice, mfaRole, "s1", "", aliceSerial, f.code(f.alice, 0), 0); err != nil {
		t.Fatal(err)
	}
	want(4, 2)
	_, err = f.gst(alice, aliceSerial, "12345", 900) // malformed: still received
	wantAPIError(t, err, "ValidationError", 400, "")
	want(5, 2)
	// A code answered with an injected failure was still sent.
	f.clk.Add(30 * time.Second)
	f.srv.FailNext("GetSessionToken", "Throttling", 1)
	_, err = f.gst(alice, aliceSerial, f.code(f.alice, 0), 900)
	wantAPIError(t, err, "Throttling", 400, "")
	want(6, 2)
	if total, repeated := f.srv.CodesSent(bobSerial); total != 0 || repeated != 0 {
		t.Errorf("bob's CodesSent = %d, %d", total, repeated)
	}

	if got := f.srv.Refused("GetSessionToken"); got != 3 {
		t.Errorf("Refused(GetSessionToken) = %d, want 3", got)
	}
	if got := f.srv.Refused("AssumeRole"); got != 1 {
		t.Errorf("Refused(AssumeRole) = %d, want 1", got)
	}
	if got := f.srv.Refused("GetCallerIdentity"); got != 0 {
		t.Errorf("Refused(GetCallerIdentity) = %d, want 0", got)
	}
}

func TestStateRoleExternalIDAndTrust(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := &State{Roles: []StateRole{{ARN: vendorRole, MaxSessionDuration: 7200, RequireMFA: true, ExternalID: "ext-1",
		Trust: []string{"arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:role/admin"}}}}
	if err := WriteState(path, st); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"external_id": "ext-1"`, `"trust": [`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("state file lacks %s:\n%s", key, raw)
		}
	}
	back, err := ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Roles, st.Roles) {
		t.Fatalf("roles read back %+v, want %+v", back.Roles, st.Roles)
	}
	s := New()
	back.Apply(s)
	got := *s.roles[vendorRole]
	want := Role{ARN: vendorRole, MaxSessionDuration: 7200, RequireMFA: true, ExternalID: "ext-1", Trust: st.Roles[0].Trust}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("applied role %+v, want %+v", got, want)
	}
}

func TestAddRoleCopiesTrust(t *testing.T) {
	s := New()
	trust := []string{"arn:aws:iam::123456789012:user/bob"}
	s.AddRole(Role{ARN: bobOnlyRole, Trust: trust})
	trust[0] = "arn:aws:iam::123456789012:user/alice"
	if got := s.roles[bobOnlyRole].Trust[0]; got != "arn:aws:iam::123456789012:user/bob" {
		t.Fatalf("the caller's slice changed the role's trust: %s", got)
	}
}

// TestSessionLength: the test knob shortens the sessions an action issues (and only those), the
// answer's Expiration tells the truth, the session is refused once it has run out, and 0 turns the
// knob off; the control endpoint sets it too.
func TestSessionLength(t *testing.T) {
	f := newFixture(t)
	f.srv.AddRole(Role{ARN: vendorRole, MaxSessionDuration: 43200})
	c := f.userSTS(f.alice)
	f.srv.SetSessionLength("AssumeRole", 90*time.Second)
	start := f.clk.Now()
	rc, err := assume(c, vendorRole, "s1", "", "", "", 3600)
	if err != nil {
		t.Fatal(err)
	}
	if got := rc.Expiration.Sub(start); got != 90*time.Second {
		t.Errorf("role session lasts %s, want 90s", got)
	}
	gs, err := f.gst(c, f.alice.MFA[0].Serial, f.code(f.alice, 0), 900)
	if err != nil {
		t.Fatal(err)
	}
	if got := gs.Credentials.Expiration.Sub(start); got != 900*time.Second {
		t.Errorf("GetSessionToken's session lasts %s, want the 900s asked for", got)
	}
	f.clk.Add(91 * time.Second)
	if _, err := f.credsSTS(rc).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil || !strings.Contains(err.Error(), "ExpiredToken") {
		t.Errorf("a role session past its 90s: %v, want ExpiredToken", err)
	}
	resp, err := http.Post(f.srv.URL()+"/_fakeaws/session-length?action=AssumeRole&length=0s", "", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("session-length control: %v %v", resp, err)
	}
	rc, err = assume(c, vendorRole, "s2", "", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := rc.Expiration.Sub(f.clk.Now()); got != time.Hour {
		t.Errorf("with the knob off a role session lasts %s, want the default 1h", got)
	}
}
