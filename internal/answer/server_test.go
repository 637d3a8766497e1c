package answer

import (
	"strings"
	"testing"

	"github.com/stsmfa/stsmfa/internal/awsfile"
)

// TestServerChildEnv: no variable that names a profile, carries keys or points the SDKs elsewhere
// survives (in any letter case); the server's are set; other variables are kept.
func TestServerChildEnv(t *testing.T) {
	environ := []string{"PATH=/bin", "AWS_PROFILE=default", "aws_access_key_id=AKIA", "AWS_SECRET_ACCESS_KEY=s",
		"AWS_SHARED_CREDENTIALS_FILE=/home/u/.aws/credentials", "AWS_CONFIG_FILE=/home/u/.aws/config",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/x", "STSMFA_PROFILE=outer", "AWS_ENDPOINT_URL_STS=http://x"}
	set := map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/credentials",
		"AWS_SHARED_CREDENTIALS_FILE": "/run/x/credentials", "AWS_CONFIG_FILE": "/run/x/config"}
	got := ServerChildEnv(environ, set, "eu-west-1", func(string) string { return "" })
	want := []string{"PATH=/bin", "AWS_ENDPOINT_URL_STS=http://x", "AWS_CONFIG_FILE=/run/x/config",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/credentials", "AWS_SHARED_CREDENTIALS_FILE=/run/x/credentials",
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestServerConfig: the settings that shape clients are kept (the profile's first, then its
// source's), nothing that leads to credentials.
func TestServerConfig(t *testing.T) {
	conf, err := awsfile.Parse("config", awsfile.Config, []byte("[default]\nregion = eu-west-1\noutput = json\nmfa_serial = arn:x\ncredential_process = evil\n"+
		"[profile prod]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\nregion = us-west-2\nduration_seconds = 3600\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(ServerConfig(conf, "prod", "prod", "default"))
	if !strings.Contains(got, "[default]\nregion = us-west-2\noutput = json\n") {
		t.Errorf("config:\n%s", got)
	}
	for _, bad := range []string{"role_arn", "source_profile", "credential_process", "mfa_serial", "duration_seconds"} {
		if strings.Contains(got, bad) {
			t.Errorf("config keeps %s:\n%s", bad, got)
		}
	}
}
