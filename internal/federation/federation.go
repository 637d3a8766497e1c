// Package federation makes AWS console sign-in URLs from a role session, through the federation
// endpoint of IAM's "custom identity broker" guide: GET
// …/federation?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}[&SessionDuration=N]
// answers {"SigninToken": T} (good for 15 minutes), and …/federation?Action=login&Destination=URL&SigninToken=T
// is the URL that signs a browser in. The endpoint signs in only role sessions assumed with long-term
// keys (not GetSessionToken sessions, not role chaining); session decides how such a session is made.
//
// The URL and the token are secrets (anyone holding the URL gets the console for 15 minutes): no
// error, log or debug line of this package contains either.
package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// EndpointVar overrides the federation endpoint (the full URL of …/federation), as
// AWS_ENDPOINT_URL_STS does STS's.
const EndpointVar = "STSMFA_FEDERATION_ENDPOINT"

// Limits of the console session (SessionDuration, documented).
const (
	MinSession = 15 * time.Minute
	MaxSession = 12 * time.Hour
)

// Partition is an AWS partition's name and hosts.
type Partition struct {
	Name       string // aws, aws-cn, aws-us-gov
	SigninHost string // signin.aws.amazon.com
	Console    string // https://console.aws.amazon.com
}

var partitions = map[string]Partition{
	"aws":        {"aws", "signin.aws.amazon.com", "https://console.aws.amazon.com"},
	"aws-cn":     {"aws-cn", "signin.amazonaws.cn", "https://console.amazonaws.cn"},
	"aws-us-gov": {"aws-us-gov", "signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com"},
}

// PartitionOf is the partition of an ARN (arn:PARTITION:…), else of a region (cn-*, us-gov-*), else aws.
func PartitionOf(arn, region string) Partition {
	if rest, ok := strings.CutPrefix(arn, "arn:"); ok {
		if name, _, ok := strings.Cut(rest, ":"); ok {
			if p, ok := partitions[name]; ok {
				return p
			}
		}
	}
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partitions["aws-cn"]
	case strings.HasPrefix(region, "us-gov-"):
		return partitions["aws-us-gov"]
	}
	return partitions["aws"]
}

// Endpoint is the federation endpoint: $STSMFA_FEDERATION_ENDPOINT, else the partition's.
func Endpoint(p Partition, getenv func(string) string) string {
	if v := strings.TrimSpace(getenv(EndpointVar)); v != "" {
		return v
	}
	return "https://" + p.SigninHost + "/federation"
}

// SignInPage is the account's own sign-in page (password and MFA), https://ACCOUNT.signin.aws.amazon.com/console.
func SignInPage(p Partition, account string) string {
	return "https://" + account + "." + p.SigninHost + "/console"
}

// Destination is the console page to open: "" is the console home, a URL is taken as it is (https
// only), a word is a service's page (s3, ec2, cloudwatch, …); region, when set, is the console's region.
func Destination(p Partition, dest, region string) (string, error) {
	var u *url.URL
	switch {
	case dest == "":
		u, _ = url.Parse(p.Console + "/console/home")
	case strings.Contains(dest, "://"):
		var err error
		if u, err = url.Parse(dest); err != nil || u.Scheme != "https" || u.Host == "" {
			return "", fmt.Errorf("%q is not an https URL", dest)
		}
	default:
		for _, r := range dest {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", fmt.Errorf("%q is neither an https URL nor a service name like s3 or ec2", dest)
			}
		}
		u, _ = url.Parse(p.Console + "/" + dest + "/home")
	}
	if region != "" {
		q := u.Query()
		q.Set("region", region)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Client asks a federation endpoint for sign-in tokens.
type Client struct {
	Endpoint string
	HTTP     *http.Client // nil: a client with Timeout
	Timeout  time.Duration
}

// SigninToken trades a role session for a sign-in token; sessionDuration (0: not sent) is the console
// session's length, which AWS accepts only for a role assumed with long-term keys.
func (c *Client) SigninToken(ctx context.Context, s cred.Session, sessionDuration time.Duration) (string, error) {
	session, err := json.Marshal(map[string]string{"sessionId": s.AccessKeyID, "sessionKey": s.SecretAccessKey, "sessionToken": s.SessionToken})
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if sessionDuration > 0 {
		q.Set("SessionDuration", strconv.FormatInt(int64(sessionDuration/time.Second), 10))
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fault.UsageErr("the federation endpoint %q is not an http(s) URL", c.Endpoint)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fault.UsageErr("the federation endpoint %q is not usable", c.Endpoint)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: c.Timeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		// the request URL holds the session: never print url.Error's text
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() != nil {
			return "", fault.CancelledErr("interrupted")
		}
		return "", fault.New(fault.Network, fault.FieldTimeout, nil, "cannot reach the federation endpoint %s: %v", redact(u), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		why := ""
		if t := strings.TrimSpace(string(body)); resp.StatusCode < 500 && t != "" && len(t) < 200 && !strings.ContainsAny(t, "<{") {
			why = ": " + t
		}
		if resp.StatusCode >= 500 {
			return "", fault.NetworkErr("the federation endpoint %s answered HTTP %d; try again later", redact(u), resp.StatusCode)
		}
		return "", fault.RefusedErr("the federation endpoint %s refused the role session (HTTP %d%s)", redact(u), resp.StatusCode, why)
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", fault.NetworkErr("the federation endpoint %s answered something that is not a sign-in token (a proxy or captive portal?)", redact(u))
	}
	return out.SigninToken, nil
}

// LoginURL is the URL that signs a browser in to destination with token. It is a secret.
func LoginURL(endpoint, token, destination string) string {
	q := url.Values{"Action": {"login"}, "Issuer": {"stsmfa"}, "Destination": {destination}, "SigninToken": {token}}
	return endpoint + "?" + q.Encode()
}

// redact is the endpoint without its query (which holds the session).
func redact(u *url.URL) string {
	v := *u
	v.RawQuery, v.Fragment, v.User = "", "", nil
	return v.String()
}
