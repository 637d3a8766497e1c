// Package awsfile reads ~/.aws/credentials and ~/.aws/config the way the AWS CLI v2 (botocore on
// Python's configparser.RawConfigParser, strict mode) does, and edits them surgically: every byte
// outside the changed lines stays identical. Writes go through Editor: locked and atomic.
package awsfile

import (
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind says which of the two AWS files a File is; it decides how sections map to profiles.
type Kind int

const (
	Credentials Kind = iota
	Config
)

func (k Kind) String() string {
	if k == Config {
		return "config"
	}
	return "credentials"
}

// ParseError is a file the AWS CLI would refuse to read. It never holds the offending line's text.
type ParseError struct {
	Path   string
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s; fix line %d by hand (stsmfa edits nothing in a file the AWS CLI cannot read)", e.Path, e.Line, e.Reason, e.Line)
}

type lineKind uint8

const (
	lBlank   lineKind = iota // empty after trimming
	lComment                 // first non-space char is '#' or ';'
	lHeader                  // [section]
	lKey                     // key = value
	lCont                    // continuation of the open key's value
	lBad                     // none of the above (only in files that failed to parse)
)

// line is one physical line. The lexical facts (blank, comment, header, key) do not depend on the
// lines around it and are computed once; kind depends on context and is recomputed by index.
type line struct {
	text   string // without the line ending
	eol    string // "\n", "\r\n", "\r" or "" (last line without ending)
	blank  bool
	cmt    bool
	indent int    // leading whitespace in code points (Python's str index)
	hdr    string // section name if the trimmed line matches ^\[(.+)\]
	isHdr  bool
	key    string // lower-cased key if the trimmed line has a delimiter
	isKey  bool
	valOff int // byte offset in text where the value starts (after delimiter and spaces)
	valEnd int // byte offset in text where the value ends (trailing spaces excluded)
	delim  int // byte offset of the delimiter
	kind   lineKind
}

type section struct {
	name    string // literal header name
	header  int    // line index of the header
	last    int    // index of the last header/key/continuation line of the section
	keys    []int  // line indices of key lines, file order
	profile string // profile name, if isProf
	isProf  bool
}

// File is one parsed AWS credentials or config file.
type File struct {
	path   string
	kind   Kind
	lines  []line
	secs   []section
	prof   map[string]int // profile name -> index in secs (the one botocore uses: the last)
	order  []string       // profile names, file order of first appearance
	deflt  int            // index of the last [DEFAULT] section or -1
	dflts  []int          // all [DEFAULT] sections (configparser merges them)
	secIdx map[string]int // section name -> index in secs (DEFAULT excluded)

	// lz is set when only the sections were found (Load, scan.go): then lines and secs are empty, and
	// profIndex and secIndex give indices in lz.secs.
	lz *lazyIndex
	// eol, when set, is the line ending new lines get (a section of a File from Load edited alone gets
	// the whole file's, see lazyEdit)
	eol string
}

// isPySpace is Python's str.isspace for one code point (also what re's \s and str.strip use).
func isPySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

func pyTrim(s string) string { return pyTrimRight(strings.TrimLeftFunc(s, isPySpace)) }

func pyTrimRight(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		if c == ' ' || c == '\t' {
			s = s[:len(s)-1]
			continue
		}
		if c < utf8.RuneSelf && !isPySpace(rune(c)) {
			return s
		}
		r, size := utf8.DecodeLastRuneInString(s)
		if !isPySpace(r) {
			return s
		}
		s = s[:len(s)-size]
	}
	return s
}

// pyLower is Python's str.lower closely enough for keys (ASCII fast path; U+0130 special case).
func pyLower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
		}
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// lex fills the context-free facts of a line.
func lex(text, eol string) line {
	l := line{text: text, eol: eol}
	// leading whitespace, counted in code points as Python does
	lead := 0
	for lead < len(text) {
		c := text[lead]
		if c == ' ' || c == '\t' {
			lead++
			l.indent++
			continue
		}
		if c < utf8.RuneSelf && !isPySpace(rune(c)) {
			break
		}
		r, size := utf8.DecodeRuneInString(text[lead:])
		if !isPySpace(r) {
			break
		}
		lead += size
		l.indent++
	}
	trimmed := pyTrimRight(text[lead:])
	if trimmed == "" {
		l.blank = true
		return l
	}
	if trimmed[0] == '#' || trimmed[0] == ';' {
		l.cmt = true
		return l
	}
	if trimmed[0] == '[' {
		if j := strings.LastIndexByte(trimmed, ']'); j > 1 {
			l.hdr, l.isHdr = trimmed[1:j], true
		}
	}
	if d := strings.IndexAny(trimmed, "=:"); d >= 0 {
		l.isKey = true
		l.key = pyLower(pyTrimRight(trimmed[:d]))
		l.delim = lead + d
		rest := text[l.delim+1:]
		l.valOff = l.delim + 1 + (len(rest) - len(strings.TrimLeftFunc(rest, isPySpace)))
		l.valEnd = len(pyTrimRight(text))
		if l.valEnd < l.valOff {
			l.valEnd = l.valOff
		}
	}
	return l
}

