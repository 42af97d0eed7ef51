package route

import (
	"net/netip"

	"nbwg/internal/inet"
	"nbwg/kernel/ifnet"
	"nbwg/kernel/sys"
)

// The socket addresses of routing messages, both ways.  Link-local IPv6
// addresses keep their scope embedded (sys.PutScopeID), here as in the
// messages: the table's keys are fe80:<index>::..., as in a KAME kernel.

// sockaddrOf is the socket address of an IP address.
func sockaddrOf(a netip.Addr) []byte {
	if a.Is4() {
		s := sys.SockaddrInFrom(a, 0)
		return s.Marshal()
	}
	s := sys.SockaddrIn6From(a, 0, 0)
	return s.Marshal()
}

// maskSockaddr is a netmask as the radix tree keeps and reports it
// (rn_addmask): family 0, sa_len cut after the last byte that is not 0,
// so 0 for the mask of a default route.
func maskSockaddr(bits int, v4 bool) []byte {
	off, size, n := 4, sys.SizeofSockaddrIn, 4
	if !v4 {
		off, size, n = 8, sys.SizeofSockaddrIn6, 16
	}
	b := make([]byte, size)
	for i := 0; i < n && bits > 0; i++ {
		if bits >= 8 {
			b[off+i] = 0xff
		} else {
			b[off+i] = byte(0xff << (8 - bits))
		}
		bits -= 8
	}
	l := 0
	for i := len(b) - 1; i > 0; i-- {
		if b[i] != 0 {
			l = i + 1
			break
		}
	}
	b[0] = byte(l)
	return b[:max(l, 2)]
}

// linkSockaddr is an interface's link-level address (its if_dl): its
// index, type and name; a wg interface has no hardware address.
func linkSockaddr(ifp *ifnet.Interface) []byte {
	s := sys.SockaddrDl{Len: sys.SizeofSockaddrDl, Family: sys.AF_LINK, Index: uint16(ifp.Index()), Type: sys.IFT_OTHER}
	s.Nlen = uint8(copy(s.Data[:], ifp.Name()))
	return s.Marshal()
}

// indexSockaddr is the gateway of a connected route: the interface by
// its index alone, which route(8) prints as "link#N".
func indexSockaddr(ifp *ifnet.Interface) []byte {
	s := sys.SockaddrDl{Len: 8, Family: sys.AF_LINK, Index: uint16(ifp.Index()), Type: sys.IFT_OTHER}
	return s.Marshal()
}

// family is a socket address's sa_family (AF_UNSPEC for a short one).
func family(sa []byte) int {
	if len(sa) < 2 {
		return sys.AF_UNSPEC
	}
	return int(sa[1])
}

// parseAddr reads the IP address of a socket address: EINVAL when it is
// too short for its family, EAFNOSUPPORT for a family that is not IP.
func parseAddr(sa []byte) (netip.Addr, error) {
	var full [sys.SizeofSockaddrIn6]byte
	copy(full[:], sa)
	switch family(sa) {
	case sys.AF_INET:
		if int(full[0]) < 8 {
			return netip.Addr{}, sys.EINVAL
		}
		s, _ := sys.UnmarshalSockaddrIn(full[:])
		return netip.AddrFrom4(s.Addr), nil
	case sys.AF_INET6:
		if int(full[0]) < 24 {
			return netip.Addr{}, sys.EINVAL
		}
		s, _ := sys.UnmarshalSockaddrIn6(full[:])
		if s.ScopeID != 0 {
			sys.PutScopeID(&s)
		}
		return netip.AddrFrom16(s.Addr), nil
	}
	return netip.Addr{}, sys.EAFNOSUPPORT
}

// parseMask reads a netmask for addresses of the given length in bytes
// (4 or 16): the bytes present up to sa_len, zeros after them.  A mask
// that is not a prefix is EINVAL: Linux has no such routes to mirror it
// onto (NetBSD accepts it).
func parseMask(sa []byte, size int) (int, error) {
	off := 4
	if size == 16 {
		off = 8
	}
	m := make([]byte, size)
	if len(sa) > off {
		end := min(len(sa), int(sa[0]))
		if end > off {
			copy(m, sa[off:end])
		}
	}
	bits, ok := inet.MaskLen(m)
	if !ok {
		return 0, sys.EINVAL
	}
	return bits, nil
}

// embed gives a link-local IPv6 address of the interface with index
// scope its KAME form; other addresses are returned as they are.
func embed(a netip.Addr, scope int) netip.Addr {
	if !a.Is6() || !a.IsLinkLocalUnicast() || scope == 0 {
		return a
	}
	b := a.As16()
	if b[2] == 0 && b[3] == 0 {
		b[2], b[3] = byte(scope>>8), byte(scope)
	}
	return netip.AddrFrom16(b)
}

// unembed clears the scope of a KAME link-local address.
func unembed(a netip.Addr) netip.Addr {
	if !a.Is6() || !a.IsLinkLocalUnicast() {
		return a
	}
	b := a.As16()
	b[2], b[3] = 0, 0
	return netip.AddrFrom16(b)
}
