package main

import (
	"fmt"
	"strings"
	"time"

	"nbwg/kernel/sys"
)

// Bit names for snprintb(3), in the order they are printed: a bit (1 is
// the lowest) and its name.
type bitName struct {
	bit  uint
	name string
}

// routeflags are the RTF_ names of route.c (NetBSD 8's route.h: MASK,
// CONNECTED and LLDATA are the names of the bits the comments describe;
// NetBSD's tests show UP, GATEWAY, HOST, DONE, STATIC, CONNECTED, LOCAL).
var routeflags = []bitName{
	{1, "UP"}, {2, "GATEWAY"}, {3, "HOST"}, {4, "REJECT"}, {5, "DYNAMIC"},
	{6, "MODIFIED"}, {7, "DONE"}, {8, "MASK"}, {9, "CONNECTED"}, {11, "LLDATA"},
	{12, "STATIC"}, {13, "BLACKHOLE"}, {15, "PROTO2"}, {16, "PROTO1"},
	{17, "SRC"}, {18, "ANNOUNCE"}, {19, "LOCAL"}, {20, "BROADCAST"},
}

// metricnames are route.c's RTV_ names, as it lists them.
var metricnames = []bitName{
	{9, "pksent"}, {8, "rttvar"}, {7, "rtt"}, {6, "ssthresh"}, {5, "sendpipe"},
	{4, "recvpipe"}, {3, "expire"}, {2, "hopcount"}, {1, "mtu"},
}

// addrnames are route.c's RTA_ names.
var addrnames = []bitName{
	{1, "DST"}, {2, "GATEWAY"}, {3, "NETMASK"}, {4, "GENMASK"}, {5, "IFP"},
	{6, "IFA"}, {7, "AUTHOR"}, {8, "BRD"}, {9, "TAG"},
}

// snprintb is snprintb(3) with an old-style format in base 16, which is
// how route.c prints flags: "0x843<UP,GATEWAY,DONE,STATIC>", "0x0".
func snprintb(v uint64, names []bitName) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%#x", v)
	sep := byte('<')
	for _, n := range names {
		if v&(1<<(n.bit-1)) != 0 {
			b.WriteByte(sep)
			b.WriteString(n.name)
			sep = ','
		}
	}
	if sep == ',' {
		b.WriteByte('>')
	}
	return b.String()
}

