// Package ctype is ctype(3) in the C locale, as NetBSD's libc classifies
// the bytes of the text it parses (inet_pton(3), inet_aton(3),
// b64_pton(3), sbin/ifconfig's parsers).  It differs from package
// unicode: isspace(3) counts '\v' and '\f', and no byte above 0x7f is a
// digit or a space.
package ctype

// IsDigit is isdigit(3): '0' to '9'.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// IsXDigit is isxdigit(3): a digit, or 'a' to 'f' in either case.
func IsXDigit(c byte) bool { return IsDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

// IsSpace is isspace(3): ' ', '\t', '\n', '\v', '\f' or '\r'.
func IsSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// HexVal is the value of c, a hexadecimal digit (IsXDigit(c)); what it
// returns for any other byte is meaningless.
func HexVal(c byte) byte {
	if IsDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}
