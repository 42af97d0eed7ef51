package main

import (
	"nbwg/kernel/sys"
)

// The actions of the command words, in the order ifconfig.c defines them.
// Each gets the word's environment overridden by p.oenv.

// ifnameOf is getifname(): every command has an interface.
func ifnameOf(e penv) string {
	name, _ := e.str("if")
	return name
}

// cloneCommand is clone_command: SIOCIFCREATE or SIOCIFDESTROY.  A
// failure is warned about here and reported again by matches_exec,
// hence NetBSD's two lines.
func (p *prog) cloneCommand(e penv) error {
	cmd, ok := e.int64("clonecmd")
	if !ok {
		return &actionFailed{sys.ENOENT}
	}
	if _, err := p.ifreq(uint32(cmd), ifnameOf(e), nil); err != nil {
		p.warn(err, "clone_command")
		return &actionFailed{err}
	}
	return nil
}

// setifflags sets or (negative value) clears a flag: SIOCGIFFLAGS, then
// SIOCSIFFLAGS.
func (p *prog) setifflags(e penv) error {
	flag, _ := e.int64("ifflag")
	name := ifnameOf(e)
	r, err := p.ifreq(sys.SIOCGIFFLAGS, name, nil)
	if err != nil {
		return &actionFailed{err}
	}
	f := r.Flags()
	if flag < 0 {
		f &^= int16(-flag)
	} else {
		f |= int16(flag)
	}
	if _, err := p.ifreq(sys.SIOCSIFFLAGS, name, func(r *sys.Ifreq) { r.SetFlags(f) }); err != nil {
		return &actionFailed{err}
	}
	return nil
}

// setifmtu is SIOCSIFMTU; a refusal is only a warning (exit status 0).
// ifr_mtu is an int: the value is truncated as C truncates it.
func (p *prog) setifmtu(e penv) error {
	mtu, _ := e.int64("mtu")
	if _, err := p.ifreq(sys.SIOCSIFMTU, ifnameOf(e), func(r *sys.Ifreq) { r.SetInt(int32(mtu)) }); err != nil {
		p.warn(err, "SIOCSIFMTU")
	}
	return nil
}

// setifmetric is SIOCSIFMETRIC; a refusal is only a warning.
func (p *prog) setifmetric(e penv) error {
	metric, _ := e.int64("metric")
	if _, err := p.ifreq(siocSIFMETRIC, ifnameOf(e), func(r *sys.Ifreq) { r.SetInt(int32(metric)) }); err != nil {
		p.warn(err, "SIOCSIFMETRIC")
	}
	return nil
}

// setifaddr checks an address word's "/N" against the command's family
// (inet without a family word); the address itself is committed last.
func (p *prog) setifaddr(e penv) error {
	af := e.af()
	if af < 0 {
		af = sys.AF_INET
	}
	a, _ := e.addr("address")
	if a != nil && a.plen >= 0 {
		if _, ok := prefixlenToMask(af, a.plen); !ok {
			return p.err(sys.EINVAL, "prefixlen_to_mask")
		}
	}
	return nil
}

// setifdstormask takes a second address word: the destination of a
// point-to-point interface, else a netmask.  wg(4) is neither broadcast
// nor point-to-point, and the commit ignores a destination there.
func (p *prog) setifdstormask(e penv) error {
	f, err := p.getifflags(ifnameOf(e))
	if err != nil {
		return p.err(err, "setifdstormask: getifflags")
	}
	d, _ := e.addr("dstormask")
	if f&sys.IFF_BROADCAST == 0 {
		p.oenv = p.oenv.set("dst", d)
	} else {
		p.oenv = p.oenv.set("netmask", d)
	}
	return nil
}

// setifbroadaddr takes a broadcast address, which only a broadcast
// interface has.
func (p *prog) setifbroadaddr(e penv) error {
	f, err := p.getifflags(ifnameOf(e))
	if err != nil {
		return p.err(err, "setifbroadaddr: getifflags")
	}
	if f&sys.IFF_BROADCAST == 0 {
		return p.errx("not a broadcast interface")
	}
	d, _ := e.addr("broadcast")
	p.oenv = p.oenv.set("broadcast", d)
	return nil
}

