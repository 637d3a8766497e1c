package fakeaws

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/stsmfa/stsmfa/internal/totp"
)

const (
	account     = "123456789012"
	aliceSerial = "arn:aws:iam::123456789012:mfa/alice-phone"
	bobSerial   = "arn:aws:iam::123456789012:mfa/bob-phone"
	rootSerial  = "arn:aws:iam::123456789012:mfa/root-account-mfa-device"
	adminRole   = "arn:aws:iam::123456789012:role/admin"
	mfaRole     = "arn:aws:iam::123456789012:role/needs-mfa"
	longRole    = "arn:aws:iam::123456789012:role/long"
)

// clock is a settable clock for the server, starting at the real time so
// SDK-signed requests are not skewed.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t     *testing.T
	srv   *Server
	clk   *clock
	alice User
	bob   User
	root  User
}

// newFixture starts a server with users alice and bob (each with one
// virtual MFA device), a root user and three roles. The server clock is
// frozen at the middle of a TOTP step close to now.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := New()
	now := time.Now()
	step := now.Truncate(30 * time.Second).Add(15 * time.Second)
	clk := &clock{now: step}
	s.SetClock(clk.Now)
	f := &fixture{t: t, srv: s, clk: clk}
	f.alice = User{Account: account, Name: "alice", AccessKeyID: "AKIAALICE00000000001", SecretAccessKey: "alice/secret+key0000000000000000000000000",
		MFA: []Device{{Serial: aliceSerial, Seed: totp.NewSecret()}}}
	f.bob = User{Account: account, Name: "bob", AccessKeyID: "AKIABOB0000000000001", SecretAccessKey: "bob/secret+key000000000000000000000000000",
		MFA: []Device{{Serial: bobSerial, Seed: totp.NewSecret()}}}
	f.root = User{Account: account, Root: true, AccessKeyID: "AKIAROOT000000000001", SecretAccessKey: "root/secret+key00000000000000000000000000",
		MFA: []Device{{Serial: rootSerial, Seed: totp.NewSecret()}}}
	s.AddUser(f.alice)
	s.AddUser(f.bob)
	s.AddUser(f.root)
	s.AddRole(Role{ARN: adminRole})
	s.AddRole(Role{ARN: mfaRole, RequireMFA: true})
	s.AddRole(Role{ARN: longRole, MaxSessionDuration: 43200})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return f
}

// code returns the device's code at the server clock plus offset steps.
func (f *fixture) code(u User, steps int64) string {
	f.t.Helper()
	c, err := totp.CodeAt(u.MFA[0].Seed, totp.Counter(f.clk.Now())+steps)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// cfg builds an SDK config with static credentials. attempts 0 means the
// SDK default (3).
func (f *fixture) cfg(akid, secret, token string, attempts int) aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(akid, secret, token),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = noBackoff{}
				o.RateLimiter = ratelimit.None
				if attempts > 0 {
					o.MaxAttempts = attempts
				}
			})
		},
	}
}

func (f *fixture) sts(akid, secret, token string) *sts.Client {
	return f.stsN(akid, secret, token, 1)
}

func (f *fixture) stsN(akid, secret, token string, attempts int) *sts.Client {
	return sts.NewFromConfig(f.cfg(akid, secret, token, attempts), func(o *sts.Options) {
		o.BaseEndpoint = aws.String(f.srv.URL())
	})
}

func (f *fixture) iam(akid, secret, token string) *iam.Client {
	return iam.NewFromConfig(f.cfg(akid, secret, token, 1), func(o *iam.Options) {
		o.BaseEndpoint = aws.String(f.srv.URL())
	})
}

func (f *fixture) userSTS(u User) *sts.Client { return f.sts(u.AccessKeyID, u.SecretAccessKey, "") }

func (f *fixture) credsSTS(c *types.Credentials) *sts.Client {
	return f.sts(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// gst calls GetSessionToken; serial "" means without MFA; dur 0 means default.
func (f *fixture) gst(c *sts.Client, serial, code string, dur int32) (*sts.GetSessionTokenOutput, error) {
	in := &sts.GetSessionTokenInput{}
	if serial != "" {
		in.SerialNumber = aws.String(serial)
		in.TokenCode = aws.String(code)
	}
	if dur != 0 {
		in.DurationSeconds = aws.Int32(dur)
	}
	return c.GetSessionToken(context.Background(), in)
}

// wantAPIError asserts err is an AWS API error with that code, HTTP status
// and (when msg != "") message substring.
func wantAPIError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("error message = %q, want it to contain %q", ae.ErrorMessage(), msg)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no HTTP response in %v", err)
	}
	if re.HTTPStatusCode() != status {
		t.Fatalf("HTTP status = %d, want %d", re.HTTPStatusCode(), status)
	}
}
