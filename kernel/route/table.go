package route

import (
	"cmp"
	"net/netip"
	"slices"
	"sync"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/klog"
	"nbwg/kernel/netlink"
	"nbwg/kernel/sys"
)

// Host mirrors routes into the host's routing table (kernel/hostif on
// Linux).  A nil Host (tests) mirrors nothing.
type Host interface {
	AddRoute(r netlink.Route) error
	ReplaceRoute(r netlink.Route) error
	DelRoute(r netlink.Route) error
}

// MaxRoutes bounds the routes route(8) may add; past it RTM_ADD is
// ENOBUFS, which route(8) reports as "routing table overflow".
const MaxRoutes = 16384

// rtentry is one route.
type rtentry struct {
	// dst is the destination, masked, link-local in KAME form.  A host
	// route is one of the full length: it has no mask (a mask of all
	// ones is none, as in the radix tree).
	dst netip.Prefix
	// gateway is the gateway as given (rt_gateway), a socket address;
	// gwAddr its IP address when it has one.
	gateway []byte
	gwAddr  netip.Addr
	flags   int32
	ifa     ifaddr
	rmx     sys.RtMetrics
	// connected routes are the prefixes of the interfaces' addresses,
	// made afresh for each request, never stored.
	connected bool
	// mirrored says the route is in the host's table.
	mirrored bool
}

// Table is the routing table of one emulated kernel.  It serves
// sys.NBWG_ROUTE as a sys.Handler.
type Table struct {
	net  *ifnet.Net
	host Host
	log  *klog.Logger

	mu     sync.Mutex
	routes []*rtentry // what route(8) added
}

var _ sys.Handler = (*Table)(nil)

// New returns an empty table for the interfaces of n, mirrored through
// host, with failures to mirror on an interface event logged to log.
func New(n *ifnet.Net, host Host, log *klog.Logger) *Table {
	t := &Table{net: n, host: host, log: log}
	n.Watch(t.ifEvent)
	return t
}

// Count returns the number of routes route(8) added.
func (t *Table) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.routes)
}

// Ioctl serves sys.NBWG_ROUTE: a routing message written (ROUTE_WRITE),
// or the dump of the table (ROUTE_DUMP).
func (t *Table) Ioctl(cred sys.Cred, cmd uint32, arg, in []byte) ([]byte, error) {
	if cmd != sys.NBWG_ROUTE {
		return nil, sys.ENOTTY
	}
	req, err := sys.UnmarshalRouteReq(arg)
	if err != nil {
		return nil, sys.EINVAL
	}
	var out []byte
	switch req.Op {
	case sys.ROUTE_WRITE:
		if uint64(req.InLen) > uint64(len(in)) {
			return nil, sys.EFAULT
		}
		out, err = t.output(cred, in[:req.InLen])
	case sys.ROUTE_DUMP:
		out, err = t.dump(int(req.Family))
	default:
		return nil, sys.EINVAL
	}
	if err != nil {
		return nil, err
	}
	need := len(out)
	req.OutLen, need = uint32(need), min(need, int(req.OutLen))
	copy(arg, req.Marshal())
	return out[:need], nil
}

// request is a routing message's addresses, decoded (rt_addrinfo).
type request struct {
	msg  *sys.RtMsg
	dst  netip.Prefix // masked
	mask bool         // the message has a netmask
	gw   []byte       // the gateway, or nil
	gwIP netip.Addr   // its IP address if it has one
}

// output is route_output: it performs the request a routing message
// makes and returns the message the kernel sends back.
func (t *Table) output(cred sys.Cred, b []byte) ([]byte, error) {
	m, n, err := sys.ParseRtMsg(b)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, sys.EINVAL
	}
	if m.Addrs[sys.RTAX_DST] == nil {
		return nil, sys.EINVAL
	}
	// kauth(9): RTM_GET is the only request anybody may make.
	if m.Hdr.Type != sys.RTM_GET && !cred.Privileged() {
		return nil, sys.EACCES
	}
	r, err := decode(m)
	if err != nil {
		return nil, err
	}
	m.Hdr.Pid = cred.PID
	v := newView(t.net)

	t.mu.Lock()
	defer t.mu.Unlock()
	switch m.Hdr.Type {
	case sys.RTM_ADD:
		err = t.add(v, r)
	case sys.RTM_DELETE:
		var rt *rtentry
		if rt, err = t.delete(r); err == nil {
			return report(m, rt), nil
		}
	case sys.RTM_GET:
		rt := t.lookup(v, r.dst, r.mask)
		if rt == nil {
			return nil, sys.ESRCH
		}
		return report(m, rt), nil
	case sys.RTM_CHANGE:
		err = t.change(v, r)
	default:
		err = sys.EOPNOTSUPP
	}
	if err != nil {
		return nil, err
	}
	m.Hdr.Flags |= sys.RTF_DONE
	return m.Marshal(), nil
}

