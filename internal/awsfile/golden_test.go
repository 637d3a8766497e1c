package awsfile

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

func corpusKind(name string) Kind {
	if strings.HasPrefix(name, "config") {
		return Config
	}
	return Credentials
}

// goldenFiles get their edited output compared with testdata/golden/NAME.
var goldenFiles = map[string]bool{
	"credentials-comments": true, "credentials-crlf": true, "credentials-no-final-newline": true,
	"config-nested-s3": true, "config-sso": true, "config-profile-spaces": true, "config-empty-sections": true,
	"credentials-mixed-eol": true,
}

// bigCredentials builds a credentials file with n profiles.
func bigCredentials(n int) []byte {
	var b bytes.Buffer
	b.WriteString("# generated\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "[profile-%05d]\naws_access_key_id = AKIA%016d\naws_secret_access_key = %040d\n", i, i, i)
		if i%7 == 0 {
			fmt.Fprintf(&b, "# comment %d\nregion = us-east-1\n", i)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

type corpusFile struct {
	name string
	kind Kind
	data []byte
}

func loadCorpus(t testing.TB) []corpusFile {
	ents, err := os.ReadDir("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusFile
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join("testdata/corpus", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, corpusFile{e.Name(), corpusKind(e.Name()), data})
	}
	if len(out) < 20 {
		t.Fatalf("corpus has %d files, want at least 20", len(out))
	}
	return append(out, corpusFile{"generated-5000", Credentials, bigCredentials(5000)})
}

// standardEdits is the edit set every corpus file goes through.
func standardEdits(f *File) []op {
	var ops []op
	profs := f.Profiles()
	if len(profs) > 0 {
		p := profs[0]
		if keys := f.Keys(p); len(keys) > 0 {
			ops = append(ops, op{"set", p, keys[0], "changed-value"})
		}
		ops = append(ops, op{"set", p, "stsmfa_source", "golden"})
	}
	ops = append(ops, op{"set", "golden-new", "aws_access_key_id", "AKIAGOLDENEXAMPLE001"},
		op{"set", "golden-new", "aws_secret_access_key", "golden/secret+key"})
	if len(profs) > 1 {
		p := profs[len(profs)-1]
		if keys := f.Keys(p); len(keys) > 0 {
			ops = append(ops, op{"delete", p, keys[len(keys)-1], ""})
		}
	}
	if len(profs) > 2 {
		ops = append(ops, op{"remove", profs[1], "", ""})
	}
	return ops
}

func TestCorpusRoundTrip(t *testing.T) {
	for _, c := range loadCorpus(t) {
		f, err := Parse(c.name, c.kind, c.data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(f.Bytes(), c.data) {
			t.Fatalf("%s: Bytes() differs from input", c.name)
		}
	}
}

func TestCorpusEdits(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(c.name, c.kind, c.data)
			if err != nil {
				t.Fatal(err)
			}
			// untouched profiles keep their values
			untouched := map[string]map[string]string{}
			ops := standardEdits(f)
			touched := map[string]bool{}
			for _, o := range ops {
				touched[o.profile] = true
			}
			for _, p := range f.Profiles() {
				if !touched[p] {
					untouched[p] = map[string]string{}
					for _, k := range f.Keys(p) {
						untouched[p][k], _ = f.Get(p, k)
					}
				}
			}
			for _, o := range ops {
				if !editAndCheck(t, f, o) && o.kind != "set" {
					t.Fatalf("%v did nothing", o)
				}
			}
			g, err := Parse(c.name, c.kind, f.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range ops {
				switch o.kind {
				case "set":
					if o.profile == "golden-new" || !hasOp(ops, "remove", o.profile) {
						if v, _ := g.Get(o.profile, o.key); v != o.value {
							t.Fatalf("%v: read back %q", o, v)
						}
					}
				case "remove":
					if g.HasProfile(o.profile) {
						t.Fatalf("%v: still there", o)
					}
				}
			}
			for p, kv := range untouched {
				for k, v := range kv {
					if got, ok := g.Get(p, k); !ok || got != v {
						t.Fatalf("untouched %s.%s changed: %q -> %q", p, k, v, got)
					}
				}
			}
			if !goldenFiles[c.name] {
				return
			}
			gp := filepath.Join("testdata/golden", c.name)
			if *update {
				if err := os.WriteFile(gp, f.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(gp)
			if err != nil {
				t.Fatalf("%v (run go test -update to create)", err)
			}
			if !bytes.Equal(f.Bytes(), want) {
				t.Fatalf("output differs from %s:\n%s", gp, f.Bytes())
			}
		})
	}
}

func hasOp(ops []op, kind, profile string) bool {
	for _, o := range ops {
		if o.kind == kind && o.profile == profile {
			return true
		}
	}
	return false
}
