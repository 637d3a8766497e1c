package fakeaws

import (
	"encoding/xml"
)

type credentialsXML struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type getSessionTokenResult struct {
	XMLName     xml.Name `xml:"GetSessionTokenResult"`
	Credentials credentialsXML
}

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string
	UserId  string
	Account string
}

type assumedRoleUserXML struct {
	AssumedRoleId string
	Arn           string
}

type assumeRoleResult struct {
	XMLName         xml.Name `xml:"AssumeRoleResult"`
	AssumedRoleUser assumedRoleUserXML
	Credentials     credentialsXML
}

type mfaDeviceXML struct {
	UserName     string
	SerialNumber string
	EnableDate   string
}

type listMFADevicesResult struct {
	XMLName     xml.Name       `xml:"ListMFADevicesResult"`
	IsTruncated bool           `xml:"IsTruncated"`
	MFADevices  []mfaDeviceXML `xml:"MFADevices>member"`
}

type responseMetadata struct {
	RequestId string
}

type successEnvelope struct {
	XMLName          xml.Name
	Xmlns            string `xml:"xmlns,attr"`
	Result           any
	ResponseMetadata responseMetadata
}

type errorEnvelope struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestId string
}

func namespace(service string) string {
	if service == "iam" {
		return iamNamespace
	}
	return stsNamespace
}

func successXML(service, action string, result any, reqID string) []byte {
	env := successEnvelope{
		XMLName:          xml.Name{Local: action + "Response"},
		Xmlns:            namespace(service),
		Result:           result,
		ResponseMetadata: responseMetadata{RequestId: reqID},
	}
	b, err := xml.MarshalIndent(env, "", "  ")
	if err != nil {
		panic("fakeaws: marshal: " + err.Error())
	}
	return append(b, '\n')
}

func errorXML(service string, e *awsError, reqID string) []byte {
	env := errorEnvelope{Xmlns: namespace(service), RequestId: reqID}
	env.Error.Type, env.Error.Code, env.Error.Message = e.Type, e.Code, e.Message
	b, err := xml.MarshalIndent(env, "", "  ")
	if err != nil {
		panic("fakeaws: marshal: " + err.Error())
	}
	return append(b, '\n')
}