// decode reads the destination, netmask and gateway of a message.  A
// host route (RTF_HOST), or one without a netmask, has the full length.
func decode(m *sys.RtMsg) (*request, error) {
	a, err := parseAddr(m.Addrs[sys.RTAX_DST])
	if err != nil {
		return nil, err
	}
	r := &request{msg: m, gw: m.Addrs[sys.RTAX_GATEWAY]}
	bits := a.BitLen()
	if mask := m.Addrs[sys.RTAX_NETMASK]; mask != nil && m.Hdr.Flags&sys.RTF_HOST == 0 {
		if bits, err = parseMask(mask, a.BitLen()/8); err != nil {
			return nil, err
		}
		r.mask = true
	}
	r.dst = netip.PrefixFrom(a, bits).Masked()
	if r.gw != nil {
		switch family(r.gw) {
		case sys.AF_INET, sys.AF_INET6:
			if r.gwIP, err = parseAddr(r.gw); err != nil {
				return nil, err
			}
		case sys.AF_LINK:
		default:
			return nil, sys.EAFNOSUPPORT
		}
	}
	return r, nil
}

// add is rtrequest1(RTM_ADD).
func (t *Table) add(v view, r *request) error {
	if r.gw == nil {
		return sys.EINVAL
	}
	if r.gwIP.IsValid() && r.gwIP.Is4() != r.dst.Addr().Is4() {
		// Linux has no such route to mirror it onto.
		return sys.EAFNOSUPPORT
	}
	flags := r.msg.Hdr.Flags | sys.RTF_UP
	ifa, err := t.getifa(v, r, flags)
	if err != nil {
		return err
	}
	if t.exact(v, r.dst) != nil {
		return sys.EEXIST
	}
	if len(t.routes) >= MaxRoutes {
		return sys.ENOBUFS
	}
	if ifa.ifp.Detached() {
		return sys.ENETUNREACH
	}
	rt := &rtentry{
		dst: r.dst, gateway: r.gw, gwAddr: r.gwIP,
		flags: flags &^ (sys.RTF_DONE | sys.RTF_MASK), ifa: ifa,
	}
	setMetrics(&rt.rmx, r.msg)
	if err := t.install(rt); err != nil {
		return err
	}
	t.routes = append(t.routes, rt)
	return nil
}

// delete is rtrequest1(RTM_DELETE): the route to exactly the
// destination and mask goes.
func (t *Table) delete(r *request) (*rtentry, error) {
	i := slices.IndexFunc(t.routes, func(rt *rtentry) bool { return rt.dst == r.dst })
	if i < 0 {
		if t.exact(newView(t.net), r.dst) != nil {
			return nil, sys.EBUSY // a connected route: it goes with its address
		}
		return nil, sys.ESRCH
	}
	rt := t.routes[i]
	t.uninstall(rt)
	t.routes = slices.Delete(t.routes, i, i+1)
	return rt, nil
}

// PRESERVED_RTF are the flags RTM_CHANGE keeps from the route.
const PRESERVED_RTF = sys.RTF_UP | sys.RTF_GATEWAY | sys.RTF_HOST | sys.RTF_DONE | sys.RTF_MASK

// change is route_output's RTM_CHANGE.
func (t *Table) change(v view, r *request) error {
	rt := t.lookup(v, r.dst, r.mask)
	if rt == nil || rt.dst.Addr() != r.dst.Addr() {
		return sys.ESRCH
	}
	if !r.mask && !rt.isHost() {
		return sys.ETOOMANYREFS
	}
	if rt.connected {
		return sys.EBUSY
	}
	m := r.msg
	nrt := *rt
	if r.gw != nil {
		if r.gwIP.IsValid() && r.gwIP.Is4() != rt.dst.Addr().Is4() {
			return sys.EAFNOSUPPORT
		}
		nrt.gateway, nrt.gwAddr = r.gw, r.gwIP
	}
	// The interface: named by -ifp, else found from -ifa or the new
	// gateway (rt_getifa: none of this kernel's is ENETUNREACH);
	// without any of them, it stays.
	switch a, hasIfa := ifaArg(v, m); {
	case m.Addrs[sys.RTAX_IFP] != nil:
		ifp := v.byLink(m.Addrs[sys.RTAX_IFP])
		if ifp == nil {
			return sys.ENETUNREACH
		}
		nrt.ifa = ofIfpForAddr(ifp, rt.dst.Addr())
		if hasIfa && a.ifp == ifp {
			nrt.ifa = a
		}
	case hasIfa:
		nrt.ifa = a
	case m.Addrs[sys.RTAX_IFA] != nil:
		return sys.ENETUNREACH
	case r.gw != nil:
		if nrt.ifa, hasIfa = t.ifaWithRoute(v, rt.flags, rt.dst.Addr(), r); !hasIfa {
			return sys.ENETUNREACH
		}
	}
	setMetrics(&nrt.rmx, m)
	if nrt.flags != m.Hdr.Flags {
		nrt.flags = m.Hdr.Flags&^PRESERVED_RTF | nrt.flags&PRESERVED_RTF
	}
	nrt.rmx.Locks &^= uint64(m.Hdr.Inits)
	nrt.rmx.Locks |= uint64(m.Hdr.Inits) & m.Hdr.Rmx.Locks
	if err := t.reinstall(rt, &nrt); err != nil {
		return err
	}
	*rt = nrt
	return nil
}

