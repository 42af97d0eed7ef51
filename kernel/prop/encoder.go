package prop

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// An Encoder writes a property list straight from the caller's data,
// byte for byte what Externalize writes for the equivalent tree, without
// building the tree: a kernel answering with thousands of dictionaries
// (if_wg's SIOCGDRVSPEC with many peers) allocates one buffer instead of
// objects for every key and value.
//
// The caller opens the root dictionary, gives each dictionary's keys in
// libprop's order (byte order, as Dictionary keeps them), each followed
// by its value, closes what it opened and calls Bytes.  A misuse (a key
// out of order or outside a dictionary, a value without a key, what
// Externalize refuses) is remembered and returned by Bytes.  The zero
// value is not usable: call NewEncoder.
type Encoder struct {
	buf   []byte
	stack []frame
	done  bool // the root dictionary was closed
	err   error
}

// frame is an open dictionary or array.
type frame struct {
	array   bool
	depth   int    // of the container itself; its items are one deeper
	n       int    // keys or items written
	key     string // the last key written (dictionaries)
	pending bool   // a key waits for its value
}

// NewEncoder returns an Encoder that writes into buf's storage (which may
// be nil; pass a buffer of the expected size to write without growing).
func NewEncoder(buf []byte) *Encoder {
	return &Encoder{buf: append(buf[:0], plistHeader...)}
}

func (e *Encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: "+format, append([]any{ErrInvalidObject}, args...)...)
	}
}

func (e *Encoder) indent(depth int) { e.buf = appendIndent(e.buf, depth) }

// value prepares for a value: the item line of an array, or the key's
// value in a dictionary.  It reports false, recording why, when no value
// may come here.
func (e *Encoder) value() bool {
	if e.err != nil {
		return false
	}
	if len(e.stack) == 0 {
		if e.done {
			e.fail("a value after the root dictionary")
		}
		return e.err == nil
	}
	if len(e.stack) > MaxDepth {
		e.fail("nested deeper than %d", MaxDepth)
		return false
	}
	f := &e.stack[len(e.stack)-1]
	if !f.array {
		if !f.pending {
			e.fail("a value without a key")
			return false
		}
		f.pending = false
		return true
	}
	if f.n == 0 {
		e.buf = append(e.buf, "<array>\n"...)
	}
	f.n++
	e.indent(f.depth + 1)
	return true
}

// ended ends the line of a value inside a container.
func (e *Encoder) ended() {
	if len(e.stack) > 0 {
		e.buf = append(e.buf, '\n')
	}
}

// BeginDict opens a dictionary: the root, an array item, or a key's value.
func (e *Encoder) BeginDict() {
	if len(e.stack) == 0 && e.done {
		e.fail("a second root")
		return
	}
	if !e.value() {
		return
	}
	e.stack = append(e.stack, frame{depth: len(e.stack)})
}

// EndDict closes the innermost container, which must be a dictionary.
func (e *Encoder) EndDict() { e.end(false) }

// BeginArray opens an array as the value of a key or an item.
func (e *Encoder) BeginArray() {
	if len(e.stack) == 0 {
		e.fail("the root must be a dictionary")
		return
	}
	if !e.value() {
		return
	}
	e.stack = append(e.stack, frame{array: true, depth: len(e.stack)})
}

// EndArray closes the innermost container, which must be an array.
func (e *Encoder) EndArray() { e.end(true) }

func (e *Encoder) end(array bool) {
	if e.err != nil {
		return
	}
	if len(e.stack) == 0 || e.stack[len(e.stack)-1].array != array {
		e.fail("closing a container that is not open")
		return
	}
	f := e.stack[len(e.stack)-1]
	if f.pending {
		e.fail("key %q without a value", f.key)
		return
	}
	e.stack = e.stack[:len(e.stack)-1]
	switch {
	case f.n == 0 && array:
		e.buf = append(e.buf, "<array/>"...)
	case f.n == 0:
		e.buf = append(e.buf, "<dict/>"...)
	default:
		e.indent(f.depth)
		if array {
			e.buf = append(e.buf, "</array>"...)
		} else {
			e.buf = append(e.buf, "</dict>"...)
		}
	}
	if len(e.stack) == 0 {
		e.done = true
	}
	e.ended()
}

// Key starts an entry of the innermost dictionary; keys must come in
// increasing byte order.
func (e *Encoder) Key(k string) { e.key(k, "") }

