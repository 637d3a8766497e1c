package awsfile

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sameView reports the first answer in which a File from load (lz) differs from the parsed one
// (full): profiles, sections, keys, values, line numbers, the profiles holding each key, bytes.
func sameView(full, lz *File) error {
	if a, b := full.Profiles(), lz.Profiles(); !slices.Equal(a, b) {
		return fmt.Errorf("Profiles: %q vs %q", a, b)
	}
	if string(full.Bytes()) != string(lz.Bytes()) {
		return fmt.Errorf("Bytes differ")
	}
	// every key any section has, and some none has
	keys := map[string]bool{"stsmfa_source": true, "REGION": true, "nope": true, "": true}
	var names []string
	for si := range full.secs {
		names = append(names, full.secs[si].name)
		for _, j := range full.secs[si].keys {
			keys[full.lines[j].key] = true
			keys[strings.ToUpper(full.lines[j].key)] = true
		}
	}
	probes := append(slices.Clone(names), "nope", "default", "profile nope", "DEFAULT", "")
	for _, p := range append(full.Profiles(), probes...) {
		if full.HasProfile(p) != lz.HasProfile(p) || full.Section(p) != lz.Section(p) {
			return fmt.Errorf("profile %q: HasProfile %v vs %v, Section %d vs %d", p, full.HasProfile(p), lz.HasProfile(p), full.Section(p), lz.Section(p))
		}
		if a, b := full.Keys(p), lz.Keys(p); !slices.Equal(a, b) {
			return fmt.Errorf("Keys(%q): %q vs %q", p, a, b)
		}
		for k := range keys {
			av, aok := full.Get(p, k)
			bv, bok := lz.Get(p, k)
			if av != bv || aok != bok || full.Line(p, k) != lz.Line(p, k) {
				return fmt.Errorf("Get(%q, %q): %q %v line %d vs %q %v line %d", p, k, av, aok, full.Line(p, k), bv, bok, lz.Line(p, k))
			}
		}
	}
	for _, sec := range probes {
		for k := range keys {
			av, aok := full.SectionGet(sec, k)
			bv, bok := lz.SectionGet(sec, k)
			if av != bv || aok != bok {
				return fmt.Errorf("SectionGet(%q, %q): %q %v vs %q %v", sec, k, av, aok, bv, bok)
			}
		}
	}
	for k := range keys {
		if a, b := full.ProfilesWithKey(k), lz.ProfilesWithKey(k); !slices.Equal(a, b) {
			return fmt.Errorf("ProfilesWithKey(%q): %q vs %q", k, a, b)
		}
	}
	return nil
}

// checkLoad parses data both ways and compares: the same error, or the same answers; it also checks
// that edits of a loaded File give the bytes the same edits of a parsed File give. It reports
// whether scan handled the file itself.
func checkLoad(t *testing.T, name string, kind Kind, data []byte) (scanned bool) {
	t.Helper()
	full, ferr := Parse(name, kind, data)
	lz, lerr := load(name, kind, string(data))
	if fmt.Sprint(ferr) != fmt.Sprint(lerr) {
		t.Fatalf("%s (%v): Parse error %v, load error %v\n%q", name, kind, ferr, lerr, data)
	}
	if ferr != nil {
		return false
	}
	scanned = lz.lz != nil
	if err := sameView(full, lz); err != nil {
		t.Fatalf("%s (%v, scanned %v): %v\n%q", name, kind, scanned, err, data)
	}
	// edits (of one section alone, see lazyEdit, or of the whole index) give what they give on the
	// parsed file, and so do the reads after them
	if ps := full.Profiles(); len(ps) > 0 {
		p := ps[len(ps)/2]
		for _, o := range []op{{"set", p, "stsmfa_source", "x"}, {"set", p, "stsmfa_source", "y"}, {"delete", p, "aws_access_key_id", ""},
			{"set", ps[0], "region", "r"}, {"set", "brand-new", "k", "v"}, {"delete", p, "nope", ""}} {
			r1, e1 := apply(full, o)
			r2, e2 := apply(lz, o)
			if r1 != r2 || fmt.Sprint(e1) != fmt.Sprint(e2) || string(full.Bytes()) != string(lz.Bytes()) {
				t.Fatalf("%s: %v differs after load: %v %v vs %v %v", name, o, r1, e1, r2, e2)
			}
			if err := sameView(full, lz); err != nil {
				t.Fatalf("%s: after %v: %v", name, o, err)
			}
		}
	}
	return scanned
}

