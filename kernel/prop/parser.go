package prop

import (
	"bytes"
	"fmt"

	"nbwg/internal/cnum"
)

// This file is a Go rendering of libprop's XML internalizer
// (prop_intern.c / prop_object.c, and the _prop_*_internalize functions of
// prop_dictionary.c, prop_array.c, prop_string.c, prop_data.c,
// prop_number.c and prop_bool.c).  libprop does not parse XML; it scans for
// "tags" with _prop_xml_intern_find_tag, and this parser keeps its rules so
// that the emulated kernel accepts and rejects the same documents:
//
//   - Only ' ', '\t', '\n' and '\r' count as white space between tags.
//   - A tag is '<', an optional '/', a name running to white space, '/' or
//     '>', then either '>' or "/>" (empty element, start tags only), or
//     exactly one attribute written name="value" with no space around '='.
//     End tags may carry an attribute too; it is ignored.
//   - Comments <!-- ... --> may stand wherever a start tag is looked for,
//     never where only an end tag may come (e.g. before </integer>).
//   - Before <plist> only white space, "<?xml ...>" and
//     "<!DOCTYPE plist ...>" (skipped to the next '>') and comments may
//     come.  <plist> may carry only a "version" attribute, whose value is
//     ignored, and must not be empty.  The root must be <dict>.  After the
//     root's end, </plist> must follow; what comes after it is ignored.
//   - Inside an array, any tag other than </array> starts an item, even an
//     end tag: "<array></string>x</string></array>" holds the string "x".
//   - Text (keys and strings) runs to the next '<' and may contain only the
//     entities &amp; &lt; &gt; &apos; &quot;.  Keys hold at most 128 bytes.
//     A key tag may carry an attribute (ignored); other tags may not.
//   - <data/> is rejected while <data></data> is empty data, yet libprop
//     writes empty data as <data/>.  Base64 may contain the white space
//     above anywhere, needs its '=' padding and may carry a size="n"
//     attribute that must equal the decoded length.
//   - <integer>: a leading '-' means signed, a leading "0x" unsigned,
//     anything else signed; the text is read with strtoll/strtoull in base
//     0 (so "010" is 8 and " 0x10" is signed 16), and empty text is 0.
//
// Unlike libprop, nesting is limited to MaxDepth.

type parser struct {
	b   []byte
	pos int
	// entries and items build the lists of dictionaries and arrays.
	entries lists[entry]
	items   lists[Object]
	// keys holds each key string made so far: a document repeats a few
	// keys in every one of its many dictionaries (if_wg's peers), and
	// one string each saves an allocation per key.
	keys  map[string]string
	alloc allocator
	// split, for a large document, is a helper parsing the second
	// half of an array (parser_split.go).
	split *split
}

// key returns key as a string, the same one for every occurrence.
func (p *parser) key(key []byte) string {
	if s, ok := p.keys[string(key)]; ok {
		return s
	}
	if p.keys == nil {
		p.keys = make(map[string]string)
	}
	if len(p.keys) >= maxInternedKeys {
		return string(key) // a hostile document: stop remembering
	}
	s := string(key)
	p.keys[s] = s
	return s
}

// maxInternedKeys bounds the keys remembered by one parser.
const maxInternedKeys = 256

// at returns the byte at i, or 0 past the end: the input is treated as the
// NUL-terminated C string libprop sees.
func (p *parser) at(i int) byte {
	if i < len(p.b) {
		return p.b[i]
	}
	return 0
}

// propSpace is _PROP_ISSPACE (prop_object_impl.h).
func propSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// spaces is propSpace as a table, and nameEnds the bytes that end a tag
// name (white space, '/', '>', and NUL, where libprop's string ends), for
// findTag's loops.
var spaces, nameEnds [256]bool

func init() {
	for _, c := range []byte(" \t\n\r") {
		spaces[c], nameEnds[c] = true, true
	}
	nameEnds['/'], nameEnds['>'], nameEnds[0] = true, true, true
}

