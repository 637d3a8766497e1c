package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	ltkeys "github.com/stsmfa/stsmfa/internal/keys"
	"github.com/stsmfa/stsmfa/internal/session"
)

// ProblemKeyAge: a source's long-term key is older than stsmfa_key_max_age (default 90 days, AWS's
// recommendation).
const ProblemKeyAge = "key_age"

// keyAge is one source's long-term key in `status --json` ("keys", only sources whose key age is
// known). status reads only the files: the age is what keys rotate recorded in stsmfa_key_created
// (the date AWS gave); no key store is opened.
type keyAge struct {
	Source     string  `json:"source"`
	Where      string  `json:"where"`    // "credentials file", or the key store's name
	Created    *string `json:"created"`  // RFC 3339 UTC
	AgeDays    *int    `json:"age_days"` // whole days
	MaxAgeDays int     `json:"max_age_days"`
}

// parseMaxAge reads stsmfa_key_max_age: days ("90d"), seconds or a Go duration ("2160h").
func parseMaxAge(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("not a number of days like 90d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := session.ParseDuration(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("must be longer than 0")
	}
	return d, err
}

// keyAges finds the key age of each source status lists, and the keys past their maximum age.
func keyAges(f *statusFacts) ([]keyAge, []problem) {
	var ages []keyAge
	var probs []problem
	for _, s := range f.srcNames {
		where := ""
		if k, _ := f.creds.Get(s, "aws_access_key_id"); k != "" {
			where = "credentials file"
		} else if b := ltkeys.BackendOf(f.conf, s); b != "" {
			where = b
		} else {
			continue
		}
		max := ltkeys.DefaultMaxAge
		if v, ok := f.conf.Get(s, ltkeys.KeyMaxAge); ok {
			d, err := parseMaxAge(v)
			if err != nil {
				probs = append(probs, newProblem(ProblemMalformedFile, "%s = %s in profile %s of %s: %v; using %dd", ltkeys.KeyMaxAge, v, s, f.confPath, err, int(ltkeys.DefaultMaxAge.Hours()/24)))
			} else {
				max = d
			}
		}
		c := ltkeys.Created(f.conf, s)
		if c.IsZero() {
			continue
		}
		created := c.UTC().Format(time.RFC3339)
		days := int(f.now.Sub(c).Hours() / 24)
		ka := keyAge{Source: s, Where: where, MaxAgeDays: int(max.Hours() / 24), Created: &created, AgeDays: &days}
		if f.now.Sub(c) > max {
			probs = append(probs, newProblem(ProblemKeyAge, "the access key of profile %s is %d days old (made %s), older than %d days; rotate it with: stsmfa keys rotate --profile %s",
				s, days, c.Local().Format("2006-01-02"), ka.MaxAgeDays, s))
		}
		ages = append(ages, ka)
	}
	return ages, probs
}

// keyTooOld is the problem check: a source's key older than its stsmfa_key_max_age.
func keyTooOld(f *statusFacts) []problem {
	_, probs := keyAges(f)
	return probs
}

// printKeyAges shows the key ages that are known, after the sessions.
func (a *app) printKeyAges(ages []keyAge) {
	if len(ages) == 0 {
		return
	}
	tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSOURCE\tKEYS IN\tKEY AGE")
	for _, k := range ages {
		age := "unknown"
		if k.AgeDays != nil {
			age = fmt.Sprintf("%dd", *k.AgeDays)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Source, k.Where, age)
	}
	tw.Flush()
}
