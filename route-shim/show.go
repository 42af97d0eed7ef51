package main

import (
	"fmt"

	"nbwg/kernel/sys"
)

// route show and route flush: the table's dump (sysctl NET_RT_DUMP on
// NetBSD), printed as show.c and rtutil.c print it, or written back as
// deletes.

// parseShowOpts is show.c's parse_show_opts(): the words after the
// command, each a '-' and one of host, llinfo, inet, inet6, atalk, mpls
// or (not for show) link, read from the last one back.
func (p *prog) parseShowOpts(argv []string, nolink bool) (af, flags int, afname string, err error) {
	af, afname = sys.AF_UNSPEC, "unspec"
	for argc := len(argv); argc >= 2; argc-- {
		w := argv[argc-1]
		if len(w) == 0 || w[0] != '-' {
			return 0, 0, "", usageErr(w)
		}
		switch keyword(w[1:]) {
		case kHOST:
			flags |= sys.RTF_HOST
		case kLLINFO:
			flags |= sys.RTF_LLDATA
		case kINET:
			af, afname = sys.AF_INET, w[1:]
		case kINET6:
			af, afname = sys.AF_INET6, w[1:]
		case kATALK:
			af, afname = afAPPLETALK, w[1:]
		case kMPLS:
			af, afname = afMPLS, w[1:]
		case kLINK:
			if nolink {
				return 0, 0, "", usageErr(w)
			}
			af, afname = sys.AF_LINK, w[1:]
		default:
			return 0, 0, "", usageErr(w)
		}
	}
	return af, flags, afname, nil
}

// showInteresting are the flags route show prints.
const showInteresting = sys.RTF_UP | sys.RTF_GATEWAY | sys.RTF_HOST | sys.RTF_REJECT |
	sys.RTF_LLDATA | sys.RTF_LOCAL | sys.RTF_BROADCAST

// show is show.c's show(): route show [-inet | -inet6 | -host ...].
func (p *prog) show(argv []string) int {
	af, rflags, _, err := p.parseShowOpts(argv, true)
	if err != nil {
		return p.report(err)
	}
	return p.pRttables(af, p.Lflag|p.nflag|p.Tflag|p.verbose, rflags, showInteresting)
}

// dump reads the routes of family af (all for AF_UNSPEC) as routing
// messages.
func (p *prog) dump(af int) ([]*sys.RtMsg, error) {
	b, err := p.request(sys.ROUTE_DUMP, uint32(af), nil)
	if err != nil {
		return nil, err
	}
	var msgs []*sys.RtMsg
	for len(b) > 0 {
		m, n, err := sys.ParseRtMsg(b)
		if err != nil {
			return nil, fmt.Errorf("routing table: %w", err)
		}
		msgs = append(msgs, m)
		b = b[n:]
	}
	return msgs, nil
}

// pRttables is rtutil.c's p_rttables(): "Routing tables", then each
// family's routes under a heading of its own.
func (p *prog) pRttables(af, flags, pflags, interesting int) int {
	msgs, err := p.dump(af)
	if err != nil {
		return p.fatal("sysctl of routing table: %v", err)
	}
	p.out.WriteString("Routing tables\n")
	oldAF := -1
	for _, m := range msgs {
		dst := m.Addrs[sys.RTAX_DST]
		if int(m.Hdr.Flags)&pflags != pflags {
			continue
		}
		if af != sys.AF_UNSPEC && family(dst) != af {
			continue
		}
		p.pRtentry(m, flags, interesting, &oldAF)
	}
	return 0
}

// widths of the destination and gateway columns (rtutil.c's WID_DST,
// WID_GW): wider for IPv6 with -n, whose addresses are not truncated.
func widDst(af, flags int) int {
	if af == sys.AF_INET6 && flags&rtNFLAG != 0 {
		return 39
	}
	return 18
}

func widGw(af, flags int) int {
	if af == sys.AF_INET6 && flags&rtNFLAG != 0 {
		return 30
	}
	return 18
}

// pFamily is rtutil.c's p_family(): a family's heading.
func (p *prog) pFamily(af int) {
	switch af {
	case sys.AF_INET:
		p.out.WriteString("\nInternet:\n")
	case sys.AF_INET6:
		p.out.WriteString("\nInternet6:\n")
	default:
		fmt.Fprintf(p.out, "\nProtocol Family %d:\n", af)
	}
}