func (p *parser) errorf(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

type tagType int

const (
	tagStart tagType = iota
	tagEnd
	tagEither
)

// tag is what _prop_xml_intern_find_tag records in the context.  It holds
// offsets into the input rather than slices of it: without pointers, the
// parser fills one without write barriers.
type tag struct {
	offset       int  // of the '<'
	name0, name1 int  // the name is b[name0:name1]
	attr0, attr1 int  // the attribute's name, if hasAttr
	val0, val1   int  // the attribute's value
	end          bool // an end tag (</name>)
	empty        bool // an empty element (<name/>)
	hasAttr      bool
}

func (p *parser) name(t *tag) []byte     { return p.b[t.name0:t.name1] }
func (p *parser) attrName(t *tag) []byte { return p.b[t.attr0:t.attr1] }
func (p *parser) attrVal(t *tag) []byte  { return p.b[t.val0:t.val1] }

func (p *parser) is(t *tag, name string) bool { return string(p.b[t.name0:t.name1]) == name }

// findTag scans for the next tag from p.pos, as _prop_xml_intern_find_tag
// does, and stores it in *t (a pointer: the tag is large, and copying it
// out of every call cost more than the scan of a short tag).  want, if not
// empty, is the required tag name.  On success p.pos is just past the tag.
func (p *parser) findTag(t *tag, want string, typ tagType) error {
	b := p.b
	i := p.pos
	for i < len(b) && spaces[b[i]] {
		i++
	}
	// Fast path for the tags libprop writes, "<name>" and "</name>": no
	// comment, no attribute, not empty, of the wanted kind and name.
	// Anything else, including every error, takes the full scan below,
	// which accepts these tags the same way.
	if i+1 < len(b) && b[i] == '<' && b[i+1] != '!' {
		j := i + 1
		end := b[j] == '/'
		if end {
			j++
		}
		if typ == tagEither || end == (typ == tagEnd) {
			k := j
			for k < len(b) && !nameEnds[b[k]] {
				k++
			}
			if k < len(b) && b[k] == '>' && (want == "" || string(b[j:k]) == want) {
				*t = tag{offset: i, name0: j, name1: k, end: end}
				p.pos = k + 1
				return nil
			}
		}
	}
	*t = tag{}
startOver:
	i = p.pos
	for i < len(b) && spaces[b[i]] {
		i++
	}
	if p.at(i) != '<' {
		return p.errorf(i, "expected a tag")
	}
	t.offset = i
	i++
	if p.at(i) == 0 {
		return p.errorf(i, "unexpected end of input")
	}
	if p.at(i) == '!' {
		if p.at(i+1) != '-' || p.at(i+2) != '-' {
			return p.errorf(t.offset, "unexpected <!")
		}
		if typ == tagEnd {
			return p.errorf(t.offset, "comment where an end tag is required")
		}
		end, ok := p.skipComment(i + 3)
		if !ok {
			return p.errorf(t.offset, "unterminated comment")
		}
		p.pos = end
		goto startOver
	}
	if p.at(i) == '/' {
		if typ != tagEnd && typ != tagEither {
			return p.errorf(t.offset, "unexpected end tag")
		}
		i++
		if p.at(i) == 0 {
			return p.errorf(i, "unexpected end of input")
		}
		t.end = true
	} else if typ != tagStart && typ != tagEither {
		return p.errorf(t.offset, "expected an end tag")
	}
	nameStart := i
	for i < len(b) && !nameEnds[b[i]] {
		i++
	}
	if p.at(i) == 0 {
		return p.errorf(i, "unexpected end of input in tag")
	}
	t.name0, t.name1 = nameStart, i
	if want != "" && !p.is(t, want) {
		return p.errorf(t.offset, "expected <%s%s>, found <%s%s>",
			slash(typ == tagEnd), want, slash(t.end), p.name(t))
	}
	if p.at(i) == '/' {
		if t.end {
			return p.errorf(t.offset, "empty end tag")
		}
		t.empty = true
		i++
		if p.at(i) != '>' {
			return p.errorf(i, "expected '>' after '/'")
		}
	}
	if p.at(i) == '>' {
		p.pos = i + 1
		return nil
	}
	// White space after the name: one attribute follows.
	i++
	for propSpace(p.at(i)) {
		i++
	}
	if p.at(i) == 0 {
		return p.errorf(i, "unexpected end of input in tag")
	}
	attrStart := i
	for c := p.at(i); !propSpace(c) && c != '='; c = p.at(i) {
		if c == 0 {
			return p.errorf(i, "unexpected end of input in attribute")
		}
		i++
	}
	t.hasAttr = true
	t.attr0, t.attr1 = attrStart, i
	i++ // past '=' (or, as in libprop, past whatever stopped the name)
	if p.at(i) != '"' {
		return p.errorf(i, "expected '\"' in attribute")
	}
	i++
	if p.at(i) == 0 {
		return p.errorf(i, "unexpected end of input in attribute")
	}
	valStart := i
	for p.at(i) != '"' {
		if p.at(i) == 0 {
			return p.errorf(i, "unexpected end of input in attribute")
		}
		i++
	}
	t.val0, t.val1 = valStart, i
	i++
	if p.at(i) != '>' {
		return p.errorf(i, "expected '>' after attribute")
	}
	p.pos = i + 1
	return nil
}

// endTag reads the end tag </want>, as findTag(want, tagEnd) does, the
// common "</want>" without a full scan.
func (p *parser) endTag(want string) error {
	b := p.b
	i := p.pos
	for i < len(b) && spaces[b[i]] {
		i++
	}
	if j := i + 2 + len(want); j < len(b) && b[i] == '<' && b[i+1] == '/' &&
		string(b[i+2:j]) == want && b[j] == '>' {
		p.pos = j + 1
		return nil
	}
	var t tag
	return p.findTag(&t, want, tagEnd)
}

func slash(end bool) string {
	if end {
		return "/"
	}
	return ""
}

// skipComment returns the index just past the first "-->" at or after i
// (_prop_xml_intern_skip_comment).
func (p *parser) skipComment(i int) (int, bool) {
	if i > len(p.b) {
		return 0, false
	}
	j := bytes.Index(p.b[i:], []byte("-->"))
	if j < 0 {
		return 0, false
	}
	return i + j + 3, true
}

// hasPrefixAt reports whether the input at i starts with s.
func (p *parser) hasPrefixAt(i int, s string) bool {
	return i <= len(p.b) && bytes.HasPrefix(p.b[i:], []byte(s))
}

// document parses the whole list (_prop_intern_context_alloc and
// _prop_object_internalize_xml with the dictionary as initial tag).
func (p *parser) document() (*Dictionary, error) {
	// Skip white space and the XML preamble.
	i := 0
	for {
		for propSpace(p.at(i)) {
			i++
		}
		if p.at(i) != '<' {
			return nil, p.errorf(i, "expected '<'")
		}
		if p.hasPrefixAt(i+1, "?xml ") || p.hasPrefixAt(i+1, "!DOCTYPE plist") {
			j := bytes.IndexByte(p.b[i:], '>')
			if j < 0 {
				return nil, p.errorf(i, "unterminated XML declaration")
			}
			i += j + 1
			continue
		}
		// libprop compares &data[1] with "<!--", so this only skips
		// "<<!--" (and from its fifth byte on); an ordinary comment is
		// left to findTag, which skips it.
		if p.hasPrefixAt(i+1, "<!--") {
			end, ok := p.skipComment(i + 4)
			if !ok {
				return nil, p.errorf(i, "unterminated comment")
			}
			i = end
			continue
		}
		break
	}
	p.pos = i

	var t tag
	if err := p.findTag(&t, "plist", tagStart); err != nil {
		return nil, err
	}
	if t.empty {
		return nil, p.errorf(t.offset, "empty <plist/>")
	}
	if t.hasAttr && string(p.attrName(&t)) != "version" {
		return nil, p.errorf(t.offset, "unknown <plist> attribute %q", p.attrName(&t))
	}
	if err := p.findTag(&t, "dict", tagStart); err != nil {
		return nil, err
	}
	d, err := p.dictionary(&t, 0)
	if err != nil {
		return nil, err
	}
	if err := p.endTag("plist"); err != nil {
		return nil, err
	}
	return d, nil
}

// value parses the object whose tag t has just been read
// (_prop_xml_intern_by_tag).  The tag may be an end tag: libprop looks only
// at its name.
func (p *parser) value(t *tag, depth int) (Object, error) {
	switch string(p.name(t)) {
	case "array":
		return p.array(t, depth)
	case "true", "false":
		return p.boolean(t)
	case "data":
		return p.data(t)
	case "dict":
		return p.dictionary(t, depth)
	case "integer":
		return p.number(t)
	case "string":
		return p.str(t)
	}
	return nil, p.errorf(t.offset, "unknown tag <%s>", p.name(t))
}

// dictionary parses <dict>...</dict> (_prop_dictionary_internalize and
// _prop_dictionary_internalize_body).  A repeated key keeps its last value.
func (p *parser) dictionary(t *tag, depth int) (*Dictionary, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, MaxDepth, t.offset)
	}
	if t.hasAttr {
		return nil, p.errorf(t.offset, "attribute on <dict>")
	}
	d := p.alloc.dictionary()
	if t.empty {
		return d, nil
	}
	list := p.entries.at(depth)
	n := 0
	var kt, vt tag
	for {
		if err := p.findTag(&kt, "", tagEither); err != nil {
			return nil, err
		}
		if p.is(&kt, "dict") && kt.end {
			d.entries = list.finish(n)
			d.sortEntries()
			return d, nil
		}
		if !p.is(&kt, "key") || kt.end || kt.empty {
			return nil, p.errorf(kt.offset, "expected <key> in <dict>")
		}
		key, err := p.text(maxKeyLen)
		if err != nil {
			return nil, err
		}
		if err := p.endTag("key"); err != nil {
			return nil, err
		}
		if err := p.findTag(&vt, "", tagStart); err != nil {
			return nil, err
		}
		v, err := p.value(&vt, depth+1)
		if err != nil {
			return nil, err
		}
		// Appended unsorted and sorted once at the end: inserting in
		// order would cost O(n²) on hostile input.
		// The dictionaries at one depth mostly hold the same keys in
		// the same order (if_wg's peers): the key the previous one
		// had at this place is likely this one, and a comparison
		// costs less than the map lookup of p.key.
		var k string
		if n < len(list.prev) && list.prev[n].key == string(key) {
			k = list.prev[n].key
		} else {
			k = p.key(key)
		}
		list.set(n, entry{key: k, val: v})
		n++
	}
}