func (l *line) value() string { return l.text[l.valOff:l.valEnd] }

// splitLines splits s into lines the way Python's universal newlines do ("\n", "\r\n", "\r").
func splitLines(s string) []line {
	n := strings.Count(s, "\n") + 1
	out := make([]line, 0, n)
	for len(s) > 0 {
		n := strings.IndexByte(s, '\n')
		seg := s
		if n >= 0 {
			seg = s[:n]
		}
		if j := strings.IndexByte(seg, '\r'); j >= 0 && (j < len(seg)-1 || n < 0) {
			out = append(out, lex(s[:j], "\r")) // a lone CR ends a line too
			s = s[j+1:]
			continue
		}
		switch {
		case n < 0:
			out = append(out, lex(s, ""))
			return out
		case n > 0 && s[n-1] == '\r':
			out = append(out, lex(s[:n-1], "\r\n"))
		default:
			out = append(out, lex(s[:n], "\n"))
		}
		s = s[n+1:]
	}
	return out
}

// Parse parses the bytes of an AWS credentials or config file. path is only used in messages. The
// File has the whole index: every line lexed, every section and key found (what editing needs).
func Parse(path string, kind Kind, data []byte) (*File, error) {
	return parseString(path, kind, string(data))
}

// parseString is Parse of a string (Load hands over the bytes it read without a copy).
func parseString(path string, kind Kind, s string) (*File, error) {
	if strings.HasPrefix(s, "\xef\xbb\xbf") {
		return nil, &ParseError{path, 1, "file starts with a utf-8 byte order mark, which the aws cli cannot read"}
	}
	if !utf8.ValidString(s) {
		ln := 1
		for len(s) > 0 {
			r, size := utf8.DecodeRuneInString(s)
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' || (r == '\r' && !strings.HasPrefix(s[1:], "\n")) {
				ln++
			}
			s = s[size:]
		}
		return nil, &ParseError{path, ln, "invalid utf-8"}
	}
	f := &File{path: path, kind: kind, lines: splitLines(s)}
	if err := f.index(); err != nil {
		return nil, err
	}
	return f, nil
}

// Load reads a file for reading only, without locking (writers replace files atomically). A missing
// file is an empty File. It accepts and refuses exactly what Parse does and reads the same values,
// but finds only the sections (see scan): a section's lines are lexed when a key of it is first
// read, and the whole index is built only if the File is edited.
func Load(path string, kind Kind) (*File, error) {
	if f, ok := takePrefetched(path, kind); ok {
		return f, nil
	}
	return loadFile(path, kind)
}

// loadFile is Load without a file read ahead (Prefetch).
func loadFile(path string, kind Kind) (*File, error) {
	data, spare, err := readWhole(path)
	if os.IsNotExist(err) {
		return &File{path: path, kind: kind, deflt: -1, prof: map[string]int{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return loadSpare(path, kind, readOnlyString(data), spare)
}

// load is Load of bytes already read: the sections only when scan handles the file, else Parse.
func load(path string, kind Kind, s string) (*File, error) { return loadSpare(path, kind, s, nil) }

// loadSpare is load with memory scan may use for its tables (see readWhole).
func loadSpare(path string, kind Kind, s string, spare []byte) (*File, error) {
	if f := scan(path, kind, s, spare); f != nil {
		return f, nil
	}
	return parseString(path, kind, s)
}

// findKeyIn returns the line index of key in section si, or -1.
func (f *File) findKeyIn(si int, key string) int {
	for _, j := range f.secs[si].keys {
		if f.lines[j].key == key {
			return j
		}
	}
	return -1
}

// pySplitLines is Python's str.splitlines separators (botocore splits nested values with it).
func pySplitLines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			return true
		}
		return false
	})
}

