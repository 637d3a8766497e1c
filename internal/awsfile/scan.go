package awsfile

import (
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Reading without the whole index. A command that serves a cached session reads a few keys of a few
// profiles; lexing every line of a 10,000-profile file into the full index (parse.go, index.go) costs
// far more than the rest of the command. scan walks the file once instead, running configparser's
// state machine (index.go) over each line without storing it, and keeps only where each section
// starts and ends, its name, and a small fingerprint of its keys. A section's lines are lexed by the
// full parser when a key of it is first read (section), and the whole index is built when the File is
// edited (full).
//
// scan accepts a file only when it can prove the full parser accepts it and finds the same sections:
// on anything it does not handle itself it gives up, and Load parses the whole file. It handles
// files whose structure is ASCII, with "\n" or "\r\n" line ends; it gives up on a file that is not
// valid UTF-8 or has a lone "\r", on a line whose first non-blank character or the end of whose key
// is not ASCII or is a control character Python counts as whitespace, on a key that is not ASCII, on
// [DEFAULT] sections, on continuation lines of an empty value (botocore's nested values) that are not
// plain ASCII, and on every error (the full parser then reports it with its line). Tests compare
// every answer of a scanned File with the parsed one (scan_test.go, FuzzEdit).

// lazyIndex is a File's index when only the sections were found.
type lazyIndex struct {
	src   string // the whole file as read
	secs  []lazySec
	names []int32       // open-addressing table of section names: index in secs + 1, 0 = empty (never changed)
	subs  map[int]*File // sections parsed so far, by index in secs
	edits []int         // sections edited since (their subs hold the new lines), in file order
	eol   string        // the file's line ending (fileEOL), for lines an edit adds
}

// lazySec is one section of a scanned file (24 bytes: a 10,000-profile file needs 240 KB of them).
type lazySec struct {
	start      int32  // offset of the header line; the section ends where the next one starts
	name, nend int32  // offsets of the name in the header line
	line       int32  // index of the header line in the file (0-based)
	keys       uint64 // keyBits of every key of the section
}

func (lz *lazyIndex) name(si int) string { return lz.src[lz.secs[si].name:lz.secs[si].nend] }

// bytes is the span of section si: its header line up to the next section's header line.
func (lz *lazyIndex) bytes(si int) string {
	end := len(lz.src)
	if si+1 < len(lz.secs) {
		end = int(lz.secs[si+1].start)
	}
	return lz.src[lz.secs[si].start:end]
}

// nameHash hashes a section name eight bytes at a time, finished with murmur3's fmix64 so that
// names that differ in a digit or two (acct-10001, acct-10002) spread over the table.
func nameHash(s string) uint32 {
	h := uint64(len(s)) * 0x9e3779b97f4a7c15
	for len(s) >= 8 {
		h = (h ^ word(s)) * 0xff51afd7ed558ccd
		h ^= h >> 32
		s = s[8:]
	}
	var w uint64
	for i := 0; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * i)
	}
	h ^= w
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return uint32(h)
}

// find is the index of the section named name.
func (lz *lazyIndex) find(name string) (int, bool) {
	if len(lz.names) == 0 {
		return 0, false
	}
	mask := uint32(len(lz.names) - 1)
	for i := nameHash(name) & mask; ; i = (i + 1) & mask {
		si := int(lz.names[i]) - 1
		if si < 0 {
			return 0, false
		}
		if lz.name(si) == name {
			return si, true
		}
	}
}

// add records section si under its name; false if a section had that name already.
func (lz *lazyIndex) add(si int) bool {
	name := lz.name(si)
	mask := uint32(len(lz.names) - 1)
	for i := nameHash(name) & mask; ; i = (i + 1) & mask {
		o := int(lz.names[i]) - 1
		if o < 0 {
			lz.names[i] = int32(si + 1)
			return true
		}
		if lz.name(o) == name {
			return false
		}
	}
}