// array parses <array>...</array> (_prop_array_internalize and
// _prop_array_internalize_body).
func (p *parser) array(t *tag, depth int) (*Array, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, MaxDepth, t.offset)
	}
	if t.hasAttr {
		return nil, p.errorf(t.offset, "attribute on <array>")
	}
	a := p.alloc.array()
	if t.empty {
		return a, nil
	}
	items, err := p.arrayItems(depth)
	if err != nil {
		return nil, err
	}
	a.items = items
	return a, nil
}

// arrayItems parses the items of an array of depth up to its end tag (a
// helper's from its point on: parser_split.go).
func (p *parser) arrayItems(depth int) ([]Object, error) {
	list := p.items.at(depth)
	n := 0
	var it tag
	for {
		if err := p.findTag(&it, "", tagEither); err != nil {
			return nil, err
		}
		if p.is(&it, "array") && it.end {
			return list.finish(n), nil
		}
		if items, end, ok := p.takeSplit(it.offset, depth+1); ok {
			for _, v := range items {
				list.set(n, v)
				n++
			}
			p.pos = end
			return list.finish(n), nil
		}
		v, err := p.value(&it, depth+1)
		if err != nil {
			return nil, err
		}
		list.set(n, v)
		n++
	}
}

// boolean parses <true/> or <false/> (_prop_bool_internalize).
func (p *parser) boolean(t *tag) (Object, error) {
	if t.hasAttr || !t.empty {
		return nil, p.errorf(t.offset, "<%s> must be an empty element", p.name(t))
	}
	return Bool(p.is(t, "true")), nil
}