// scanInputs are files scan must handle itself (not give up on), and the reason each is here.
var scanInputs = map[string]string{
	"plain":        "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n\n[mfa]\naws_access_key_id = ASIA\nstsmfa_source = default\n",
	"crlf":         "[default]\r\naws_access_key_id = AKIA\r\n\r\n[b]\r\nx = 1\r\n",
	"no-final-eol": "[a]\nk = v",
	"comments":     "# top\n; also\n[a]\n  # indented comment\nk = v\n    # under a key\n[b]\n",
	"indented":     "[a]\n  k = v\n    cont\n  j = w\n[b]\n\tx : y\n",
	"nested":       "[profile a]\ns3 =\n  max_concurrent_requests = 10\n\n  addressing_style = path\nregion = eu-west-1\n",
	"upper-keys":   "[a]\nAWS_Access_Key_ID = X\nRegion = y\n",
	"colon":        "[a]\nk:x=y\nk2 = a:b\n",
	"header-junk":  "[a] junk ] more\nk = v\n[b]]\nx = 1\n",
	"indent-hdr":   "[a]\nk = v\n  [b]\nx = 1\n[c]\n  [d]\ny = 2\n",
	"unicode-vals": "[a]\nk = \u00e9\u00a0x\u2003\nn = \u4e2d\n[\u00e9t\u00e9]\nz = 1\n",
	"empty-vals":   "[a]\nk =\nj:\n[b]\n",
	"config":       "[default]\nregion = x\n[profile a]\nrole_arn = r\n[profile  b ]\nx = 1\n[services corp]\nsts =\n  endpoint_url = u\n[profile a b]\n[sso-session s]\n[profile\ta]\nlast = wins\n",
	"many-keys":    "[a]\n" + manyKeyLines(40) + "[b]\nk = v\n",
	"ctl-in-value": "[a]\nk = v\x0bw\x1c\nj = \x01\n",
	"key-ctl":      "[a]\nk\x01x = v\nK\x01Y = w\n",
	"empty":        "",
	"blank-lines":  "\n\n  \n\t\n",
}

func manyKeyLines(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "key%d = %d\n", i, i)
	}
	return b.String()
}

// TestLoadMatchesParse: a File from Load answers every read as the parsed File does, over the corpus,
// the fuzz corpus, edge cases and files scan must handle itself; what scan gives up on is parsed.
func TestLoadMatchesParse(t *testing.T) {
	for name, in := range scanInputs {
		for _, kind := range []Kind{Credentials, Config} {
			if !checkLoad(t, name, kind, []byte(in)) {
				t.Errorf("%s (%v): scan gave up; it should handle this file itself", name, kind)
			}
		}
	}
	gaveUp := map[string]string{
		"lone-cr":        "[a]\rk = v\r\n",
		"default":        "[DEFAULT]\nregion = x\n[a]\nk = v\n",
		"nbsp-indent":    "[a]\n\u00a0k = v\n",
		"vt-indent":      "[a]\nk = v\n\x0bx = 1\n",
		"unicode-key":    "[a]\n\u0130x = 1\n",
		"nested-unicode": "[a]\ns3 =\n  x = \u00e9\n",
		"nested-vt":      "[a]\ns3 =\n  x\x0by = 1\n",
		"dup-section":    "[a]\n[a]\n",
		"dup-key":        "[a]\nk = 1\nK = 2\n",
		"dup-key-many":   "[a]\n" + manyKeyLines(40) + "key3 = again\n",
		"before-section": "k = v\n[a]\n",
		"bad-line":       "[a]\njunk\n",
		"empty-key":      "[a]\n = v\n",
		"nested-bad":     "[a]\ns3 =\n  x\n",
		"bom":            "\xef\xbb\xbf[a]\n",
		"invalid-utf8":   "[a]\nk = \xff\n",
		"key-ctl-end":    "[a]\nk\x1f = v\n",
		"value-ws-start": "[a]\nk =\u00a0\n  x = 1\n",
	}
	for name, in := range gaveUp {
		for _, kind := range []Kind{Credentials, Config} {
			if checkLoad(t, name, kind, []byte(in)) {
				t.Errorf("%s (%v): scan handled it; the test expects it to leave it to Parse", name, kind)
			}
		}
	}
	n, scanned := 0, 0
	for _, c := range loadCorpus(t) {
		n++
		if checkLoad(t, "corpus/"+c.name, corpusKind(c.name), c.data) {
			scanned++
		}
	}
	for name, data := range fuzzInputs(t) {
		for _, kind := range []Kind{Credentials, Config} {
			n++
			if checkLoad(t, name, kind, data) {
				scanned++
			}
		}
	}
	t.Logf("%d inputs compared; scan handled %d itself", n, scanned)
}

