package main

import "nbwg/internal/cnum"

// C library number parsing, with the C functions' quirks (package cnum):
// sbin/ifconfig reads prefix lengths with strtol(3), integer arguments
// with strtoimax(3) and the -w argument with strtoi(3).

// strtol is strtol(3) in base 10: leading white space, a sign, digits;
// it returns the value (clamped as strtol clamps) and what follows.  No
// digits at all leaves the whole string unread.
func strtol(s string) (int64, string) {
	v, rest, _ := strtoimax(s, 10)
	return v, rest
}

// strtoimax is strtoimax(3) (intmax_t is int64): ok is false when the
// value is out of range (ERANGE).
func strtoimax(s string, base int) (v int64, rest string, ok bool) {
	v, end, erange := cnum.Strtoll(s, base, cnum.Libc)
	return v, s[end:], !erange
}