// profileName maps a section name to a profile name the way botocore does.
// Credentials: every section but DEFAULT is a profile named literally. Config: [default] and
// [profile NAME]; a NAME with whitespace, quotes or backslashes is not treated as a profile
// (botocore shell-splits it, the Go SDK does not: readers disagree, so it is left alone).
func profileName(kind Kind, name string) (string, bool) {
	if kind == Credentials {
		return name, name != "DEFAULT"
	}
	if name == "default" {
		return "default", true
	}
	rest, ok := strings.CutPrefix(name, "profile")
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	rest = strings.Trim(rest, " \t")
	if rest == "" || strings.ContainsFunc(rest, func(r rune) bool {
		return isPySpace(r) || r == '"' || r == '\'' || r == '\\'
	}) {
		return "", false
	}
	return rest, true
}

// Path is the path given to Parse or Load.
func (f *File) Path() string { return f.path }

// Kind is Credentials or Config.
func (f *File) Kind() Kind { return f.kind }

// Bytes is the file's current content.
func (f *File) Bytes() []byte {
	if f.lz != nil {
		return []byte(f.content())
	}
	n := 0
	for i := range f.lines {
		n += len(f.lines[i].text) + len(f.lines[i].eol)
	}
	b := make([]byte, 0, n)
	for i := range f.lines {
		b = append(b, f.lines[i].text...)
		b = append(b, f.lines[i].eol...)
	}
	return b
}

// Profiles lists the profile names, in file order.
func (f *File) Profiles() []string {
	if f.lz != nil {
		return append([]string(nil), f.lazyOrder()...)
	}
	return append([]string(nil), f.order...)
}

// HasProfile reports whether the file has a section for the profile.
func (f *File) HasProfile(name string) bool { _, ok := f.profIndex(name); return ok }

// Get returns a key's value as botocore sees it: first-line value trimmed, continuation lines
// trimmed and joined with "\n", trailing empty lines dropped. Like configparser, a key missing from
// the profile's section is looked up in [DEFAULT].
func (f *File) Get(profile, key string) (string, bool) {
	si, ok := f.profIndex(profile)
	if !ok {
		return "", false
	}
	key = pyLower(key)
	if f.lz != nil { // a scanned file has no [DEFAULT]
		return f.section(si).SectionGet(f.lz.name(si), key)
	}
	if j := f.findKeyIn(si, key); j >= 0 {
		return f.value(j), true
	}
	for _, d := range f.dflts {
		if j := f.findKeyIn(d, key); j >= 0 {
			return f.value(j), true
		}
	}
	return "", false
}

// SectionGet reads a key from a section by its literal name, for sections that are not profiles
// (e.g. "services corp", "sso-session x"). Values are as Get returns them.
func (f *File) SectionGet(section, key string) (string, bool) {
	si, ok := f.secIndex(section)
	if !ok {
		return "", false
	}
	if f.lz != nil {
		return f.section(si).SectionGet(section, key)
	}
	if j := f.findKeyIn(si, pyLower(key)); j >= 0 {
		return f.value(j), true
	}
	return "", false
}

func (f *File) value(j int) string {
	parts := []string{f.lines[j].value()}
scan:
	for k := j + 1; k < len(f.lines); k++ {
		switch f.lines[k].kind {
		case lCont:
			parts = append(parts, pyTrim(f.lines[k].text))
		case lBlank:
			parts = append(parts, "")
		case lComment:
		default:
			break scan
		}
	}
	return pyTrimRight(strings.Join(parts, "\n"))
}

// Keys lists the keys of the profile's own section, lower-case, in file order ([DEFAULT] keys not included).
func (f *File) Keys(profile string) []string {
	si, ok := f.profIndex(profile)
	if !ok {
		return nil
	}
	if f.lz != nil {
		f, si = f.section(si), 0
	}
	out := make([]string, 0, len(f.secs[si].keys))
	for _, j := range f.secs[si].keys {
		out = append(out, f.lines[j].key)
	}
	return out
}

// Line is the 1-based line number of the profile's key, 0 if absent (for messages).
func (f *File) Line(profile, key string) int {
	si, ok := f.profIndex(profile)
	if !ok {
		return 0
	}
	if f.lz != nil {
		if j := f.section(si).findKeyIn(0, pyLower(key)); j >= 0 {
			return int(f.lz.secs[si].line) + j + 1
		}
		return 0
	}
	return f.findKeyIn(si, pyLower(key)) + 1
}

// Section returns the line number (1-based) of the profile's section header, 0 if absent.
func (f *File) Section(profile string) int {
	si, ok := f.profIndex(profile)
	if !ok {
		return 0
	}
	if f.lz != nil {
		return int(f.lz.secs[si].line) + 1
	}
	return f.secs[si].header + 1
}
