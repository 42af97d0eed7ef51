package main

// C library number parsing, with the C functions' quirks: sbin/ifconfig
// reads prefix lengths with strtol(3), integer arguments with
// strtoimax(3) and the -w argument with strtoi(3).

// strtol is strtol(3) in base 10: leading white space, a sign, digits;
// it returns the value (clamped as strtol clamps) and what follows.  No
// digits at all leaves the whole string unread.
func strtol(s string) (int64, string) {
	v, rest, _ := strtoimax(s, 10)
	return v, rest
}

// strtoimax is strtoimax(3) for base 10 or 0: ok is false when the value
// is out of range (ERANGE).
func strtoimax(s string, base int) (v int64, rest string, ok bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	b := uint64(base)
	if base == 0 {
		b = 10
		if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && isXDigit(s[i+2]) {
			b = 16
			i += 2
		} else if i < len(s) && s[i] == '0' {
			b = 8
		}
	}
	start := i
	var u uint64
	over := false
	for i < len(s) {
		var d uint64
		switch c := s[i]; {
		case isDigit(c):
			d = uint64(c - '0')
		case isXDigit(c):
			d = uint64(hexVal(c))
		default:
			d = 99
		}
		if d >= b {
			break
		}
		if u > (1<<64-1-d)/b {
			over = true
		} else {
			u = u*b + d
		}
		i++
	}
	if i == start {
		return 0, s, true
	}
	limit := uint64(maxInt64)
	if neg {
		limit++
	}
	if over || u > limit {
		if neg {
			return minInt64, s[i:], false
		}
		return maxInt64, s[i:], false
	}
	if neg {
		return -int64(u-1) - 1, s[i:], true
	}
	return int64(u), s[i:], true
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isXDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isSpace(c byte) bool  { return c == ' ' || c >= '\t' && c <= '\r' }

func hexVal(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
