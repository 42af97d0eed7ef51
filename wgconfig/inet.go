package main

import "nbwg/internal/ctype"

// The address conversion of NetBSD's libc that wgconfig's input goes
// through (lib/libc/inet/inet_pton.c; its output goes through
// inet_ntop.c, package inet).  It differs from net/netip at the edges
// (inet_pton accepts "09" and trailing white space), and what an admin
// types must mean the same as on NetBSD.

// at returns s[i] as a C string would: NUL past the end.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// inetPton4 is inet_pton(AF_INET, s, dst): a dotted quad of decimal
// numbers, each at most 255.  As in NetBSD's, a leading 0 followed by
// 1..8 makes the part octal and is refused, "09" is nine, the parts
// accumulate in 32 bits (wrapping), and the text may end with white space
// followed by anything.
func inetPton4(s string) ([4]byte, bool) {
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

// inetPton6 is inet_pton(AF_INET6, s, dst) (RFC 1884 2.2 text, with an
// optional embedded dotted quad).
func inetPton6(s string) ([16]byte, bool) {
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
			if v4, ok := inetPton4(s[curtok:]); ok {
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
