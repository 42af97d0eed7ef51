package addrinfo

import (
	"strconv"

	"nbwg/internal/cnum"
	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// IPv6 scope ids in text, both ways: getaddrinfo's ip6_str2scopeid reads
// "addr%scope", getnameinfo's ip6_sa2str writes it (lib/libc/net/
// getaddrinfo.c 1.123 and getnameinfo.c).  Both name the scope of a
// link-local address after its interface (one link per interface, so the
// interface index is the scope id) and number any other.

// linkScoped reports whether a is a link-local unicast address
// (IN6_IS_ADDR_LINKLOCAL, fe80::/10) or a link-local multicast one
// (IN6_IS_ADDR_MC_LINKLOCAL, ff02::/16 with any flags): the addresses
// whose scope has an interface name.  Interface-local multicast (ff01::)
// is not among them.
func linkScoped(a [16]byte) bool {
	return a[0] == 0xfe && a[1]&0xc0 == 0x80 || a[0] == 0xff && a[1]&0x0f == 0x02
}

// scopeID is ip6_str2scopeid(): the scope of addr written after its '%'.
// For a link-local address an interface name is tried first
// (if_nametoindex(3)); then, and for any other address, a decimal number
// as strtoul(3) reads it that fits 32 bits.  errno is what the parse
// leaves: ERANGE when the number overflowed, else 0, since the numeric
// attempt clears it (even after if_nametoindex set ENXIO).
func (r *Resolver) scopeID(scope string, addr [16]byte) (id uint32, ok bool, errno sys.Errno) {
	if scope == "" {
		return 0, false, 0
	}
	if linkScoped(addr) {
		if idx, ok := r.ifNameToIndex(scope); ok && idx != 0 {
			return idx, true, 0
		}
	}
	v, end, erange := cnum.Strtoull(scope, 10, cnum.Libc)
	if erange {
		return 0, false, sys.ERANGE
	}
	if end != len(scope) || v > 1<<32-1 {
		return 0, false, 0
	}
	return uint32(v), true, 0
}

// NumericHost6 is getnameinfo(3) with NI_NUMERICHOST for an IPv6
// sockaddr: inet_ntop's text, then for a non-zero scope id '%' and the
// scope, named after its interface (if_indextoname(3)) for a link-local
// address whose index names one, the decimal id otherwise
// (ip6_parsenumeric and ip6_sa2str).
func (r *Resolver) NumericHost6(addr [16]byte, scope uint32) string {
	s := inet.Ntop6(addr)
	if scope == 0 {
		return s
	}
	if linkScoped(addr) {
		if name, ok := r.ifIndexToName(scope); ok {
			return s + "%" + name
		}
	}
	return s + "%" + strconv.FormatUint(uint64(scope), 10)
}

func (r *Resolver) ifNameToIndex(name string) (uint32, bool) {
	if r.IfNameToIndex == nil {
		return 0, false
	}
	return r.IfNameToIndex(name)
}

func (r *Resolver) ifIndexToName(index uint32) (string, bool) {
	if r.IfIndexToName == nil {
		return "", false
	}
	return r.IfIndexToName(index)
}
