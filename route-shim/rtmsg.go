package main

import (
	"errors"

	"nbwg/kernel/sys"
)

// rtmsg is route.c's rtmsg(): it writes the routing message of a
// request (cmd 'a'dd, 'c'hange, 'g'et, or 'd'elete) and, for get, prints
// what the kernel answers.  It returns 0, or non-zero with the errno of
// a refused write (after route.c's "writing to routing socket" warning).
func (p *prog) rtmsg(cmd byte, flags int32) (int, error) {
	var typ uint8
	switch cmd {
	case 'a':
		typ = sys.RTM_ADD
	case 'c':
		typ = sys.RTM_CHANGE
	case 'g':
		typ = sys.RTM_GET
		if p.sou.ifp.family() == sys.AF_UNSPEC {
			// Ask for the interface.
			p.sou.ifp[0], p.sou.ifp[1] = sizeofSockaddrDl, sys.AF_LINK
			p.rtmAddrs |= sys.RTA_IFP
		}
	default:
		typ = sys.RTM_DELETE
	}
	p.seq++
	m := &sys.RtMsg{Hdr: sys.RtMsghdr{
		Type: typ, Flags: flags, Version: sys.RTM_VERSION, Seq: p.seq,
		Rmx: p.rtMetrics, Inits: p.rtmInits,
	}}
	if p.rtmAddrs&sys.RTA_NETMASK != 0 {
		p.maskAddr()
	}
	sus := []struct {
		bit  int32
		idx  int
		su   *sockunion
		name string
	}{
		{sys.RTA_DST, sys.RTAX_DST, &p.sou.dst, "so_dst"},
		{sys.RTA_GATEWAY, sys.RTAX_GATEWAY, &p.sou.gate, "so_gate"},
		{sys.RTA_NETMASK, sys.RTAX_NETMASK, &p.sou.mask, "so_mask"},
		{sys.RTA_GENMASK, sys.RTAX_GENMASK, &p.sou.genmask, "so_genmask"},
		{sys.RTA_IFP, sys.RTAX_IFP, &p.sou.ifp, "so_ifp"},
		{sys.RTA_IFA, sys.RTAX_IFA, &p.sou.ifa, "so_ifa"},
	}
	for _, a := range sus {
		if p.rtmAddrs&a.bit == 0 {
			continue
		}
		// NEXTADDR: the address rounded up, whatever follows sa_len.
		m.Addrs[a.idx] = append([]byte(nil), a.su[:sys.RT_ROUNDUP(a.su.len())]...)
		if p.verbose != 0 && !p.shortoutput {
			p.sodump(a.su, a.name)
		}
	}
	b := m.Marshal()
	if p.verbose != 0 && !p.shortoutput {
		if p.rtmAddrs != 0 {
			p.out.WriteString("\n")
		}
		p.printRtmsg(b)
	}
	if p.debugonly {
		return 0, nil
	}
	var reply []byte
	var err error
	if p.tflag {
		// -t writes to /dev/null, which cannot be read back.
		if typ == sys.RTM_GET {
			return 1, p.fatalErr("read from routing socket: %v", sys.EBADF)
		}
	} else if reply, err = p.request(sys.ROUTE_WRITE, 0, b); err != nil {
		p.flush()
		p.env.Warnx("writing to routing socket: %s", routeStrerror(err))
		return -1, err
	}
	if typ == sys.RTM_GET {
		return p.printGetmsg(reply), nil
	}
	return 0, nil
}

// fatalErr prints an err(3) message and returns the error that stands
// for its exit.
func (p *prog) fatalErr(format string, a ...any) error {
	p.fatal(format, a...)
	return errFatal
}

// errFatal stands for an err(3) that has ended the run (its message is
// out already).
var errFatal = errors.New("fatal")

// maskAddr is route.c's mask_addr(): the mask's sa_len is cut after its
// last byte that is not 0 (the family counts), and a destination of a
// family route.c does not know is masked by it.
func (p *prog) maskAddr() {
	m := &p.sou.mask
	olen := m.len()
	m[0] = 0
	for i := olen - 1; i > 0; i-- {
		if m[i] != 0 {
			m[0] = byte(i + 1)
			break
		}
	}
	if p.rtmAddrs&sys.RTA_DST == 0 {
		return
	}
	switch p.sou.dst.family() {
	case sys.AF_INET, sys.AF_INET6, afAPPLETALK, sys.AF_UNSPEC:
		return
	}
	d := &p.sou.dst
	for i := m.len() + 1; i < d.len()+1 && i < len(d); i++ {
		d[i] = 0
	}
	for i := min(m.len(), len(d)-1); i >= 2; i-- {
		d[i] &= m[i]
	}
}
