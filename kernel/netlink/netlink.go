package netlink

import (
	"fmt"
	"net/netip"
)

// Addr is one interface address as the kernel reports it.
type Addr struct {
	// Prefix is the local address together with its prefix length, for
	// example 192.0.2.1/24 (not masked).
	Prefix netip.Prefix
	// Flags are the IFA_F_* flags (IFA_F_NODAD, IFA_F_TENTATIVE,
	// IFA_F_PERMANENT, ...) in their 32-bit IFA_FLAGS form.
	Flags uint32
	// Scope is the RT_SCOPE_* value (0 universe, 253 link, 254 host).
	Scope uint8
}

// Error is a failed rtnetlink operation.
type Error struct {
	// Op names the operation and its arguments, e.g. `set mtu of "wg0" to 1420`.
	Op string
	// Msg is the kernel's extended ACK text, or "" when it sent none.
	Msg string
	// Err is the cause, normally a unix.Errno from the kernel.
	Err error
}

func (e *Error) Error() string {
	s := "netlink: " + e.Op + ": " + e.Err.Error()
	if e.Msg != "" {
		s += " (" + e.Msg + ")"
	}
	return s
}

// Unwrap returns the cause so that errors.Is(err, unix.EEXIST) works.
func (e *Error) Unwrap() error { return e.Err }

// Route is one route of the main routing table as the emulated kernel
// mirrors it: "ip route add Dst [via Gateway] dev <Index>", or a route
// that discards what it matches.
type Route struct {
	// Dst is the destination prefix (masked).
	Dst netip.Prefix
	// Gateway is the next hop; the zero Addr for a route straight to
	// the interface (RTF_GATEWAY clear), whose scope is then link.
	Gateway netip.Addr
	// Index is the output interface; 0 for Type Blackhole and Unreachable.
	Index int
	// Type is what the route does with a packet.
	Type RouteType
	// MTU is the path MTU metric (RTAX_MTU), 0 for none; LockMTU locks
	// it (RTAX_LOCK), as NetBSD's -lock -mtu does.
	MTU     uint32
	LockMTU bool
}

// RouteType is a route's rtm_type.
type RouteType uint8

// The route types nbwg mirrors (RTN_* of <linux/rtnetlink.h>).
const (
	Unicast     RouteType = 1 // RTN_UNICAST: forward
	Blackhole   RouteType = 6 // RTN_BLACKHOLE: drop silently (RTF_BLACKHOLE)
	Unreachable RouteType = 7 // RTN_UNREACHABLE: drop with an ICMP unreachable (RTF_REJECT)
)

// String is the route as ip-route(8) would write it.
func (r Route) String() string {
	s := r.Dst.String()
	switch r.Type {
	case Blackhole:
		s = "blackhole " + s
	case Unreachable:
		s = "unreachable " + s
	}
	if r.Gateway.IsValid() {
		s += " via " + r.Gateway.String()
	}
	if r.Index != 0 {
		s += fmt.Sprintf(" dev #%d", r.Index)
	}
	if r.MTU != 0 {
		s += fmt.Sprintf(" mtu %d", r.MTU)
	}
	return s
}
