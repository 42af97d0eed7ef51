package addrinfo

import "nbwg/internal/ctype"

// The text-to-address conversions of NetBSD's libc that getaddrinfo and
// sbin/ifconfig use: inet_pton(3) (lib/libc/inet/inet_pton.c 1.8) and
// inet_aton(3) (lib/libc/inet/inet_addr.c).  They differ from net/netip
// at the edges ("09" is nine to inet_pton, octal and shorthand to
// inet_aton, trailing white space ends the text), and what an
// administrator types must mean the same as on NetBSD.

// at returns s[i] as a C string would: NUL past the end.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// InetPton4 is inet_pton(AF_INET, s, dst): a dotted quad of decimal
// numbers, each at most 255.  As in NetBSD's, a leading 0 followed by
// 1..8 makes the part octal and is refused, "09" is nine, the parts
// accumulate in 32 bits (wrapping), and the text may end with white space
// followed by anything.
func InetPton4(s string) ([4]byte, bool) {
	var dst [4]byte
	var parts [3]uint32
	np := 0
	i := 0
	c := at(s, i)
	var val uint32
	for {
		if !ctype.IsDigit(c) {
			return dst, false
		}
		val = 0
		base := uint32(10)
		if c == '0' {
			i++
			c = at(s, i)
			if c == 'x' || c == 'X' {
				base = 16
				i++
				c = at(s, i)
			} else if ctype.IsDigit(c) && c != '9' {
				base = 8
			}
		}
		// inet_pton takes decimal only.
		if base != 10 {
			return dst, false
		}
		for ctype.IsDigit(c) {
			val = val*base + uint32(c-'0')
			i++
			c = at(s, i)
		}
		if c != '.' {
			break
		}
		if np >= len(parts) {
			return dst, false
		}
		parts[np] = val
		np++
		i++
		c = at(s, i)
	}
	if c != 0 && !ctype.IsSpace(c) {
		return dst, false
	}
	// inet_pton takes a dotted quad only, no shorthand.
	if np != 3 {
		return dst, false
	}
	if parts[0]|parts[1]|parts[2]|val > 0xff {
		return dst, false
	}
	return [4]byte{byte(parts[0]), byte(parts[1]), byte(parts[2]), byte(val)}, true
}

// InetPton6 is inet_pton(AF_INET6, s, dst) (RFC 1884 2.2 text, with an
// optional embedded dotted quad).  The dotted quad is read by InetPton4,
// so NetBSD's quirk stays: white space after it ends the text, whatever
// follows.
func InetPton6(s string) ([16]byte, bool) {
	var tmp [16]byte
	tp := 0
	colonp := -1
	i := 0
	// A leading :: needs special handling.
	if at(s, i) == ':' {
		i++
		if at(s, i) != ':' {
			return tmp, false
		}
	}
	curtok := i
	seen := 0
	var val uint32
	for i < len(s) {
		ch := s[i]
		i++
		if ctype.IsXDigit(ch) {
			val = val<<4 | uint32(ctype.HexVal(ch))
			seen++
			if seen > 4 {
				return tmp, false
			}
			continue
		}
		if ch == ':' {
			curtok = i
			if seen == 0 {
				if colonp >= 0 {
					return tmp, false
				}
				colonp = tp
				continue
			} else if i >= len(s) {
				return tmp, false
			}
			if tp+2 > len(tmp) {
				return tmp, false
			}
			tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
			tp += 2
			seen = 0
			val = 0
			continue
		}
		if ch == '.' && tp+4 <= len(tmp) {
			if v4, ok := InetPton4(s[curtok:]); ok {
				copy(tmp[tp:], v4[:])
				tp += 4
				seen = 0
				break
			}
		}
		return tmp, false
	}
	if seen > 0 {
		if tp+2 > len(tmp) {
			return tmp, false
		}
		tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
		tp += 2
	}
	if colonp >= 0 {
		if tp == len(tmp) {
			return tmp, false
		}
		n := tp - colonp
		for k := 1; k <= n; k++ {
			tmp[len(tmp)-k] = tmp[colonp+n-k]
			tmp[colonp+n-k] = 0
		}
		tp = len(tmp)
	}
	if tp != len(tmp) {
		return tmp, false
	}
	return tmp, true
}

// InetAton is inet_aton(3): a, a.b, a.b.c or a.b.c.d, each part decimal,
// octal (leading 0) or hexadecimal (0x); the last part fills the
// remaining bytes.  Anything after white space is ignored.  The parts
// accumulate in a u_long (64 bits on NetBSD's 64-bit ports), so a part
// before a dot that only wraps to a small value in 32 bits is still too
// large; a lone part keeps its low 32 bits, as htonl() takes them.
func InetAton(s string) ([4]byte, bool) {
	var parts []uint64
	i := 0
	var val uint64
	for {
		c := at(s, i)
		if !ctype.IsDigit(c) {
			return [4]byte{}, false
		}
		val = 0
		base := uint64(10)
		digit := false
		if c == '0' {
			i++
			c = at(s, i)
			if c == 'x' || c == 'X' {
				base = 16
				i++
				c = at(s, i)
			} else {
				base = 8
				digit = true
			}
		}
		for {
			if ctype.IsDigit(c) {
				if base == 8 && (c == '8' || c == '9') {
					return [4]byte{}, false
				}
				val = val*base + uint64(c-'0')
			} else if base == 16 && ctype.IsXDigit(c) {
				val = val<<4 | uint64(ctype.HexVal(c))
			} else {
				break
			}
			i++
			c = at(s, i)
			digit = true
		}
		if c == '.' {
			if len(parts) >= 3 || val > 0xff {
				return [4]byte{}, false
			}
			parts = append(parts, val)
			i++
			continue
		}
		if c != 0 && !ctype.IsSpace(c) || !digit {
			return [4]byte{}, false
		}
		break
	}
	switch len(parts) {
	case 1:
		if val > 0xffffff {
			return [4]byte{}, false
		}
		val |= parts[0] << 24
	case 2:
		if val > 0xffff {
			return [4]byte{}, false
		}
		val |= parts[0]<<24 | parts[1]<<16
	case 3:
		if val > 0xff {
			return [4]byte{}, false
		}
		val |= parts[0]<<24 | parts[1]<<16 | parts[2]<<8
	}
	return [4]byte{byte(val >> 24), byte(val >> 16), byte(val >> 8), byte(val)}, true
}
