// Command standin runs the stand-in STS/IAM with a throwaway HOME for the benchmarks (bench/run.sh),
// the same world the tests use (testkit): alice's long-term keys in [default], her MFA device in the
// config, and a role arn:aws:iam::123456789012:role/admin that requires MFA. It never talks to AWS: the server listens on 127.0.0.1 only.
//
//	standin serve [-any-code] HOME ENVFILE
//	                             start; write the variables to use into ENVFILE (sh syntax); run until
//	                             SIGTERM, SIGINT or SIGHUP. -any-code: every code of alice's device is
//	                             right, any number of times (for timing `login --force CODE` many times)
//	standin code SEEDFILE        print alice's current MFA code
//	standin calls URL            print how often the stand-in at URL answered each action
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/stsmfa/stsmfa/internal/fakeaws"
	"github.com/stsmfa/stsmfa/internal/shellenv"
	"github.com/stsmfa/stsmfa/internal/testkit"
	"github.com/stsmfa/stsmfa/internal/totp"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "standin:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 3 && args[0] == "serve":
		return serve(args[1], args[2], false)
	case len(args) == 4 && args[0] == "serve" && args[1] == "-any-code":
		return serve(args[2], args[3], true)
	case len(args) == 2 && args[0] == "calls":
		resp, err := http.Get(args[1] + "/_fakeaws/calls")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var calls map[string]int
		if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
			return err
		}
		var names []string
		for k := range calls {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Printf("%s %d\n", k, calls[k])
		}
		return nil
	case len(args) == 2 && args[0] == "code":
		seed, err := os.ReadFile(args[1])
		if err != nil {
			return err
		}
		c, err := totp.Code(strings.TrimSpace(string(seed)), time.Now())
		if err != nil {
			return err
		}
		fmt.Println(c)
		return nil
	}
	return fmt.Errorf("usage: standin serve [-any-code] HOME ENVFILE | standin code SEEDFILE | standin calls URL")
}

func serve(home, envFile string, anyCode bool) error {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	w, err := testkit.Start(home)
	if err != nil {
		return err
	}
	// a role whose trust policy requires MFA, for the role rows (bench/run.sh adds [profile prod])
	w.Server.AddRole(fakeaws.Role{ARN: "arn:aws:iam::123456789012:role/admin", MaxSessionDuration: 43200, RequireMFA: true})
	w.Server.AcceptAnyCode(anyCode)
	defer w.Close()
	seedFile := filepath.Join(home, "mfa-seed")
	if err := os.WriteFile(seedFile, []byte(w.Seed+"\n"), 0o600); err != nil {
		return err
	}
	var b strings.Builder
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k == "PATH" {
			continue
		}
		fmt.Fprintf(&b, "export %s=%s\n", k, shellenv.Quote(v))
	}
	fmt.Fprintf(&b, "export STANDIN_URL=%s\nexport STANDIN_SEED_FILE=%s\n", shellenv.Quote(w.Server.URL()), shellenv.Quote(seedFile))
	// write then rename: the reader polls for the file and must never see half of it
	if err := os.WriteFile(envFile+".tmp", []byte(b.String()), 0o600); err != nil {
		return err
	}
	if err := os.Rename(envFile+".tmp", envFile); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	<-sig
	return nil
}
