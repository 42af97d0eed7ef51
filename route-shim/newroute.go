package main

import (
	"errors"
	"strings"

	"nbwg/internal/cnum"
	"nbwg/internal/inet"
	"nbwg/kernel/sys"
)

// metrics are the metrics a request sets (rt_metrics).
type metrics = sys.RtMetrics

// newroute is route.c's newroute(): add, delete, change or get, with
// argv[0] the command.  It prints "add net 10.3.0.0: gateway 10.2.0.42"
// and the like (not for get, not with -q), with ": " and the reason when
// the kernel refuses, and returns 1 then.
func (p *prog) newroute(argv []string) int {
	cmd := argv[0]
	dest, gateway := "", ""
	ishost := false
	flags := int32(sys.RTF_STATIC)
	p.af = sys.AF_UNSPEC

	var err error
	args := argv[1:]
	next := func(word string) (string, error) {
		if len(args) == 0 {
			return "", usageErr(word)
		}
		a := args[0]
		args = args[1:]
		return a, nil
	}
	for err == nil && len(args) > 0 {
		a := args[0]
		args = args[1:]
		if strings.HasPrefix(a, "-") {
			word := a[1:]
			key := keyword(word)
			var v string
			switch key {
			case kSA:
				p.af, p.aflen = afROUTE, sizeofSockunion
			case kATALK:
				p.af, p.aflen = afAPPLETALK, 16
			case kINET:
				p.af, p.aflen = sys.AF_INET, sizeofSockaddrIn
			case kINET6:
				p.af, p.aflen = sys.AF_INET6, sizeofSockaddrIn6
			case kLINK:
				p.af, p.aflen = sys.AF_LINK, sizeofSockaddrDl
			case kMPLS:
				p.af, p.aflen = afMPLS, 8
			case kTAG:
				if _, err = next(word); err == nil {
					err = errx("-tag: MPLS is not supported by nbwg's kernel")
				}
			case kIFACE, kINTERFACE:
				p.iflag++
			case kNOSTATIC:
				flags &^= sys.RTF_STATIC
			case kLOCK:
				p.locking = true
			case kLOCKREST:
				p.lockrest = true
			case kHOST:
				p.forcehost++
			case kREJECT:
				flags |= sys.RTF_REJECT
			case kNOREJECT:
				flags &^= sys.RTF_REJECT
			case kBLACKHOLE:
				flags |= sys.RTF_BLACKHOLE
			case kNOBLACKHOLE:
				flags &^= sys.RTF_BLACKHOLE
			case kPROTO1:
				flags |= sys.RTF_PROTO1
			case kPROTO2:
				flags |= sys.RTF_PROTO2
			case kPROXY:
				flags |= sys.RTF_ANNOUNCE
			case kCONNECTED:
				flags |= sys.RTF_CONNECTED
			case kNOCONNECTED:
				flags &^= sys.RTF_CONNECTED
			case kSTATIC:
				flags |= sys.RTF_STATIC
			case kIFA:
				if v, err = next(word); err == nil {
					_, err = p.getaddr(sys.RTA_IFA, v)
				}
			case kIFP:
				if v, err = next(word); err == nil {
					p.ifpName = v
					_, err = p.getaddr(sys.RTA_IFP, v)
				}
			case kGENMASK:
				if v, err = next(word); err == nil {
					_, err = p.getaddr(sys.RTA_GENMASK, v)
				}
			case kGATEWAY:
				if v, err = next(word); err == nil {
					_, err = p.getaddr(sys.RTA_GATEWAY, v)
				}
			case kDST:
				if v, err = next(word); err == nil {
					ishost, err = p.getaddr(sys.RTA_DST, v)
					dest = p.dstText(v)
				}
			case kNETMASK:
				if v, err = next(word); err == nil {
					_, err = p.getaddr(sys.RTA_NETMASK, v)
					p.forcenet++
				}
			case kNET:
				p.forcenet++
			case kPREFIXLEN:
				if v, err = next(word); err == nil {
					ishost, err = p.prefixlen(v)
				}
			case kMTU, kHOPCOUNT, kEXPIRE, kRECVPIPE, kSENDPIPE, kSSTHRESH, kRTT, kRTTVAR:
				if v, err = next(word); err == nil {
					p.setMetric(v, key)
				}
			default:
				err = usageErr(word)
			}
			continue
		}
		switch {
		case p.rtmAddrs&sys.RTA_DST == 0:
			ishost, err = p.getaddr(sys.RTA_DST, a)
			dest = p.dstText(a)
		case p.rtmAddrs&sys.RTA_GATEWAY == 0:
			gateway = a
			_, err = p.getaddr(sys.RTA_GATEWAY, a)
		default:
			// Old usage: a trailing metric.
			switch ret := atoi(a); {
			case ret == 0:
				if a != "0" {
					err = usageErr("")
					break
				}
				if !p.qflag {
					p.flush()
					p.env.Warnx("old usage of trailing 0, assuming route to if")
				}
				p.iflag = 1
			case ret > 0 && ret < 10:
				if !p.qflag {
					p.flush()
					p.env.Warnx("old usage of trailing digit, assuming route via gateway")
				}
				p.iflag = 0
			default:
				_, err = p.getaddr(sys.RTA_NETMASK, a)
			}
		}
	}
	if err != nil {
		return p.report(err)
	}
	switch {
	case p.rtmAddrs&sys.RTA_DST == 0:
		return p.fatal("missing destination specification")
	case cmd[0] == 'a' && p.rtmAddrs&sys.RTA_GATEWAY == 0:
		return p.fatal("missing gateway specification")
	case p.forcehost != 0 && p.forcenet != 0:
		return p.fatal("-host and -net conflict")
	case p.forcehost != 0:
		ishost = true
	case p.forcenet != 0:
		ishost = false
	}
	flags |= sys.RTF_UP
	if ishost {
		flags |= sys.RTF_HOST
	}
	if p.iflag == 0 {
		flags |= sys.RTF_GATEWAY
	}

	var ret int
	var werr error
	attempts := 1
	for ; ; attempts++ {
		ret, werr = p.rtmsg(cmd[0], flags)
		if ret == 0 {
			break
		}
		if werr == nil || !errors.Is(werr, sys.ENETUNREACH) && !errors.Is(werr, sys.ESRCH) {
			break
		}
		// A gateway given by name: try its next address.
		if p.af != sys.AF_INET || gateway == "" || len(p.gatewayIPs) == 0 {
			break
		}
		p.sou.gate.setInAddr(p.gatewayIPs[0])
		p.gatewayIPs = p.gatewayIPs[1:]
	}
	if cmd[0] == 'g' || p.qflag {
		if ret != 0 {
			p.hint(cmd, dest, gateway, werr)
			return 1
		}
		return 0
	}
	var line strings.Builder
	line.WriteString(cmd)
	if ishost {
		line.WriteString(" host ")
	} else {
		line.WriteString(" net ")
	}
	line.WriteString(dest)
	if gateway != "" {
		line.WriteString(": gateway " + gateway)
		if attempts > 1 && ret == 0 && p.af == sys.AF_INET {
			line.WriteString(" (" + inet.Ntop4(p.sou.gate.inAddr()) + ")")
		}
	}
	if ret == 0 {
		line.WriteString("\n")
	} else {
		line.WriteString(": " + routeStrerror(werr) + "\n")
	}
	p.out.WriteString(line.String())
	if ret != 0 {
		p.hint(cmd, dest, gateway, werr)
		return 1
	}
	return 0
}

