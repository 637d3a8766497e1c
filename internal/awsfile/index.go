package awsfile

import (
	"fmt"
	"strings"
)

// index runs configparser's state machine over the lexed lines: it gives each line its kind,
// rebuilds sections and profiles, and reports the first problem that makes the AWS CLI refuse the
// file. It runs after Parse and again after every edit. The steps:
//
//  1. resetIndex empties the previous index, keeping its memory.
//  2. indexer.line, for each line in order: blank and comment lines are only marked; a line indented
//     deeper than the open key's line continues that key's value (continueValue); any other line
//     ends the open value (endValue) and is a section header (header), a key (key), or an error.
//  3. The last value and section are closed; an error found on the way that configparser reports
//     only at the end (deferred) is returned now.
//  4. mapProfiles maps sections to profile names.
//
// Errors configparser raises on the spot (duplicate section or key, a line before any section) stop
// the pass at once; the others (a line that is neither header nor key, an empty key name, a nested
// value line without '=') are deferred, and the first of them is reported after the last line.
func (f *File) index() error {
	f.resetIndex()
	x := indexer{f: f, cur: -1, open: -1, contentStart: -1, keyBuf: make([]int, 0, len(f.lines)/2)}
	for i := range f.lines {
		if err := x.line(i); err != nil {
			return err
		}
	}
	x.endValue(len(f.lines))
	x.endSection()
	if x.deferred != nil {
		return x.deferred
	}
	f.mapProfiles()
	return nil
}

// indexer is the state of one index pass.
type indexer struct {
	f   *File
	cur int // current section (index in f.secs), -1 before the first header

	// keyBuf holds the key line indices of every section, in file order; each section's keys is the
	// slice of it from k0 (one allocation per pass instead of one per section).
	keyBuf []int
	k0     int

	open         int // line index of the key whose value is open, -1 if none
	indent       int // indentation of the last line that was not blank, comment or continuation
	contentStart int // first continuation line of the open value, -1 if none yet

	bigKeys  map[string]int // key -> line, for the current section once it has manyKeys keys
	deferred error          // first deferred error
}

// manyKeys is the key count from which the duplicate-key check of a section uses a map instead of a
// scan of its keys: most sections have a handful of keys, but one with thousands must not take
// quadratic time.
const manyKeys = 32

// resetIndex empties the index for a new pass. The section-name map is kept and cleared: index runs
// after every edit, and re-growing it each time would cost more than the edit.
func (f *File) resetIndex() {
	if f.secIdx == nil {
		n := 0
		for i := range f.lines {
			if f.lines[i].isHdr {
				n++
			}
		}
		f.secIdx = make(map[string]int, n)
	}
	clear(f.secIdx)
	f.secs = f.secs[:0]
	f.prof = nil
	f.order = f.order[:0]
	f.deflt = -1
	f.dflts = f.dflts[:0]
}

func (x *indexer) err(i int, reason string) error { return &ParseError{x.f.path, i + 1, reason} }

// deferErr records a problem configparser reports only after reading the whole file.
func (x *indexer) deferErr(i int, reason string) {
	if x.deferred == nil {
		x.deferred = x.err(i, reason)
	}
}

// line gives line i its kind and adds it to the index.
func (x *indexer) line(i int) error {
	l := &x.f.lines[i]
	switch {
	case l.blank:
		l.kind = lBlank
		return nil
	case l.cmt:
		l.kind = lComment
		return nil
	case x.cur >= 0 && x.open >= 0 && l.indent > x.indent:
		l.kind = lCont
		x.continueValue(i)
		return nil
	}
	x.indent = l.indent
	x.endValue(i)
	switch {
	case l.isHdr:
		l.kind = lHeader
		return x.header(i)
	case x.cur < 0:
		l.kind = lBad
		if l.isKey {
			return x.err(i, "key line before any section header")
		}
		return x.err(i, "line before any section header")
	case l.isKey:
		l.kind = lKey
		return x.key(i)
	default:
		l.kind = lBad
		x.deferErr(i, "line is neither a [section] header nor key = value")
		return nil
	}
}

// continueValue adds continuation line i to the open key's value.
func (x *indexer) continueValue(i int) {
	x.f.secs[x.cur].last = i
	if x.contentStart < 0 {
		x.contentStart = i
	}
}

