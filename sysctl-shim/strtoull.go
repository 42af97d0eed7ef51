package main

import "nbwg/internal/cnum"

// strtoull is strtoull(3) (strtouq) with base 0 in the C locale, as
// sysctl.c's write_number calls it: leading white space, an optional
// sign, then a "0x" prefix for hexadecimal or a leading 0 for octal.  It
// returns the value, how many bytes of s it consumed (0 when there are
// no digits: C's endptr == nptr) and whether the value overflowed (C's
// ERANGE, with the value ULLONG_MAX).  A minus sign negates the result
// in unsigned arithmetic, so "-1" is ULLONG_MAX without ERANGE.
func strtoull(s string) (v uint64, n int, erange bool) {
	return cnum.Strtoull(s, 0, cnum.Libc)
}
