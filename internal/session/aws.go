package session

import (
	"context"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// AWS is what a refresh asks of STS and IAM for one source profile. session links no AWS SDK: the
// program wires in internal/awsapi (Env.Dial), whose errors are already worded and classified.
type AWS interface {
	CallerIdentity(ctx context.Context) (cred.Identity, error)
	// ListMFADevices lists the caller's own devices, FIDO keys included.
	ListMFADevices(ctx context.Context) ([]string, error)
	// GetSessionToken and AssumeRole with a code send the request once (a code is good for one call).
	GetSessionToken(ctx context.Context, serial, code string, d time.Duration) (cred.Session, error)
	// AssumeRole assumes h; d is sent only when send is set; serial and code only when code is set.
	AssumeRole(ctx context.Context, h cred.Hop, sessionName string, d time.Duration, send bool, serial, code string) (cred.Session, error)
	// Endpoint is the STS endpoint the calls go to, for --debug.
	Endpoint(ctx context.Context) string
}

// Conn is what opening AWS for a source needs. internal/awsapi.Config has the same fields, so the
// program converts one into the other.
type Conn struct {
	Profile         string
	AccessKeyID     string
	SecretAccessKey string
	Region          string
	Conf            *awsfile.File // the config file: endpoint, CA bundle and retry settings
	Getenv          func(string) string
	Timeout         time.Duration // per call
	Signer          *cred.Session // nil: sign with the long-term keys
}

// dial opens AWS for the source, signed with signer or, when it is nil, the long-term keys.
func (r *run) dial(signer *cred.Session) (AWS, error) {
	if r.env.Dial == nil {
		return nil, fault.UsageErr("this program serves cached sessions only; run stsmfa-engine (the full program) to refresh")
	}
	s := r.src
	return r.env.Dial(Conn{Profile: s.Profile, AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, Region: s.Region,
		Conf: s.conf, Getenv: r.env.Getenv, Timeout: r.env.Timeout, Signer: signer})
}
