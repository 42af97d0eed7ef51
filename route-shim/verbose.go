package main

import (
	"fmt"

	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// -v: route.c's dumps of the routing messages it writes and reads.

// msgtypes are route.c's names of the message types.
var msgtypes = map[uint8]string{
	sys.RTM_ADD:    "RTM_ADD: Add Route",
	sys.RTM_DELETE: "RTM_DELETE: Delete Route",
	sys.RTM_CHANGE: "RTM_CHANGE: Change Metrics, Flags or Gateway",
	sys.RTM_GET:    "RTM_GET: Report Metrics",
}

// printRtmsg is route.c's print_rtmsg() for the messages route writes.
func (p *prog) printRtmsg(b []byte) {
	if p.verbose == 0 {
		return
	}
	w := p.out
	m, _, err := sys.ParseRtMsg(b)
	if err != nil {
		if h, herr := sys.UnmarshalRtMsghdr(b); herr == nil && h.Version != sys.RTM_VERSION {
			fmt.Fprintf(w, "routing message version %d not understood\n", h.Version)
		}
		return
	}
	h := &m.Hdr
	if name, ok := msgtypes[h.Type]; ok {
		fmt.Fprintf(w, "%s: ", name)
	} else {
		fmt.Fprintf(w, "#%d: ", h.Type)
	}
	fmt.Fprintf(w, "len %d, ", h.Msglen)
	fmt.Fprintf(w, "pid %d, seq %d, errno %d, flags: %s", h.Pid, h.Seq, h.Errno, snprintb(uint64(uint32(h.Flags)), routeflags))
	p.pmsgCommon(m)
}

// pmsgCommon is route.c's pmsg_common(): the locked and initialized
// metrics, then the addresses.
func (p *prog) pmsgCommon(m *sys.RtMsg) {
	fmt.Fprintf(p.out, "\nlocks: %s", snprintb(m.Hdr.Rmx.Locks, metricnames))
	fmt.Fprintf(p.out, " inits: %s", snprintb(uint64(uint32(m.Hdr.Inits)), metricnames))
	p.pmsgAddrs(m)
}

// pmsgAddrs is route.c's pmsg_addrs(): which addresses, then each, the
// netmask in its destination's family.
func (p *prog) pmsgAddrs(m *sys.RtMsg) {
	w := p.out
	if m.Hdr.Addrs != 0 {
		fmt.Fprintf(w, "\nsockaddrs: %s\n", snprintb(uint64(uint32(m.Hdr.Addrs)), addrnames))
		nmf := -1
		for i, sa := range m.Addrs {
			if sa != nil && (i == sys.RTAX_DST || i == sys.RTAX_IFA) && nmf == -1 {
				nmf = family(sa)
			}
		}
		for i, sa := range m.Addrs {
			if sa == nil {
				continue
			}
			if i == sys.RTAX_NETMASK && sa[0] != 0 {
				fmt.Fprintf(w, " %s", netmaskString(sa, nmf))
			} else {
				fmt.Fprintf(w, " %s", p.routename(sa, p.nflag))
			}
		}
	}
	w.WriteString("\n")
}

// netmaskString is route.c's netmask_string() for a mask given as an
// address of its family.
func netmaskString(sa []byte, af int) string {
	var full [sizeofSockunion]byte
	copy(full[:min(int(sa[0]), len(sa))], sa)
	switch af {
	case sys.AF_INET:
		return inet.Ntop4([4]byte(full[4:8]))
	case sys.AF_INET6:
		return inet.Ntop6([16]byte(full[8:24]))
	}
	return anyNtoa(sa)
}

// sodump is route.c's sodump(): an address of the message being
// written, on the same line as the others.
func (p *prog) sodump(su *sockunion, which string) {
	w := p.out
	switch su.family() {
	case sys.AF_INET:
		fmt.Fprintf(w, "%s: inet %s; ", which, inet.Ntop4(su.inAddr()))
	case sys.AF_LINK:
		fmt.Fprintf(w, "%s: link %s; ", which, linkNtoa(su[:]))
	case sys.AF_INET6:
		fmt.Fprintf(w, "%s: inet6 %s; ", which, inet.Ntop6([16]byte(su[8:24])))
	default:
		fmt.Fprintf(w, "%s: (%d) %s; ", which, su.family(), anyNtoa(su[:max(su.len(), 2)]))
	}
}

// linkNtoa is link_ntoa(3): the name, then ':' and the link-level
// address in hex bytes joined by '.'.
func linkNtoa(sa []byte) string {
	s := sys.UnmarshalSockaddrDl(sa)
	if s.Nlen == 0 && s.Alen == 0 {
		return ""
	}
	return linkPrint(sa)
}
