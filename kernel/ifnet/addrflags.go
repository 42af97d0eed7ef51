package ifnet

import (
	"net/netip"

	"nbwg/kernel/sys"
)

// Address flags follow the link, as NetBSD's in_if_link_down/up and
// in6_if_link_down/up make them: an address on an interface whose link
// is down (wg: no peer yet) or which is down is DETACHED, and the kernel
// will not use it as a source.  nbwg performs no duplicate address
// detection on wg interfaces — a tunnel has no neighbours to collide
// with — so an address never lingers TENTATIVE: where NetBSD would show
// TENTATIVE for a second or two, nbwg goes straight to 0.

// detachedFlag is the DETACHED bit of the address's family.
func detachedFlag(a netip.Addr) int {
	if a.Is4() {
		return sys.IN_IFF_DETACHED
	}
	return sys.IN6_IFF_DETACHED
}

// newAddrFlags are the flags of an address being added to ifp: IPv6
// addresses are DETACHED whenever the link is down (in6_update_ifa);
// IPv4 addresses only when the interface is already running
// (in_ifinit), so the first address of a down interface starts clean.
func (ifp *Interface) newAddrFlags(a netip.Addr) int {
	if ifp.LinkState() != sys.LINK_STATE_DOWN {
		return 0
	}
	if a.Is4() && !ifp.Up() {
		return 0
	}
	return detachedFlag(a)
}

func (ifp *Interface) detachAddrs() {
	for i := range ifp.addrs {
		a := &ifp.addrs[i]
		a.Flags |= detachedFlag(a.Prefix.Addr())
	}
}

func (ifp *Interface) attachAddrs() {
	for i := range ifp.addrs {
		a := &ifp.addrs[i]
		if a.Prefix.Addr().Is4() {
			a.Flags &^= sys.IN_IFF_DETACHED | sys.IN_IFF_TENTATIVE
		} else {
			a.Flags &^= sys.IN6_IFF_DETACHED | sys.IN6_IFF_TENTATIVE
		}
	}
}