// ifaArg is the interface address an RTA_IFA names, if it names one.
func ifaArg(v view, m *sys.RtMsg) (ifaddr, bool) {
	if m.Addrs[sys.RTAX_IFA] == nil {
		return ifaddr{}, false
	}
	a, err := parseAddr(m.Addrs[sys.RTAX_IFA])
	if err != nil {
		return ifaddr{}, false
	}
	return v.withAddr(a)
}

// setMetrics is rt_setmetrics: the metrics rtm_inits names are taken
// from the message.
func setMetrics(rmx *sys.RtMetrics, m *sys.RtMsg) {
	in, which := &m.Hdr.Rmx, m.Hdr.Inits
	for _, f := range []struct {
		bit      int32
		dst, src *uint64
	}{
		{sys.RTV_RPIPE, &rmx.Recvpipe, &in.Recvpipe},
		{sys.RTV_SPIPE, &rmx.Sendpipe, &in.Sendpipe},
		{sys.RTV_SSTHRESH, &rmx.Ssthresh, &in.Ssthresh},
		{sys.RTV_RTT, &rmx.RTT, &in.RTT},
		{sys.RTV_RTTVAR, &rmx.RTTVar, &in.RTTVar},
		{sys.RTV_HOPCOUNT, &rmx.Hopcount, &in.Hopcount},
		{sys.RTV_MTU, &rmx.MTU, &in.MTU},
	} {
		if which&f.bit != 0 {
			*f.dst = *f.src
		}
	}
	if which&sys.RTV_EXPIRE != 0 {
		rmx.Expire = in.Expire
	}
}

// getifa is rt_getifa: the interface and address a new route goes out
// with.  No interface of this kernel is ENETUNREACH.
func (t *Table) getifa(v view, r *request, flags int32) (ifaddr, error) {
	m := r.msg
	var ifp *ifnet.Interface
	if sa := m.Addrs[sys.RTAX_IFP]; sa != nil && family(sa) == sys.AF_LINK {
		ifp = v.byLink(sa)
	}
	ifa, ok := ifaArg(v, m)
	if !ok {
		switch {
		case ifp != nil && r.gwIP.IsValid():
			ifa, ok = ofIfpForAddr(ifp, r.gwIP), true
		case ifp != nil:
			ifa, ok = ofIfpForAddr(ifp, r.dst.Addr()), true
		default:
			ifa, ok = t.ifaWithRoute(v, flags, r.dst.Addr(), r)
		}
	}
	if !ok {
		return ifaddr{}, sys.ENETUNREACH
	}
	if ifp != nil && ifa.ifp != ifp {
		ifa = ofIfpForAddr(ifp, r.dst.Addr())
	}
	if !ifa.addr.IsValid() || ifa.addr.Is4() != r.dst.Addr().Is4() {
		// The address of the route's family, if the interface has one.
		ifa = ofIfpForAddr(ifa.ifp, r.dst.Addr())
	}
	return ifa, nil
}

// ifaWithRoute is ifa_ifwithroute: for a route straight to an
// interface, the address of this host the gateway is; else the address
// whose subnet holds the gateway; for a link-level gateway the interface
// it names; else the interface of a route to the gateway that is not
// itself through a gateway.
func (t *Table) ifaWithRoute(v view, flags int32, dst netip.Addr, r *request) (ifaddr, bool) {
	if !r.gwIP.IsValid() {
		if ifp := v.byLink(r.gw); ifp != nil {
			return ofIfpForAddr(ifp, dst), true
		}
		return ifaddr{}, false
	}
	if flags&sys.RTF_GATEWAY == 0 {
		if ifa, ok := v.withAddr(r.gwIP); ok {
			return ifa, true
		}
	}
	if ifa, ok := v.withNet(r.gwIP); ok {
		return ifa, true
	}
	if rt := t.lookup(v, netip.PrefixFrom(r.gwIP, r.gwIP.BitLen()), false); rt != nil && rt.flags&sys.RTF_GATEWAY == 0 {
		return rt.ifa, true
	}
	return ifaddr{}, false
}

