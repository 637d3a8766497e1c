package awsfile

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// op is one edit; it records what it is expected to remove and add so that a check can prove every
// other line survived byte for byte.
type op struct {
	kind    string // set, delete, remove
	profile string
	key     string
	value   string
}

func (o op) String() string {
	return fmt.Sprintf("%s(%q,%q,%q)", o.kind, o.profile, o.key, o.value)
}

// affected returns the indices of lines the op may remove from f (computed from f's parse).
func affected(f *File, o op) map[int]bool {
	out := map[int]bool{}
	si, ok := f.prof[o.profile]
	switch {
	case !ok:
	case o.kind == "set" || o.kind == "delete":
		if j := f.findKeyIn(si, pyLower(o.key)); j >= 0 {
			for k := j; k <= f.valueEnd(j); k++ {
				out[k] = true
			}
		}
	case o.kind == "remove":
		for s := range f.secs {
			if !f.secs[s].isProf || f.secs[s].profile != o.profile {
				continue
			}
			for k := f.secs[s].header; k <= f.secs[s].last; k++ {
				out[k] = true
			}
			// the blank line directly before the header may go too
			if h := f.secs[s].header; h > 0 && f.lines[h-1].blank {
				out[h-1] = true
			}
		}
	}
	return out
}

// apply runs o on f and returns an error from Set, or a bool for delete/remove.
func apply(f *File, o op) (bool, error) {
	switch o.kind {
	case "set":
		return true, f.Set(o.profile, o.key, o.value)
	case "delete":
		return f.Delete(o.profile, o.key), nil
	case "remove":
		return f.RemoveProfile(o.profile), nil
	}
	panic(o.kind)
}

// checkPreserved verifies that every line of before that o was not allowed to remove is present in
// after, byte-identical and in order, and that at most maxAdded lines were added.
func checkPreserved(before, after []line, may map[int]bool, maxAdded int) error {
	var kept []int
	for i := range before {
		if !may[i] {
			kept = append(kept, i)
		}
	}
	p := 0
	for _, nl := range after {
		if p < len(kept) {
			ol := before[kept[p]]
			lastNoEOL := kept[p] == len(before)-1 && ol.eol == ""
			if nl.text == ol.text && (nl.eol == ol.eol || lastNoEOL) {
				p++
				continue
			}
		}
	}
	if p != len(kept) {
		ol := before[kept[p]]
		return fmt.Errorf("line %d (%q) not preserved", kept[p]+1, ol.text+ol.eol)
	}
	if added := len(after) - len(kept); added > maxAdded {
		return fmt.Errorf("%d lines added, at most %d expected", added, maxAdded)
	}
	return nil
}

// editAndCheck applies o to f and checks preservation and the resulting value.
func editAndCheck(t testing.TB, f *File, o op) bool {
	t.Helper()
	before := append([]line(nil), f.lines...)
	may := affected(f, o)
	had := f.HasProfile(o.profile)
	var dflt string
	var hasDflt bool
	for _, d := range f.dflts {
		if j := f.findKeyIn(d, pyLower(o.key)); j >= 0 {
			dflt, hasDflt = f.value(j), true
		}
	}
	snap := snapshot(f)
	ok, err := apply(f, o)
	if err != nil {
		if string(f.Bytes()) != string(linesBytes(before)) {
			t.Fatalf("%v failed (%v) but changed the file", o, err)
		}
		msg := err.Error()
		lk := strings.ToLower(o.key)
		for _, s := range []string{fmt.Sprintf("%q", o.key), fmt.Sprintf("%q", lk), fmt.Sprintf("%q", o.profile), o.key, lk, o.profile} {
			msg = strings.ReplaceAll(msg, s, "")
		}
		if len(o.value) > 3 && strings.Contains(msg, o.value) {
			t.Fatalf("%v: error text contains the value: %v", o, err)
		}
		return false
	}
	maxAdded := 0
	if o.kind == "set" {
		maxAdded = 1
		if !had {
			maxAdded = 3
		}
	}
	if err := checkPreserved(before, f.lines, may, maxAdded); err != nil {
		t.Fatalf("%v: %v\nbefore:\n%s\nafter:\n%s", o, err, linesBytes(before), f.Bytes())
	}
	g, perr := Parse("reparse", f.kind, f.Bytes())
	if perr != nil {
		t.Fatalf("%v: result does not parse: %v\n%s", o, perr, f.Bytes())
	}
	after := snapshot(g)
	for p, kv := range snap {
		if p == o.profile {
			if o.kind == "remove" {
				continue
			}
			for k, v := range kv {
				if k != pyLower(o.key) && after[p][k] != v {
					t.Fatalf("%v: %s.%s changed from %q to %q", o, p, k, v, after[p][k])
				}
			}
			continue
		}
		if fmt.Sprint(kv) != fmt.Sprint(after[p]) {
			t.Fatalf("%v: untouched profile %q changed: %v -> %v", o, p, kv, after[p])
		}
	}
	for p := range after {
		if _, was := snap[p]; !was && p != o.profile {
			t.Fatalf("%v: profile %q appeared", o, p)
		}
	}
	switch o.kind {
	case "set":
		for _, ff := range []*File{f, g} {
			if v, found := ff.Get(o.profile, o.key); !found || v != o.value {
				t.Fatalf("%v: Get = %q, %v", o, v, found)
			}
		}
	case "delete":
		if ok {
			if v, found := g.Get(o.profile, o.key); found != hasDflt || v != dflt {
				t.Fatalf("%v: key still there after delete: %q", o, v)
			}
		}
	case "remove":
		if ok && g.HasProfile(o.profile) {
			t.Fatalf("%v: profile still there", o)
		}
	}
	return ok
}

func linesBytes(ls []line) []byte {
	var b []byte
	for _, l := range ls {
		b = append(b, l.text...)
		b = append(b, l.eol...)
	}
	return b
}

// snapshot is every profile's keys and values as botocore sees them (own keys and [DEFAULT]).
func snapshot(f *File) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, p := range f.Profiles() {
		kv := map[string]string{}
		for _, k := range f.Keys(p) {
			kv[k], _ = f.Get(p, k)
		}
		for _, d := range f.dflts {
			for _, j := range f.secs[d].keys {
				kv[f.lines[j].key], _ = f.Get(p, f.lines[j].key)
			}
		}
		out[p] = kv
	}
	return out
}

func asParseError(err error, pe **ParseError) bool {
	p, ok := err.(*ParseError)
	*pe = p
	return ok
}

func writeFileB(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
