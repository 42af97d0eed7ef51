package prop

import "math"

// C number parsing as NetBSD's kernel does it (common/lib/libc/stdlib/
// _strtol.h and _strtoul.h built with _KERNEL).  The kernel variants differ
// from libc's on overflow: instead of clamping and setting ERANGE they stop
// and report that nothing was consumed (*endptr = nptr), which makes
// libprop's number internalizer fail because no "</integer>" follows.  The
// emulated kernel is where untrusted documents are internalized, so these
// are the semantics that matter.

// cIsSpace is isspace(3) in the C locale, which strtol skips.  Note that it
// is wider than the whitespace libprop's tag scanner skips (propSpace).
func cIsSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// digitVal is the value of c as a digit in bases up to 36, or 99.
func digitVal(c byte) uint64 {
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

// cPrefix scans what strtol scans before the digits: white space, a sign,
// and, for base 0 or 16, a "0x" or "0X" prefix.  It returns the index of
// the first digit, whether the number is negative and the base to use.
func cPrefix(at func(int) byte, i, base int) (int, bool, int) {
	for cIsSpace(at(i)) {
		i++
	}
	neg := false
	switch at(i) {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	if (base == 0 || base == 16) && at(i) == '0' && (at(i+1) == 'x' || at(i+1) == 'X') {
		i += 2
		base = 16
	}
	if base == 0 {
		if at(i) == '0' {
			base = 8
		} else {
			base = 10
		}
	}
	return i, neg, base
}

// cStrtoull parses like the kernel's strtoull(nptr, &end, base) with nptr
// at index start.  It returns the value and the index end points at; end
// equals start when no digits were consumed or the value overflowed.
func cStrtoull(at func(int) byte, start, base int) (uint64, int) {
	i, neg, base := cPrefix(at, start, base)
	var acc uint64
	any := false
	for ; ; i++ {
		d := digitVal(at(i))
		if d >= uint64(base) {
			break
		}
		if acc > (math.MaxUint64-d)/uint64(base) {
			return math.MaxUint64, start // kernel: overflow consumes nothing
		}
		acc = acc*uint64(base) + d
		any = true
	}
	if !any {
		return 0, start
	}
	if neg {
		acc = -acc
	}
	return acc, i
}

// cStrtoll parses like the kernel's strtoll(nptr, &end, base); see
// cStrtoull.
func cStrtoll(at func(int) byte, start, base int) (int64, int) {
	i, neg, base := cPrefix(at, start, base)
	limit := uint64(math.MaxInt64) // magnitude limit
	if neg {
		limit++ // -MinInt64
	}
	var acc uint64
	any := false
	for ; ; i++ {
		d := digitVal(at(i))
		if d >= uint64(base) {
			break
		}
		if acc > (limit-d)/uint64(base) {
			return 0, start // kernel: overflow consumes nothing
		}
		acc = acc*uint64(base) + d
		any = true
	}
	if !any {
		return 0, start
	}
	if neg {
		return int64(-acc), i
	}
	return int64(acc), i
}