// TestLoadBig: the benchmark's kind of file (10,000 profiles) is scanned, not parsed, and a read of
// one profile parses that profile's section only.
func TestLoadBig(t *testing.T) {
	data := bigCredentials(10000)
	if !checkLoad(t, "big", Credentials, data) {
		t.Fatal("scan gave up on a plain 10,000-profile file")
	}
	f, err := load("big", Credentials, string(data))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Profiles()[5000]
	if _, ok := f.Get(p, "aws_access_key_id"); !ok {
		t.Fatalf("%s has no key", p)
	}
	if got := f.ProfilesWithKey("stsmfa_source"); len(got) != 0 {
		t.Fatalf("ProfilesWithKey: %q", got)
	}
	if len(f.lz.subs) > 100 { // the one read, and the few whose fingerprint matched by chance
		t.Errorf("%d sections parsed for one read and one search", len(f.lz.subs))
	}
}

// FuzzLoad compares Load with Parse on inputs near the files scan handles itself.
func FuzzLoad(f *testing.F) {
	for _, in := range scanInputs {
		f.Add([]byte(in), false)
		f.Add([]byte(in), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, isConfig bool) {
		kind := Credentials
		if isConfig {
			kind = Config
		}
		checkLoad(t, "fuzz", kind, data)
	})
}

// TestNameTableSpread: names that differ in a digit or two, at the end or in the middle, spread
// over the section-name table (a bad hash made 10,000 names cost 60 probes each).
func TestNameTableSpread(t *testing.T) {
	for _, pattern := range []string{"acct-%05d", "profile-%05d", "team-%05d-production-readonly", "%d", "p%dq"} {
		var b strings.Builder
		for i := 10001; i <= 20000; i++ {
			fmt.Fprintf(&b, "["+pattern+"]\nk = v\n", i)
		}
		f := scan("x", Credentials, b.String(), nil)
		if f == nil {
			t.Fatalf("%s: not scanned", pattern)
		}
		lz, total := f.lz, 0
		mask := uint32(len(lz.names) - 1)
		for si := range lz.secs {
			for i := nameHash(lz.name(si)) & mask; ; i = (i + 1) & mask {
				total++
				if int(lz.names[i])-1 == si {
					break
				}
			}
		}
		if avg := float64(total) / float64(len(lz.secs)); avg > 2 {
			t.Errorf("%s: %.1f probes per name", pattern, avg)
		}
	}
}

// sameIndex reports the first difference between the index of f (kept up to date edit by edit, see
// reindexSection) and that of g (the same bytes parsed afresh).
func sameIndex(f, g *File) error {
	if len(f.lines) != len(g.lines) {
		return fmt.Errorf("%d lines vs %d", len(f.lines), len(g.lines))
	}
	for i := range f.lines {
		if f.lines[i].kind != g.lines[i].kind {
			return fmt.Errorf("line %d: kind %d vs %d", i+1, f.lines[i].kind, g.lines[i].kind)
		}
	}
	if len(f.secs) != len(g.secs) {
		return fmt.Errorf("%d sections vs %d", len(f.secs), len(g.secs))
	}
	for i := range f.secs {
		a, b := f.secs[i], g.secs[i]
		if a.name != b.name || a.header != b.header || a.last != b.last || !slices.Equal(a.keys, b.keys) || a.profile != b.profile || a.isProf != b.isProf {
			return fmt.Errorf("section %d: %+v vs %+v", i, a, b)
		}
	}
	if fmt.Sprint(f.prof) != fmt.Sprint(g.prof) || fmt.Sprint(f.secIdx) != fmt.Sprint(g.secIdx) || !slices.Equal(f.order, g.order) ||
		f.deflt != g.deflt || !slices.Equal(f.dflts, g.dflts) {
		return fmt.Errorf("maps differ: %v %v %v vs %v %v %v", f.prof, f.secIdx, f.order, g.prof, g.secIdx, g.order)
	}
	return nil
}

