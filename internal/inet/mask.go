package inet

// MaskLen is the prefix length of a netmask (IPv4 or IPv6, as bytes),
// and false for a mask whose ones are not contiguous — the check both
// the kernel (in6_mask2len) and ifconfig (in_prefixlen) make.
func MaskLen(m []byte) (n int, ok bool) {
	for i, b := range m {
		if b == 0xff {
			n += 8
			continue
		}
		for b&0x80 != 0 {
			n++
			b <<= 1
		}
		if b != 0 {
			return 0, false
		}
		for _, rest := range m[i+1:] {
			if rest != 0 {
				return 0, false
			}
		}
		break
	}
	return n, true
}
