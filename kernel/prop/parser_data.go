package prop

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"

	"nbwg/internal/cnum"
)

// base64Val maps a base64 character to its value, or -1.
var base64Val = func() (t [256]int8) {
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
func (p *parser) data(t *tag) (Object, error) {
	// libprop rejects <data/> although it writes empty data that way.
	if t.empty {
		return nil, p.errorf(t.offset, "empty <data/>")
	}
	want := -1
	if t.hasAttr {
		if string(p.attrName(t)) != "size" || len(p.attrVal(t)) == 0 {
			return nil, p.errorf(t.offset, "bad <data> attribute")
		}
		// strtoul(value, &cp, 0) must consume the whole value.
		val := p.attrVal(t)
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
	if err := p.endTag("data"); err != nil {
		return nil, err
	}
	return Data(b), nil
}

// base64 decodes base64 text from p.pos up to the next '<'
// (_prop_data_internalize_decode): white space anywhere, '=' padding
// required and only at the end, leftover bits ignored.
func (p *parser) base64() ([]byte, error) {
	if n := bytes.IndexByte(p.b[p.pos:], '<'); n >= 0 {
		if out, ok := p.base64Fast(p.b[p.pos : p.pos+n]); ok {
			p.pos += n
			return out, nil
		}
	}
	return p.base64Slow()
}

// base64Fast decodes text, which libprop writes without white space, with
// encoding/base64, whose standard encoding accepts the same text then:
// padding required, nothing after it, leftover bits ignored.  It reports
// false for text with white space (which encoding/base64 takes only in
// part) and for text it rejects, for base64Slow to decode or reject with
// the error of its own.
func (p *parser) base64Fast(text []byte) ([]byte, bool) {
	if hasSpaceOrControl(text) {
		return nil, false
	}
	out := p.alloc.dataSpace(base64.StdEncoding.DecodedLen(len(text)))
	out = out[:cap(out)]
	n, err := base64.StdEncoding.Decode(out, text)
	if err != nil {
		clear(out) // what was decoded before the error
		return nil, false
	}
	return p.alloc.keepData(out[:n]), true
}

// hasSpaceOrControl reports whether text holds a byte below '!': white
// space or a control character, neither of which base64 uses.  It tests
// eight bytes at a time, with the "has a byte less than n" word trick
// (exact for n <= 128, and bytes from 0x80 on are never flagged).
func hasSpaceOrControl(text []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(text); i += 8 {
		x := binary.LittleEndian.Uint64(text[i:])
		if (x-ones*'!')&^x&highs != 0 {
			return true
		}
	}
	for ; i < len(text); i++ {
		if text[i] < '!' {
			return true
		}
	}
	return false
}

// base64Slow is base64 byte by byte, as libprop decodes.
func (p *parser) base64Slow() ([]byte, error) {
	// The text runs at most to the next '<'; size the output for it.
	n := bytes.IndexByte(p.b[p.pos:], '<')
	if n < 0 {
		n = len(p.b) - p.pos
	}
	out := p.alloc.dataSpace(n*3/4 + 2)
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
		if propSpace(c) {
			continue
		}
		if c == '<' {
			i--
			break
		}
		if c == '=' {
			break
		}
		v := base64Val[c]
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
		return p.alloc.keepData(out), nil
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
			if !propSpace(c) {
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
		if !propSpace(c) {
			return nil, p.errorf(i, "data after base64 padding")
		}
		i++
	}
	p.pos = i
	return p.alloc.keepData(out), nil
}
