package awsapi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// The endpoint of each service is resolved in the SDKs' documented order: AWS_ENDPOINT_URL_<SVC>,
// AWS_ENDPOINT_URL, the profile's services section, the profile's endpoint_url; none of them when
// configured endpoints are ignored.
func TestEndpointPrecedence(t *testing.T) {
	conf, err := awsfile.Parse("config", awsfile.Config, []byte(`[profile src]
services = corp
endpoint_url = https://profile.example

[services corp]
sts =
  endpoint_url = https://sts.services.example
[profile plain]
endpoint_url = https://plain.example
[profile ignoring]
endpoint_url = https://ignored.example
ignore_configured_endpoint_urls = true
`))
	if err != nil {
		t.Fatal(err)
	}
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	src := func(p string, getenv func(string) string) Config {
		return Config{Profile: p, Conf: conf, Getenv: getenv}
	}
	for _, c := range []struct {
		name, profile, svc string
		getenv             func(string) string
		want               string
	}{
		{"service env wins", "src", "STS", env("AWS_ENDPOINT_URL_STS", "https://sts.env", "AWS_ENDPOINT_URL", "https://all.env"), "https://sts.env"},
		{"global env next", "src", "STS", env("AWS_ENDPOINT_URL", "https://all.env"), "https://all.env"},
		{"services section next", "src", "STS", env(), "https://sts.services.example"},
		{"profile endpoint_url when the services section lacks the service", "src", "IAM", env(), "https://profile.example"},
		{"profile endpoint_url", "plain", "STS", env(), "https://plain.example"},
		{"no setting: the SDK's own endpoint", "none", "STS", env(), ""},
		{"ignored by environment", "src", "STS", env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", "AWS_ENDPOINT_URL_STS", "https://sts.env"), ""},
		{"ignored by profile", "ignoring", "STS", env(), ""},
	} {
		if got := src(c.profile, c.getenv).endpoint(c.svc); got != c.want {
			t.Errorf("%s: endpoint = %q, want %q", c.name, got, c.want)
		}
	}
}

// With no endpoint configured, calls go to the SDK's regional STS endpoint of the source's partition.
func TestDefaultSTSEndpoint(t *testing.T) {
	none := func(string) string { return "" }
	for region, want := range map[string]string{
		"eu-west-1":     "https://sts.eu-west-1.amazonaws.com",
		"us-east-1":     "https://sts.us-east-1.amazonaws.com",
		"cn-north-1":    "https://sts.cn-north-1.amazonaws.com.cn",
		"us-gov-west-1": "https://sts.us-gov-west-1.amazonaws.com",
	} {
		if got := stsEndpoint(context.Background(), Config{Region: region, Getenv: none}); got != want {
			t.Errorf("region %s: %s, want %s", region, got, want)
		}
	}
	fips := func(k string) string {
		if k == "AWS_USE_FIPS_ENDPOINT" {
			return "true"
		}
		return ""
	}
	if got := stsEndpoint(context.Background(), Config{Region: "us-east-1", Getenv: fips}); got != "https://sts-fips.us-east-1.amazonaws.com" {
		t.Errorf("FIPS: %s", got)
	}
}

// A malformed endpoint or region is a configuration error at once (exit 2, naming where it was set),
// not "cannot reach AWS" after the SDK's retries; --debug never shows an endpoint's user:password@.
func TestConfigurationErrors(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		getenv func(string) string
		region string
		want   string
	}{
		{env("AWS_ENDPOINT_URL_STS", "sts.example.com"), "eu-west-1", "AWS_ENDPOINT_URL_STS is not an endpoint URL"},
		{env("AWS_ENDPOINT_URL", "http://[::1"), "eu-west-1", "AWS_ENDPOINT_URL is not an endpoint URL"},
		{env("AWS_ENDPOINT_URL", "ftp://host/"), "eu-west-1", "it needs https:// and a host"},
		{env("AWS_REGION", "eu west 1"), "eu west 1", `AWS_REGION is "eu west 1", which is not a region name`},
		{env(), "EU_WEST", `the region of profile work is "EU_WEST"`},
	} {
		_, err := Dial(Config{Profile: "work", Region: c.region, Getenv: c.getenv, Timeout: time.Second})
		if fault.Code(err) != fault.Usage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v (exit %d), want exit 2 with %q", err, fault.Code(err), c.want)
		}
	}
	_, err := Dial(Config{Profile: "work", Region: "eu-west-1", Timeout: time.Second, Getenv: env("AWS_ENDPOINT_URL_STS", "https://user:hunter2@proxy.example/sts")})
	if err != nil {
		t.Fatal(err)
	}
	e := stsEndpoint(context.Background(), Config{Region: "eu-west-1", Getenv: env("AWS_ENDPOINT_URL_STS", "https://user:hunter2@proxy.example/sts")})
	if strings.Contains(e, "hunter2") || strings.Contains(e, "user") || !strings.Contains(e, "proxy.example") {
		t.Errorf("endpoint for --debug: %s", e)
	}
}