// dstText is the destination as newroute prints it: getaddr cuts an
// IPv4 "net/bits" at its '/' in place (the C string), IPv6 puts it back.
func (p *prog) dstText(s string) string {
	if p.dstCut != "" {
		s, p.dstCut = p.dstCut, ""
	}
	return s
}

// setMetric is route.c's set_metric(): a metric's value (strtoul, base
// 0) and its RTV_ bit in rtm_inits, locked after -lock (that one) or
// -lockrest (all that follow).
func (p *prog) setMetric(value string, key int) {
	var flag int32
	var valp *uint64
	var expire bool
	switch key {
	case kMTU:
		flag, valp = sys.RTV_MTU, &p.rtMetrics.MTU
	case kHOPCOUNT:
		flag, valp = sys.RTV_HOPCOUNT, &p.rtMetrics.Hopcount
	case kEXPIRE:
		flag, expire = sys.RTV_EXPIRE, true
	case kRECVPIPE:
		flag, valp = sys.RTV_RPIPE, &p.rtMetrics.Recvpipe
	case kSENDPIPE:
		flag, valp = sys.RTV_SPIPE, &p.rtMetrics.Sendpipe
	case kSSTHRESH:
		flag, valp = sys.RTV_SSTHRESH, &p.rtMetrics.Ssthresh
	case kRTT:
		flag, valp = sys.RTV_RTT, &p.rtMetrics.RTT
	case kRTTVAR:
		flag, valp = sys.RTV_RTTVAR, &p.rtMetrics.RTTVar
	}
	p.rtmInits |= flag
	if p.lockrest || p.locking {
		p.rtMetrics.Locks |= uint64(flag)
	}
	p.locking = false
	v, _, _ := cnum.Strtoull(value, 0, cnum.Libc)
	if expire {
		p.rtMetrics.Expire = int64(v)
	} else {
		*valp = v
	}
}

// routeStrerror is route.c's route_strerror(): the routing socket's
// own words for three errnos, strerror(3) for the rest.
func routeStrerror(err error) string {
	var e sys.Errno
	if errors.As(err, &e) {
		switch e {
		case sys.ESRCH:
			return "not in table"
		case sys.EBUSY:
			return "entry in use"
		case sys.ENOBUFS:
			return "routing table overflow"
		}
		return e.Error()
	}
	return err.Error()
}

// hint follows a refusal where nbwg parts from NetBSD: its kernel holds
// only the routes through its wg interfaces, so a route no wg interface
// reaches, or a lookup none matches, is the host's business.
func (p *prog) hint(cmd, dest, gateway string, err error) {
	what := gateway
	if p.ifpName != "" {
		what = p.ifpName
	}
	switch {
	case errors.Is(err, sys.ENETUNREACH):
		if what == "" {
			what = dest
		}
		p.flush()
		p.env.Warnx("%s: not a wg interface, nor in the subnet of one: this route manages only routes through nbwg's wg(4) interfaces; use the host's own tools (ip route) for other routes", what)
	case errors.Is(err, sys.ESRCH) && cmd[0] == 'g':
		p.flush()
		p.env.Warnx("%s: no route through a wg interface: this route knows only the routes through nbwg's wg(4) interfaces; ask the host's own tools (ip route get) for the others", dest)
	}
}
