package main

import (
	"encoding/binary"
	"errors"

	"nbwg/kernel/sys"
)

// Requests sbin/ifconfig issues that kernel/sys does not define yet
// (<sys/sockio.h>; values checked against golang.org/x/sys for
// NetBSD/amd64).  nbwg's kernel answers none of them so far: the wg
// driver returns ENOTTY.
var (
	siocGIFMETRIC   = sys.IOWR('i', 23, sys.SizeofIfreq)     // 0xc0906917
	siocSIFMETRIC   = sys.IOW('i', 24, sys.SizeofIfreq)      // 0x80906918
	siocSIFADDRPREF = sys.IOW('i', 31, sizeofIfAddrprefreq)  // 0x8098691f
	siocGIFADDRPREF = sys.IOWR('i', 32, sizeofIfAddrprefreq) // 0xc0986920
	siocSLINKSTR    = sys.IOW('i', 136, sys.SizeofIfdrv)     // 0x80286988

	// Destination and broadcast addresses, which wg(4) never has.
	siocGIFDSTADDR     = sys.IOWR('i', 34, sys.SizeofIfreq)    // 0xc0906922
	siocGIFBRDADDR     = sys.IOWR('i', 35, sys.SizeofIfreq)    // 0xc0906923
	siocGIFDSTADDR_IN6 = sys.IOWR('i', 34, sys.SizeofIn6Ifreq) // 0xc1206922
)

// sizeofIfAddrprefreq is struct if_addrprefreq: a name, an int16
// preference and a sockaddr_storage aligned to 8.
const sizeofIfAddrprefreq = sys.IFNAMSIZ + 8 + sys.SizeofSockaddrStorage

// ifLinkstrUnset is IFLINKSTR_UNSET, the ifd_cmd that removes a linkstr.
const ifLinkstrUnset = 2

// ifreq issues a struct ifreq request about name; fill, if set, prepares
// the union.  It returns the structure as the kernel left it.
func (p *prog) ifreq(cmd uint32, name string, fill func(*sys.Ifreq)) (*sys.Ifreq, error) {
	return p.ifreqWith(cmd, name, fill, nil)
}

// ifreqWith is ifreq with a user buffer the structure points at.
func (p *prog) ifreqWith(cmd uint32, name string, fill func(*sys.Ifreq), buf []byte) (*sys.Ifreq, error) {
	r := &sys.Ifreq{Name: ifname(name)}
	if fill != nil {
		fill(r)
	}
	b := r.Marshal()
	if err := p.ioctl(cmd, b, buf); err != nil {
		return nil, err
	}
	return sys.UnmarshalIfreq(b)
}

// ifreqBuf issues a struct ifreq request whose ifr_buf and ifr_buflen
// describe buf (SIOCSIFDESCR, SIOCGIFDESCR).
func (p *prog) ifreqBuf(cmd uint32, name string, buf []byte) (*sys.Ifreq, error) {
	return p.ifreqWith(cmd, name, func(r *sys.Ifreq) { r.SetBuflen(uint32(len(buf))) }, buf)
}

// ifflags is SIOCGIFFLAGS: the interface flags (a u_short).
func (p *prog) ifflags(name string) (uint16, error) {
	r, err := p.ifreq(sys.SIOCGIFFLAGS, name, nil)
	if err != nil {
		return 0, err
	}
	return uint16(r.Flags()), nil
}

// getifflags is env.c's getifflags: the flags, read once per run.
func (p *prog) getifflags(name string) (uint16, error) {
	if p.gotFlags {
		return p.flags, nil
	}
	f, err := p.ifflags(name)
	if err != nil {
		return 0, err
	}
	p.flags, p.gotFlags = f, true
	return f, nil
}

// ifdata is SIOCGIFDATA, or SIOCZIFDATA when zero: the interface's
// if_data, the latter zeroing its counters.
func (p *prog) ifdata(name string, zero bool) (*sys.IfData, error) {
	cmd := sys.SIOCGIFDATA
	if zero {
		cmd = sys.SIOCZIFDATA
	}
	r := &sys.IfDatareq{Name: ifname(name)}
	b := r.Marshal()
	if err := p.ioctl(cmd, b, nil); err != nil {
		return nil, err
	}
	r, err := sys.UnmarshalIfDatareq(b)
	if err != nil {
		return nil, err
	}
	return &r.Data, nil
}

// linkState is ifconfig.c's link_state: the LINK_STATE_*, or -1 when it
// cannot be read.
func (p *prog) linkState(name string) int {
	d, err := p.ifdata(name, false)
	if err != nil {
		return -1
	}
	return int(d.LinkState)
}

// addrPreference is util.c's ifa_get_preference: SIOCGIFADDRPREF of one
// address.  A kernel without address preferences (nbwg's: ENOTTY) has
// them all 0.
func (p *prog) addrPreference(name string, sa []byte) int16 {
	b := make([]byte, sizeofIfAddrprefreq)
	n := ifname(name)
	copy(b, n[:])
	copy(b[24:], sa)
	err := p.ioctl(siocGIFADDRPREF, b, nil)
	switch {
	case err == nil:
		return int16(binary.LittleEndian.Uint16(b[16:]))
	case errors.Is(err, sys.EADDRNOTAVAIL), errors.Is(err, sys.EAFNOSUPPORT), errors.Is(err, sys.ENOTTY):
		return 0
	}
	p.warn(err, "SIOCGIFADDRPREF")
	return 0
}