// all returns every route: those route(8) added, then the connected
// routes of the interfaces that are up, one per prefix (the first
// address's), none where an added route has the same destination.
func (t *Table) all(v view) []*rtentry {
	out := append([]*rtentry(nil), t.routes...)
	for _, ifp := range v {
		if ifp.Flags()&sys.IFF_UP == 0 {
			continue
		}
		for _, ifa := range addrs(ifp) {
			if ifa.bits >= ifa.addr.BitLen() {
				continue
			}
			dst := netip.PrefixFrom(ifa.addr, ifa.bits).Masked()
			if slices.ContainsFunc(out, func(rt *rtentry) bool { return rt.dst == dst }) {
				continue
			}
			out = append(out, &rtentry{
				dst: dst, gateway: indexSockaddr(ifp),
				flags: sys.RTF_UP | sys.RTF_CONNECTED, ifa: ifa, connected: true,
			})
		}
	}
	return out
}

// exact finds the route to exactly dst.
func (t *Table) exact(v view, dst netip.Prefix) *rtentry {
	for _, rt := range t.all(v) {
		if rt.dst == dst {
			return rt
		}
	}
	return nil
}

// isHost reports whether rt is a host route: one without a mask.
func (rt *rtentry) isHost() bool { return rt.dst.Bits() == rt.dst.Addr().BitLen() }

// lookup is rtrequest1(RTM_GET): with a mask, the route to exactly dst;
// without, the most specific route whose destination holds dst's
// address (rt_lookup, rn_match).
func (t *Table) lookup(v view, dst netip.Prefix, mask bool) *rtentry {
	if mask {
		return t.exact(v, dst)
	}
	var best *rtentry
	for _, rt := range t.all(v) {
		if rt.dst.Contains(dst.Addr()) && (best == nil || rt.dst.Bits() > best.dst.Bits()) {
			best = rt
		}
	}
	return best
}

// report is the message for a route found (RTM_GET) or deleted: its
// destination, gateway and mask, and when the request asked for them
// (RTA_IFP, RTA_IFA) its interface and local address, with RTF_DONE.
// As rtm_setmetrics, it copies the metrics but not the locks.
func report(req *sys.RtMsg, rt *rtentry) []byte {
	out := &sys.RtMsg{Hdr: req.Hdr}
	fillAddrs(out, rt, req.Hdr.Addrs&(sys.RTA_IFP|sys.RTA_IFA) != 0)
	out.Hdr.Flags = rt.flags | sys.RTF_DONE
	locks := out.Hdr.Rmx.Locks
	out.Hdr.Rmx = rt.rmx
	out.Hdr.Rmx.Locks = locks
	return out.Marshal()
}

// fillAddrs puts a route's addresses into a message (rt_msg2).
func fillAddrs(m *sys.RtMsg, rt *rtentry, withIf bool) {
	m.Addrs = [sys.RTAX_MAX][]byte{}
	m.Addrs[sys.RTAX_DST] = sockaddrOf(rt.dst.Addr())
	m.Addrs[sys.RTAX_GATEWAY] = rt.gateway
	if !rt.isHost() {
		m.Addrs[sys.RTAX_NETMASK] = maskSockaddr(rt.dst.Bits(), rt.dst.Addr().Is4())
	}
	if withIf {
		m.Addrs[sys.RTAX_IFP] = linkSockaddr(rt.ifa.ifp)
		m.Addrs[sys.RTAX_IFA] = rt.ifa.sockaddr()
		m.Hdr.Index = uint16(rt.ifa.ifp.Index())
	}
}

// dump is sysctl's NET_RT_DUMP: one RTM_GET message per route of the
// family (all for AF_UNSPEC), as sysctl_dumpentry makes them.
func (t *Table) dump(af int) ([]byte, error) {
	switch af {
	case sys.AF_UNSPEC, sys.AF_INET, sys.AF_INET6:
	default:
		return nil, nil
	}
	v := newView(t.net)
	t.mu.Lock()
	defer t.mu.Unlock()
	rts := t.all(v)
	slices.SortStableFunc(rts, func(a, b *rtentry) int {
		if c := cmp.Compare(b2i(!a.dst.Addr().Is4()), b2i(!b.dst.Addr().Is4())); c != 0 {
			return c
		}
		if c := a.dst.Addr().Compare(b.dst.Addr()); c != 0 {
			return c
		}
		return cmp.Compare(b.dst.Bits(), a.dst.Bits())
	})
	var out []byte
	for _, rt := range rts {
		if af == sys.AF_INET && !rt.dst.Addr().Is4() || af == sys.AF_INET6 && rt.dst.Addr().Is4() {
			continue
		}
		m := &sys.RtMsg{Hdr: sys.RtMsghdr{Version: sys.RTM_VERSION, Type: sys.RTM_GET, Flags: rt.flags, Rmx: rt.rmx}}
		fillAddrs(m, rt, true)
		out = append(out, m.Marshal()...)
	}
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
