package ifnet

import (
	"net/netip"

	"nbwg/kernel/sys"
)

// setFlags is SIOCSIFFLAGS: ifioctl_common's up/down transitions, then
// the driver's, as in if_wg's wg_ioctl: UP and not RUNNING runs if_init,
// RUNNING and not UP runs if_stop.
func (n *Net) setFlags(ifp *Interface, req int) error {
	old := ifp.Flags()
	flags := old&sys.IFF_CANTCHANGE | req&^sys.IFF_CANTCHANGE
	ifp.flags.Store(int32(flags))
	switch {
	case flags&sys.IFF_UP != 0 && old&sys.IFF_RUNNING == 0:
		return n.bringUp(ifp)
	case flags&sys.IFF_UP == 0 && old&sys.IFF_RUNNING != 0:
		n.bringDown(ifp)
	}
	return nil
}

// bringUp marks ifp up, runs the driver's init, attaches the IPv6
// link-local address the first time (in6_if_up → in6_ifattach), and
// raises the host device.
func (n *Net) bringUp(ifp *Interface) error {
	ifp.flags.Or(sys.IFF_UP)
	if err := ifp.drv.Init(); err != nil {
		ifp.flags.And(^int32(sys.IFF_UP))
		return err
	}
	ifp.flags.Or(sys.IFF_RUNNING)
	ifp.lastChange = n.now()
	if ifp.LinkState() != sys.LINK_STATE_DOWN {
		ifp.attachAddrs()
	}
	if n.host != nil {
		if err := n.host.SetUp(ifp.name, true); err != nil {
			return err
		}
		n.restoreInet6(ifp)
	}
	var err error
	if !ifp.hasLinkLocal() {
		err = n.attachLinkLocal(ifp)
	}
	ifp.publish()
	n.notify(ifp, EventUp)
	return err
}

func (n *Net) bringDown(ifp *Interface) {
	ifp.drv.Stop()
	ifp.flags.And(^int32(sys.IFF_RUNNING | sys.IFF_UP))
	ifp.lastChange = n.now()
	ifp.detachAddrs()
	if n.host != nil {
		// Down on the host too, so its routes to the interface go.
		n.host.SetUp(ifp.name, false)
	}
	ifp.publish()
	n.notify(ifp, EventDown)
}

func (ifp *Interface) hasLinkLocal() bool {
	for _, a := range ifp.addrs {
		if a.Prefix.Addr().Is6() && a.Prefix.Addr().IsLinkLocalUnicast() {
			return true
		}
	}
	return false
}

// attachLinkLocal gives ifp fe80::/64 with the host's interface id,
// appended to its addresses as in6_ifattach appends it.
func (n *Net) attachLinkLocal(ifp *Interface) error {
	var a [16]byte
	a[0], a[1] = 0xfe, 0x80
	id := [8]byte{0x02, 0, 0, 0xff, 0xfe, 0, 0, 1}
	if n.host != nil {
		id = n.host.LinkLocalID()
	}
	copy(a[8:], id[:])
	ll := Addr{Prefix: netip.PrefixFrom(netip.AddrFrom16(a), 64)}
	ll.Flags = ifp.newAddrFlags(ll.Prefix.Addr())
	if n.host != nil {
		if err := n.host.AddAddr(ifp.index, ll.Prefix); err != nil {
			return err
		}
	}
	ifp.addrs = append(ifp.addrs, ll)
	return nil
}

// setMTU is SIOCSIFMTU.  The bounds are nbwg's: an IPv4 packet needs 68
// bytes (RFC 791), and a tunnelled packet plus the outer IPv6, UDP and
// WireGuard headers (80 bytes) must fit in 65535.
func (n *Net) setMTU(ifp *Interface, mtu int) error {
	if mtu < MinMTU || mtu > MaxMTU {
		return sys.EINVAL
	}
	if n.host != nil {
		if err := n.host.SetMTU(ifp.name, mtu); err != nil {
			return err
		}
	}
	old := ifp.MTU()
	ifp.mtu.Store(int32(mtu))
	ifp.drv.SetMTU(mtu)
	if old < 1280 && mtu >= 1280 {
		// Linux drops a device's IPv6 addresses while its MTU is
		// below IPv6's minimum; the emulated kernel kept them.
		n.restoreInet6(ifp)
	}
	return nil
}

// restoreInet6 gives the host device back the IPv6 addresses the
// emulated kernel holds, where Linux dropped them and NetBSD keeps them:
// while the MTU was below 1280, or while the device was down (where the
// host does not keep addresses on down).  An address the device still
// has is refused as a duplicate, which is what is wanted.
func (n *Net) restoreInet6(ifp *Interface) {
	if n.host == nil {
		return
	}
	for _, a := range ifp.addrs {
		if a.Prefix.Addr().Is6() {
			n.host.AddAddr(ifp.index, a.Prefix)
		}
	}
}

// MTU bounds accepted by SIOCSIFMTU.
const (
	MinMTU = 68
	MaxMTU = 65535 - 80
)