// str parses <string>...</string> or <string/> (_prop_string_internalize).
func (p *parser) str(t *tag) (Object, error) {
	if t.empty {
		return String(""), nil
	}
	if t.hasAttr {
		return nil, p.errorf(t.offset, "attribute on <string>")
	}
	s, err := p.text(-1)
	if err != nil {
		return nil, err
	}
	if err := p.endTag("string"); err != nil {
		return nil, err
	}
	return String(p.alloc.str(s)), nil
}

// text decodes character data from p.pos up to the next '<'
// (_prop_intern_decode_string), failing if it decodes to more than max
// bytes (max < 0: no limit).
func (p *parser) text(max int) ([]byte, error) {
	start := p.pos
	n := bytes.IndexByte(p.b[start:], '<')
	if n < 0 {
		return nil, p.errorf(len(p.b), "unexpected end of input in text")
	}
	raw := p.b[start : start+n]
	if bytes.IndexByte(raw, '&') < 0 {
		if max >= 0 && len(raw) > max {
			return nil, p.errorf(start, "key longer than %d bytes", max)
		}
		p.pos = start + n
		return raw, nil
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c == '&' {
			var ent string
			switch {
			case bytes.HasPrefix(raw[i:], []byte("&amp;")):
				c, ent = '&', "&amp;"
			case bytes.HasPrefix(raw[i:], []byte("&lt;")):
				c, ent = '<', "&lt;"
			case bytes.HasPrefix(raw[i:], []byte("&gt;")):
				c, ent = '>', "&gt;"
			case bytes.HasPrefix(raw[i:], []byte("&apos;")):
				c, ent = '\'', "&apos;"
			case bytes.HasPrefix(raw[i:], []byte("&quot;")):
				c, ent = '"', "&quot;"
			default:
				return nil, p.errorf(start+i, "unknown entity")
			}
			i += len(ent)
		} else {
			i++
		}
		if max >= 0 && len(out) >= max {
			return nil, p.errorf(start, "key longer than %d bytes", max)
		}
		out = append(out, c)
	}
	p.pos = start + n
	return out, nil
}

