package prop

import (
	"bytes"
	"fmt"
	"slices"

	"nbwg/internal/cnum"
)

// This file is the parser as it was before issue 13 made it faster
// (parser.go and parser_data.go at d16c1c8), kept as the reference that
// FuzzInternalizeMatchesReference holds the fast one to: the same
// documents accepted, with the same objects, and the same errors.
//
// Original comment:
//
// This file is a Go rendering of libprop's XML internalizer
// (prop_intern.c / prop_object.c, and the _prop_*_internalize functions of
// prop_dictionary.c, prop_array.c, prop_string.c, prop_data.c,
// prop_number.c and prop_bool.c).  libprop does not parse XML; it scans for
// "tags" with _prop_xml_intern_find_tag, and this refParser keeps its rules so
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

type refParser struct {
	b   []byte
	pos int
	// scratch holds, per depth, the entries of the dictionary being
	// parsed there, so that each dictionary allocates its entries once,
	// at their final size.
	scratch [][]entry
	// keys holds each key string made so far: a document repeats a few
	// keys in every one of its many dictionaries (if_wg's peers), and
	// one string each saves an allocation per key.
	keys map[string]string
}

// key returns key as a string, the same one for every occurrence.
func (p *refParser) key(key []byte) string {
	if s, ok := p.keys[string(key)]; ok {
		return s
	}
	if p.keys == nil {
		p.keys = make(map[string]string)
	}
	if len(p.keys) >= ref_maxInternedKeys {
		return string(key) // a hostile document: stop remembering
	}
	s := string(key)
	p.keys[s] = s
	return s
}

// ref_maxInternedKeys bounds the keys remembered by one refParser.
const ref_maxInternedKeys = 256

// at returns the byte at i, or 0 past the end: the input is treated as the
// NUL-terminated C string libprop sees.
func (p *refParser) at(i int) byte {
	if i < len(p.b) {
		return p.b[i]
	}
	return 0
}

// ref_propSpace is _PROP_ISSPACE (prop_object_impl.h).
func ref_propSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// ref_spaces is ref_propSpace as a table, and ref_nameEnds the bytes that end a tag
// name (white space, '/', '>', and NUL, where libprop's string ends), for
// findTag's loops.
var ref_spaces, ref_nameEnds [256]bool

func init() { // ref_spaces and ref_nameEnds
	for _, c := range []byte(" \t\n\r") {
		ref_spaces[c], ref_nameEnds[c] = true, true
	}
	ref_nameEnds['/'], ref_nameEnds['>'], ref_nameEnds[0] = true, true, true
}

