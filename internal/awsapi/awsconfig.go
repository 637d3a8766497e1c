package awsapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// The STS and IAM clients are configured here, by the SDKs' documented rules, instead of through
// config.LoadDefaultConfig: that loader links the SSO, sign-in and EC2-metadata clients into the binary,
// and their start-up cost is paid by every credential-process and status call, which never touch AWS
// (docs/benchmarks.md). What an STS/IAM call needs is honoured, environment first, then the source
// profile's config section:
//
//	endpoint   AWS_ENDPOINT_URL_STS / _IAM, AWS_ENDPOINT_URL, the profile's services section, endpoint_url
//	           (none of them with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls)
//	TLS        AWS_CA_BUNDLE / ca_bundle (replaces the system roots, as the SDKs do); proxies from
//	           HTTPS_PROXY / HTTP_PROXY / NO_PROXY
//	retries    AWS_MAX_ATTEMPTS / max_attempts (standard mode; default 3)
//	variants   AWS_USE_FIPS_ENDPOINT / use_fips_endpoint, AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint
//
// Credentials are always the source's long-term keys; the region is Source.Region.

// Config is what the clients need of a source profile: its name, long-term keys, region and config
// file (for endpoint, CA bundle and retry settings), the environment, the per-call timeout, and the
// credentials to sign with when they are not the long-term keys.
type Config struct {
	Profile         string
	AccessKeyID     string
	SecretAccessKey string
	Region          string
	Conf            *awsfile.File // nil: no config file
	Getenv          func(string) string
	Timeout         time.Duration
	Signer          *cred.Session // nil: sign with the long-term keys
}

// setting reads an environment variable, else the source profile's config key.
func (c Config) setting(env, key string) string {
	if v := strings.TrimSpace(c.Getenv(env)); v != "" {
		return v
	}
	if c.Conf != nil {
		v, _ := c.Conf.Get(c.Profile, key)
		return strings.TrimSpace(v)
	}
	return ""
}

// endpoint resolves a service's endpoint URL; svc is the SDK's service id ("STS", "IAM").
func (c Config) endpoint(svc string) string {
	e, _ := c.endpointFrom(svc)
	return e
}

// endpointFrom is endpoint and where it was set, for messages.
func (c Config) endpointFrom(svc string) (url, from string) {
	getenv := c.Getenv
	if strings.EqualFold(c.setting("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls"), "true") {
		return "", ""
	}
	if v := getenv("AWS_ENDPOINT_URL_" + svc); v != "" {
		return v, "AWS_ENDPOINT_URL_" + svc
	}
	if v := getenv("AWS_ENDPOINT_URL"); v != "" {
		return v, "AWS_ENDPOINT_URL"
	}
	if c.Conf != nil {
		if name, _ := c.Conf.Get(c.Profile, "services"); name != "" {
			section := "services " + strings.TrimSpace(name)
			nested, _ := c.Conf.SectionGet(section, strings.ToLower(svc))
			for _, line := range strings.Split(nested, "\n") {
				if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "endpoint_url" {
					return strings.TrimSpace(v), fmt.Sprintf("endpoint_url of %s in [%s] of %s", strings.ToLower(svc), section, c.Conf.Path())
				}
			}
		}
		if v, _ := c.Conf.Get(c.Profile, "endpoint_url"); v != "" {
			return strings.TrimSpace(v), fmt.Sprintf("endpoint_url of profile %s in %s", c.Profile, c.Conf.Path())
		}
	}
	return "", ""
}

// check refuses, before any call, settings the SDK would only fail on after its retries: an endpoint
// that is not an http(s) URL with a host, a region that is not a region name. Each is named by where
// it was set.
func (c Config) check() error {
	for _, svc := range []string{"STS", "IAM"} {
		e, from := c.endpointFrom(svc)
		if e == "" {
			continue
		}
		u, err := url.Parse(e)
		if err == nil && (u.Scheme != "https" && u.Scheme != "http" || u.Host == "") {
			err = fmt.Errorf("it needs https:// and a host")
		}
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		if err != nil {
			return fault.UsageErr("%s is not an endpoint URL (%s): %v; give one like https://sts.eu-west-1.amazonaws.com, or unset it", from, MaskURL(e), err)
		}
	}
	if !regionName.MatchString(c.Region) {
		from := "the region of profile " + c.Profile
		for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
			if strings.TrimSpace(c.Getenv(v)) == c.Region {
				from = v
				break
			}
		}
		return fault.UsageErr("%s is %q, which is not a region name like eu-west-1; fix it", from, c.Region)
	}
	return nil
}