// pRthdr is rtutil.c's p_rthdr(): the column headings.
func (p *prog) pRthdr(af, flags int) {
	d, g := widDst(af, flags), widGw(af, flags)
	if flags&rtTFLAG != 0 {
		fmt.Fprintf(p.out, "%-*.*s %-*.*s %-6.6s %6.6s %8.8s %6.6s %7.7s %s\n",
			d, d, "Destination", g, g, "Gateway", "Flags", "Refs", "Use", "Mtu", "Tag", "Interface")
		return
	}
	fmt.Fprintf(p.out, "%-*.*s %-*.*s %-6.6s %6.6s %8.8s %6.6s %s\n",
		d, d, "Destination", g, g, "Gateway", "Flags", "Refs", "Use", "Mtu", "Interface")
}

// pRtentry is rtutil.c's p_rtentry(): one route's line.
func (p *prog) pRtentry(m *sys.RtMsg, flags, interesting int, oldAF *int) {
	h := &m.Hdr
	if flags&rtLFLAG != 0 && h.Flags&sys.RTF_LLDATA != 0 {
		return
	}
	dst := m.Addrs[sys.RTAX_DST]
	if dst == nil {
		return
	}
	af := family(dst)
	if *oldAF != af {
		*oldAF = af
		p.pFamily(af)
		p.pRthdr(af, flags)
	}
	mask := m.Addrs[sys.RTAX_NETMASK]
	p.pSockaddr(dst, mask, int(h.Flags), widDst(af, flags), flags)
	if gw := m.Addrs[sys.RTAX_GATEWAY]; gw != nil {
		p.pSockaddr(gw, nil, sys.RTF_HOST, widGw(af, flags), flags)
	}
	p.pFlags(int(h.Flags) & interesting)
	fmt.Fprintf(p.out, "%6s %8s ", "-", "-")
	if h.Rmx.MTU != 0 {
		fmt.Fprintf(p.out, "%6d", int64(h.Rmx.MTU))
	} else {
		fmt.Fprintf(p.out, "%6s", "-")
	}
	lock := byte(' ')
	if h.Rmx.Locks&sys.RTV_MTU != 0 {
		lock = 'L'
	}
	p.out.WriteByte(lock)
	if flags&rtTFLAG != 0 {
		// p_tag: a route of nbwg's has no MPLS tag.
		fmt.Fprintf(p.out, "%7s", "-")
	}
	name := "(null)"
	if ifp := m.Addrs[sys.RTAX_IFP]; family(ifp) == sys.AF_LINK {
		s := sys.UnmarshalSockaddrDl(ifp)
		name = s.Name()
	}
	fmt.Fprintf(p.out, " %.16s\n", name)
	if flags&rtVFLAG != 0 {
		p.pRtrmx(&h.Rmx)
	}
}

// pSockaddr is rtutil.c's p_sockaddr(): an address in its column, by
// routename for a host and netname for a network.
func (p *prog) pSockaddr(sa, mask []byte, rflags, width, flags int) {
	var cp string
	switch {
	case family(sa) == sys.AF_INET6:
		var full [sizeofSockaddrIn6]byte
		copy(full[:], sa)
		s, _ := sys.UnmarshalSockaddrIn6(full[:])
		sys.GetScopeID(&s)
		s.MarshalTo(full[:])
		if rflags&sys.RTF_HOST != 0 {
			cp = p.routename(full[:], flags)
		} else {
			cp = p.netname(full[:], mask, flags)
		}
	case rflags&sys.RTF_HOST != 0 || mask == nil:
		cp = p.routename(sa, flags)
	default:
		cp = p.netname(sa, mask, flags)
	}
	switch {
	case width < 0:
		p.out.WriteString(cp)
	case flags&rtNFLAG != 0:
		fmt.Fprintf(p.out, "%-*s ", width, cp)
	default:
		fmt.Fprintf(p.out, "%-*.*s ", width, width, cp)
	}
}

