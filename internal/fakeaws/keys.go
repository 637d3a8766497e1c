package fakeaws

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"time"
)

// accessKey is one access key of a user, as IAM keeps it.
type accessKey struct {
	id, secret string
	user       *User
	active     bool
	created    time.Time
	usable     time.Time // eventual consistency: AWS refuses a new key until then
}

// MaxAccessKeys is IAM's quota of access keys per user, active or inactive (documented:
// "Cannot exceed quota for AccessKeysPerUser: 2").
const MaxAccessKeys = 2

// DefaultNewKeyDelay is how long a new access key is refused by default (IAM documents that a change
// can take a while to propagate; a new key typically works after a few seconds).
const DefaultNewKeyDelay = 3 * time.Second

// SetNewKeyDelay sets how long a key made by CreateAccessKey is refused (InvalidClientTokenId)
// before it works: IAM's eventual consistency. Tests make it short.
func (s *Server) SetNewKeyDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newKeyDelay = d
}

// AccessKeys lists a user's access key ids (by user name), oldest first, with whether each is active.
func (s *Server) AccessKeys(user string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for _, k := range s.keys {
		if k.user.Name == user {
			out[k.id] = k.active
		}
	}
	return out
}

// AddAccessKey gives the user (by its first key id) another key made outside stsmfa (a key the user
// made in the console); it works at once. It returns the key id.
func (s *Server) AddAccessKey(userKeyID string, created time.Time) (id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[userKeyID]
	if k == nil {
		panic("fakeaws: AddAccessKey: no key " + userKeyID)
	}
	id, secret = "AKIA"+randomUpperAlnum(16), randomSecret()
	s.keys[id] = &accessKey{id: id, secret: secret, user: k.user, active: true, created: created.UTC().Truncate(time.Second)}
	return id, secret
}

// SetKeyCreated backdates a key (to test key-age warnings).
func (s *Server) SetKeyCreated(id string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keys[id]; k != nil {
		k.created = t.UTC().Truncate(time.Second)
	}
}

func (s *Server) userKeys(u *User) []*accessKey {
	var out []*accessKey
	for _, k := range s.keys {
		if k.user == u {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].created.Before(out[j].created) || (out[i].created.Equal(out[j].created) && out[i].id < out[j].id)
	})
	return out
}

type accessKeyMetadataXML struct {
	UserName    string
	AccessKeyId string
	Status      string
	CreateDate  string
}

type listAccessKeysResult struct {
	XMLName           xml.Name               `xml:"ListAccessKeysResult"`
	IsTruncated       bool                   `xml:"IsTruncated"`
	AccessKeyMetadata []accessKeyMetadataXML `xml:"AccessKeyMetadata>member"`
}

type accessKeyXML struct {
	UserName        string
	AccessKeyId     string
	Status          string
	SecretAccessKey string
	CreateDate      string
}

type createAccessKeyResult struct {
	XMLName   xml.Name `xml:"CreateAccessKeyResult"`
	AccessKey accessKeyXML
}

func status(active bool) string {
	if active {
		return "Active"
	}
	return "Inactive"
}

// keyCaller is the user whose keys an access-key call manages. As under AWS's example policy for
// MFA-enforced users ("Allows MFA-authenticated IAM users to manage their own credentials"): only
// the user's own keys, and only with an MFA session; role sessions must name a user (IAM) and are
// denied here.
func (s *Server) keyCaller(action string, p url.Values, c *caller) (*User, *awsError) {
	if c.sess != nil && c.sess.role != nil && !p.Has("UserName") {
		return nil, errValidation("Must specify userName when calling with non-User credentials")
	}
	u := c.user
	name := p.Get("UserName")
	if c.sess == nil || c.sess.role != nil || !c.sess.mfa || (name != "" && name != u.Name) || u.Root {
		resource := "user " + u.Name
		if name != "" {
			resource = "user " + name
		}
		return nil, errAccessDenied(fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: %s with an explicit deny in an identity-based policy", c.arn(), action, resource))
	}
	return u, nil
}

func (s *Server) listAccessKeys(p url.Values, c *caller) (any, *awsError) {
	u, aerr := s.keyCaller("ListAccessKeys", p, c)
	if aerr != nil {
		return nil, aerr
	}
	res := &listAccessKeysResult{AccessKeyMetadata: []accessKeyMetadataXML{}}
	for _, k := range s.userKeys(u) {
		res.AccessKeyMetadata = append(res.AccessKeyMetadata, accessKeyMetadataXML{UserName: u.Name, AccessKeyId: k.id, Status: status(k.active), CreateDate: k.created.Format("2006-01-02T15:04:05Z")})
	}
	return res, nil
}

func (s *Server) createAccessKey(p url.Values, c *caller, now time.Time) (any, *awsError) {
	u, aerr := s.keyCaller("CreateAccessKey", p, c)
	if aerr != nil {
		return nil, aerr
	}
	if len(s.userKeys(u)) >= MaxAccessKeys {
		return nil, &awsError{Status: 409, Type: "Sender", Code: "LimitExceeded", Message: fmt.Sprintf("Cannot exceed quota for AccessKeysPerUser: %d", MaxAccessKeys)}
	}
	k := &accessKey{id: "AKIA" + randomUpperAlnum(16), secret: randomSecret(), user: u, active: true,
		created: now.UTC().Truncate(time.Second), usable: now.Add(s.newKeyDelay)}
	s.keys[k.id] = k
	return &createAccessKeyResult{AccessKey: accessKeyXML{UserName: u.Name, AccessKeyId: k.id, Status: "Active", SecretAccessKey: k.secret, CreateDate: k.created.Format("2006-01-02T15:04:05Z")}}, nil
}

func (s *Server) ownKey(action string, p url.Values, c *caller) (*accessKey, *awsError) {
	u, aerr := s.keyCaller(action, p, c)
	if aerr != nil {
		return nil, aerr
	}
	id := p.Get("AccessKeyId")
	if id == "" {
		var v validation
		v.add(nil, "accessKeyId", "Member must not be null")
		return nil, v.err()
	}
	k := s.keys[id]
	if k == nil || k.user != u {
		return nil, &awsError{Status: 404, Type: "Sender", Code: "NoSuchEntity", Message: "The Access Key with id " + id + " cannot be found."}
	}
	return k, nil
}

func (s *Server) updateAccessKey(p url.Values, c *caller) (any, *awsError) {
	k, aerr := s.ownKey("UpdateAccessKey", p, c)
	if aerr != nil {
		return nil, aerr
	}
	switch st := p.Get("Status"); st {
	case "Active", "Inactive":
		k.active = st == "Active"
	default:
		var v validation
		v.add(&st, "status", "Member must satisfy enum value set: [Active, Inactive]")
		return nil, v.err()
	}
	return nil, nil
}

func (s *Server) deleteAccessKey(p url.Values, c *caller) (any, *awsError) {
	k, aerr := s.ownKey("DeleteAccessKey", p, c)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.keys, k.id)
	return nil, nil
}