// numberSlow reads the number at the start of text as libprop does: a
// leading '-' means signed, a leading "0x" unsigned, anything else signed,
// read with strtoll or strtoull in base 0.  used is the length read.
func numberSlow(text []byte) (n Number, used int) {
	switch {
	case len(text) > 0 && text[0] == '-':
		v, end, _ := cnum.Strtoll(text, 0, cnum.Kernel)
		return Signed(v), end
	case len(text) > 1 && text[0] == '0' && text[1] == 'x':
		v, end, _ := cnum.Strtoull(text, 0, cnum.Kernel)
		return Unsigned(v), end
	}
	v, end, _ := cnum.Strtoll(text, 0, cnum.Kernel)
	return Signed(v), end
}

// numberFast reads the numbers libprop writes, "0x" and hexadecimal digits
// or decimal digits without a leading 0, when they end at a '<' and are
// short enough not to overflow: what number's strtoll or strtoull reads
// then, without their generality.  ok is false for anything else.
func numberFast(text []byte) (n Number, used int, ok bool) {
	if len(text) >= 3 && text[0] == '0' && text[1] == 'x' {
		var v uint64
		i := 2
		for ; i < len(text) && i < 2+16; i++ {
			d := hexVal[text[i]]
			if d < 0 {
				break
			}
			v = v<<4 | uint64(d)
		}
		if i == 2 || i >= len(text) || text[i] != '<' {
			return Number{}, 0, false
		}
		return Unsigned(v), i, true
	}
	if len(text) >= 2 && text[0] == '0' && text[1] == '<' {
		return Signed(0), 1, true
	}
	var v int64
	i := 0
	for ; i < len(text) && i < 18; i++ {
		c := text[i]
		if c < '0' || c > '9' || c == '0' && i == 0 {
			break
		}
		v = v*10 + int64(c-'0')
	}
	if i == 0 || i >= len(text) || text[i] != '<' {
		return Number{}, 0, false
	}
	return Signed(v), i, true
}

// hexVal maps a hexadecimal digit to its value, or -1.
var hexVal = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c], t[c-'a'+'A'] = int8(c-'a'+10), int8(c-'a'+10)
	}
	return t
}()

// number parses <integer>...</integer> (_prop_number_internalize) with the
// kernel's strtoll/strtoull (package cnum, Kernel flavor).
func (p *parser) number(t *tag) (Object, error) {
	if t.hasAttr || t.empty {
		return nil, p.errorf(t.offset, "bad <integer> tag")
	}
	text := p.b[min(p.pos, len(p.b)):] // strtoll's nptr
	n, used, ok := numberFast(text)
	if !ok {
		n, used = numberSlow(text)
	}
	// An overflow consumes nothing, and "</integer>" is not found.
	p.pos += used
	if err := p.endTag("integer"); err != nil {
		return nil, err
	}
	return boxNumber(n), nil
}

// smallNumbers holds Signed(i) and Unsigned(i) for i below 256, made into
// Objects once: most numbers in if_wg's documents are small (families,
// prefix lengths, zero counters), and a Number is immutable, so they can
// share one rather than allocate one each.
var smallNumbers = func() (t [2][256]Object) {
	for i := range t[0] {
		t[0][i], t[1][i] = Signed(int64(i)), Unsigned(uint64(i))
	}
	return t
}()

// boxNumber returns n as an Object, a shared one if n is small.
func boxNumber(n Number) Object {
	if n.bits < uint64(len(smallNumbers[0])) {
		u := 0
		if n.unsigned {
			u = 1
		}
		return smallNumbers[u][n.bits]
	}
	return n
}
