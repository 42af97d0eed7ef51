// Package checksum is the Internet checksum (RFC 1071), for the TUN
// device's offloads and the ICMP errors the wg driver writes: summing 64
// bits at a time with carries is exact because 2^16 ≡ 1 (mod 2^16-1), so
// any grouping of the 16-bit words folds to the same ones' complement sum.
package checksum

import (
	"encoding/binary"
	"math/bits"
)

// Sum adds b, taken as big-endian 16-bit words from an even offset, to the
// unfolded partial sum initial.
func Sum(b []byte, initial uint64) uint64 {
	ac, carry := initial, uint64(0)
	for len(b) >= 32 {
		ac, carry = bits.Add64(ac, binary.BigEndian.Uint64(b[0:]), carry)
		ac, carry = bits.Add64(ac, binary.BigEndian.Uint64(b[8:]), carry)
		ac, carry = bits.Add64(ac, binary.BigEndian.Uint64(b[16:]), carry)
		ac, carry = bits.Add64(ac, binary.BigEndian.Uint64(b[24:]), carry)
		b = b[32:]
	}
	for len(b) >= 8 {
		ac, carry = bits.Add64(ac, binary.BigEndian.Uint64(b), carry)
		b = b[8:]
	}
	if len(b) >= 4 {
		ac, carry = bits.Add64(ac, uint64(binary.BigEndian.Uint32(b)), carry)
		b = b[4:]
	}
	if len(b) >= 2 {
		ac, carry = bits.Add64(ac, uint64(binary.BigEndian.Uint16(b)), carry)
		b = b[2:]
	}
	if len(b) == 1 {
		ac, carry = bits.Add64(ac, uint64(b[0])<<8, carry)
	}
	ac, carry = bits.Add64(ac, carry, 0)
	return ac + carry // cannot carry again: ac is at most 2^64-2 here
}

// Fold reduces a partial sum to 16 bits, without complementing it.
func Fold(s uint64) uint16 {
	s = s>>32 + s&0xffffffff
	s = s>>32 + s&0xffffffff
	s = s>>16 + s&0xffff
	s = s>>16 + s&0xffff
	return uint16(s)
}

// Checksum is the value to store in a checksum field: the complement of
// the folded sum of b and initial.
func Checksum(b []byte, initial uint64) uint16 { return ^Fold(Sum(b, initial)) }

// PseudoHeaderSum is the partial sum of the TCP/UDP pseudo-header
// (RFC 9293 3.1, RFC 768; RFC 8200 8.1 for IPv6): source and destination
// addresses, protocol and transport length.
func PseudoHeaderSum(proto uint8, src, dst []byte, length int) uint64 {
	return Sum(dst, Sum(src, uint64(proto)+uint64(length)))
}