// flagLetters are rtutil.c's bits[]: the letter of each flag, in the
// order route show writes them.
var flagLetters = []struct {
	flag   int
	letter byte
}{
	{sys.RTF_UP, 'U'}, {sys.RTF_GATEWAY, 'G'}, {sys.RTF_HOST, 'H'}, {sys.RTF_REJECT, 'R'},
	{sys.RTF_BLACKHOLE, 'B'}, {sys.RTF_DYNAMIC, 'D'}, {sys.RTF_MODIFIED, 'M'}, {sys.RTF_DONE, 'd'},
	{sys.RTF_MASK, 'm'}, {sys.RTF_CONNECTED, 'C'}, {sys.RTF_LLDATA, 'L'}, {sys.RTF_STATIC, 'S'},
	{sys.RTF_PROTO1, '1'}, {sys.RTF_PROTO2, '2'}, {sys.RTF_ANNOUNCE, 'p'},
	{sys.RTF_LOCAL, 'l'}, {sys.RTF_BROADCAST, 'b'},
}

// pFlags is rtutil.c's p_flags().
func (p *prog) pFlags(f int) {
	var name []byte
	for _, b := range flagLetters {
		if b.flag&f != 0 {
			name = append(name, b.letter)
		}
	}
	fmt.Fprintf(p.out, "%-6.6s ", name)
}

// pRtrmx is rtutil.c's p_rtrmx(): the metrics, with -v.
func (p *prog) pRtrmx(r *sys.RtMetrics) {
	l := func(bit uint64) byte {
		if r.Locks&bit != 0 {
			return 'L'
		}
		return ' '
	}
	fmt.Fprintf(p.out, "\texpire   %10d%c  recvpipe %10d%c  sendpipe %10d%c\n",
		r.Expire, l(sys.RTV_EXPIRE), r.Recvpipe, l(sys.RTV_RPIPE), r.Sendpipe, l(sys.RTV_SPIPE))
	fmt.Fprintf(p.out, "\tssthresh %10d%c  rtt      %10d%c  rttvar   %10d%c\n",
		r.Ssthresh, l(sys.RTV_SSTHRESH), r.RTT, l(sys.RTV_RTT), r.RTTVar, l(sys.RTV_RTTVAR))
	fmt.Fprintf(p.out, "\thopcount %10d%c\n", r.Hopcount, l(sys.RTV_HOPCOUNT))
}

// flushroutes is route.c's flushroutes(): every route through a
// gateway or added by hand (every route, with flushall) is deleted,
// and named as "destination gateway done".  argv[0] is the command.
func (p *prog) flushroutes(argv []string, doall bool) int {
	af, flags, afname, err := p.parseShowOpts(argv, false)
	if err != nil {
		return p.report(err)
	}
	msgs, err := p.dump(sys.AF_UNSPEC)
	if err != nil {
		return p.fatal("actual retrieval of routing table: %v", err)
	}
	if p.verbose != 0 {
		p.out.WriteString("Examining routing table from sysctl\n")
		if af != sys.AF_UNSPEC {
			fmt.Fprintf(p.out, "(address family %s)\n", afname)
		}
	}
	var seqno int32
	for _, m := range msgs {
		if p.verbose != 0 {
			p.printRtmsg(m.Marshal())
		}
		h := &m.Hdr
		if int(h.Flags)&flags != flags {
			continue
		}
		if h.Flags&(sys.RTF_GATEWAY|sys.RTF_STATIC) == 0 && !doall {
			continue
		}
		dst := m.Addrs[sys.RTAX_DST]
		if af != sys.AF_UNSPEC && family(dst) != af {
			continue
		}
		if p.debugonly {
			continue
		}
		h.Type, h.Seq = sys.RTM_DELETE, seqno
		b := m.Marshal()
		if !p.tflag {
			if _, err := p.request(sys.ROUTE_WRITE, 0, b); err != nil {
				p.flush()
				p.env.Warnx("writing to routing socket: %s", routeStrerror(err))
				return 1
			}
		}
		seqno++
		if p.qflag {
			continue
		}
		if p.verbose != 0 {
			p.printRtmsg(b)
			continue
		}
		fmt.Fprintf(p.out, "%-20.20s ", p.netname(dst, nil, p.nflag))
		var gw []byte
		for i := sys.RTAX_DST + 1; i < sys.RTAX_MAX && gw == nil; i++ {
			gw = m.Addrs[i]
		}
		if gw != nil {
			fmt.Fprintf(p.out, "%-20.20s ", p.routename(gw, p.nflag))
		}
		p.out.WriteString("done\n")
	}
	return 0
}
