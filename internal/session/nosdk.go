//go:build stsmfa_front && !windows

package session

// The front build (cmd/stsmfa built with -tags stsmfa_front, see internal/front) links no AWS SDK:
// package initialisation of the SDK's STS and IAM clients, net/http and TLS would cost it more than
// all of its own work (docs/benchmarks.md). It serves only cached sessions (Request.ReuseOnly) and
// hands every other run to the engine, the full build, which talks to AWS. What follows stands in
// for aws.go, awsconfig.go, assume.go and sendonce.go there; newClients fails, so no call is made.

import (
	"context"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// Identity is the caller as STS sees it.
type Identity struct {
	Account, Arn string
	Root         bool
}

type awsClients struct{}

func newClients(*Source, func(string) string, time.Duration, *Session) (*awsClients, error) {
	return nil, errNoSDK
}

func stsEndpoint(context.Context, *Source, func(string) string) string { return "" }

func (*awsClients) callerIdentity(context.Context) (Identity, error) { return Identity{}, errNoSDK }

func (*awsClients) listMFADevices(context.Context) ([]string, error) { return nil, errNoSDK }

func (*awsClients) getSessionToken(context.Context, string, string, time.Duration) (Session, error) {
	return Session{}, errNoSDK
}

func (*awsClients) assumeRole(context.Context, Hop, string, time.Duration, bool, string, string) (Session, error) {
	return Session{}, errNoSDK
}

var errNoSDK = fault.New(fault.Usage, fault.FieldNone, nil, "this build of stsmfa serves cached sessions only (built with -tags stsmfa_front); run the full build for a refresh")