// keyBits is a key's fingerprint: two bits of 64, the same for any spelling of an ASCII key in
// upper or lower case (bytes are or-ed with 0x20). A section whose fingerprint lacks a key's bits
// does not have the key; one that has them is parsed to find out.
func keyBits(key string) uint64 {
	n := len(key)
	if n == 0 {
		return 1
	}
	h := (uint32(n)<<24 | uint32(key[0]|0x20)<<16 | uint32(key[n/2]|0x20)<<8 | uint32(key[n-1]|0x20)) * 0x9e3779b1
	return 1<<(h>>26) | 1<<((h>>20)&63)
}

// readOnlyString is data as a string without a copy. Only for bytes nobody changes afterwards (Load's
// own buffer).
func readOnlyString(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	return unsafe.String(&data[0], len(data))
}

// ctlSpace reports whether c is an ASCII control character Python counts as whitespace, other than
// tab and the line ends: scan leaves lines where they matter to the full parser.
func ctlSpace(c byte) bool { return c < 32 && (0xF000_3800>>c)&1 != 0 } // \v \f \r 0x1c-0x1f

// scan finds the sections of s, or returns nil when it cannot prove what the full parser would do.
// It is one loop with its state in local variables (configparser's state machine, as indexer runs it
// in index.go, without storing the lines): it runs over every line of every file stsmfa reads. Its
// tables are carved out of spare (zeroed memory readWhole had left over) when they fit, else allocated.
func scan(path string, kind Kind, s string, spare []byte) *File {
	if len(s) >= math.MaxInt32 {
		return nil
	}
	ascii := isASCII(s)
	if !ascii && (!utf8.ValidString(s) || strings.HasPrefix(s, "\xef\xbb\xbf")) {
		return nil // the full parser says where it is not UTF-8, or refuses the byte order mark
	}
	crlf := false
	if n := strings.Count(s, "\r"); n > 0 {
		if n != strings.Count(s, "\r\n") {
			return nil // a lone CR ends a line too: leave such files to the full parser
		}
		crlf = true
	}
	// every header starts with '[': room for all sections, allocated once, and a name table at most
	// half full
	most := strings.Count(s, "[")
	size := 8
	for size < 2*most {
		size *= 2
	}
	lz := &lazyIndex{src: s, eol: "\n"}
	if need := most*int(unsafe.Sizeof(lazySec{})) + 4*size; need <= len(spare) {
		lz.secs = unsafe.Slice((*lazySec)(unsafe.Pointer(&spare[0])), most)[:0]
		lz.names = unsafe.Slice((*int32)(unsafe.Pointer(&spare[most*int(unsafe.Sizeof(lazySec{}))])), size)
	} else {
		lz.secs, lz.names = make([]lazySec, 0, most), make([]int32, size)
	}
	if n := strings.IndexByte(s, '\n'); n > 0 && s[n-1] == '\r' {
		lz.eol = "\r\n" // the first line ending (a file with a lone CR is never scanned)
	}
	var (
		cur    = -1   // current section, -1 before the first header
		open   bool   // a key's value is open: deeper-indented lines continue it
		rest   string // the open key's line after its delimiter
		indent int    // indentation of the last line that was not blank, comment or continuation
		empty  int    // the open key's value: 0 not known yet, 1 empty, 2 not empty
		keys   []string
		big    map[string]struct{} // keys lower-cased, once the section has manyKeys keys
	)
	for pos, ln := 0, 0; pos < len(s); ln++ {
		start, end := pos, len(s)
		if n := strings.IndexByte(s[pos:], '\n'); n >= 0 {
			end, pos = pos+n, pos+n+1
		} else {
			pos = len(s)
		}
		text := s[start:end]
		if crlf && len(text) > 0 && text[len(text)-1] == '\r' {
			text = text[:len(text)-1]
		}
		i := 0
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		if i == len(text) {
			continue // blank
		}
		c := text[i]
		if c >= utf8.RuneSelf || ctlSpace(c) {
			return nil // may be whitespace to Python: indentation, a blank line
		}
		if c == '#' || c == ';' {
			continue // comment
		}
		if cur >= 0 && open && i > indent {
			if empty == 0 {
				if empty = valueEmpty(rest); empty < 0 {
					return nil
				}
			}
			if empty == 1 && !nestedOK(text[i:]) {
				return nil
			}
			continue // continuation of the open key's value
		}
		indent, open, rest, empty = i, false, "", 0
		t := text[i:]
		if c == '[' {
			if j := strings.LastIndexByte(t, ']'); j > 1 {
				name := t[1:j]
				if name == "DEFAULT" {
					return nil // its keys are every section's: leave it to the full parser
				}
				at := start + i + 1
				lz.secs = append(lz.secs, lazySec{start: int32(start), name: int32(at), nend: int32(at + len(name)), line: int32(ln)})
				if !lz.add(len(lz.secs) - 1) {
					return nil // duplicate section: an error
				}
				cur, keys, big = len(lz.secs)-1, keys[:0], nil
				continue
			}
		}
		d := strings.IndexByte(t, '=')
		before := t
		if d >= 0 {
			before = t[:d]
		}
		if k := strings.IndexByte(before, ':'); k >= 0 {
			d = k
		}
		if d < 0 || cur < 0 {
			return nil // neither header nor key, or a line before any section: an error
		}
		key := t[:d]
		for len(key) > 0 && (key[len(key)-1] == ' ' || key[len(key)-1] == '\t') {
			key = key[:len(key)-1]
		}
		if key == "" {
			return nil // empty key name: an error
		}
		if last := key[len(key)-1]; last >= utf8.RuneSelf || ctlSpace(last) {
			return nil // may be whitespace to Python, trimmed off the key
		}
		if !ascii && !isASCII(key) {
			return nil // Python lower-cases more than ASCII
		}
		// a duplicate key (configparser compares them lower-cased) is an error
		if big == nil {
			for _, k := range keys {
				if len(k) == len(key) && (k == key || strings.EqualFold(k, key)) {
					return nil
				}
			}
			if keys = append(keys, key); len(keys) == manyKeys {
				big = make(map[string]struct{}, 2*manyKeys)
				for _, k := range keys {
					big[strings.ToLower(k)] = struct{}{}
				}
			}
		} else {
			lower := strings.ToLower(key)
			if _, dup := big[lower]; dup {
				return nil
			}
			big[lower] = struct{}{}
		}
		lz.secs[cur].keys |= keyBits(key)
		open, rest = true, t[d+1:]
	}
	f := &File{path: path, kind: kind, deflt: -1, lz: lz}
	f.mapLazyProfiles()
	return f
}

