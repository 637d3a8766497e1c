package fakeaws

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestAccessKeys: the access-key APIs as IAM does them under AWS's example policy for MFA-enforced
// users: only with an MFA session of the user, at most two keys, a new key refused until IAM has
// propagated it, an inactive or deleted key refused, and sessions made with a deleted key still valid.
func TestAccessKeys(t *testing.T) {
	f := newFixture(t)
	f.srv.SetNewKeyDelay(2 * time.Second)
	alice := f.iam(f.alice.AccessKeyID, f.alice.SecretAccessKey, "")

	// long-term keys, and a session without MFA: denied (the policy's explicit deny / IAM's rule)
	_, err := alice.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantAPIError(t, err, "AccessDenied", 403, "iam:ListAccessKeys on resource: user alice with an explicit deny")
	_, err = alice.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	wantAPIError(t, err, "AccessDenied", 403, "iam:CreateAccessKey")
	plain, err := f.gst(f.userSTS(f.alice), "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	pc := plain.Credentials
	_, err = f.iam(*pc.AccessKeyId, *pc.SecretAccessKey, *pc.SessionToken).ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")

	out, err := f.gst(f.userSTS(f.alice), aliceSerial, f.code(f.alice, 0), 3600)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	mfa := f.iam(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	list, err := mfa.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil || len(list.AccessKeyMetadata) != 1 || *list.AccessKeyMetadata[0].AccessKeyId != f.alice.AccessKeyID || list.AccessKeyMetadata[0].Status != iamtypes.StatusTypeActive {
		t.Fatalf("list: %v %+v", err, list)
	}
	// another user's keys: denied
	_, err = mfa.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")})
	wantAPIError(t, err, "AccessDenied", 403, "resource: user bob")

	nk, err := mfa.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k := nk.AccessKey
	if !akiaRe(*k.AccessKeyId) || len(*k.SecretAccessKey) != 40 || *k.UserName != "alice" || k.CreateDate == nil {
		t.Fatalf("new key %+v", k)
	}
	// not yet propagated: refused like an unknown key; then accepted
	_, err = f.sts(*k.AccessKeyId, *k.SecretAccessKey, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	f.clk.Add(2 * time.Second)
	if _, err := f.sts(*k.AccessKeyId, *k.SecretAccessKey, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	// a third key: LimitExceeded, inactive ones count too
	_, err = mfa.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	wantAPIError(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
	if _, err := mfa.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: k.AccessKeyId, Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = f.sts(*k.AccessKeyId, *k.SecretAccessKey, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	_, err = mfa.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	wantAPIError(t, err, "LimitExceeded", 409, "")

	// delete the old key: it is refused from then on; the MFA session made with it stays valid
	if _, err := mfa.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(f.alice.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.userSTS(f.alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "")
	if _, err := mfa.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); err != nil {
		t.Fatalf("the MFA session died with its key: %v", err)
	}
	_, err = mfa.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(f.alice.AccessKeyID)})
	wantAPIError(t, err, "NoSuchEntity", 404, "The Access Key with id "+f.alice.AccessKeyID+" cannot be found.")
	// bob's key is not alice's to delete
	_, err = mfa.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(f.bob.AccessKeyID)})
	wantAPIError(t, err, "NoSuchEntity", 404, "")
	if got := f.srv.AccessKeys("alice"); len(got) != 1 || got[*k.AccessKeyId] {
		t.Fatalf("alice's keys: %v", got)
	}
}

func akiaRe(s string) bool { return len(s) == 20 && s[:4] == "AKIA" }
