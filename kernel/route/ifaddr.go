package route

import (
	"net/netip"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/sys"
)

// ifaddr is a route's rt_ifa: the interface it goes out of and the
// address of this host it goes out with, one of the interface's IP
// addresses, or its link-level address (addr not valid) when it has none
// of the route's family.
type ifaddr struct {
	ifp  *ifnet.Interface
	addr netip.Addr // KAME form for a link-local address
	bits int
}

// sockaddr is the address as RTA_IFA reports it.
func (ifa ifaddr) sockaddr() []byte {
	if !ifa.addr.IsValid() {
		return linkSockaddr(ifa.ifp)
	}
	return sockaddrOf(ifa.addr)
}

// view is the interfaces of the kernel as a request found them, those
// being destroyed left out.
type view []*ifnet.Interface

func newView(n *ifnet.Net) view {
	var v view
	for _, ifp := range n.Interfaces() {
		if !ifp.Detached() {
			v = append(v, ifp)
		}
	}
	return v
}

// addrs are an interface's IP addresses, link-local ones in KAME form.
func addrs(ifp *ifnet.Interface) []ifaddr {
	var out []ifaddr
	for _, a := range ifp.AddrSnapshot() {
		out = append(out, ifaddr{ifp: ifp, addr: embed(a.Prefix.Addr(), ifp.Index()), bits: a.Prefix.Bits()})
	}
	return out
}

// contains reports whether a is in the subnet of ifa.
func (ifa ifaddr) contains(a netip.Addr) bool {
	if !ifa.addr.IsValid() || ifa.addr.Is4() != a.Is4() {
		return false
	}
	p, err := ifa.addr.Prefix(ifa.bits)
	return err == nil && p.Contains(a)
}

// byLink is ifa_ifwithnet for a link-level address: the interface with
// the index it gives, or else with the name it gives.
func (v view) byLink(sa []byte) *ifnet.Interface {
	s := sys.UnmarshalSockaddrDl(sa)
	for _, ifp := range v {
		if s.Index != 0 && int(s.Index) == ifp.Index() || s.Index == 0 && s.Nlen != 0 && s.Name() == ifp.Name() {
			return ifp
		}
	}
	return nil
}

// withAddr is ifa_ifwithaddr: the interface address that is a.
func (v view) withAddr(a netip.Addr) (ifaddr, bool) {
	for _, ifp := range v {
		for _, ifa := range addrs(ifp) {
			if ifa.addr == a {
				return ifa, true
			}
		}
	}
	return ifaddr{}, false
}

// withNet is ifa_ifwithnet for an IP address: the interface address
// whose subnet holds a, the most specific one if several do.
func (v view) withNet(a netip.Addr) (ifaddr, bool) {
	var best ifaddr
	found := false
	for _, ifp := range v {
		for _, ifa := range addrs(ifp) {
			if ifa.contains(a) && (!found || ifa.bits > best.bits) {
				best, found = ifa, true
			}
		}
	}
	return best, found
}

// ofIfpForAddr is ifaof_ifpforaddr: the address of ifp a route to a
// goes out with, the one whose subnet holds a, else the last of a's
// family; with none of that family, the interface's link-level address
// (where NetBSD's callers fall back to the one they had).
func ofIfpForAddr(ifp *ifnet.Interface, a netip.Addr) ifaddr {
	maybe := ifaddr{ifp: ifp}
	for _, ifa := range addrs(ifp) {
		if ifa.addr.Is4() != a.Is4() {
			continue
		}
		if ifa.contains(a) {
			return ifa
		}
		maybe = ifa
	}
	return maybe
}
