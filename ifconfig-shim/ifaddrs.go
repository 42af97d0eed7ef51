package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"nbwg/kernel/sys"
)

// getifaddrs(3) for this ifconfig: SIOCGIFCONF lists every interface (an
// AF_LINK entry, so that interfaces without addresses are listed) and
// every address, in the kernel's order; the flags, masks and address
// flags that getifaddrs would carry come from one request each.  On
// Linux the list is the emulated kernel's, so only nbwg's interfaces
// appear.

// ifaddr is one entry (struct ifaddrs).
type ifaddr struct {
	name   string
	family int
	index  int // AF_LINK: the interface index

	// AF_INET, AF_INET6:
	addr      netip.Addr
	scope     uint32
	sa        []byte // the socket address as the kernel gave it
	mask      []byte // 4 or 16 bytes
	addrFlags int

	flags uint16 // the interface's flags (ifa_flags)
}

// maxIfconf bounds the SIOCGIFCONF buffer: a kernel claiming more is
// broken, not big.
const maxIfconf = 16 << 20

// ifconf returns SIOCGIFCONF's entries, growing the buffer until the
// list fits (the kernel returns whole entries only).
func (p *prog) ifconf() ([]ifaddr, error) {
	size := 64 * sys.SizeofIfreq
	for {
		buf := make([]byte, size)
		c := sys.Ifconf{Len: int32(size)}
		arg := c.Marshal()
		if err := p.ioctl(sys.SIOCGIFCONF, arg, buf); err != nil {
			return nil, err
		}
		got, err := sys.UnmarshalIfconf(arg)
		if err != nil {
			return nil, err
		}
		n := int(got.Len)
		if n < 0 || n > size {
			return nil, fmt.Errorf("SIOCGIFCONF: bad length %d", n)
		}
		if n+sys.SizeofIfreq <= size {
			return parseIfconf(buf[:n]), nil
		}
		if size >= maxIfconf {
			return nil, fmt.Errorf("SIOCGIFCONF: list longer than %d bytes", maxIfconf)
		}
		size *= 2
	}
}

func parseIfconf(b []byte) []ifaddr {
	var list []ifaddr
	for ; len(b) >= sys.SizeofIfreq; b = b[sys.SizeofIfreq:] {
		r, _ := sys.UnmarshalIfreq(b[:sys.SizeofIfreq])
		u := r.Union[:]
		e := ifaddr{name: r.Name.String(), family: int(u[1])}
		switch e.family {
		case sys.AF_LINK:
			e.index = int(binary.LittleEndian.Uint16(u[2:]))
		case sys.AF_INET:
			s, _ := sys.UnmarshalSockaddrIn(u)
			e.addr = netip.AddrFrom4(s.Addr)
			e.sa = s.Marshal()
		case sys.AF_INET6:
			s, _ := sys.UnmarshalSockaddrIn6(u)
			e.sa = s.Marshal()
			// A KAME kernel embeds a link-local scope in the address
			// (util.c's in6_fillscopeid takes it out).
			if isLinkLocal6(s.Addr) && (s.Addr[2] != 0 || s.Addr[3] != 0) {
				if s.ScopeID == 0 {
					s.ScopeID = uint32(binary.BigEndian.Uint16(s.Addr[2:]))
				}
				s.Addr[2], s.Addr[3] = 0, 0
			}
			e.addr = netip.AddrFrom16(s.Addr)
			e.scope = s.ScopeID
		}
		list = append(list, e)
	}
	return list
}

func isLinkLocal6(a [16]byte) bool { return a[0] == 0xfe && a[1]&0xc0 == 0x80 }

// getifaddrs returns the entries with the interface flags, and each
// address with its netmask and flags.  Entries of an interface or an
// address that went away meanwhile are left out.
func (p *prog) getifaddrs() ([]ifaddr, error) {
	list, err := p.ifconf()
	if err != nil {
		return nil, err
	}
	flags := map[string]uint16{}
	gone := map[string]bool{}
	var out []ifaddr
	for _, e := range list {
		if gone[e.name] {
			continue
		}
		f, ok := flags[e.name]
		if !ok {
			f, err = p.ifflags(e.name)
			if vanished(err) {
				gone[e.name] = true
				continue
			}
			if err != nil {
				return nil, err
			}
			flags[e.name] = f
		}
		e.flags = f
		switch e.family {
		case sys.AF_INET:
			err = p.inetDetails(&e)
		case sys.AF_INET6:
			err = p.inet6Details(&e)
		}
		if vanished(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// vanished reports whether err says the interface or address is gone.
func vanished(err error) bool {
	return errors.Is(err, sys.ENXIO) || errors.Is(err, sys.EADDRNOTAVAIL)
}

func (p *prog) inetDetails(e *ifaddr) error {
	r, err := p.ifreq(sys.SIOCGIFNETMASK, e.name, func(r *sys.Ifreq) { copy(r.Union[:], e.sa) })
	if err != nil {
		return err
	}
	m, _ := sys.UnmarshalSockaddrIn(r.Union[:])
	e.mask = m.Addr[:]
	e.addrFlags, err = p.addrFlags(sys.SIOCGIFAFLAG_IN, *e)
	return err
}

// in6ifreq issues a struct in6_ifreq request about one address.
func (p *prog) in6ifreq(cmd uint32, name string, sa []byte) (*sys.In6Ifreq, error) {
	r := sys.In6Ifreq{Name: ifname(name)}
	copy(r.Union[:], sa)
	b := r.Marshal()
	if err := p.ioctl(cmd, b, nil); err != nil {
		return nil, err
	}
	return sys.UnmarshalIn6Ifreq(b)
}

func (p *prog) inet6Details(e *ifaddr) error {
	r, err := p.in6ifreq(sys.SIOCGIFNETMASK_IN6, e.name, e.sa)
	if err != nil {
		return err
	}
	m := r.Addr()
	e.mask = m.Addr[:]
	e.addrFlags, err = p.addrFlags(sys.SIOCGIFAFLAG_IN6, *e)
	return err
}

// addrFlags is SIOCGIFAFLAG_IN or SIOCGIFAFLAG_IN6 of one address.
func (p *prog) addrFlags(cmd uint32, a ifaddr) (int, error) {
	if a.family == sys.AF_INET6 {
		r, err := p.in6ifreq(cmd, a.name, a.sa)
		if err != nil {
			return 0, err
		}
		return int(r.Flags()), nil
	}
	r, err := p.ifreq(cmd, a.name, func(r *sys.Ifreq) { copy(r.Union[:], a.sa) })
	if err != nil {
		return 0, err
	}
	return int(r.Int()), nil
}