// isASCII reports whether s has no byte >= 0x80, 32 bytes at a time (as utf8.ValidString skips
// ASCII).
func isASCII(s string) bool {
	const hi = 0x8080808080808080
	for len(s) > 32 { // > rather than >=, as in utf8: no past-the-end fix-up of s[32:]
		if (word(s)|word(s[8:])|word(s[16:])|word(s[24:]))&hi != 0 {
			return false
		}
		s = s[32:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// word is the first eight bytes of s, little-endian (the compiler makes it one load).
func word(s string) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// valueEmpty tells whether the value after a key's delimiter is empty: 1 empty, 2 not, -1 when
// scan cannot tell (it may start with whitespace only Python knows).
func valueEmpty(rest string) int {
	v := strings.TrimLeft(rest, " \t")
	switch {
	case v == "":
		return 1
	case v[0] >= utf8.RuneSelf || ctlSpace(v[0]):
		return -1
	}
	return 2
}

// nestedOK checks a continuation line (trimmed on the left) of an empty value: botocore parses such
// a value as nested "k = v" lines and refuses the file if one has no '='. false also when the line
// has a character at which Python may split it further (anything but printable ASCII and tab).
func nestedOK(t string) bool {
	for j := 0; j < len(t); j++ {
		if b := t[j]; b >= utf8.RuneSelf || (b < ' ' && b != '\t') {
			return false
		}
	}
	return strings.IndexByte(t, '=') >= 0
}

// mapLazyProfiles is mapProfiles for a scanned file. Credentials: every section is a profile of its
// own name (a scanned file has no [DEFAULT]), found with lz.find. Config: f.prof maps profile names
// to indices in lz.secs.
func (f *File) mapLazyProfiles() {
	if f.kind == Credentials {
		return
	}
	f.prof = map[string]int{}
	for si := range f.lz.secs {
		name, ok := profileName(f.kind, f.lz.name(si))
		if !ok {
			continue
		}
		if _, seen := f.prof[name]; !seen {
			f.order = append(f.order, name)
		}
		f.prof[name] = si // botocore: the last section for a name wins
	}
}

// profIndex is the index of profile's section: in f.secs, or in f.lz.secs for a scanned file.
func (f *File) profIndex(profile string) (int, bool) {
	if f.lz != nil && f.kind == Credentials {
		return f.lz.find(profile)
	}
	si, ok := f.prof[profile]
	return si, ok
}

// secIndex is the index of the section named name, as profIndex.
func (f *File) secIndex(name string) (int, bool) {
	if f.lz != nil {
		return f.lz.find(name)
	}
	si, ok := f.secIdx[name]
	return si, ok
}

// section is section si of a scanned file, parsed: a File of that section's lines alone, with the
// same path and kind. Its lines are numbered from the section's header (add lz.secs[si].line).
func (f *File) section(si int) *File {
	lz := f.lz
	if sub := lz.subs[si]; sub != nil {
		return sub
	}
	sub, err := parseString(f.path, f.kind, lz.bytes(si))
	if err != nil || len(sub.secs) != 1 {
		// cannot happen: the section's lines read alone are read as in the whole file (a header line
		// resets configparser's state), and scan accepted the file
		panic("awsfile: a section of a scanned file does not parse alone")
	}
	if lz.subs == nil {
		lz.subs = map[int]*File{}
	}
	lz.subs[si] = sub
	return sub
}

// full builds the whole index of a scanned file (before an edit).
func (f *File) full() {
	if f.lz == nil {
		return
	}
	g, err := parseString(f.path, f.kind, f.content())
	if err != nil {
		panic("awsfile: a scanned file does not parse: " + err.Error())
	}
	*f = *g
}

// lazyOrder is the profile names of a scanned file, in file order.
func (f *File) lazyOrder() []string {
	if f.kind == Config {
		return f.order
	}
	out := make([]string, len(f.lz.secs))
	for si := range f.lz.secs {
		out[si] = f.lz.name(si)
	}
	return out
}

// ProfilesWithKey lists, in file order, the profiles for which Get(profile, key) finds the key. On a
// File from Load it parses only the sections that may have the key (see keyBits), so a search for the
// few profiles holding some key does not lex the whole file.
func (f *File) ProfilesWithKey(key string) []string {
	key = pyLower(key)
	var out []string
	if f.lz == nil {
		for _, p := range f.order {
			if _, ok := f.Get(p, key); ok {
				out = append(out, p)
			}
		}
		return out
	}
	bits := keyBits(key)
	has := func(si int) bool {
		return f.lz.secs[si].keys&bits == bits && f.section(si).findKeyIn(0, key) >= 0
	}
	if f.kind == Credentials {
		for si := range f.lz.secs {
			if has(si) {
				out = append(out, f.lz.name(si))
			}
		}
		return out
	}
	for _, p := range f.order {
		if has(f.prof[p]) {
			out = append(out, p)
		}
	}
	return out
}

// Clone is a copy of f that can be edited without changing f. A File from Load stays one (its
// sections, the few parsed ones and their edits are copied); a parsed File is copied whole, index
// included, which costs far less than parsing it again.
func (f *File) Clone() *File {
	g := *f
	if f.lz != nil {
		lz := *f.lz
		lz.secs = slices.Clone(f.lz.secs)
		lz.edits = slices.Clone(f.lz.edits)
		lz.subs = make(map[int]*File, len(f.lz.subs))
		for si, sub := range f.lz.subs {
			lz.subs[si] = sub.Clone()
		}
		g.lz = &lz
		g.prof = maps.Clone(f.prof)
		g.order = slices.Clone(f.order)
		return &g
	}
	g.lines = slices.Clone(f.lines)
	g.secs = slices.Clone(f.secs)
	n := 0
	for i := range f.secs {
		n += len(f.secs[i].keys)
	}
	buf := make([]int, 0, n)
	for i := range g.secs {
		k0 := len(buf)
		buf = append(buf, f.secs[i].keys...)
		g.secs[i].keys = buf[k0:len(buf):len(buf)]
	}
	g.secIdx = maps.Clone(f.secIdx)
	if f.kind == Credentials && f.prof != nil {
		g.prof = g.secIdx // as mapProfiles makes it
	} else {
		g.prof = maps.Clone(f.prof)
	}
	g.order = slices.Clone(f.order)
	g.dflts = slices.Clone(f.dflts)
	return &g
}

// lazyEdit edits the section of an existing profile of a File from Load without building the whole
// index: edit gets a copy of the section parsed alone (with the file's line ending for new lines). It
// reports false when the edit must be made on the whole index instead (f.full, then the same edit):
// a new profile, an empty section (Set looks past its end for the indentation), an edit the section
// alone refuses (the whole file then refuses it with its own message and line), or one after which
// the next section's header would no longer be read as a header.
func (f *File) lazyEdit(profile string, edit func(sub *File) error) bool {
	lz := f.lz
	si, ok := f.profIndex(profile)
	if !ok {
		return false
	}
	sub := f.section(si)
	if len(sub.secs[0].keys) == 0 {
		return false
	}
	work := sub.Clone()
	work.eol = lz.eol
	if edit(work) != nil {
		return false
	}
	work.eol = ""
	if si+1 < len(lz.secs) {
		next := lz.bytes(si + 1)
		if n := strings.IndexByte(next, '\n'); n >= 0 {
			next = next[:n+1]
		}
		chk, err := parseString(f.path, f.kind, work.content()+next)
		if err != nil || len(chk.secs) != 2 {
			return false
		}
	}
	if delta := int32(len(work.lines) - len(sub.lines)); delta != 0 {
		for j := si + 1; j < len(lz.secs); j++ {
			lz.secs[j].line += delta
		}
	}
	for _, j := range work.secs[0].keys {
		lz.secs[si].keys |= keyBits(work.lines[j].key)
	}
	lz.subs[si] = work
	if i, found := slices.BinarySearch(lz.edits, si); !found {
		lz.edits = slices.Insert(lz.edits, i, si)
	}
	return true
}

// content is the file's current content as a string (no copy for an unedited File from Load).
func (f *File) content() string {
	if f.lz == nil {
		return string(f.Bytes())
	}
	lz := f.lz
	if len(lz.edits) == 0 {
		return lz.src
	}
	var b strings.Builder
	n := len(lz.src)
	for _, si := range lz.edits {
		n += len(lz.subs[si].content())
	}
	b.Grow(n)
	at := 0 // lz.src is copied up to here
	for _, si := range lz.edits {
		b.WriteString(lz.src[at:lz.secs[si].start])
		b.WriteString(lz.subs[si].content())
		at = int(lz.secs[si].start) + len(lz.bytes(si))
	}
	b.WriteString(lz.src[at:])
	return b.String()
}

// Reload reads f's file again: f itself when the file still holds the bytes f holds (nothing is
// parsed or scanned again), else the file as Load reads it now.
func Reload(f *File) (*File, error) {
	data, spare, err := readWhole(f.path)
	if os.IsNotExist(err) {
		return loadFile(f.path, f.kind)
	}
	if err != nil {
		return nil, err
	}
	if s := readOnlyString(data); s == f.content() {
		return f, nil
	}
	return loadSpare(f.path, f.kind, readOnlyString(data), spare)
}
