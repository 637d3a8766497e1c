package session

import (
	"fmt"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/tokencmd"
)

// KeyMFAProcessTimeout and KeyYkmanDevice are read from the source profile's config section.
const (
	KeyMFAProcessTimeout = "mfa_process_timeout" // seconds or a Go duration
	KeyYkmanDevice       = "ykman_device"        // the YubiKey serial for the ykman: preset (--device)
)

// tokenSettings is what a Source knows of its token command besides the command line.
type tokenSettings struct {
	TokenTimeout     time.Duration // Request.TokenTimeout, else mfa_process_timeout, else tokencmd.DefaultTimeout
	TokenTimeoutFrom string
	token            tokencmd.Command // TokenCommand parsed (presets.go)
	tokenErr         error            // a mistake in the token command's settings, reported when a code is needed
}

// loadTokenSettings reads what a token command needs besides its command line: ykman_device for the
// ykman: preset and the timeout (the request's, else mfa_process_timeout, else tokencmd.DefaultTimeout).
// A mistake in them is kept in tokenErr and reported when a code is needed: a cached session is still
// served.
func (s *Source) loadTokenSettings(conf *awsfile.File, req *Request) {
	name := s.Profile
	at := func(key string) string {
		return fmt.Sprintf("%s in %s line %d", key, conf.Path(), conf.Line(name, key))
	}
	if s.TokenCommand != "" {
		device, _ := conf.Get(name, KeyYkmanDevice)
		s.token, s.tokenErr = tokencmd.Parse(s.TokenCommand, s.TokenFrom, device, at(KeyYkmanDevice))
	}
	s.TokenTimeout, s.TokenTimeoutFrom = tokencmd.DefaultTimeout, "the default timeout"
	if req.TokenTimeout != 0 {
		s.TokenTimeout, s.TokenTimeoutFrom = req.TokenTimeout, req.label(fault.FieldTokenTimeout, "the requested timeout")
	} else if v, ok := conf.Get(name, KeyMFAProcessTimeout); ok {
		d, err := ParseDuration(v)
		if err == nil && d <= 0 {
			err = fmt.Errorf("must be longer than 0")
		}
		if err != nil && s.tokenErr == nil {
			s.tokenErr = fault.UsageErr("%s: %v", at(KeyMFAProcessTimeout), err)
		}
		s.TokenTimeout, s.TokenTimeoutFrom = d, at(KeyMFAProcessTimeout)
	}
}
