//go:build linux

package netlink

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// AddRoute adds r to the main table, like "ip route add"; a route that
// is there already (same destination, and for IPv6 the same metric)
// gives an error wrapping unix.EEXIST.
func AddRoute(r Route) error {
	return routeRequest("add", unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL, r)
}

// ReplaceRoute adds r or replaces the route to the same destination,
// like "ip route replace".
func ReplaceRoute(r Route) error {
	return routeRequest("replace", unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, r)
}

// DelRoute deletes the route to r.Dst through r.Index (any interface
// when 0), like "ip route del"; a missing route gives an error wrapping
// unix.ESRCH.
func DelRoute(r Route) error {
	return routeRequest("delete", unix.RTM_DELROUTE, 0, r)
}

func routeRequest(verb string, typ, flags uint16, r Route) error {
	op := fmt.Sprintf("%s route %s", verb, r)
	if err := checkRoute(r); err != nil {
		return &Error{Op: op, Err: err}
	}
	_, err := request(op, typ, flags, func(m *builder) { buildRoute(m, r, typ == unix.RTM_DELROUTE) })
	return err
}

// checkRoute rejects what the kernel would misread.
func checkRoute(r Route) error {
	a := r.Dst.Addr()
	switch {
	case !r.Dst.IsValid() || a.Is4In6() || a.Zone() != "":
		return fmt.Errorf("destination %s: %w", r.Dst, unix.EINVAL)
	case r.Gateway.IsValid() && (r.Gateway.Is4() != a.Is4() || r.Gateway.Is4In6()):
		return fmt.Errorf("gateway %s for %s: %w", r.Gateway, r.Dst, unix.EINVAL)
	case r.Index < 0 || r.Index > 1<<31-1:
		return fmt.Errorf("interface index %d: %w", r.Index, unix.EINVAL)
	case r.Type != Unicast && r.Type != Blackhole && r.Type != Unreachable:
		return fmt.Errorf("route type %d: %w", r.Type, unix.EINVAL)
	}
	return nil
}

// buildRoute fills in an RTM_NEWROUTE or RTM_DELROUTE body: an rtmsg for
// the main table, then the destination, gateway, interface and metrics.
// Routes are "proto static", as iproute2 marks routes an administrator
// adds; a route without a gateway has scope link, as "ip route add ...
// dev" gives it.  A delete names only what selects the route.
func buildRoute(m *builder, r Route, del bool) {
	family := uint8(unix.AF_INET6)
	if r.Dst.Addr().Is4() {
		family = unix.AF_INET
	}
	scope := uint8(unix.RT_SCOPE_UNIVERSE)
	if r.Type == Unicast && !r.Gateway.IsValid() {
		scope = unix.RT_SCOPE_LINK
	}
	protocol := uint8(unix.RTPROT_STATIC)
	if del {
		// Match any scope and protocol.
		scope, protocol = unix.RT_SCOPE_NOWHERE, 0
	}
	var h [unix.SizeofRtMsg]byte
	h[0], h[1] = family, uint8(r.Dst.Bits())
	h[4], h[5], h[6], h[7] = unix.RT_TABLE_MAIN, protocol, scope, uint8(r.Type)
	m.b = append(m.b, h[:]...)
	m.attr(unix.RTA_DST, r.Dst.Masked().Addr().AsSlice())
	if r.Gateway.IsValid() {
		m.attr(unix.RTA_GATEWAY, r.Gateway.AsSlice())
	}
	if r.Index != 0 {
		m.attrU32(unix.RTA_OIF, uint32(r.Index))
	}
	if !del && r.MTU != 0 {
		m.begin(unix.RTA_METRICS)
		if r.LockMTU {
			m.attrU32(unix.RTAX_LOCK, 1<<unix.RTAX_MTU)
		}
		m.attrU32(unix.RTAX_MTU, r.MTU)
		m.end()
	}
}