// endValue closes the open key's value, whose lines end before line end. botocore parses a value
// that starts with a newline as nested "k = v" lines and fails the whole file if one has no '='.
func (x *indexer) endValue(end int) {
	open, start := x.open, x.contentStart
	x.open, x.contentStart = -1, -1
	if open < 0 || start < 0 || x.f.lines[open].value() != "" {
		return
	}
	for j := start; j < end; j++ {
		if x.f.lines[j].kind != lCont {
			continue
		}
		for _, part := range pySplitLines(pyTrim(x.f.lines[j].text)) {
			if p := pyTrim(part); p != "" && !strings.Contains(p, "=") {
				x.deferErr(j, "nested value line has no '='")
				return
			}
		}
	}
}

// header starts the section of header line i. A name seen before (other than DEFAULT, whose
// sections configparser merges) makes the AWS CLI refuse the file.
func (x *indexer) header(i int) error {
	f := x.f
	name := f.lines[i].hdr
	if name != "DEFAULT" {
		if first, dup := f.secIdx[name]; dup {
			return x.err(i, fmt.Sprintf("duplicate section (first at line %d); the aws cli refuses the whole file", f.secs[first].header+1))
		}
		f.secIdx[name] = len(f.secs)
	}
	x.endSection()
	f.secs = append(f.secs, section{name: name, header: i, last: i})
	x.cur = len(f.secs) - 1
	if name == "DEFAULT" {
		f.deflt = x.cur
		f.dflts = append(f.dflts, x.cur)
	}
	return nil
}

// endSection fixes the current section's key list.
func (x *indexer) endSection() {
	if x.cur >= 0 {
		x.f.secs[x.cur].keys = x.keyBuf[x.k0:len(x.keyBuf):len(x.keyBuf)]
	}
	x.k0 = len(x.keyBuf)
}

// key adds key line i to the current section and opens its value. A key the section already has
// (case-insensitive) makes the AWS CLI refuse the file.
func (x *indexer) key(i int) error {
	if x.f.lines[i].key == "" {
		x.deferErr(i, "empty key name")
	}
	if j := x.seenKey(i); j >= 0 {
		return x.err(i, fmt.Sprintf("duplicate key in section (first at line %d); the aws cli refuses the whole file", j+1))
	}
	x.keyBuf = append(x.keyBuf, i)
	s := &x.f.secs[x.cur]
	s.keys = x.keyBuf[x.k0:len(x.keyBuf):len(x.keyBuf)]
	s.last = i
	x.open = i
	return nil
}

// seenKey returns the line of an earlier key of the current section with line i's key, or -1.
// [DEFAULT] sections are searched together (configparser merges them); other sections are scanned
// while they have fewer than manyKeys keys, and looked up in bigKeys from then on.
func (x *indexer) seenKey(i int) int {
	f := x.f
	key := f.lines[i].key
	s := &f.secs[x.cur]
	switch {
	case s.name == "DEFAULT":
		for _, d := range f.dflts {
			if j := f.findKeyIn(d, key); j >= 0 {
				return j
			}
		}
		return -1
	case len(s.keys) < manyKeys:
		return f.findKeyIn(x.cur, key)
	case len(s.keys) == manyKeys: // the section has just grown large: map the keys it has so far
		x.bigKeys = make(map[string]int, 2*manyKeys)
		for _, k := range s.keys {
			x.bigKeys[f.lines[k].key] = k
		}
	}
	j, dup := x.bigKeys[key]
	x.bigKeys[key] = i
	if !dup {
		return -1
	}
	return j
}

// mapProfiles gives each section its profile name (see profileName) and fills f.prof and f.order.
func (f *File) mapProfiles() {
	if f.kind == Credentials {
		// every section but DEFAULT is a profile of the same name, and names are unique: the
		// section-name map is the profile map
		f.prof = f.secIdx
		for si := range f.secs {
			s := &f.secs[si]
			s.profile, s.isProf = s.name, s.name != "DEFAULT"
			if s.isProf {
				f.order = append(f.order, s.name)
			}
		}
		return
	}
	for si := range f.secs {
		s := &f.secs[si]
		s.profile, s.isProf = profileName(f.kind, s.name)
		if !s.isProf {
			continue
		}
		if f.prof == nil {
			f.prof = make(map[string]int)
		}
		if _, ok := f.prof[s.profile]; !ok {
			f.order = append(f.order, s.profile)
		}
		f.prof[s.profile] = si // botocore: the last section for a name wins
	}
}
