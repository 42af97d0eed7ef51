package ifnet

import (
	"net/netip"

	"nbwg/kernel/sys"
)

// addAddr is SIOCAIFADDR / SIOCAIFADDR_IN6: an address already on the
// interface is updated in place (its prefix length, destination, flags),
// a new one goes to the end of the list.  Either way a down interface
// comes up, as if_wg's SIOCINITIFADDR does.
func (n *Net) addAddr(ifp *Interface, a Addr) error {
	if !a.Prefix.IsValid() || a.Prefix.Addr().Zone() != "" {
		return sys.EINVAL
	}
	a.Prefix = netip.PrefixFrom(a.Prefix.Addr(), a.Prefix.Bits())
	// Requested flags (anycast, deprecated) stay; the link decides
	// whether the address is detached.
	if a.Prefix.Addr().Is4() {
		a.Flags = 0
	}
	a.Flags = a.Flags&^(sys.IN6_IFF_DETACHED|sys.IN6_IFF_TENTATIVE) | ifp.newAddrFlags(a.Prefix.Addr())
	if i := ifp.findAddr(a.Prefix.Addr()); i >= 0 {
		old := ifp.addrs[i]
		if n.host != nil && old.Prefix != a.Prefix {
			n.host.DelAddr(ifp.index, old.Prefix)
			if err := n.host.AddAddr(ifp.index, a.Prefix); err != nil {
				return err
			}
		}
		ifp.addrs[i] = a
	} else {
		if n.host != nil {
			if err := n.host.AddAddr(ifp.index, a.Prefix); err != nil {
				return err
			}
		}
		ifp.addrs = append(ifp.addrs, a)
	}
	if ifp.Flags()&(sys.IFF_UP|sys.IFF_RUNNING) != sys.IFF_UP|sys.IFF_RUNNING {
		return n.bringUp(ifp)
	}
	return nil
}

// delAddr is SIOCDIFADDR / SIOCDIFADDR_IN6.
func (n *Net) delAddr(ifp *Interface, addr netip.Addr) error {
	i := ifp.findAddr(addr)
	if i < 0 {
		return sys.EADDRNOTAVAIL
	}
	if n.host != nil {
		n.host.DelAddr(ifp.index, ifp.addrs[i].Prefix)
	}
	ifp.addrs = append(ifp.addrs[:i], ifp.addrs[i+1:]...)
	return nil
}

func (ifp *Interface) findAddr(addr netip.Addr) int {
	addr = addr.WithZone("")
	for i, a := range ifp.addrs {
		if a.Prefix.Addr() == addr {
			return i
		}
	}
	return -1
}

// Addrs returns a copy of the interface's addresses in list order.
func (n *Net) Addrs(ifp *Interface) []Addr {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Addr(nil), ifp.addrs...)
}

// maskOf returns the netmask bytes of a prefix length.
func maskOf(bits, size int) []byte {
	m := make([]byte, size)
	for i := range m {
		switch {
		case bits >= 8:
			m[i] = 0xff
			bits -= 8
		case bits > 0:
			m[i] = byte(0xff << (8 - bits))
			bits = 0
		}
	}
	return m
}
