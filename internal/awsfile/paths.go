package awsfile

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
)

// CredentialsPath is $AWS_SHARED_CREDENTIALS_FILE (variables and ~ expanded, as botocore does: on
// Windows also %VAR% and ~\) or ~/.aws/credentials.
func CredentialsPath() (string, error) { return awsPath("AWS_SHARED_CREDENTIALS_FILE", "credentials") }

// ConfigPath is $AWS_CONFIG_FILE (variables and ~ expanded) or ~/.aws/config.
func ConfigPath() (string, error) { return awsPath("AWS_CONFIG_FILE", "config") }

func awsPath(env, name string) (string, error) {
	if v := os.Getenv(env); v != "" {
		if runtime.GOOS == "windows" { // the AWS CLI's os.path there is ntpath
			return expandUserNT(expandVarsNT(v, os.LookupEnv), os.LookupEnv), nil
		}
		return expandUser(expandVars(v))
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot find the home directory: set HOME or " + env)
	}
	return filepath.Join(home, ".aws", name), nil
}

var varRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$(\w+|\{[^}]*\})`) })

// expandVars is Python's os.path.expandvars: unknown variables are left as they are.
func expandVars(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return varRE().ReplaceAllStringFunc(s, func(m string) string {
		name := strings.TrimSuffix(strings.TrimPrefix(m[1:], "{"), "}")
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return m
	})
}

// expandUser expands a leading "~" or "~/" to the home directory.
func expandUser(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot expand ~ in " + p + ": home directory unknown")
	}
	return filepath.Join(home, p[1:]), nil
}

// RealPath is path with every symbolic link followed (a dangling link: its final target).
func RealPath(path string) (string, error) { return realPath(path) }

// SameFile reports whether the paths name one file (symlinks followed; for files that do not exist
// yet, the same name in the same directory).
func SameFile(a, b string) bool {
	ra, err1 := realPath(a)
	rb, err2 := realPath(b)
	if err1 != nil || err2 != nil {
		return sameFile(a, b)
	}
	return sameFile(ra, rb)
}