// TestReindexSection: edits inside one section re-index that section only, and the result is the
// index of the same bytes parsed afresh; edits that change other sections fall back to the whole file.
func TestReindexSection(t *testing.T) {
	base := "[a]\nk = v\n  cont\n\n# c\n[b]\nx = 1\ny =\n  nested = 1\n[c]\nz = 2\n"
	for _, tc := range []struct {
		name string
		edit func(f *File) error
	}{
		{"set existing", func(f *File) error { return f.Set("b", "x", "22") }},
		{"set over continuation", func(f *File) error { return f.Set("a", "k", "w") }},
		{"set nested", func(f *File) error { return f.Set("b", "y", "flat") }},
		{"add key", func(f *File) error { return f.Set("a", "new", "n") }},
		{"add key last section", func(f *File) error { return f.Set("c", "new", "n") }},
		{"new profile", func(f *File) error { return f.Set("d", "k", "v") }},
		{"delete", func(f *File) error { f.Delete("b", "y"); return nil }},
		{"delete first", func(f *File) error { f.Delete("a", "k"); return nil }},
		{"remove", func(f *File) error { f.RemoveProfile("b"); return nil }},
	} {
		for _, in := range []string{base, bigCredentialsString(300)} {
			f, err := Parse("x", Credentials, []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if in != base { // the same edits on the big file's profiles
				f.Set("profile-00150", "x", "1")
			}
			if err := tc.edit(f); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			g, err := Parse("x", Credentials, f.Bytes())
			if err != nil {
				t.Fatalf("%s: result does not parse: %v", tc.name, err)
			}
			if err := sameIndex(f, g); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	}
	// lines spliced in that make a new section, or make the next header a continuation: the whole
	// file is indexed again (splice's callers never do either; reindexSection must notice anyway)
	for _, tc := range []struct {
		in    string
		line  int
		repl  []string
		nsecs int
	}{
		{"[a]\nk = v\n[b]\n", 1, []string{"k = v", "[x]"}, 3},
		{"[a]\n  k = v\n [b]\n", 1, []string{"k = v"}, 1},
	} {
		f := mustParse(t, []byte(tc.in))
		var repl []line
		for _, r := range tc.repl {
			repl = append(repl, lex(r, "\n"))
		}
		if err := f.splice(0, tc.line, tc.line+1, repl, nil); err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if len(f.secs) != tc.nsecs {
			t.Errorf("%q: %d sections, want %d", tc.in, len(f.secs), tc.nsecs)
		}
		if err := sameIndex(f, mustParse(t, f.Bytes())); err != nil {
			t.Errorf("%q: %v", tc.in, err)
		}
	}
}

func bigCredentialsString(n int) string { return string(bigCredentials(n)) }

func mustParse(t *testing.T, data []byte) *File {
	t.Helper()
	f, err := Parse("x", Credentials, data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReadWhole: small and large files (the latter read into huge pages on Linux) come back byte for
// byte, and Load of a large file answers as Parse does.
func TestReadWhole(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 10, 3000, 20000} { // 20,000 profiles: about 2.5 MB
		data := bigCredentials(n)
		p := filepath.Join(dir, fmt.Sprint(n))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, spare, err := readWhole(p)
		if err != nil || string(got) != string(data) {
			t.Fatalf("%d profiles: %d bytes read of %d, %v", n, len(got), len(data), err)
		}
		for i, b := range spare {
			if b != 0 {
				t.Fatalf("%d profiles: spare byte %d is %d", n, i, b)
			}
		}
		f, err := Load(p, Credentials)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameView(mustParse(t, data), f); err != nil {
			t.Fatalf("%d profiles: %v", n, err)
		}
	}
	if _, _, err := readWhole(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Fatalf("missing file: %v", err)
	}
}

// TestCtlSpace: the bit mask is the list of ASCII control characters Python counts as whitespace,
// besides tab and newline.
func TestCtlSpace(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1f) || c == '\r'
		if ctlSpace(byte(c)) != want {
			t.Errorf("ctlSpace(%#x) = %v", c, !want)
		}
	}
}
