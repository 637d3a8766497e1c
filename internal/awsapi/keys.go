package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/stsmfa/stsmfa/internal/cred"
)

// The IAM calls of `stsmfa keys rotate`, made for the caller's own user (no UserName: IAM takes the
// user who signs), signed with the MFA session: AWS's example policy for MFA-enforced users lets a
// user manage their own access keys only with MFA.

// ListAccessKeys lists the caller's own access keys.
func (c *Client) ListAccessKeys(ctx context.Context) ([]cred.AccessKey, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var keys []cred.AccessKey
	p := iam.NewListAccessKeysPaginator(c.iam, &iam.ListAccessKeysInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.explain("ListAccessKeys", err)
		}
		for _, k := range out.AccessKeyMetadata {
			keys = append(keys, cred.AccessKey{ID: aws.ToString(k.AccessKeyId), Active: k.Status == types.StatusTypeActive, Created: aws.ToTime(k.CreateDate)})
		}
	}
	return keys, nil
}

// CreateAccessKey makes a new access key for the caller; the answer is the only time AWS shows its
// secret. Not retried after a request may have reached IAM: a second key would be made.
func (c *Client) CreateAccessKey(ctx context.Context) (cred.AccessKey, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out, err := c.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		return cred.AccessKey{}, c.explain("CreateAccessKey", err)
	}
	k := out.AccessKey
	return cred.AccessKey{ID: aws.ToString(k.AccessKeyId), Secret: aws.ToString(k.SecretAccessKey),
		Active: k.Status == types.StatusTypeActive, Created: aws.ToTime(k.CreateDate)}, nil
}

// DeleteAccessKey deletes one of the caller's access keys.
func (c *Client) DeleteAccessKey(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if _, err := c.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(id)}); err != nil {
		return c.explain("DeleteAccessKey", err)
	}
	return nil
}