// regionName is what a region looks like (a host label: the SDKs put it into endpoint host names).
var regionName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$`)

// MaskURL hides the userinfo of a URL (user:password@) for messages and --debug.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s[:i], "//") {
			return s[:strings.Index(s, "//")+2] + "****@" + s[i+1:]
		}
		return s
	}
	u.User = url.User("****")
	return u.String()
}

// Dial builds the STS and IAM clients for a source, signing with c.Signer, or with the source's
// long-term keys when that is nil. It makes no call.
func Dial(c Config) (*Client, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	src, timeout, signer := c, c.Timeout, c.Signer
	hc := awshttp.NewBuildableClient().WithTimeout(timeout)
	if path := src.setting("AWS_CA_BUNDLE", "ca_bundle"); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fault.FilesErr("cannot read the CA bundle %s (AWS_CA_BUNDLE or ca_bundle): %v", path, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fault.FilesErr("the CA bundle %s (AWS_CA_BUNDLE or ca_bundle) holds no PEM certificate", path)
		}
		hc = hc.WithTransportOptions(func(tr *http.Transport) {
			if tr.TLSClientConfig == nil {
				tr.TLSClientConfig = new(tls.Config)
			}
			tr.TLSClientConfig.RootCAs = pool
		})
	}
	attempts := 0 // the SDK's default (3)
	if v := src.setting("AWS_MAX_ATTEMPTS", "max_attempts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fault.UsageErr("max attempts %q (AWS_MAX_ATTEMPTS or max_attempts) must be a whole number ≥ 1", v)
		}
		attempts = n
	}
	var fips aws.FIPSEndpointState
	if strings.EqualFold(src.setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"), "true") {
		fips = aws.FIPSEndpointStateEnabled
	}
	var dual aws.DualStackEndpointState
	if strings.EqualFold(src.setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"), "true") {
		dual = aws.DualStackEndpointStateEnabled
	}
	var creds aws.CredentialsProvider
	if signer != nil {
		creds = credentials.NewStaticCredentialsProvider(signer.AccessKeyID, signer.SecretAccessKey, signer.SessionToken)
	} else {
		creds = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(src.AccessKeyID, src.SecretAccessKey, ""))
	}
	optional := func(s string) *string {
		if s == "" {
			return nil
		}
		return aws.String(s)
	}
	stsClient := sts.New(sts.Options{
		Region: src.Region, Credentials: creds, HTTPClient: hc, RetryMaxAttempts: attempts,
		APIOptions:      []func(*middleware.Stack) error{addPlainRequestBody},
		BaseEndpoint:    optional(src.endpoint("STS")),
		EndpointOptions: sts.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual},
	})
	iamClient := iam.New(iam.Options{
		Region: src.Region, Credentials: creds, HTTPClient: hc, RetryMaxAttempts: attempts,
		APIOptions:      []func(*middleware.Stack) error{addPlainRequestBody},
		BaseEndpoint:    optional(src.endpoint("IAM")),
		EndpointOptions: iam.EndpointResolverOptions{UseFIPSEndpoint: fips, UseDualStackEndpoint: dual},
	})
	return &Client{sts: stsClient, iam: iamClient, profile: src.Profile, timeout: timeout, cfg: c}, nil
}

// stsEndpoint is the STS endpoint a call for src goes to: the configured one, else the SDK's regional
// default for the source's region and partition (for --debug and tests; it makes no call).
func stsEndpoint(ctx context.Context, src Config) string {
	if e := MaskURL(src.endpoint("STS")); e != "" {
		return e
	}
	p := sts.EndpointParameters{
		Region:       aws.String(src.Region),
		UseFIPS:      aws.Bool(strings.EqualFold(src.setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"), "true")),
		UseDualStack: aws.Bool(strings.EqualFold(src.setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"), "true")),
	}
	e, err := sts.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, p)
	if err != nil {
		return "unresolved: " + err.Error()
	}
	return e.URI.String()
}

// addPlainRequestBody hands net/http a request body it can finish reading after smithy-go has closed it.
//
// Without it a complete answer could end in a retryable error: smithy-go's ClientHandler closes the
// request body as soon as the HTTP client returns the response headers, but net/http's writeLoop may
// not be done with the body yet: after the Content-Length bytes have gone out it drains the body with
// io.Copy(io.Discard, body). The query serializers give a *bytes.Reader, which smithy wraps in a closer
// whose WriteTo returns io.EOF once closed; io.Copy reports that EOF as an error, the writeLoop takes it
// for a failed write of the request and closes the connection, under the response whose body the
// deserializer is still reading. That read fails with "use of closed network connection" (the SDK
// logs "failed to discard remaining HTTP response body"), which the retryer retries: GetSessionToken
// went out again with the same MFA code, and AWS refused it as used. It takes the answer's body to
// arrive after its headers while the writer is still at that drain (a busy machine), so it was rare.
// Hiding WriteTo (and Len) from the stream makes the drain use Read, and a Read after Close is a
// plain io.EOF: the request is sent as before, the connection stays open.
func addPlainRequestBody(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("stsmfa.PlainRequestBody", func(
		ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler,
	) (middleware.BuildOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok {
			if _, ok := req.GetStream().(io.WriterTo); ok {
				var plain io.Reader
				if rs, ok := req.GetStream().(io.ReadSeeker); ok {
					plain = struct{ io.ReadSeeker }{rs} // still seekable: the retryer rewinds it
				} else {
					plain = struct{ io.Reader }{req.GetStream()}
				}
				r, err := req.SetStream(plain)
				if err != nil {
					return middleware.BuildOutput{}, middleware.Metadata{}, err
				}
				in.Request = r
			}
		}
		return next.HandleBuild(ctx, in)
	}), middleware.Before)
}
