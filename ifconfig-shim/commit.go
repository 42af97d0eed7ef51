package main

import (
	"encoding/binary"
	"errors"

	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// The address commit (af_inetany.c's commit_address with af_inet.c's and
// af_inet6.c's parameters).  It runs after every other word's action:
//
//   - with "alias" the address is added;
//   - with "-alias" or "delete" it is deleted;
//   - with neither it replaces: SIOCGIFADDR asks for an address to
//     delete first.  For inet the request is empty and the kernel names
//     the interface's first IPv4 address, so "inet A" replaces it; for
//     inet6 the request names ffff:ffff:ffff:ffff::, which no interface
//     has, so "inet6 A" always adds;
//   - "-alias" or "delete" without an address deletes what SIOCGIFADDR
//     names (for inet6 that fails: "SIOCGIFADDR_IN6: Can't assign
//     requested address").

// slot is where a socket address goes in a request (struct apbuf).
type slot struct{ off, size int }

// request is one ioctl of the commit, named for messages.
type request struct {
	cmd  uint32
	name string
}

// afParam describes a family's commit (struct afparam).
type afParam struct {
	req, dgreq                   []byte // the add request; the get/delete request
	addr, dst, brd, mask, dgaddr slot
	aifaddr, difaddr, gifaddr    request
	defmask                      []byte // the mask sent when none is given
	preAifaddr                   func(p *prog, e penv, req []byte) error
}

// loadbuf copies a socket address into its slot, no more than sa_len
// bytes and no more than the slot holds.
func loadbuf(buf []byte, s slot, sa []byte) {
	n := min(s.size, int(sa[0]), len(sa))
	copy(buf[s.off:s.off+n], sa[:n])
}

func inetParam() *afParam {
	return &afParam{
		req:     make([]byte, sys.SizeofInAliasreq),
		dgreq:   make([]byte, sys.SizeofIfreq),
		addr:    slot{16, sys.SizeofSockaddrIn},
		dst:     slot{32, sys.SizeofSockaddrIn},
		brd:     slot{32, sys.SizeofSockaddrIn},
		mask:    slot{48, sys.SizeofSockaddrIn},
		dgaddr:  slot{16, sys.SizeofSockaddr},
		aifaddr: request{sys.SIOCAIFADDR, "SIOCAIFADDR"},
		difaddr: request{sys.SIOCDIFADDR, "SIOCDIFADDR"},
		gifaddr: request{sys.SIOCGIFADDR, "SIOCGIFADDR"},
	}
}

// in6Mask64 is the prefix mask an IPv6 address gets by default.
var in6Mask64 = inet6Sockaddr([16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0, 0)

func inet6Param() *afParam {
	r := sys.In6Aliasreq{
		Prefixmask: sys.SockaddrIn6{Len: sys.SizeofSockaddrIn6, Family: sys.AF_INET6, Addr: [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		Lifetime:   sys.In6Addrlifetime{Vltime: sys.ND6_INFINITE_LIFETIME, Pltime: sys.ND6_INFINITE_LIFETIME},
	}
	dg := sys.In6Ifreq{}
	dg.SetAddr(sys.SockaddrIn6{Len: sys.SizeofSockaddrIn6, Family: sys.AF_INET6, Addr: [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}})
	return &afParam{
		req:        r.Marshal(),
		dgreq:      dg.Marshal(),
		addr:       slot{16, sys.SizeofSockaddrIn6},
		dst:        slot{44, sys.SizeofSockaddrIn6},
		brd:        slot{44, sys.SizeofSockaddrIn6},
		mask:       slot{72, sys.SizeofSockaddrIn6},
		dgaddr:     slot{16, sys.SizeofSockaddrIn6},
		aifaddr:    request{sys.SIOCAIFADDR_IN6, "SIOCAIFADDR_IN6"},
		difaddr:    request{sys.SIOCDIFADDR_IN6, "SIOCDIFADDR_IN6"},
		gifaddr:    request{sys.SIOCGIFADDR_IN6, "SIOCGIFADDR_IN6"},
		defmask:    in6Mask64,
		preAifaddr: (*prog).in6PreAifaddr,
	}
}

// commitAddress runs the commit of the command's family (inet without a
// family word).  The link and AppleTalk families have nothing to commit
// on a wg interface (an address of theirs was refused already).
func (p *prog) commitAddress(e penv) error {
	switch af := e.af(); af {
	case -1, sys.AF_INET:
		return p.commit(e, inetParam())
	case sys.AF_INET6:
		return p.commit(e, inet6Param())
	}
	return nil
}

// commit is commit_address.
func (p *prog) commit(e penv, a *afParam) error {
	name := ifnameOf(e)
	n := ifname(name)
	copy(a.req, n[:])
	copy(a.dgreq, n[:])

	addr, ok := e.addr("address")
	if !ok {
		alias, ok := e.bool("alias")
		if !ok || alias {
			return nil
		}
		if err := p.ioctl(a.gifaddr.cmd, a.dgreq, nil); err != nil {
			return p.err(err, "%s", a.gifaddr.name)
		}
		if err := p.ioctl(a.difaddr.cmd, a.dgreq, nil); err != nil {
			return p.err(err, "%s", a.difaddr.name)
		}
		return nil
	}
	dst, _ := e.addr("dst")
	mask, _ := e.addr("netmask")
	brd, _ := e.addr("broadcast")
	replace, del := true, false
	if alias, ok := e.bool("alias"); ok {
		replace, del = false, !alias
	}

	loadbuf(a.req, a.addr, addr.sa)
	flags, err := p.getifflags(name)
	if err != nil {
		return p.err(err, "commit_address: getifflags")
	}
	switch flags & (sys.IFF_BROADCAST | sys.IFF_POINTOPOINT) {
	case sys.IFF_BROADCAST:
		if brd != nil {
			loadbuf(a.req, a.brd, brd.sa)
		}
	case 0:
		// wg(4): neither broadcast nor destination.
	case sys.IFF_POINTOPOINT:
		if brd != nil {
			return p.errx("%s is not a broadcast interface", name)
		}
		if dst != nil {
			loadbuf(a.req, a.dst, dst.sa)
		}
	default:
		return p.errx("unsupported interface flags")
	}
	if mask != nil {
		loadbuf(a.req, a.mask, mask.sa)
	} else if a.defmask != nil {
		loadbuf(a.req, a.mask, a.defmask)
	}
	switch {
	case replace:
		err := p.ioctl(a.gifaddr.cmd, a.dgreq, nil)
		switch {
		case err == nil:
			if err := p.ioctl(a.difaddr.cmd, a.dgreq, nil); err != nil {
				return p.err(err, "%s", a.difaddr.name)
			}
		case errors.Is(err, sys.EADDRNOTAVAIL):
			// No address was assigned yet.
		default:
			return p.err(err, "%s", a.gifaddr.name)
		}
	case del:
		loadbuf(a.dgreq, a.dgaddr, addr.sa)
		if err := p.ioctl(a.difaddr.cmd, a.dgreq, nil); err != nil {
			return p.err(err, "%s", a.difaddr.name)
		}
		return nil
	}
	if a.preAifaddr != nil {
		if err := a.preAifaddr(p, e, a.req); err != nil {
			return err
		}
	}
	if err := p.ioctl(a.aifaddr.cmd, a.req, nil); err != nil {
		return p.err(err, "%s", a.aifaddr.name)
	}
	return nil
}

// in6PreAifaddr is af_inet6.c's in6_pre_aifaddr: eui64, lifetimes and
// address flags go into the request.  The scope of a link-local address
// stays in sin6_scope_id, which NetBSD's kernel accepts as well as the
// KAME embedded form.
func (p *prog) in6PreAifaddr(e penv, req []byte) error {
	const addrOff, flagsOff, lifeOff = 16 + 8, 100, 104
	if on, _ := e.bool("eui64"); on {
		if err := p.eui64(e, req[addrOff:addrOff+16]); err != nil {
			return err
		}
	}
	for _, lt := range []struct {
		key          string
		timeOff, off int
	}{{"vltime", lifeOff, lifeOff + 16}, {"pltime", lifeOff + 8, lifeOff + 20}} {
		v, ok := e.int64(lt.key)
		if !ok {
			continue
		}
		if e.af() != sys.AF_INET6 {
			return p.errx("inet6 address lifetime not allowed for the AF")
		}
		binary.LittleEndian.PutUint64(req[lt.timeOff:], uint64(p.now().Unix()+v))
		binary.LittleEndian.PutUint32(req[lt.off:], uint32(v))
	}
	if f, ok := e.int64("ia6flag"); ok {
		flags := int32(binary.LittleEndian.Uint32(req[flagsOff:]))
		if f < 0 {
			flags &^= int32(-f)
		} else {
			flags |= int32(f)
		}
		binary.LittleEndian.PutUint32(req[flagsOff:], uint32(flags))
	}
	return nil
}

// eui64 fills the interface identifier of addr (the low 64 bits, which
// must be zero) from the interface's link-local address.
func (p *prog) eui64(e penv, addr []byte) error {
	if e.af() != sys.AF_INET6 {
		return p.errx("eui64 address modifier not allowed for the AF")
	}
	for _, b := range addr[8:] {
		if b != 0 {
			a := [16]byte(addr)
			return p.errx("interface index is already filled, ::%%0 | %s%%0", inet.Ntop6(a))
		}
	}
	list, err := p.ifconf()
	if err != nil {
		return p.err(err, "getifaddrs")
	}
	name := ifnameOf(e)
	for _, ent := range list {
		if ent.name == name && ent.family == sys.AF_INET6 && ent.addr.IsLinkLocalUnicast() {
			ll := ent.addr.As16()
			copy(addr[8:], ll[8:])
			return nil
		}
	}
	return p.errx("could not determine link local address")
}
