package main

import "math"

// strtoull is strtoull(3) (strtouq) with base 0 in the C locale, as
// sysctl.c's write_number calls it: leading white space, an optional
// sign, then a "0x" prefix for hexadecimal or a leading 0 for octal.  It
// returns the value, how many bytes of s it consumed (0 when there are
// no digits: C's endptr == nptr) and whether the value overflowed (C's
// ERANGE, with the value ULLONG_MAX).  A minus sign negates the result
// in unsigned arithmetic, so "-1" is ULLONG_MAX without ERANGE.
//
// strconv.ParseUint is no stand-in: it accepts underscores and "0o" and
// "0b" prefixes, refuses signs and white space, and stops nowhere.
func strtoull(s string) (v uint64, n int, erange bool) {
	i := 0
	for i < len(s) && isspace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	switch {
	case i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digitValue(s[i+2]) < 16:
		// "0x" counts as a prefix only before a hex digit; "0xg"
		// is the number 0 followed by "xg".
		base = 16
		i += 2
	case i < len(s) && s[i] == '0':
		base = 8
	}
	start := i
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if !erange {
			if v > (math.MaxUint64-d)/base {
				erange = true
			} else {
				v = v*base + d
			}
		}
	}
	if i == start {
		return 0, 0, false
	}
	if erange {
		return math.MaxUint64, i, true
	}
	if neg {
		v = -v
	}
	return v, i, false
}

// isspace is isspace(3) in the C locale.
func isspace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// digitValue is the value of c as a digit in bases up to 36, or 99.
func digitValue(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'z':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return uint64(c-'A') + 10
	}
	return 99
}
