package allowedips

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// key is an address, or a masked prefix, as a 128-bit big-endian integer:
// hi holds the first 8 bytes, lo the last 8. An IPv4 address sits in the top
// 32 bits of hi, so that bit i is the i-th most significant bit in both
// families and one trie implementation serves both.
type key struct {
	hi, lo uint64
}

// keyFrom4 returns the key of a 4-byte IPv4 address. b must hold 4 bytes.
func keyFrom4(b []byte) key {
	return key{hi: uint64(binary.BigEndian.Uint32(b)) << 32}
}

// keyFrom16 returns the key of a 16-byte IPv6 address. b must hold 16 bytes.
func keyFrom16(b []byte) key {
	return key{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:16])}
}

// keyFromAddr returns the key of a, which must be valid; a 4-in-6 address
// is keyed as IPv6.
func keyFromAddr(a netip.Addr) key {
	if a.Is4() {
		b := a.As4()
		return keyFrom4(b[:])
	}
	b := a.As16()
	return keyFrom16(b[:])
}

// addr converts k back to an address of the given family.
func (k key) addr(is4 bool) netip.Addr {
	if is4 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(k.hi>>32))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	return netip.AddrFrom16(b)
}

// maskOf returns the netmask of a prefix length in 0..128.
func maskOf(n uint8) key {
	switch {
	case n == 0:
		return key{}
	case n <= 64:
		return key{hi: ^uint64(0) << (64 - n)}
	default:
		return key{hi: ^uint64(0), lo: ^uint64(0) << (128 - n)}
	}
}

// and returns k masked by m.
func (k key) and(m key) key {
	return key{hi: k.hi & m.hi, lo: k.lo & m.lo}
}

// bit returns bit i of k, counting from the most significant, for i in
// 0..127. For i == 128 it returns 0: the shift count wraps to a value
// larger than the word, which Go defines to shift everything out.
func (k key) bit(i uint8) int {
	if i < 64 {
		return int(k.hi>>(63-i)) & 1
	}
	return int(k.lo>>(127-i)) & 1
}

// commonLen returns the number of leading bits a and b share, 0..128.
func commonLen(a, b key) uint8 {
	if x := a.hi ^ b.hi; x != 0 {
		return uint8(bits.LeadingZeros64(x))
	}
	return 64 + uint8(bits.LeadingZeros64(a.lo^b.lo))
}
