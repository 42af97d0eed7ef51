package prop

import (
	"bytes"
	"errors"
	"fmt"
)

// Limits that libprop does not have.  Internalize is fed by any local
// user through the emulated kernel, so it bounds its work: if_wg itself
// refuses input of WG_MAX_PROPLEN (32766) bytes or more before parsing, and
// its documents nest 5 deep.
const (
	// MaxInternalizeSize is the largest input Internalize accepts.
	MaxInternalizeSize = 16 << 20
	// MaxDepth is the deepest nesting of dictionaries and arrays that
	// Internalize accepts and Externalize writes; the root dictionary is
	// at depth 0.
	MaxDepth = 128
)

var (
	// ErrMalformed is wrapped by every error Internalize returns for input
	// that libprop's prop_dictionary_internalize would reject (return
	// NULL for).
	ErrMalformed = errors.New("prop: malformed property list")
	// ErrTooLarge is returned for input above MaxInternalizeSize.
	ErrTooLarge = errors.New("prop: property list too large")
	// ErrTooDeep is returned for input nested deeper than MaxDepth.
	ErrTooDeep = errors.New("prop: property list nested too deep")
)

// SyntaxError describes where and why Internalize rejected its input.  It
// wraps ErrMalformed.
type SyntaxError struct {
	Offset int    // byte offset in the input
	Msg    string // what was expected or wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("prop: malformed property list at offset %d: %s", e.Offset, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return ErrMalformed }

// Internalize parses an XML property list whose root is a dictionary,
// accepting exactly what prop_dictionary_internalize accepts (see
// parser.go for the grammar and its quirks).  The input is read as a C
// string: it ends at the first NUL byte, so a trailing NUL is harmless and
// anything after a NUL is ignored, as in the kernel.  Anything after the
// closing </plist> is ignored too, as in libprop.
//
// Internalize never panics; it returns a *SyntaxError (wrapping
// ErrMalformed), ErrTooLarge or ErrTooDeep.
func Internalize(b []byte) (*Dictionary, error) {
	if len(b) > MaxInternalizeSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), MaxInternalizeSize)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return internalize(b, splitWanted(len(b)))
}

// internalize parses b, with a helper for the second half if split
// (parser_split.go).
func internalize(b []byte, split bool) (*Dictionary, error) {
	p := parser{b: b, alloc: newAllocator()}
	if split {
		p.startSplit()
	}
	return p.internalize()
}

// internalize parses the document and, if it is rejected, clears the data
// decoded on the way: it may hold keys, and no caller gets it to wipe.
func (p *parser) internalize() (*Dictionary, error) {
	d, err := p.document()
	p.endSplit(err != nil)
	if err != nil {
		p.alloc.wipeData()
		return nil, err
	}
	return d, nil
}
