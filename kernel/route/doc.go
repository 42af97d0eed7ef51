// Package route is the emulated kernel's routing table: NetBSD's routing
// socket (sys/net/rtsock.c, route_output) over rtrequest1 (sys/net/route.c)
// in miniature, for the routes route(8) makes through the kernel's own
// interfaces, the wg ones.  Requests come as NetBSD's routing messages
// (an rt_msghdr and its socket addresses) in sys.NBWG_ROUTE, and every
// route is mirrored into the Linux routing table of the network
// namespace, through the interface's host device, so that Linux sends
// the packets it matches to the tunnel.
//
// NetBSD behaviour kept here:
//   - RTM_ADD needs a destination and a gateway (EINVAL); a route to a
//     destination and mask already there is EEXIST; the interface comes
//     from -ifp (a link-level address naming it), else from the gateway
//     (rt_getifa, ifa_ifwithroute): an address of this host for a route
//     straight to an interface (RTF_GATEWAY clear), an address inside one
//     of its interfaces' subnets, an interface named by a link-level
//     gateway, or the interface of a non-gateway route to the gateway; no
//     interface is ENETUNREACH.  The destination is masked.
//   - RTM_DELETE removes the route to exactly that destination and mask;
//     RTM_GET finds the most specific route to an address (or exactly a
//     destination and mask when the message has one) and reports it with
//     its interface and local address; RTM_CHANGE changes the gateway,
//     interface, metrics and the flags outside PRESERVED_RTF of exactly
//     one route (ESRCH, or ETOOMANYREFS when no mask is given for a
//     network route).  A route that is not there is ESRCH.
//   - only the superuser changes the table (kauth: EACCES); anybody may
//     ask (RTM_GET, and the dump).
//   - routes through an interface stay while it is down and go when it is
//     destroyed (if_detach).
//   - the dump (NET_RT_DUMP) lists the routes as RTM_GET messages, IPv4
//     before IPv6, each family in address order, longer prefixes of the
//     same address first (the radix tree's order).
//
// The table also lists, read-only, the routes Linux has for each address
// prefix of an interface that is up (NetBSD's connected routes, flags
// UP|CONNECTED, gateway link#index), so that route get and route show
// describe the tunnel's own subnets as NetBSD would.  Deleting or changing
// one is EBUSY ("entry in use"): it goes with its address (ifconfig).
// NetBSD's local routes (each address of this host through lo0) and
// multicast routes are not listed; there is no lo0 here.
//
// Mirroring: a route is in the Linux table while its interface is up
// (Linux drops the routes of a device that goes down; they come back
// when the interface comes up again).  A route Linux refuses (a gateway
// not on the link, a route Linux already has to the same destination)
// is refused with Linux's errno, and the table is left as it was.
// RTF_REJECT becomes an unreachable route, RTF_BLACKHOLE a blackhole one;
// the MTU metric becomes the route's mtu.  Other metrics are kept and
// reported but not used, and routes never expire.
//
// Locking: Table.mu guards the routes.  Requests read the interface list
// (ifnet.Net.Interfaces) before taking it; ifnet's events arrive with the
// interface table locked and take Table.mu after it.  Lock order:
// ifnet.Net.mu -> Table.mu.
package route
