package awsfile

import "testing"

func TestSectionGet(t *testing.T) {
	f, err := Parse("config", Config, []byte("[profile a]\nservices = corp\n\n[services corp]\nsts =\n  endpoint_url = https://sts.corp.example\n[sso-session x]\nsso_region = eu-west-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.SectionGet("services corp", "STS"); !ok || v != "\nendpoint_url = https://sts.corp.example" {
		t.Errorf("services corp/sts = %q, %v", v, ok)
	}
	if v, ok := f.SectionGet("sso-session x", "sso_region"); !ok || v != "eu-west-1" {
		t.Errorf("sso-session x/sso_region = %q, %v", v, ok)
	}
	if _, ok := f.SectionGet("services other", "sts"); ok {
		t.Error("found a key in a missing section")
	}
	if _, ok := f.SectionGet("profile a", "region"); ok {
		t.Error("found a missing key")
	}
}
