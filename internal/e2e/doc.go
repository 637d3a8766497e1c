// Package e2e holds stsmfa's cross-process end-to-end tests: they build the real binary (testkit.Binary),
// start the stand-in STS/IAM and run stsmfa, the AWS CLI, boto3, the Go SDK and real shells as
// separate processes, the way users do. It has no non-test code besides this comment.
package e2e