// printGetmsg is route.c's print_getmsg(): what route get found, and
// the exit status.
//
//	   route to: 10.3.0.1
//	destination: 10.3.0.0
//	       mask: 255.255.255.0
//	    gateway: 10.2.0.42
//	 local addr: 10.2.0.1
//	  interface: wg0
//	      flags: 0x843<UP,GATEWAY,DONE,STATIC>
//	 recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire
//	       0         0         0         0         0         0         0         0
//
// With -s only the gateway is printed.
func (p *prog) printGetmsg(b []byte) int {
	w := p.out
	if !p.shortoutput {
		fmt.Fprintf(w, "   route to: %s\n", p.routename(p.sou.dst[:], p.nflag))
	}
	h, err := sys.UnmarshalRtMsghdr(b)
	if err != nil {
		return p.fatal("message length mismatch, in packet %d, returned %d", sys.SizeofRtMsghdr, len(b))
	}
	if h.Version != sys.RTM_VERSION {
		p.flush()
		p.env.Warnx("routing message version %d not understood", h.Version)
		return 1
	}
	if int(h.Msglen) > len(b) {
		p.flush()
		p.env.Warnx("message length mismatch, in packet %d, returned %d", h.Msglen, len(b))
	}
	if h.Errno != 0 {
		p.flush()
		e := sys.Errno(h.Errno)
		p.env.Warnx("RTM_GET: %s (errno %d)", e.Error(), h.Errno)
		return 1
	}
	m, _, err := sys.ParseRtMsg(b)
	if err != nil {
		return p.fatal("routing message: %v", err)
	}
	dst, gate, mask, ifa := m.Addrs[sys.RTAX_DST], m.Addrs[sys.RTAX_GATEWAY], m.Addrs[sys.RTAX_NETMASK], m.Addrs[sys.RTAX_IFA]
	var ifp *sys.SockaddrDl
	if sa := m.Addrs[sys.RTAX_IFP]; family(sa) == sys.AF_LINK {
		if s := sys.UnmarshalSockaddrDl(sa); s.Nlen != 0 {
			ifp = &s
		}
	}
	if dst != nil && mask != nil {
		mask = append([]byte(nil), mask...)
		mask[1] = dst[1] // XXX, says route.c
	}
	if dst != nil && !p.shortoutput {
		fmt.Fprintf(w, "destination: %s\n", p.routename(dst, p.nflag))
	}
	if mask != nil && !p.shortoutput {
		fmt.Fprintf(w, "       mask: %s\n", p.routename(mask, rtNFLAG))
	}
	if gate != nil && h.Flags&sys.RTF_GATEWAY != 0 {
		name := p.routename(gate, p.nflag)
		if p.shortoutput {
			if name == "" {
				return 1
			}
			fmt.Fprintf(w, "%s\n", name)
		} else {
			fmt.Fprintf(w, "    gateway: %s\n", name)
		}
	}
	if ifa != nil && !p.shortoutput {
		fmt.Fprintf(w, " local addr: %s\n", p.routename(ifa, p.nflag))
	}
	if ifp != nil && !p.shortoutput {
		fmt.Fprintf(w, "  interface: %s\n", ifp.Name())
	}
	if !p.shortoutput {
		fmt.Fprintf(w, "      flags: %s", snprintb(uint64(uint32(h.Flags)), routeflags))
		lock := func(bit uint64) byte {
			if h.Rmx.Locks&bit != 0 {
				return 'L'
			}
			return ' '
		}
		msec := func(u uint64) int64 { return int64((u + 500) / 1000) }
		fmt.Fprintf(w, "\n%s\n", " recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire")
		fmt.Fprintf(w, "%8d%c ", int64(h.Rmx.Recvpipe), lock(sys.RTV_RPIPE))
		fmt.Fprintf(w, "%8d%c ", int64(h.Rmx.Sendpipe), lock(sys.RTV_SPIPE))
		fmt.Fprintf(w, "%8d%c ", int64(h.Rmx.Ssthresh), lock(sys.RTV_SSTHRESH))
		fmt.Fprintf(w, "%8d%c ", msec(h.Rmx.RTT), lock(sys.RTV_RTT))
		fmt.Fprintf(w, "%8d%c ", msec(h.Rmx.RTTVar), lock(sys.RTV_RTTVAR))
		fmt.Fprintf(w, "%8d%c ", int64(h.Rmx.Hopcount), lock(sys.RTV_HOPCOUNT))
		fmt.Fprintf(w, "%8d%c ", int64(h.Rmx.MTU), lock(sys.RTV_MTU))
		expire := h.Rmx.Expire
		if expire != 0 {
			expire -= p.now().Unix()
		}
		fmt.Fprintf(w, "%8d%c\n", expire, lock(sys.RTV_EXPIRE))
	}
	const ign = sys.RTA_DST | sys.RTA_GATEWAY | sys.RTA_NETMASK | sys.RTA_IFP | sys.RTA_IFA | sys.RTA_BRD
	switch {
	case p.shortoutput:
		// route.c tests rtm_addrs against RTF_GATEWAY, which is
		// RTA_GATEWAY's bit.
		if h.Addrs&sys.RTF_GATEWAY == 0 {
			return 1
		}
		return 0
	case p.verbose != 0:
		p.pmsgCommon(m)
	case h.Addrs&^ign != 0:
		fmt.Fprintf(w, "sockaddrs: %s\n", snprintb(uint64(h.Addrs), addrnames))
	}
	return 0
}

// now is the clock route get subtracts expiry times from.
func (p *prog) now() time.Time {
	if p.clock != nil {
		return p.clock()
	}
	return time.Now()
}
