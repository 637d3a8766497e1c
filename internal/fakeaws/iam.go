package fakeaws

import (
	"net/url"
	"sort"
)

func (s *Server) listMFADevices(p url.Values, c *caller) (any, *awsError) {
	target := c.user
	if p.Has("UserName") {
		name := p.Get("UserName")
		target = nil
		for _, u := range s.users {
			if !u.Root && u.Account == c.user.Account && u.Name == name {
				target = u
			}
		}
		if target == nil {
			return nil, &awsError{Status: 404, Type: "Sender", Code: "NoSuchEntity",
				Message: "The user with name " + name + " cannot be found."}
		}
	} else if c.sess != nil && c.sess.role != nil {
		return nil, errValidation("Must specify userName when calling with non-User credentials")
	}
	res := &listMFADevicesResult{IsTruncated: false, MFADevices: []mfaDeviceXML{}}
	userName := target.Name
	if target.Root && userName == "" {
		userName = target.Account
	}
	for _, d := range target.MFA {
		res.MFADevices = append(res.MFADevices, mfaDeviceXML{
			UserName:     userName,
			SerialNumber: d.Serial,
			EnableDate:   s.created.Format("2006-01-02T15:04:05Z"),
		})
	}
	sort.Slice(res.MFADevices, func(i, j int) bool { return res.MFADevices[i].SerialNumber < res.MFADevices[j].SerialNumber })
	return res, nil
}
