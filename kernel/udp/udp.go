// Package udp is the emulated kernel's UDP transport for WireGuard: the
// pair of sockets that NetBSD's if_wg opens with wg_socreate and binds with
// wg_bind_port (one IPv4, one IPv6, same port), shaped for batches as
// wireguard-go's conn.Bind is.
//
// On Linux, [NewBind] returns a Bind on two non-blocking UDP sockets read
// with recvmmsg(2) and written with sendmmsg(2), using UDP_SEGMENT and
// UDP_GRO where the kernel has them (NewPlainBind does without); on other
// systems Open fails with an error wrapping errors.ErrUnsupported. Package udptest has
// in-memory Binds wired back to back for tests.
//
// Endpoints are netip.AddrPort values. Received IPv4-mapped IPv6 addresses
// are unmapped (a peer prints as 192.0.2.1:1234), and a Send to an
// IPv4-mapped address goes out on the IPv4 socket. An IPv6 link-local
// endpoint carries its interface as a numeric zone ("[fe80::1%3]:51820");
// Send also accepts an interface name as zone.
package udp

import (
	"errors"
	"net/netip"
)

// IdealBatchSize is the number of packets a Linux Bind moves per system
// call at most, as in wireguard-go (conn.IdealBatchSize).
const IdealBatchSize = 128

// ReceiveFunc waits for at least one datagram on one socket of a Bind and
// reads up to len(bufs) of them (at most BatchSize). Datagram i is then
// bufs[i][:sizes[i]] and its sender eps[i]; it returns the number of
// elements of bufs, sizes and eps to look at. len(sizes) and len(eps)
// must be at least len(bufs), and each bufs[i] should hold the largest
// datagram expected (65535 bytes to be safe).
//
// A datagram is received into bufs[i], or, where the socket receives
// many datagrams into a buffer of its own (UDP GRO), bufs[i] is replaced
// by the slice of that buffer which holds it: no copy.  Such a slice is
// valid until the next call, and the caller passes its own buffers
// again each time.
//
// sizes[i] may be 0 for a datagram that was dropped, for example because
// it was truncated; callers skip those. A ReceiveFunc must not be called
// concurrently with itself; the functions of one Bind may run concurrently
// with each other. After the Bind is closed it returns an error wrapping
// net.ErrClosed; any other error may be transient.
type ReceiveFunc func(bufs [][]byte, sizes []int, eps []netip.AddrPort) (n int, err error)

// Bind is a pair of UDP sockets, IPv4 and IPv6, on one port.
type Bind interface {
	// Open binds an IPv4 socket and an IPv6 socket (IPV6_V6ONLY) to port on
	// all addresses. With port 0 the kernel chooses, and Open retries until
	// both families get the same port. It returns one ReceiveFunc per
	// socket and the port bound. A family the host lacks (EAFNOSUPPORT) is
	// skipped; other errors, such as unix.EADDRINUSE, are returned so that
	// errors.Is sees the errno. Open on an open Bind returns
	// ErrBindAlreadyOpen.
	Open(port uint16) (fns []ReceiveFunc, actualPort uint16, err error)

	// Close closes both sockets. ReceiveFuncs blocked in or called after
	// Close return net.ErrClosed, as does Send. The Bind may be opened
	// again. Close on a closed Bind returns nil.
	Close() error

	// Send sends every bufs[i] as one datagram to ep, on the IPv4 or IPv6
	// socket as ep's address requires. len(bufs) may exceed BatchSize.
	// Send neither modifies nor retains bufs and may be called
	// concurrently. The error, if any, keeps the errno (unix.ENETUNREACH,
	// unix.EMSGSIZE, ...); a family not open gives unix.EAFNOSUPPORT.
	Send(bufs [][]byte, ep netip.AddrPort) error

	// BatchSize is the number of buffers a caller should pass to a
	// ReceiveFunc, and the preferred number per Send.
	BatchSize() int
}

// Marker is a Bind that can mark its packets for policy routing (Linux's
// SO_MARK, WireGuard's fwmark).
type Marker interface {
	// SetMark marks the packets of the open sockets and of those opened
	// later with mark; 0 removes the mark.
	SetMark(mark uint32) error
}

// ErrBindAlreadyOpen is returned by Open on a Bind that is open.
var ErrBindAlreadyOpen = errors.New("udp: bind already open")