// setifnetmask is "netmask M": it overrides a mask from "A/N".
func (p *prog) setifnetmask(e penv) error {
	d, _ := e.addr("dstormask")
	p.oenv = p.oenv.set("netmask", d)
	return nil
}

// setifprefixlen is "prefixlen N", for the command's family.
func (p *prog) setifprefixlen(e penv) error {
	af := e.af()
	if af < 0 {
		af = sys.AF_INET
	}
	n, _ := e.int64("prefixlen")
	if n < minInt32 || n > maxInt32 {
		// prefixlen_to_mask takes an int.
		n = int64(int32(n))
	}
	m, ok := prefixlenToMask(af, int(n))
	if !ok {
		return p.err(sys.EINVAL, "prefixlen_to_mask")
	}
	p.oenv = p.oenv.set("netmask", m)
	return nil
}

const (
	minInt32 = -1 << 31
	maxInt32 = 1<<31 - 1
)

// notrailers is "trailers" and "-trailers".
func (p *prog) notrailers(e penv) error {
	p.printf("Note: trailers are no longer sent, but always received\n")
	return nil
}

// setlinkstr is SIOCSLINKSTR with the string and its NUL.
func (p *prog) setlinkstr(e penv) error {
	s, _ := e.data("linkstr")
	buf := append(append([]byte{}, s...), 0)
	d := sys.Ifdrv{Name: ifname(ifnameOf(e)), Len: uint64(len(buf))}
	if err := p.ioctl(siocSLINKSTR, d.Marshal(), buf); err != nil {
		return p.err(err, "SIOCSLINKSTR")
	}
	return nil
}

// unsetlinkstr is "-linkstr".
func (p *prog) unsetlinkstr(e penv) error {
	d := sys.Ifdrv{Name: ifname(ifnameOf(e)), Cmd: ifLinkstrUnset}
	if err := p.ioctl(siocSLINKSTR, d.Marshal(), nil); err != nil {
		return p.err(err, "SIOCSLINKSTR")
	}
	return nil
}

// setPreference is do_setifpreference: SIOCSIFADDRPREF of the address
// given, after the commit; a refusal is only a warning.
func (p *prog) setPreference(e penv) error {
	pref, ok := e.int64("preference")
	if !ok {
		return nil
	}
	a, ok := e.addr("address")
	if !ok {
		return nil
	}
	b := make([]byte, sizeofIfAddrprefreq)
	n := ifname(ifnameOf(e))
	copy(b, n[:])
	b[16], b[17] = byte(pref), byte(pref>>8)
	copy(b[24:], a.sa)
	if err := p.ioctl(siocSIFADDRPREF, b, nil); err != nil {
		p.warn(err, "SIOCSIFADDRPREF")
	}
	return nil
}

// setifdescr is "description str" (and "descr str"): SIOCSIFDESCR with
// the string and its NUL.  A string that does not fit IFDESCRSIZE is
// refused before any request, with err(3): the errno it prints is the
// one parse() left behind, EINVAL from the last parser that refused the
// end of the words (parse.c paddr_match).
func (p *prog) setifdescr(e penv) error {
	s, _ := e.data("descr")
	if len(s)+1 > sys.IFDESCRSIZE {
		return p.err(sys.EINVAL, "description too long")
	}
	buf := append(append([]byte{}, s...), 0)
	if _, err := p.ifreqBuf(sys.SIOCSIFDESCR, ifnameOf(e), buf); err != nil {
		return p.err(err, "SIOCSIFDESCR")
	}
	return nil
}

// unsetifdescr is "-description" (and "-descr"): SIOCSIFDESCR with no
// buffer.
func (p *prog) unsetifdescr(e penv) error {
	if _, err := p.ifreqBuf(sys.SIOCSIFDESCR, ifnameOf(e), nil); err != nil {
		return p.err(err, "SIOCSIFDESCR")
	}
	return nil
}
