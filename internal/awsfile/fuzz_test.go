package awsfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// parseOps reads edit ops, one a line: "s\tPROFILE\tKEY\tVALUE", "d\tPROFILE\tKEY", "r\tPROFILE".
// "#N" as PROFILE or KEY picks the Nth existing profile or key (modulo), so the fuzzer reaches them.
func parseOps(f *File, spec string) []op {
	var ops []op
	for _, ln := range strings.Split(spec, "\n") {
		fs := strings.SplitN(ln, "\t", 4)
		for len(fs) < 4 {
			fs = append(fs, "")
		}
		kind := map[string]string{"s": "set", "d": "delete", "r": "remove"}[fs[0]]
		if kind == "" {
			continue
		}
		ops = append(ops, op{kind: kind, profile: fs[1], key: fs[2], value: fs[3]})
	}
	return ops
}

func pick(name string, from []string) string {
	if n, err := strconv.Atoi(strings.TrimPrefix(name, "#")); err == nil && strings.HasPrefix(name, "#") && len(from) > 0 {
		if n < 0 {
			n = -n
		}
		return from[n%len(from)]
	}
	return name
}

func FuzzEdit(f *testing.F) {
	ents, _ := os.ReadDir("testdata/corpus")
	for _, e := range ents {
		data, _ := os.ReadFile(filepath.Join("testdata/corpus", e.Name()))
		f.Add(data, corpusKind(e.Name()) == Config, "s\t#0\t#0\tnew-value\ns\t#1\tstsmfa_x\tv\nd\t#2\t#1\nr\t#1\ns\tfresh\taws_access_key_id\tAKIA")
	}
	f.Add([]byte("[a]\nk = v\n  [b]\n"), false, "r\ta\ns\ta\tk\tv")
	f.Add([]byte("[a]\n    [b]\nx=1\n"), true, "s\ta\tk\tv")
	f.Fuzz(func(t *testing.T, data []byte, isConfig bool, spec string) {
		kind := Credentials
		if isConfig {
			kind = Config
		}
		file, err := Parse("fuzz", kind, data)
		// Load (scan.go) must accept and refuse the same, and read the same
		lz, lerr := load("fuzz", kind, string(data))
		if fmt.Sprint(err) != fmt.Sprint(lerr) {
			t.Fatalf("Parse error %v, load error %v", err, lerr)
		}
		if err == nil {
			if err := sameView(file, lz); err != nil {
				t.Fatalf("load: %v", err)
			}
		}
		if err != nil {
			var pe *ParseError
			if !asParseError(err, &pe) || pe.Line < 1 {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if !bytes.Equal(file.Bytes(), data) {
			t.Fatal("Bytes() differs from input")
		}
		for _, o := range parseOps(file, spec) {
			o.profile = pick(o.profile, file.Profiles())
			o.key = pick(o.key, file.Keys(o.profile))
			valid := ValidateProfile(kind, o.profile) == nil && ValidateKey(strings.ToLower(o.key)) == nil &&
				ValidateValue(o.key, o.value) == nil
			done := editAndCheck(t, file, o)
			if o.kind == "set" && valid && !done {
				t.Fatalf("%v: valid set refused", o)
			}
			// the same edit of the loaded File (built whole on its first edit) gives the same bytes
			if r, err := apply(lz, o); (r && err == nil) != done {
				t.Fatalf("%v: loaded File: %v %v, parsed File: done %v", o, r, err, done)
			}
			if string(lz.Bytes()) != string(file.Bytes()) {
				t.Fatalf("%v: loaded File's bytes differ after the edit", o)
			}
			if err := sameView(file, lz); err != nil {
				t.Fatalf("%v: loaded File reads differently after the edit: %v", o, err)
			}
			// the index kept up to date edit by edit is that of the bytes parsed afresh
			if g, err := Parse("fuzz", kind, file.Bytes()); err != nil {
				t.Fatalf("%v: result does not parse: %v", o, err)
			} else if err := sameIndex(file, g); err != nil {
				t.Fatalf("%v: index differs from a fresh parse: %v", o, err)
			}
		}
		if _, err := Parse("fuzz", kind, file.Bytes()); err != nil {
			t.Fatalf("result does not parse: %v", err)
		}
	})
}
