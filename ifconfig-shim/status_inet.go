package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"nbwg/internal/addrinfo"
	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// The address lines of a display: af_inet.c's in_status and in_alias,
// af_inet6.c's in6_status and in6_alias.  Within a family the addresses
// come in the kernel's list order.

// preferences reports whether any address of the family has a nonzero
// preference (util.c's ifa_any_preferences): then every line shows one.
func (p *prog) preferences(name string, list []ifaddr, af int) bool {
	for _, a := range list {
		if a.name == name && a.family == af && p.addrPreference(name, a.sa) != 0 {
			return true
		}
	}
	return false
}

// inStatus prints the interface's IPv4 addresses (af_inet.c).
func (p *prog) inStatus(name string, list []ifaddr) {
	prefs := p.preferences(name, list, sys.AF_INET)
	for _, a := range list {
		if a.name != name || a.family != sys.AF_INET {
			continue
		}
		p.printf("\tinet %s", p.hostName(a.addr, a.addr.String()))
		plen := inPrefixLen(a.mask)
		if plen >= 0 {
			p.printf("/%d", plen)
		}
		if a.flags&sys.IFF_POINTOPOINT != 0 {
			p.printf(" -> %s", p.otherAddr(siocGIFDSTADDR, a))
		}
		if plen < 0 {
			p.printf(" netmask %#x", binary.BigEndian.Uint32(a.mask))
		}
		if a.flags&sys.IFF_BROADCAST != 0 {
			p.printf(" broadcast %s", p.otherAddr(siocGIFBRDADDR, a))
		}
		p.printf(" flags %s", snprintb(uint64(uint32(a.addrFlags)), inIffBits))
		if prefs {
			p.printf(" preference %d", p.addrPreference(name, a.sa))
		}
		p.printf("\n")
	}
}

// inPrefixLen is in_prefixlen: the length of a contiguous IPv4 mask, -1
// for a mask that is not.
func inPrefixLen(m []byte) int {
	if n, ok := inet.MaskLen(m); ok {
		return n
	}
	return -1
}

// in6PrefixLen is af_inet6.c's prefix(): the length of a contiguous mask,
// 0 for a mask that is not.
func in6PrefixLen(m []byte) int {
	n, _ := inet.MaskLen(m)
	return n
}

// in6Status prints the interface's IPv6 addresses (af_inet6.c).
func (p *prog) in6Status(name string, list []ifaddr) {
	prefs := p.preferences(name, list, sys.AF_INET6)
	// getnameinfo(3) names a link-local scope after the kernel's
	// interface of that index (if_indextoname(3) reads getifaddrs(3),
	// which is list).
	scopeName := map[uint32]string{}
	for _, a := range list {
		if a.family == sys.AF_LINK {
			scopeName[uint32(a.index)] = a.name
		}
	}
	r := &addrinfo.Resolver{IfIndexToName: func(index uint32) (string, bool) {
		n, ok := scopeName[index]
		return n, ok
	}}
	for _, a := range list {
		if a.name != name || a.family != sys.AF_INET6 {
			continue
		}
		numeric := r.NumericHost6(a.addr.As16(), a.scope)
		p.printf("\tinet6 %s", p.hostName(a.addr, numeric))
		p.printf("/%d", in6PrefixLen(a.mask))
		if a.flags&sys.IFF_POINTOPOINT != 0 {
			p.printf(" -> %s", p.otherAddr(siocGIFDSTADDR_IN6, a))
		}
		p.printf(" flags %s", snprintb(uint64(uint32(a.addrFlags)), in6IffBits))
		if a.scope != 0 {
			p.printf(" scopeid 0x%x", a.scope)
		}
		if p.opts.L {
			p.lifetimes(a)
		}
		if prefs {
			p.printf(" preference %d", p.addrPreference(name, a.sa))
		}
		p.printf("\n")
	}
}

// lifetimes is -L: the time left before an address is deprecated and
// before it expires, when either is finite.
func (p *prog) lifetimes(a ifaddr) {
	r, err := p.in6ifreq(sys.SIOCGIFALIFETIME_IN6, a.name, a.sa)
	if err != nil {
		if !errors.Is(err, sys.EADDRNOTAVAIL) {
			p.warn(err, "SIOCGIFALIFETIME_IN6")
		}
		return
	}
	l := r.Lifetime()
	if l.Preferred == 0 && l.Expire == 0 {
		return
	}
	t := p.now().Unix()
	left := func(at int64) string {
		if at == 0 {
			return "infty"
		}
		return fmt.Sprint(uint64(at - min(t, at)))
	}
	p.printf(" pltime %s vltime %s", left(l.Preferred), left(l.Expire))
}

// otherAddr is the destination or broadcast address getifaddrs(3) gives
// with an address: wg(4) has neither, other interfaces on NetBSD may.
// An address that cannot be read prints empty, as in_alias prints a
// failed getnameinfo.
func (p *prog) otherAddr(cmd uint32, a ifaddr) string {
	if a.family == sys.AF_INET6 {
		r, err := p.in6ifreq(cmd, a.name, a.sa)
		if err != nil {
			return ""
		}
		s := r.Addr()
		return p.hostName(netip.AddrFrom16(s.Addr), inet.Ntop6(s.Addr))
	}
	r, err := p.ifreq(cmd, a.name, func(r *sys.Ifreq) { copy(r.Union[:], a.sa) })
	if err != nil {
		return ""
	}
	s, _ := sys.UnmarshalSockaddrIn(r.Union[:])
	ip := netip.AddrFrom4(s.Addr)
	return p.hostName(ip, ip.String())
}