func (p *refParser) errorf(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

type refTagType int

const (
	refTagStart refTagType = iota
	refTagEnd
	refTagEither
)

// tag is what _prop_xml_intern_find_tag records in the context.
type refTag struct {
	offset   int // of the '<'
	name     []byte
	end      bool // an end tag (</name>)
	empty    bool // an empty element (<name/>)
	hasAttr  bool
	attrName []byte
	attrVal  []byte
}

func (t *refTag) is(name string) bool { return string(t.name) == name }

// findTag scans for the next tag from p.pos, as _prop_xml_intern_find_tag
// does.  want, if not empty, is the required tag name.  On success p.pos is
// just past the tag.
func (p *refParser) findTag(want string, typ refTagType) (refTag, error) {
	var t refTag
	b := p.b
startOver:
	i := p.pos
	for i < len(b) && ref_spaces[b[i]] {
		i++
	}
	if p.at(i) != '<' {
		return t, p.errorf(i, "expected a tag")
	}
	t.offset = i
	i++
	if p.at(i) == 0 {
		return t, p.errorf(i, "unexpected end of input")
	}
	if p.at(i) == '!' {
		if p.at(i+1) != '-' || p.at(i+2) != '-' {
			return t, p.errorf(t.offset, "unexpected <!")
		}
		if typ == refTagEnd {
			return t, p.errorf(t.offset, "comment where an end tag is required")
		}
		end, ok := p.skipComment(i + 3)
		if !ok {
			return t, p.errorf(t.offset, "unterminated comment")
		}
		p.pos = end
		goto startOver
	}
	if p.at(i) == '/' {
		if typ != refTagEnd && typ != refTagEither {
			return t, p.errorf(t.offset, "unexpected end tag")
		}
		i++
		if p.at(i) == 0 {
			return t, p.errorf(i, "unexpected end of input")
		}
		t.end = true
	} else if typ != refTagStart && typ != refTagEither {
		return t, p.errorf(t.offset, "expected an end tag")
	}
	nameStart := i
	for i < len(b) && !ref_nameEnds[b[i]] {
		i++
	}
	if p.at(i) == 0 {
		return t, p.errorf(i, "unexpected end of input in tag")
	}
	t.name = p.b[nameStart:i]
	if want != "" && !t.is(want) {
		return t, p.errorf(t.offset, "expected <%s%s>, found <%s%s>",
			ref_slash(typ == refTagEnd), want, ref_slash(t.end), t.name)
	}
	if p.at(i) == '/' {
		if t.end {
			return t, p.errorf(t.offset, "empty end tag")
		}
		t.empty = true
		i++
		if p.at(i) != '>' {
			return t, p.errorf(i, "expected '>' after '/'")
		}
	}
	if p.at(i) == '>' {
		p.pos = i + 1
		return t, nil
	}
	// White space after the name: one attribute follows.
	i++
	for ref_propSpace(p.at(i)) {
		i++
	}
	if p.at(i) == 0 {
		return t, p.errorf(i, "unexpected end of input in tag")
	}
	attrStart := i
	for c := p.at(i); !ref_propSpace(c) && c != '='; c = p.at(i) {
		if c == 0 {
			return t, p.errorf(i, "unexpected end of input in attribute")
		}
		i++
	}
	t.hasAttr = true
	t.attrName = p.b[attrStart:i]
	i++ // past '=' (or, as in libprop, past whatever stopped the name)
	if p.at(i) != '"' {
		return t, p.errorf(i, "expected '\"' in attribute")
	}
	i++
	if p.at(i) == 0 {
		return t, p.errorf(i, "unexpected end of input in attribute")
	}
	valStart := i
	for p.at(i) != '"' {
		if p.at(i) == 0 {
			return t, p.errorf(i, "unexpected end of input in attribute")
		}
		i++
	}
	t.attrVal = p.b[valStart:i]
	i++
	if p.at(i) != '>' {
		return t, p.errorf(i, "expected '>' after attribute")
	}
	p.pos = i + 1
	return t, nil
}

func ref_slash(end bool) string {
	if end {
		return "/"
	}
	return ""
}

// skipComment returns the index just past the first "-->" at or after i
// (_prop_xml_intern_skip_comment).
func (p *refParser) skipComment(i int) (int, bool) {
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
func (p *refParser) hasPrefixAt(i int, s string) bool {
	return i <= len(p.b) && bytes.HasPrefix(p.b[i:], []byte(s))
}

// document parses the whole list (_prop_intern_context_alloc and
// _prop_object_internalize_xml with the dictionary as initial tag).
func (p *refParser) document() (*Dictionary, error) {
	// Skip white space and the XML preamble.
	i := 0
	for {
		for ref_propSpace(p.at(i)) {
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

	t, err := p.findTag("plist", refTagStart)
	if err != nil {
		return nil, err
	}
	if t.empty {
		return nil, p.errorf(t.offset, "empty <plist/>")
	}
	if t.hasAttr && string(t.attrName) != "version" {
		return nil, p.errorf(t.offset, "unknown <plist> attribute %q", t.attrName)
	}
	t, err = p.findTag("dict", refTagStart)
	if err != nil {
		return nil, err
	}
	d, err := p.dictionary(t, 0)
	if err != nil {
		return nil, err
	}
	if _, err := p.findTag("plist", refTagEnd); err != nil {
		return nil, err
	}
	return d, nil
}

// value parses the object whose tag t has just been read
// (_prop_xml_intern_by_tag).  The tag may be an end tag: libprop looks only
// at its name.
func (p *refParser) value(t refTag, depth int) (Object, error) {
	switch string(t.name) {
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
	return nil, p.errorf(t.offset, "unknown tag <%s>", t.name)
}

// dictionary parses <dict>...</dict> (_prop_dictionary_internalize and
// _prop_dictionary_internalize_body).  A repeated key keeps its last value.
func (p *refParser) dictionary(t refTag, depth int) (*Dictionary, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, MaxDepth, t.offset)
	}
	if t.hasAttr {
		return nil, p.errorf(t.offset, "attribute on <dict>")
	}
	d := NewDictionary()
	if t.empty {
		return d, nil
	}
	for len(p.scratch) <= depth {
		p.scratch = append(p.scratch, nil)
	}
	entries := p.scratch[depth][:0]
	defer func() {
		clear(entries)
		p.scratch[depth] = entries[:0]
	}()
	for {
		kt, err := p.findTag("", refTagEither)
		if err != nil {
			return nil, err
		}
		if kt.is("dict") && kt.end {
			d.entries = slices.Clone(entries)
			d.sortEntries()
			return d, nil
		}
		if !kt.is("key") || kt.end || kt.empty {
			return nil, p.errorf(kt.offset, "expected <key> in <dict>")
		}
		key, err := p.text(maxKeyLen)
		if err != nil {
			return nil, err
		}
		if _, err := p.findTag("key", refTagEnd); err != nil {
			return nil, err
		}
		vt, err := p.findTag("", refTagStart)
		if err != nil {
			return nil, err
		}
		v, err := p.value(vt, depth+1)
		if err != nil {
			return nil, err
		}
		// Appended unsorted and sorted once at the end: inserting in
		// order would cost O(n²) on hostile input.
		entries = append(entries, entry{key: p.key(key), val: v})
	}
}

// array parses <array>...</array> (_prop_array_internalize and
// _prop_array_internalize_body).
func (p *refParser) array(t refTag, depth int) (*Array, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: more than %d levels at offset %d", ErrTooDeep, MaxDepth, t.offset)
	}
	if t.hasAttr {
		return nil, p.errorf(t.offset, "attribute on <array>")
	}
	a := &Array{}
	if t.empty {
		return a, nil
	}
	for {
		it, err := p.findTag("", refTagEither)
		if err != nil {
			return nil, err
		}
		if it.is("array") && it.end {
			return a, nil
		}
		v, err := p.value(it, depth+1)
		if err != nil {
			return nil, err
		}
		a.items = append(a.items, v)
	}
}

// boolean parses <true/> or <false/> (_prop_bool_internalize).
func (p *refParser) boolean(t refTag) (Object, error) {
	if t.hasAttr || !t.empty {
		return nil, p.errorf(t.offset, "<%s> must be an empty element", t.name)
	}
	return Bool(t.is("true")), nil
}

// str parses <string>...</string> or <string/> (_prop_string_internalize).
func (p *refParser) str(t refTag) (Object, error) {
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
	if _, err := p.findTag("string", refTagEnd); err != nil {
		return nil, err
	}
	return String(s), nil
}

// text decodes character data from p.pos up to the next '<'
// (_prop_intern_decode_string), failing if it decodes to more than max
// bytes (max < 0: no limit).
func (p *refParser) text(max int) ([]byte, error) {
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

// number parses <integer>...</integer> (_prop_number_internalize) with the
// kernel's strtoll/strtoull (package cnum, Kernel flavor).
func (p *refParser) number(t refTag) (Object, error) {
	if t.hasAttr || t.empty {
		return nil, p.errorf(t.offset, "bad <integer> tag")
	}
	text := p.b[min(p.pos, len(p.b)):] // strtoll's nptr
	var n Number
	var used int
	switch {
	case p.at(p.pos) == '-':
		v, end, _ := cnum.Strtoll(text, 0, cnum.Kernel)
		n, used = Signed(v), end
	case p.at(p.pos) == '0' && p.at(p.pos+1) == 'x':
		v, end, _ := cnum.Strtoull(text, 0, cnum.Kernel)
		n, used = Unsigned(v), end
	default:
		v, end, _ := cnum.Strtoll(text, 0, cnum.Kernel)
		n, used = Signed(v), end
	}
	// An overflow consumes nothing, and "</integer>" is not found.
	p.pos += used
	if _, err := p.findTag("integer", refTagEnd); err != nil {
		return nil, err
	}
	return n, nil
}

// ref_base64Val maps a base64 character to its value, or -1.
var ref_base64Val = func() (t [256]int8) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range t {
		t[i] = -1
	}
	for i := range len(alphabet) {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// data parses <data>...</data> (_prop_data_internalize).
func (p *refParser) data(t refTag) (Object, error) {
	// libprop rejects <data/> although it writes empty data that way.
	if t.empty {
		return nil, p.errorf(t.offset, "empty <data/>")
	}
	want := -1
	if t.hasAttr {
		if string(t.attrName) != "size" || len(t.attrVal) == 0 {
			return nil, p.errorf(t.offset, "bad <data> attribute")
		}
		// strtoul(value, &cp, 0) must consume the whole value.
		val := t.attrVal
		size, end, _ := cnum.Strtoull(val, 0, cnum.Kernel)
		if end != len(val) || size > MaxInternalizeSize {
			return nil, p.errorf(t.offset, "bad <data> size %q", val)
		}
		want = int(size)
	}
	b, err := p.base64()
	if err != nil {
		return nil, err
	}
	if want >= 0 && len(b) != want {
		return nil, p.errorf(t.offset, "<data> size %d, decoded %d bytes", want, len(b))
	}
	if _, err := p.findTag("data", refTagEnd); err != nil {
		return nil, err
	}
	return Data(b), nil
}

// base64 decodes base64 text from p.pos up to the next '<'
// (_prop_data_internalize_decode): white space anywhere, '=' padding
// required and only at the end, leftover bits ignored.
func (p *refParser) base64() ([]byte, error) {
	// The text runs at most to the next '<'; size the output for it.
	n := bytes.IndexByte(p.b[p.pos:], '<')
	if n < 0 {
		n = len(p.b) - p.pos
	}
	out := make([]byte, 0, n*3/4+2)
	var cur byte // the partial byte being assembled
	state := 0   // base64 characters seen, mod 4
	i := p.pos
	var c byte
	for {
		c = p.at(i)
		i++
		if c == 0 {
			return nil, p.errorf(i-1, "unexpected end of input in <data>")
		}
		if ref_propSpace(c) {
			continue
		}
		if c == '<' {
			i--
			break
		}
		if c == '=' {
			break
		}
		v := ref_base64Val[c]
		if v < 0 {
			return nil, p.errorf(i-1, "bad base64 character %q", c)
		}
		switch state {
		case 0:
			cur = byte(v) << 2
		case 1:
			out = append(out, cur|byte(v)>>4)
			cur = byte(v&0xf) << 4
		case 2:
			out = append(out, cur|byte(v)>>2)
			cur = byte(v&0x3) << 6
		case 3:
			out = append(out, cur|byte(v))
		}
		state = (state + 1) % 4
	}
	if c != '=' {
		// Ended at '<': no partial group may be left.
		if state != 0 {
			return nil, p.errorf(i, "base64 without padding")
		}
		p.pos = i
		return out, nil
	}
	if p.at(i) == 0 {
		return nil, p.errorf(i, "unexpected end of input in <data>")
	}
	switch state {
	case 0, 1:
		return nil, p.errorf(i-1, "misplaced base64 padding")
	case 2:
		// One byte of information: a second '=' must follow, maybe
		// after white space.
		for c = p.at(i); c != '<'; c = p.at(i) {
			i++
			if c == 0 {
				return nil, p.errorf(i-1, "unexpected end of input in <data>")
			}
			if !ref_propSpace(c) {
				break
			}
		}
		if c != '=' {
			return nil, p.errorf(i, "base64 missing second '='")
		}
	}
	// Only white space may follow the padding.
	for c = p.at(i); c != '<'; c = p.at(i) {
		if c == 0 {
			return nil, p.errorf(i, "unexpected end of input in <data>")
		}
		if !ref_propSpace(c) {
			return nil, p.errorf(i, "data after base64 padding")
		}
		i++
	}
	p.pos = i
	return out, nil
}
