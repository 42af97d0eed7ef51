// Package inet is NetBSD libc's address-to-text conversion,
// inet_ntop(3) (lib/libc/inet/inet_ntop.c), which the front ends print
// addresses with.  It differs from net/netip's String: an
// IPv4-compatible address (::a.b.c.d, deprecated by RFC 4291 but still
// printed so by NetBSD) ends in a dotted quad, as an IPv4-mapped one
// does, and an address never carries a zone.
package inet

import "strconv"

// Ntop4 is inet_ntop(AF_INET, a): a dotted quad of decimal numbers.
func Ntop4(a [4]byte) string {
	var buf [15]byte
	return string(AppendNtop4(buf[:0], a))
}

// AppendNtop4 appends Ntop4(a) to dst: a show of many peers prints many
// addresses.
func AppendNtop4(dst []byte, a [4]byte) []byte {
	for i, x := range a {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(x), 10)
	}
	return dst
}

// Ntop6 is inet_ntop(AF_INET6, a): eight groups of lower-case hex
// without leading zeros, the longest run of two or more zero groups (the
// first of equally long ones) shortened to "::", and the last 32 bits
// as a dotted quad for IPv4-compatible (::a.b.c.d) and IPv4-mapped
// (::ffff:a.b.c.d) addresses.
func Ntop6(a [16]byte) string {
	var buf [46]byte
	return string(AppendNtop6(buf[:0], a))
}

// AppendNtop6 appends Ntop6(a) to dst.
func AppendNtop6(dst []byte, a [16]byte) []byte {
	var words [8]uint16
	for i := range words {
		words[i] = uint16(a[2*i])<<8 | uint16(a[2*i+1])
	}
	// Find the longest run of zero words; i == 8 closes a last run.
	bestBase, bestLen := -1, 0
	curBase, curLen := -1, 0
	for i := 0; i <= len(words); i++ {
		if i < len(words) && words[i] == 0 {
			if curBase < 0 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if curBase >= 0 {
			if bestBase < 0 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if bestLen < 2 {
		bestBase = -1 // a lone zero word stays
	}
	for i := 0; i < len(words); i++ {
		if bestBase >= 0 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				dst = append(dst, ':')
			}
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		// An encapsulated IPv4 address?
		if i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && words[5] == 0xffff) {
			return AppendNtop4(dst, [4]byte(a[12:16]))
		}
		dst = strconv.AppendUint(dst, uint64(words[i]), 16)
	}
	if bestBase >= 0 && bestBase+bestLen == len(words) {
		dst = append(dst, ':')
	}
	return dst
}
