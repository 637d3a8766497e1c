package answer

import (
	"sort"
	"strings"

	"github.com/stsmfa/stsmfa/internal/awsfile"
)

// What `exec --server` and `exec --imds` give their command: no keys at all, an endpoint to fetch
// them from, and shared files without keys.
//
// The SDKs look at the shared credentials and config files BEFORE the container and instance
// metadata providers (botocore: env, assume-role, sso, shared credentials file, process, config
// file, container, IMDS; the Go and JS SDKs likewise). Long-term keys in [default] of
// ~/.aws/credentials, or a profile named by AWS_PROFILE, would win over the server. So the child's
// AWS_SHARED_CREDENTIALS_FILE is an empty file and its AWS_CONFIG_FILE a [default] holding only the
// served profile's non-credential settings (region, output, ...), and every variable that names a
// profile or carries credentials is removed.

// ServerVars are removed from the command's environment besides StaleVars: the shared file paths
// (replaced), and any endpoint or switch of the container and instance metadata providers (set anew).
var ServerVars = []string{
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_EC2_METADATA_V1_DISABLED", "AWS_CREDENTIAL_PROCESS", "AWS_SSO_SESSION",
}

// ServerChildEnv is the command's environment: environ without StaleVars, ServerVars and an outer
// MarkerVar, then set (the server's and the files' variables) and the profile's region.
func ServerChildEnv(environ []string, set map[string]string, region string, getenv func(string) string) []string {
	out := make([]string, 0, len(environ)+len(set)+2)
	drop := append(append([]string{MarkerVar}, StaleVars...), ServerVars...)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, s := range drop {
			if strings.EqualFold(name, s) {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	names := make([]string, 0, len(set))
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out = append(out, k+"="+set[k])
	}
	for _, v := range RegionVars(region, getenv) {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// serverConfigKeys are the settings the command's config file keeps from the served profile: what
// shapes its clients' behaviour, never where credentials come from.
var serverConfigKeys = []string{
	"region", "output", "cli_pager", "cli_timestamp_format", "cli_binary_format", "retry_mode", "max_attempts",
	"ca_bundle", "sts_regional_endpoints", "use_fips_endpoint", "use_dualstack_endpoint", "defaults_mode",
	"parameter_validation", "endpoint_url", "tcp_keepalive",
}

// ServerConfig is the config file the command reads: a [default] with the settings of
// serverConfigKeys taken from the first of profiles (asked, then its source) that sets each, and no
// way to credentials.
func ServerConfig(conf *awsfile.File, profiles ...string) []byte {
	var b strings.Builder
	b.WriteString("# written by stsmfa exec for its command, removed when it ends: no credentials here,\n" +
		"# so the AWS CLI and SDKs get them from stsmfa's credentials server\n[default]\n")
	for _, k := range serverConfigKeys {
		for _, p := range profiles {
			if conf == nil || p == "" {
				continue
			}
			v, ok := conf.Get(p, k)
			v = strings.TrimSpace(v)
			if !ok || v == "" || strings.ContainsAny(v, "\r\n") {
				continue
			}
			b.WriteString(k + " = " + v + "\n")
			break
		}
	}
	return []byte(b.String())
}

// ServerCredentials is the credentials file the command reads: no profile at all.
var ServerCredentials = []byte("# written by stsmfa exec for its command, removed when it ends: empty on purpose,\n" +
	"# so the AWS CLI and SDKs get credentials from stsmfa's credentials server\n")
