package main
import (
_ "github.com/aws/aws-sdk-go-v2/aws"
_ "github.com/aws/aws-sdk-go-v2/config"
_ "github.com/aws/aws-sdk-go-v2/credentials"
_ "github.com/aws/aws-sdk-go-v2/credentials/processcreds"
_ "github.com/aws/aws-sdk-go-v2/service/sts"
_ "github.com/aws/aws-sdk-go-v2/service/iam"
_ "github.com/aws/smithy-go"
_ "github.com/spf13/cobra"
_ "golang.org/x/term"
_ "github.com/gofrs/flock"
_ "github.com/rogpeppe/go-internal/testscript"
)
func main(){}
