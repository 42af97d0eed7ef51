package ifnet

import (
	"net/netip"
	"sync/atomic"

	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// Ioctl is ifioctl(): it serves the generic interface requests and hands
// the rest to the interface's driver.  It implements sys.Handler.
func (n *Net) Ioctl(cred sys.Cred, cmd uint32, arg []byte, in []byte) ([]byte, error) {
	n.mu.Lock()
	defer n.mu.Unlock()

	// Requests not about one interface.
	switch cmd {
	case sys.SIOCIFGCLONERS:
		return n.cloners_(arg)
	case sys.SIOCGIFCONF:
		return n.ifconf(arg)
	}

	if len(arg) < sys.IFNAMSIZ {
		return nil, sys.EINVAL
	}
	var name sys.Name
	copy(name[:], arg)
	// kauth(9): NetBSD's default secmodel lets only the superuser
	// change an interface.
	if isSet(cmd) && !cred.Privileged() {
		return nil, sys.EPERM
	}
	switch cmd {
	case sys.SIOCIFCREATE:
		return nil, n.create(name.String())
	case sys.SIOCIFDESTROY:
		return nil, n.destroy(name.String())
	}

	ifp := n.lookup(name.String())
	if ifp == nil {
		return nil, sys.ENXIO
	}
	defer ifp.publish()
	switch cmd {
	case sys.SIOCGIFFLAGS:
		r, _ := sys.UnmarshalIfreq(arg)
		r.SetFlags(int16(ifp.Flags()))
		copy(arg, r.Marshal())
		return nil, nil
	case sys.SIOCSIFFLAGS:
		r, _ := sys.UnmarshalIfreq(arg)
		return nil, n.setFlags(ifp, int(uint16(r.Flags())))
	case sys.SIOCGIFMTU:
		r, _ := sys.UnmarshalIfreq(arg)
		r.SetInt(int32(ifp.MTU()))
		copy(arg, r.Marshal())
		return nil, nil
	case sys.SIOCSIFMTU:
		r, _ := sys.UnmarshalIfreq(arg)
		return nil, n.setMTU(ifp, int(r.Int()))
	case sys.SIOCGIFDATA, sys.SIOCZIFDATA:
		return nil, n.ifdata(ifp, cmd, arg)
	case sys.SIOCSIFDESCR:
		return nil, n.setDescr(ifp, arg, in)
	case sys.SIOCGIFDESCR:
		return n.getDescr(ifp, arg)
	case sys.SIOCAIFADDR:
		r, _ := sys.UnmarshalInAliasreq(arg)
		return nil, n.aifaddr(ifp, r)
	case sys.SIOCDIFADDR:
		r, _ := sys.UnmarshalIfreq(arg)
		s, _ := sys.UnmarshalSockaddrIn(r.Union[:])
		if s.Family != sys.AF_INET {
			return nil, sys.EAFNOSUPPORT
		}
		return nil, n.delAddr(ifp, netip.AddrFrom4(s.Addr))
	case sys.SIOCGIFADDR, sys.SIOCGIFNETMASK, sys.SIOCGIFAFLAG_IN:
		return nil, n.getInet(ifp, cmd, arg)
	case sys.SIOCAIFADDR_IN6:
		r, _ := sys.UnmarshalIn6Aliasreq(arg)
		return nil, n.aifaddr6(ifp, r)
	case sys.SIOCDIFADDR_IN6:
		r, _ := sys.UnmarshalIn6Ifreq(arg)
		return nil, n.delAddr(ifp, netip.AddrFrom16(r.Addr().Addr))
	case sys.SIOCGIFADDR_IN6, sys.SIOCGIFNETMASK_IN6, sys.SIOCGIFAFLAG_IN6, sys.SIOCGIFALIFETIME_IN6:
		return nil, n.getInet6(ifp, cmd, arg)
	}
	return ifp.drv.Ioctl(cred, cmd, arg, in)
}

// isSet reports whether cmd changes something, and so needs privilege.
// Requests the driver serves check privilege themselves (if_wg lets
// anyone read its configuration, without the secrets).
func isSet(cmd uint32) bool {
	switch cmd {
	case sys.SIOCIFCREATE, sys.SIOCIFDESTROY, sys.SIOCSIFFLAGS, sys.SIOCSIFMTU,
		sys.SIOCAIFADDR, sys.SIOCDIFADDR, sys.SIOCAIFADDR_IN6, sys.SIOCDIFADDR_IN6,
		sys.SIOCZIFDATA, sys.SIOCSIFDESCR:
		return true
	}
	return false
}

func (n *Net) aifaddr(ifp *Interface, r *sys.InAliasreq) error {
	if r.Addr.Family != sys.AF_INET {
		return sys.EAFNOSUPPORT
	}
	bits := 32
	if r.Mask.Len != 0 {
		var ok bool
		if bits, ok = inet.MaskLen(r.Mask.Addr[:]); !ok {
			return sys.EINVAL
		}
	} else if i := ifp.findAddr(netip.AddrFrom4(r.Addr.Addr)); i >= 0 {
		// No mask given: an existing address keeps its own.
		bits = ifp.addrs[i].Prefix.Bits()
	} else {
		bits = classfulBits(r.Addr.Addr)
	}
	a := Addr{Prefix: netip.PrefixFrom(netip.AddrFrom4(r.Addr.Addr), bits)}
	if r.Dstaddr.Len != 0 && r.Dstaddr.Family == sys.AF_INET {
		a.Dst = netip.AddrFrom4(r.Dstaddr.Addr)
	}
	return n.addAddr(ifp, a)
}

func (n *Net) aifaddr6(ifp *Interface, r *sys.In6Aliasreq) error {
	if r.Addr.Family != sys.AF_INET6 {
		return sys.EAFNOSUPPORT
	}
	addr := netip.AddrFrom16(r.Addr.Addr)
	if addr.Is4In6() || addr.IsMulticast() || addr.IsUnspecified() {
		return sys.EINVAL
	}
	bits := 128
	if r.Prefixmask.Len != 0 {
		var ok bool
		if bits, ok = inet.MaskLen(r.Prefixmask.Addr[:]); !ok {
			return sys.EINVAL
		}
	}
	if i := ifp.findAddr(addr); i >= 0 {
		if r.Prefixmask.Len == 0 {
			bits = ifp.addrs[i].Prefix.Bits()
		} else if bits != ifp.addrs[i].Prefix.Bits() {
			// in6_update_ifa: an address keeps its prefix length.
			return sys.EINVAL
		}
	}
	// in6_update_ifa: a link-local address must be in fe80::/64.
	if addr.IsLinkLocalUnicast() && bits != 64 {
		return sys.EINVAL
	}
	a := Addr{
		Prefix: netip.PrefixFrom(addr, bits),
		Flags:  int(r.Flags) & (sys.IN6_IFF_ANYCAST | sys.IN6_IFF_DEPRECATED | sys.IN6_IFF_TEMPORARY),
		Vltime: r.Lifetime.Vltime,
		Pltime: r.Lifetime.Pltime,
	}
	if r.Dstaddr.Len != 0 && r.Dstaddr.Family == sys.AF_INET6 {
		a.Dst = netip.AddrFrom16(r.Dstaddr.Addr)
	}
	return n.addAddr(ifp, a)
}

// getInet answers SIOCGIFADDR (the first IPv4 address), SIOCGIFNETMASK
// and SIOCGIFAFLAG_IN (of the address given in ifr_addr).
func (n *Net) getInet(ifp *Interface, cmd uint32, arg []byte) error {
	r, _ := sys.UnmarshalIfreq(arg)
	s, _ := sys.UnmarshalSockaddrIn(r.Union[:])
	var a *Addr
	for i := range ifp.addrs {
		x := &ifp.addrs[i]
		if !x.Prefix.Addr().Is4() {
			continue
		}
		if cmd == sys.SIOCGIFADDR || x.Prefix.Addr() == netip.AddrFrom4(s.Addr) {
			a = x
			break
		}
	}
	if a == nil {
		return sys.EADDRNOTAVAIL
	}
	clear(r.Union[:])
	switch cmd {
	case sys.SIOCGIFADDR:
		sa := sys.SockaddrInFrom(a.Prefix.Addr(), 0)
		sa.MarshalTo(r.Union[:])
	case sys.SIOCGIFNETMASK:
		sa := sys.SockaddrIn{Len: sys.SizeofSockaddrIn, Family: sys.AF_INET}
		copy(sa.Addr[:], maskOf(a.Prefix.Bits(), 4))
		sa.MarshalTo(r.Union[:])
	case sys.SIOCGIFAFLAG_IN:
		r.SetInt(int32(a.Flags))
	}
	copy(arg, r.Marshal())
	return nil
}

// getInet6 answers the in6_ifreq queries about one IPv6 address.
func (n *Net) getInet6(ifp *Interface, cmd uint32, arg []byte) error {
	r, _ := sys.UnmarshalIn6Ifreq(arg)
	i := ifp.findAddr(netip.AddrFrom16(r.Addr().Addr))
	if i < 0 {
		return sys.EADDRNOTAVAIL
	}
	a := ifp.addrs[i]
	clear(r.Union[:])
	switch cmd {
	case sys.SIOCGIFADDR_IN6:
		r.SetAddr(ifp.sockaddrIn6(a.Prefix.Addr()))
	case sys.SIOCGIFNETMASK_IN6:
		var m [16]byte
		copy(m[:], maskOf(a.Prefix.Bits(), 16))
		r.SetAddr(sys.SockaddrIn6{Len: sys.SizeofSockaddrIn6, Family: sys.AF_INET6, Addr: m})
	case sys.SIOCGIFAFLAG_IN6:
		r.SetFlags(int32(a.Flags))
	case sys.SIOCGIFALIFETIME_IN6:
		l := sys.In6Addrlifetime{Vltime: sys.ND6_INFINITE_LIFETIME, Pltime: sys.ND6_INFINITE_LIFETIME}
		if a.Vltime != 0 {
			l.Vltime = a.Vltime
		}
		if a.Pltime != 0 {
			l.Pltime = a.Pltime
		}
		r.SetLifetime(l)
	}
	copy(arg, r.Marshal())
	return nil
}

func (n *Net) ifdata(ifp *Interface, cmd uint32, arg []byte) error {
	r, _ := sys.UnmarshalIfDatareq(arg)
	r.Data = sys.IfData{
		Type:      sys.IFT_OTHER,
		LinkState: int32(ifp.LinkState()),
		MTU:       uint64(ifp.MTU()),
		Ipackets:  ifp.Ipackets.Load(),
		Ierrors:   ifp.Ierrors.Load(),
		Opackets:  ifp.Opackets.Load(),
		Oerrors:   ifp.Oerrors.Load(),
		Ibytes:    ifp.Ibytes.Load(),
		Obytes:    ifp.Obytes.Load(),
		Iqdrops:   ifp.Iqdrops.Load(),
		Noproto:   ifp.Noproto.Load(),
		LastChange: sys.Timespec{
			Sec:  ifp.lastChange.Unix(),
			Nsec: int64(ifp.lastChange.Nanosecond()),
		},
	}
	copy(arg, r.Marshal())
	if cmd == sys.SIOCZIFDATA {
		for _, c := range []*atomic.Uint64{&ifp.Ipackets, &ifp.Ierrors, &ifp.Opackets, &ifp.Oerrors, &ifp.Ibytes, &ifp.Obytes, &ifp.Iqdrops, &ifp.Noproto} {
			c.Store(0)
		}
	}
	return nil
}

// cloners_ is SIOCIFGCLONERS: the cloner names, IFNAMSIZ bytes each, as
// many as the caller's buffer holds; ifcr_total always tells how many.
func (n *Net) cloners_(arg []byte) ([]byte, error) {
	c, err := sys.UnmarshalIfClonereq(arg)
	if err != nil {
		return nil, sys.EINVAL
	}
	if c.Count < 0 {
		return nil, sys.EINVAL
	}
	c.Total = int32(len(n.cloners))
	count := min(int(c.Count), len(n.cloners))
	out := make([]byte, count*sys.IFNAMSIZ)
	for i := range count {
		copy(out[i*sys.IFNAMSIZ:], n.cloners[i].Name)
	}
	copy(arg, c.Marshal())
	return out, nil
}

// ifconf is SIOCGIFCONF: one struct ifreq per address, interfaces in
// index order, each led by an AF_LINK entry so that interfaces without
// addresses are listed too.  A buffer too small for all entries gets as
// many whole entries as fit and ifc_len says how many bytes were used.
func (n *Net) ifconf(arg []byte) ([]byte, error) {
	c, err := sys.UnmarshalIfconf(arg)
	if err != nil || c.Len < 0 {
		return nil, sys.EINVAL
	}
	var out []byte
	emit := func(name string, sa []byte) {
		if len(out)+sys.SizeofIfreq > int(c.Len) {
			return
		}
		r := sys.Ifreq{}
		copy(r.Name[:], name)
		copy(r.Union[:], sa)
		out = append(out, r.Marshal()...)
	}
	for _, ifp := range n.ifaces {
		dl := make([]byte, 20) // a minimal sockaddr_dl: no link-level address
		dl[0], dl[1] = 20, sys.AF_LINK
		dl[2], dl[3] = byte(ifp.index), byte(ifp.index>>8)
		dl[4] = sys.IFT_OTHER
		dl[5] = byte(len(ifp.name))
		emit(ifp.name, dl)
		for _, a := range ifp.addrs {
			if a.Prefix.Addr().Is4() {
				s := sys.SockaddrInFrom(a.Prefix.Addr(), 0)
				emit(ifp.name, s.Marshal())
			} else {
				s := ifp.sockaddrIn6(a.Prefix.Addr())
				emit(ifp.name, s.Marshal())
			}
		}
	}
	c.Len = int32(len(out))
	copy(arg, c.Marshal())
	return out, nil
}

// classfulBits is the prefix length in_ifinit gives an IPv4 address added
// without a netmask: that of its class.
func classfulBits(a [4]byte) int {
	switch {
	case a[0] < 128:
		return 8
	case a[0] < 192:
		return 16
	case a[0] < 224:
		return 24
	}
	return 32
}

// sockaddrIn6 is an address of ifp as the kernel reports it: a
// link-local address carries the interface's index as its scope id.
func (ifp *Interface) sockaddrIn6(a netip.Addr) sys.SockaddrIn6 {
	var scope uint32
	if a.IsLinkLocalUnicast() {
		scope = uint32(ifp.index)
	}
	return sys.SockaddrIn6From(a, 0, scope)
}
