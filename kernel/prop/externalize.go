package prop

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// The fixed parts of a document (prop_extern.c _prop_extern_append_header
// and _prop_extern_append_footer).  Note "Apple Computer" in the public
// identifier: libprop has always written it so.
const (
	plistHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n" +
		`<plist version="1.0">` + "\n"
	plistFooter = "\n</plist>\n"
)

// maxKeyLen is PDK_MAXKEY in prop_dictionary.c: libprop cannot store a
// longer key, and its internalizer rejects one.
const maxKeyLen = 128

// ErrInvalidObject is wrapped by the errors of Externalize for objects that
// libprop could not hold or write: a key longer than 128 bytes, a string or
// key with a NUL byte, nesting deeper than MaxDepth (or a cycle), a nil
// object.
var ErrInvalidObject = errors.New("prop: object cannot be externalized")

// Externalize returns d as an XML property list, byte for byte what
// prop_dictionary_externalize returns, without the terminating NUL.
func Externalize(d *Dictionary) ([]byte, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil dictionary", ErrInvalidObject)
	}
	w := externalizer{buf: make([]byte, 0, 256+estimateSize(d, 0))}
	w.buf = append(w.buf, plistHeader...)
	if err := w.object(d, 0); err != nil {
		return nil, err
	}
	w.buf = append(w.buf, plistFooter...)
	return w.buf, nil
}

type externalizer struct {
	buf []byte
}

// object appends o, whose first line has already been indented by depth
// tabs; its last line is left without a newline, as libprop's pot_extern
// functions leave it (the caller ends the line).
func (w *externalizer) object(o Object, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: nested deeper than %d", ErrInvalidObject, MaxDepth)
	}
	switch v := o.(type) {
	case *Dictionary:
		if v == nil {
			return fmt.Errorf("%w: nil dictionary", ErrInvalidObject)
		}
		if len(v.entries) == 0 {
			w.buf = append(w.buf, "<dict/>"...)
			return nil
		}
		w.buf = append(w.buf, "<dict>\n"...)
		for _, e := range v.entries {
			if len(e.key) > maxKeyLen {
				return fmt.Errorf("%w: key %.16q... longer than %d bytes", ErrInvalidObject, e.key, maxKeyLen)
			}
			if strings.IndexByte(e.key, 0) >= 0 {
				return fmt.Errorf("%w: key %q contains NUL", ErrInvalidObject, e.key)
			}
			w.indent(depth + 1)
			w.buf = append(w.buf, "<key>"...)
			w.escaped(e.key)
			w.buf = append(w.buf, "</key>\n"...)
			w.indent(depth + 1)
			if err := w.object(e.val, depth+1); err != nil {
				return fmt.Errorf("key %q: %w", e.key, err)
			}
			w.buf = append(w.buf, '\n')
		}
		w.indent(depth)
		w.buf = append(w.buf, "</dict>"...)
	case *Array:
		if v == nil {
			return fmt.Errorf("%w: nil array", ErrInvalidObject)
		}
		if len(v.items) == 0 {
			w.buf = append(w.buf, "<array/>"...)
			return nil
		}
		w.buf = append(w.buf, "<array>\n"...)
		for i, item := range v.items {
			w.indent(depth + 1)
			if err := w.object(item, depth+1); err != nil {
				return fmt.Errorf("index %d: %w", i, err)
			}
			w.buf = append(w.buf, '\n')
		}
		w.indent(depth)
		w.buf = append(w.buf, "</array>"...)
	case String:
		if len(v) == 0 {
			w.buf = append(w.buf, "<string/>"...)
			return nil
		}
		if strings.IndexByte(string(v), 0) >= 0 {
			return fmt.Errorf("%w: string contains NUL", ErrInvalidObject)
		}
		w.buf = append(w.buf, "<string>"...)
		w.escaped(string(v))
		w.buf = append(w.buf, "</string>"...)
	case Data:
		if len(v) == 0 {
			// libprop writes <data/> but its internalizer rejects it
			// (prop_data.c); see Internalize.
			w.buf = append(w.buf, "<data/>"...)
			return nil
		}
		w.buf = append(w.buf, "<data>"...)
		w.buf = base64.StdEncoding.AppendEncode(w.buf, v)
		w.buf = append(w.buf, "</data>"...)
	case Bool:
		if v {
			w.buf = append(w.buf, "<true/>"...)
		} else {
			w.buf = append(w.buf, "<false/>"...)
		}
	case Number:
		w.buf = append(w.buf, "<integer>"...)
		w.buf = v.appendText(w.buf)
		w.buf = append(w.buf, "</integer>"...)
	default:
		return fmt.Errorf("%w: %T", ErrInvalidObject, o)
	}
	return nil
}

func (w *externalizer) indent(depth int) { w.buf = appendIndent(w.buf, depth) }

// tabs serves indentation without a loop for the depths documents have.
const tabs = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"

func appendIndent(b []byte, depth int) []byte {
	for depth > len(tabs) {
		b = append(b, tabs...)
		depth -= len(tabs)
	}
	return append(b, tabs[:depth]...)
}

// escaped appends s with '<', '>' and '&' replaced by entities, the only
// characters libprop escapes (_prop_xml_extern_append_encoded_cstring).
func (w *externalizer) escaped(s string) { w.buf = appendEscaped(w.buf, s) }

// special marks the bytes appendEscaped must look at.
var special = [256]bool{'<': true, '>': true, '&': true}

func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if !special[s[i]] {
			continue
		}
		b = append(b, s[start:i]...)
		switch s[i] {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}

// EscapedLen is the length of s as a <key> or <string> holds it: the
// bytes the document spends on s, for callers that bound a document's
// size without writing it.
func EscapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '>':
			n += 3 // &lt; &gt;
		case '&':
			n += 4 // &amp;
		}
	}
	return n
}

// estimateSize guesses the externalized size of o so that Externalize
// allocates once for typical documents.  It does not need to be exact.
func estimateSize(o Object, depth int) int {
	if depth > MaxDepth {
		return 0
	}
	switch v := o.(type) {
	case *Dictionary:
		if v == nil {
			return 0
		}
		n := 16 + depth
		for _, e := range v.entries {
			n += 2*(depth+1) + len(e.key) + 13 + estimateSize(e.val, depth+1) + 1
		}
		return n
	case *Array:
		if v == nil {
			return 0
		}
		n := 18 + depth
		for _, item := range v.items {
			n += depth + 1 + estimateSize(item, depth+1) + 1
		}
		return n
	case String:
		return 17 + len(v) + len(v)/8
	case Data:
		return 13 + base64.StdEncoding.EncodedLen(len(v))
	case Number:
		return 39
	}
	return 8
}
