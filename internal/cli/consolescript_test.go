package cli

import (
	"html"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// Script commands for stsmfa console (testdata/script/console_*.txtar):
//
//	federation-login FILE [ARN]   FILE holds a sign-in URL (console --print's stdout) or the redirect page
//	                              the browser got; GET it from the stand-in's federation endpoint, which
//	                              must redirect to the console (! : must refuse it); ARN: a regexp of the
//	                              assumed-role ARN signed in, as the stand-in saw it
//	console-logins N              assert the stand-in signed N sessions in to the console
var consoleCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"federation-login": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 1 || len(args) > 2 {
			ts.Fatalf("usage: federation-login FILE [ARN]")
		}
		b, err := os.ReadFile(ts.MkAbs(args[0]))
		ts.Check(err)
		u := strings.TrimSpace(string(b))
		if m := regexp.MustCompile(`<a href="([^"]+)"`).FindStringSubmatch(u); m != nil {
			u = html.UnescapeString(m[1])
		}
		if !strings.HasPrefix(u, ts.Getenv("STSMFA_FEDERATION_ENDPOINT")+"?") {
			ts.Fatalf("%s is not a URL of the federation endpoint", args[0])
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		before := len(world(ts).Server.ConsoleLogins())
		resp, err := c.Get(u)
		ts.Check(err)
		resp.Body.Close()
		ok := resp.StatusCode == http.StatusFound && strings.Contains(resp.Header.Get("Location"), "console.")
		if ok == neg {
			ts.Fatalf("federation login: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		ts.Logf("federation login: HTTP %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		if len(args) == 2 && !neg {
			got := world(ts).Server.ConsoleLogins()
			if len(got) != before+1 || !regexp.MustCompile("^"+args[1]+"$").MatchString(got[len(got)-1]) {
				ts.Fatalf("signed in %q, want %s", got[before:], args[1])
			}
		}
	},
	"console-logins": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: console-logins N")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		if got := len(world(ts).Server.ConsoleLogins()); (got == want) == neg {
			ts.Fatalf("the stand-in signed %d sessions in to the console, want %d", got, want)
		}
	},
}
