package awsapi

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// AssumeRole calls AssumeRole for one role of a chain. With a code, SerialNumber and TokenCode are
// sent (the role is assumed directly with the long-term keys). dur is sent only when send is set;
// otherwise AWS gives its default of 1h.
func (c *Client) AssumeRole(ctx context.Context, h cred.Hop, sessionName string, dur time.Duration, send bool, serial, code string) (cred.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(h.RoleARN), RoleSessionName: aws.String(sessionName)}
	if send {
		in.DurationSeconds = aws.Int32(int32(dur / time.Second))
	}
	if h.ExternalID != "" {
		in.ExternalId = aws.String(h.ExternalID)
	}
	if code != "" {
		in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code)
	}
	var opts []func(*sts.Options)
	if code != "" {
		opts = append(opts, sendOnce) // a request carrying a code is never re-sent once it may have left
	}
	out, err := c.sts.AssumeRole(ctx, in, opts...)
	if err != nil {
		var api smithy.APIError
		if code != "" && (!errors.As(err, &api) || redirected(err)) {
			return cred.Session{}, c.codeCallError("AssumeRole", err)
		}
		return cred.Session{}, c.explainRole(h, dur, err)
	}
	cr := out.Credentials
	if cr == nil || cr.AccessKeyId == nil || cr.SecretAccessKey == nil || cr.SessionToken == nil || cr.Expiration == nil {
		return cred.Session{}, notAnswer("AssumeRole for "+h.Who(), code != "")
	}
	s := cred.Session{
		AccessKeyID:     *cr.AccessKeyId,
		SecretAccessKey: *cr.SecretAccessKey,
		SessionToken:    *cr.SessionToken,
		Expiration:      cr.Expiration.UTC().Truncate(time.Second),
	}
	if out.AssumedRoleUser != nil {
		s.AssumedRoleARN = aws.ToString(out.AssumedRoleUser.Arn)
	}
	return s, nil
}

// explainRole words what AWS refused about a role: the trust policy (or its MFA or external id
// condition), the role's MaxSessionDuration, the 1h limit of chained roles; anything else as for any
// STS call.
func (c *Client) explainRole(h cred.Hop, dur time.Duration, err error) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return c.explain("AssumeRole", err)
	}
	code, msg := api.ErrorCode(), api.ErrorMessage()
	lmsg := strings.ToLower(msg)
	who := h.Who()
	switch {
	case strings.Contains(lmsg, "one time pass code") || strings.Contains(lmsg, "mfa serial"):
		return c.explain("AssumeRole", err)
	case code == "AccessDenied" && strings.Contains(lmsg, "not authorized to perform: sts:assumerole"):
		ext := ""
		if h.ExternalID == "" {
			ext = "; if the role's owner gave you an external id, set external_id in the profile"
		} else {
			ext = "; check that external_id in the profile is the one the role's owner gave you"
		}
		return fault.New(fault.Refused, fault.FieldNone, err, "AWS refused to let profile %s assume %s (AccessDenied): the role's trust policy does not allow this IAM user, or requires MFA or an external id it did not get%s", c.profile, who, ext)
	case code == "ValidationError" && strings.Contains(lmsg, "role chaining"):
		return fault.New(fault.Refused, fault.FieldDuration, err, "AWS refused %s for %s: a role assumed with session credentials lasts at most 1h; ask for 1h or less (duration_seconds)", cred.Human(dur), who)
	case code == "ValidationError" && strings.Contains(lmsg, "maxsessionduration"):
		return fault.New(fault.Refused, fault.FieldDuration, err, "AWS refused %s for %s: the role's MaxSessionDuration is shorter; lower duration_seconds, or ask the role's owner to raise MaxSessionDuration", cred.Human(dur), who)
	case code == "AccessDenied":
		return fault.New(fault.Refused, fault.FieldNone, err, "AWS denied AssumeRole of %s for profile %s: %s", who, c.profile, msg)
	}
	return c.explain("AssumeRole", err)
}