// A KeyName is a dictionary key made ready for an Encoder once: its
// <key> element is escaped when it is made, not each time it is written,
// for the keys a kernel writes thousands of times in one reply.
type KeyName struct {
	name string
	elem string // "<key>...</key>\n", or "" when Key must judge the name
}

// NewKeyName prepares name.  A name Key would refuse (too long, with a
// NUL) is refused by KeyName when written, with Key's error.
func NewKeyName(name string) KeyName {
	k := KeyName{name: name}
	if len(name) <= maxKeyLen && strings.IndexByte(name, 0) < 0 {
		k.elem = string(appendEscaped([]byte("<key>"), name)) + "</key>\n"
	}
	return k
}

// Name is the key's name.
func (k KeyName) Name() string { return k.name }

// KeyName is Key(k.Name()), without escaping the name again.
func (e *Encoder) KeyName(k KeyName) { e.key(k.name, k.elem) }

// key writes key k: elem, its element, when NewKeyName has made and
// checked it, else k checked and escaped here.
func (e *Encoder) key(k, elem string) {
	if e.err != nil {
		return
	}
	if len(e.stack) == 0 || e.stack[len(e.stack)-1].array {
		e.fail("key %q outside a dictionary", k)
		return
	}
	f := &e.stack[len(e.stack)-1]
	switch {
	case f.pending:
		e.fail("key %q without a value", f.key)
		return
	case f.n > 0 && k <= f.key:
		e.fail("key %q after %q: keys must be in order, each once", k, f.key)
		return
	case elem != "":
		// Its length and bytes were checked by NewKeyName.
	case len(k) > maxKeyLen:
		e.fail("key %.16q... longer than %d bytes", k, maxKeyLen)
		return
	case strings.IndexByte(k, 0) >= 0:
		e.fail("key %q contains NUL", k)
		return
	}
	if f.n == 0 {
		e.buf = append(e.buf, "<dict>\n"...)
	}
	f.n++
	f.key, f.pending = k, true
	e.indent(f.depth + 1)
	if elem != "" {
		e.buf = append(e.buf, elem...)
	} else {
		e.buf = append(e.buf, "<key>"...)
		e.buf = appendEscaped(e.buf, k)
		e.buf = append(e.buf, "</key>\n"...)
	}
	e.indent(f.depth + 1)
}

// String writes a string value.
func (e *Encoder) String(s string) {
	if !e.value() {
		return
	}
	if strings.IndexByte(s, 0) >= 0 {
		e.fail("string contains NUL")
		return
	}
	if s == "" {
		e.buf = append(e.buf, "<string/>"...)
	} else {
		e.buf = append(e.buf, "<string>"...)
		e.buf = appendEscaped(e.buf, s)
		e.buf = append(e.buf, "</string>"...)
	}
	e.ended()
}

// Data writes a data value (base64).
func (e *Encoder) Data(b []byte) {
	if !e.value() {
		return
	}
	if len(b) == 0 {
		e.buf = append(e.buf, "<data/>"...)
	} else {
		e.buf = append(e.buf, "<data>"...)
		e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
		e.buf = append(e.buf, "</data>"...)
	}
	e.ended()
}

// Unsigned writes an unsigned number, as Unsigned(v) is written.
func (e *Encoder) Unsigned(v uint64) {
	if !e.value() {
		return
	}
	e.buf = append(e.buf, "<integer>0x"...)
	e.buf = strconv.AppendUint(e.buf, v, 16)
	e.buf = append(e.buf, "</integer>"...)
	e.ended()
}

// Signed writes a signed number, as Signed(v) is written.
func (e *Encoder) Signed(v int64) {
	if !e.value() {
		return
	}
	e.buf = append(e.buf, "<integer>"...)
	e.buf = strconv.AppendInt(e.buf, v, 10)
	e.buf = append(e.buf, "</integer>"...)
	e.ended()
}

// Bool writes a boolean value.
func (e *Encoder) Bool(v bool) {
	if !e.value() {
		return
	}
	if v {
		e.buf = append(e.buf, "<true/>"...)
	} else {
		e.buf = append(e.buf, "<false/>"...)
	}
	e.ended()
}

// Bytes returns the document, without a terminating NUL, or the first
// misuse.  The Encoder must not be used afterwards.
func (e *Encoder) Bytes() ([]byte, error) {
	if e.err == nil && (!e.done || len(e.stack) > 0) {
		e.fail("the root dictionary is not closed")
	}
	if e.err != nil {
		clear(e.buf) // it may hold keys
		return nil, e.err
	}
	return append(e.buf, plistFooter...), nil
}
