package awsfile

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// keyRE is compiled on first use: regexps compiled at package init cost every run (credential-process).
var keyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_][a-z0-9_.-]*$`) })

// ValidateKey reports whether key (already lower-case) can be written safely.
func ValidateKey(key string) error {
	if !keyRE().MatchString(key) {
		return fmt.Errorf("invalid key %q: only a-z, 0-9, '_', '.' and '-' are allowed", key)
	}
	return nil
}

// ValidateValue reports whether value can be written for key so that every reader (AWS CLI,
// boto3, Go SDK) reads it back unchanged. The error names the key, never the value.
func ValidateValue(key, value string) error {
	bad := func(reason string) error { return fmt.Errorf("refusing to write key %q: its value %s", key, reason) }
	if !utf8.ValidString(value) {
		return bad("is not valid utf-8")
	}
	for i, r := range value {
		switch {
		case r == '\r' || r == '\n':
			return bad("contains a line break")
		case r != '\t' && (unicode.IsControl(r) || r == 0x2028 || r == 0x2029):
			return bad("contains a control character")
		case (r == '#' || r == ';') && i > 0 && isPySpace(lastRune(value[:i])):
			return bad("has whitespace followed by '#' or ';' (the go sdk cuts the value there)")
		}
	}
	if value != pyTrim(value) {
		return bad("has leading or trailing whitespace")
	}
	if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
		return bad("is enclosed in quotes (readers disagree about quotes)")
	}
	return nil
}

func lastRune(s string) rune {
	r := []rune(s[max(0, len(s)-4):])
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}

// ValidateProfile reports whether name can be used as a profile name in a file of this kind.
func ValidateProfile(kind Kind, name string) error {
	if name == "" {
		return errors.New("profile name is empty")
	}
	if !utf8.ValidString(name) {
		return errors.New("invalid profile name: not valid utf-8")
	}
	if strings.ContainsFunc(name, func(r rune) bool {
		return isPySpace(r) || unicode.IsControl(r) || strings.ContainsRune("[]#;\"'\\", r)
	}) {
		return fmt.Errorf("invalid profile name %q: whitespace, control characters, brackets, '#', ';', quotes and backslashes are not allowed", name)
	}
	if kind == Credentials && name == "DEFAULT" {
		return errors.New(`invalid profile name "DEFAULT": the aws cli treats [DEFAULT] as defaults for every profile`)
	}
	return nil
}

// fileEOL is the line ending new lines get: that of the first line that has one, else "\n".
func (f *File) fileEOL() string {
	if f.eol != "" {
		return f.eol
	}
	for i := range f.lines {
		if f.lines[i].eol != "" {
			return f.lines[i].eol
		}
	}
	return "\n"
}

func leadingSpace(s string) string { return s[:len(s)-len(strings.TrimLeftFunc(s, isPySpace))] }

// valueEnd is the index of the last line belonging to the key at line j (its last continuation).
func (f *File) valueEnd(j int) int {
	end := j
	for k := j + 1; k < len(f.lines); k++ {
		switch f.lines[k].kind {
		case lCont:
			end = k
		case lBlank, lComment:
		default:
			return end
		}
	}
	return end
}

// splice replaces lines [start, end) with repl and re-indexes: only section si when the lines are
// within it (si >= 0, see reindexSection), else the whole file. If the result does not index (it would
// not parse) or check fails, the change is undone and an error returned.
func (f *File) splice(si, start, end int, repl []line, check func() bool) error {
	old := append([]line(nil), f.lines[start:end]...)
	f.lines = slices.Replace(f.lines, start, end, repl...)
	var err error
	if si < 0 || !f.reindexSection(si, len(repl)-(end-start)) {
		err = f.index()
	}
	if err == nil && check != nil && !check() {
		err = errors.New("edit would change how other lines are read")
	}
	if err != nil {
		f.lines = slices.Replace(f.lines, start, start+len(repl), old...)
		if err2 := f.index(); err2 != nil {
			panic("awsfile: cannot restore after failed edit: " + err2.Error())
		}
		return fmt.Errorf("%s: %w", f.path, err)
	}
	return nil
}

// reindexSection re-indexes section si after an edit of lines inside it (after its header) that
// changed the number of lines by delta, and moves the sections after it by delta: a 10,000-profile
// file is not indexed again for each key set. A header line resets configparser's state, so the
// lines after the next header are read as before as long as that line is still a header; when it is
// not, when a line inside the section became a header, or on any error, reindexSection returns false
// and the caller indexes the whole file (which then reports the error or the new sections).
func (f *File) reindexSection(si, delta int) bool {
	s := &f.secs[si]
	if s.name == "DEFAULT" {
		return false // its keys are checked together with the other [DEFAULT] sections
	}
	next := len(f.lines)
	if si+1 < len(f.secs) {
		next = f.secs[si+1].header + delta
	}
	x := indexer{f: f, cur: si, open: -1, contentStart: -1, indent: f.lines[s.header].indent, keyBuf: make([]int, 0, len(s.keys)+1)}
	s.keys, s.last = x.keyBuf, s.header
	for i := s.header + 1; i < next; i++ {
		l := &f.lines[i]
		if l.isHdr && !l.blank && !l.cmt && (x.open < 0 || l.indent <= x.indent) {
			return false // a new section
		}
		if x.line(i) != nil {
			return false
		}
	}
	if next < len(f.lines) && x.open >= 0 && f.lines[next].indent > x.indent {
		return false // the next header would continue this section's last value
	}
	x.endValue(next)
	if x.deferred != nil {
		return false
	}
	x.endSection()
	if delta != 0 {
		for j := si + 1; j < len(f.secs); j++ {
			t := &f.secs[j]
			t.header += delta
			t.last += delta
			for k := range t.keys {
				t.keys[k] += delta
			}
		}
	}
	return true
}

func (f *File) countKeys() int {
	n := 0
	for i := range f.secs {
		n += len(f.secs[i].keys)
	}
	return n
}

// Set sets profile's key to value, creating the key or the profile's section as needed.
// Only the key's line changes (and its continuation lines go); new lines use the file's line ending.
func (f *File) Set(profile, key, value string) error {
	if f.lz != nil && f.lazyEdit(profile, func(sub *File) error { return sub.Set(profile, key, value) }) {
		return nil
	}
	f.full()
	key = strings.ToLower(key)
	if err := ValidateProfile(f.kind, profile); err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ValidateValue(key, value); err != nil {
		return err
	}
	nsecs, nkeys := len(f.secs), f.countKeys()
	check := func(dsecs, dkeys int) func() bool {
		return func() bool {
			got, ok := f.Get(profile, key)
			return ok && got == value && len(f.secs) == nsecs+dsecs && f.countKeys() == nkeys+dkeys
		}
	}
	eol := f.fileEOL()
	si, ok := f.prof[profile]
	if !ok {
		header := "[" + profile + "]"
		if f.kind == Config && profile != "default" {
			header = "[profile " + profile + "]"
		}
		var add []line
		start := len(f.lines)
		if n := len(f.lines); n > 0 {
			last := f.lines[n-1]
			start = n - 1
			if last.eol == "" {
				last.eol = eol
			}
			add = append(add, last)
			if !last.blank {
				add = append(add, lex("", eol))
			}
		}
		add = append(add, lex(header, eol), lex(keyLine(key, value), eol))
		return f.splice(-1, start, len(f.lines), add, check(1, 1))
	}
	s := f.secs[si]
	if j := f.findKeyIn(si, key); j >= 0 {
		l := f.lines[j]
		prefix, suffix := l.text[:l.valOff], l.text[l.valEnd:]
		if l.valOff == l.valEnd { // empty old value: "key =" or "key =   "
			prefix, suffix = l.text[:l.delim+1], ""
			if b := l.text[:l.delim]; b != pyTrimRight(b) && value != "" {
				prefix += " "
			}
		}
		nl := lex(prefix+value+suffix, l.eol)
		return f.splice(si, j, f.valueEnd(j)+1, []line{nl}, check(0, 0))
	}
	// insert after the section's last key/continuation line
	ind := ""
	if len(s.keys) > 0 {
		ind = leadingSpace(f.lines[s.keys[len(s.keys)-1]].text)
	} else {
		// an empty section: a following indented header must not become our continuation
		for k := s.header + 1; k < len(f.lines); k++ {
			if l := f.lines[k]; !l.blank && !l.cmt {
				ind = leadingSpace(l.text)
				break
			}
		}
	}
	prev := f.lines[s.last]
	if prev.eol == "" {
		prev.eol = eol
	}
	repl := []line{prev, lex(ind+keyLine(key, value), eol)}
	return f.splice(si, s.last, s.last+1, repl, check(0, 1))
}

func keyLine(key, value string) string {
	if value == "" {
		return key + " ="
	}
	return key + " = " + value
}

// Delete removes profile's key line and its continuation lines. It reports whether a line was removed.
func (f *File) Delete(profile, key string) bool {
	if f.lz != nil {
		si, ok := f.profIndex(profile)
		if !ok || f.section(si).findKeyIn(0, pyLower(key)) < 0 {
			return false // no such key: nothing to do, as on the whole index
		}
		if f.lazyEdit(profile, func(sub *File) error {
			if !sub.Delete(profile, key) {
				return errors.New("refused")
			}
			return nil
		}) {
			return true
		}
	}
	f.full()
	si, ok := f.prof[profile]
	if !ok {
		return false
	}
	j := f.findKeyIn(si, pyLower(key))
	if j < 0 {
		return false
	}
	nsecs, nkeys := len(f.secs), f.countKeys()
	err := f.splice(si, j, f.valueEnd(j)+1, nil, func() bool {
		return len(f.secs) == nsecs && f.countKeys() == nkeys-1
	})
	return err == nil
}

// RemoveProfile removes every section of the profile: header through its last key/continuation
// line, plus one blank line directly before the header. Comments around it stay. It reports whether
// anything was removed (false also if removing would make a following indented header part of the
// previous value, which would change how the rest of the file is read).
func (f *File) RemoveProfile(name string) bool {
	f.full()
	removed := false
	for {
		si, ok := f.prof[name]
		if !ok {
			return removed
		}
		s := f.secs[si]
		start := s.header
		if start > 0 && f.lines[start-1].blank {
			start--
		}
		nsecs, nkeys := len(f.secs), f.countKeys()
		err := f.splice(-1, start, s.last+1, nil, func() bool {
			return len(f.secs) == nsecs-1 && f.countKeys() == nkeys-len(s.keys)
		})
		if err != nil {
			return removed
		}
		removed = true
	}
}
