// Package cnum reads numbers as the C library's strtoull(3) and
// strtoll(3) do on NetBSD (common/lib/libc/stdlib/_strtoul.h and
// _strtol.h): leading white space (isspace(3) in the C locale), an
// optional sign, for base 0 a "0x" (hexadecimal) or "0" (octal) prefix,
// for base 16 an optional "0x", then as many digits of the base (up to
// 36, letters in either case) as follow.  A minus sign negates the
// value, for strtoull in unsigned arithmetic ("-1" is 2^64-1).
//
// strconv is no stand-in: it accepts underscores and "0o" and "0b"
// prefixes, refuses white space (and signs, for ParseUint), and does
// not stop at the first character that is no digit.
//
// The same source builds the kernel's functions and libc's, and they
// part on overflow; nbwg's callers part on "0x" too.  A Flavor chooses.
// The package imports only the standard library and internal/ctype, so
// that the emulated kernel (kernel/prop) may use it as the front ends do.
package cnum

import (
	"math"

	"nbwg/internal/ctype"
)

// Text is what the functions read: a string, or a byte slice holding
// one.  The end of s stands for C's terminating NUL.
type Text interface{ ~string | ~[]byte }

// Flavor is whose strtoull and strtoll to follow.
type Flavor uint8

const (
	// Libc is the C library's, as nbwg's front ends call it.  On
	// overflow the value is clamped (ULLONG_MAX, or LLONG_MAX or
	// LLONG_MIN), errno is set to ERANGE, and the remaining digits are
	// still consumed.  "0x" is a prefix only before a hexadecimal
	// digit: "0x" alone, or "0xg", is the number 0 followed by "x...",
	// which is what C99 7.20.1.4 asks for (NetBSD's _strtoul.h consumes
	// nothing there).
	Libc Flavor = iota
	// Kernel is the kernel's (_KERNEL), as kernel/prop calls it for the
	// documents it internalizes.  Overflow stops the scan and consumes
	// nothing (*endptr = nptr), so a caller that needs the whole text
	// to be a number fails; Strtoull's value is then 2^64-1, Strtoll's
	// 0 (NetBSD's is clamped; nothing consumed means no number to use).
	// "0x" is always a prefix: without a hexadecimal digit after it,
	// nothing is consumed.
	Kernel
)

// Strtoull is strtoull(s, &end, base) in the given flavor.  end is the
// number of bytes of s consumed: 0 when there are no digits (C's
// endptr == nptr), even if white space or a sign came first.  erange
// reports that the value did not fit 64 bits (see Flavor for what
// follows).  A base other than 0 or 2 to 36 reads nothing.
func Strtoull[T Text](s T, base int, f Flavor) (v uint64, end int, erange bool) {
	mag, neg, end, over := scan(s, base, f, func(bool) uint64 { return math.MaxUint64 })
	switch {
	case over && f == Kernel:
		return math.MaxUint64, 0, true
	case over:
		return math.MaxUint64, end, true
	case end == 0:
		return 0, 0, false
	case neg:
		return -mag, end, false
	}
	return mag, end, false
}

// Strtoll is strtoll(s, &end, base) in the given flavor; see Strtoull.
// erange reports that the value did not fit an int64.
func Strtoll[T Text](s T, base int, f Flavor) (v int64, end int, erange bool) {
	limit := func(neg bool) uint64 {
		if neg {
			return -math.MinInt64 // the magnitude of LLONG_MIN
		}
		return math.MaxInt64
	}
	mag, neg, end, over := scan(s, base, f, limit)
	switch {
	case over && f == Kernel:
		return 0, 0, true
	case over && neg:
		return math.MinInt64, end, true
	case over:
		return math.MaxInt64, end, true
	case end == 0:
		return 0, 0, false
	case neg:
		// Two's complement: -(1<<63) is LLONG_MIN.
		return int64(-mag), end, false
	}
	return int64(mag), end, false
}

// scan reads what strtoull and strtoll share: white space, a sign, a base
// prefix and digits, accumulating their magnitude while it stays within
// limit(neg).  It returns the magnitude, the sign, how many bytes were
// consumed (0 for no digits) and whether the magnitude overflowed.  In
// the Kernel flavor an overflow stops the scan at once.
func scan[T Text](s T, base int, f Flavor, limit func(neg bool) uint64) (mag uint64, neg bool, end int, over bool) {
	i := 0
	for i < len(s) && ctype.IsSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if (base == 0 || base == 16) && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') &&
		(f == Kernel || i+2 < len(s) && digit(s[i+2]) < 16) {
		i += 2
		base = 16
	}
	if base == 0 {
		base = 10
		if i < len(s) && s[i] == '0' {
			base = 8
		}
	}
	if base < 2 || base > 36 {
		return 0, neg, 0, false
	}
	b := uint64(base)
	lim := limit(neg)
	start := i
	for ; i < len(s); i++ {
		d := uint64(digit(s[i]))
		if d >= b {
			break
		}
		if over {
			continue // libc: the digits are consumed all the same
		}
		if mag > (lim-d)/b {
			over = true
			if f == Kernel {
				return 0, neg, 0, true
			}
			continue
		}
		mag = mag*b + d
	}
	if i == start {
		return 0, neg, 0, false
	}
	return mag, neg, i, over
}

// digit is the value of c as a digit in bases up to 36 (0-9, then a-z or
// A-Z for 10-35), or 99 when c is no digit.
func digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}
