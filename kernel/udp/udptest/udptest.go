// Package udptest provides in-memory udp.Binds wired back to back, for
// tests of the WireGuard device without sockets or root.
//
// The two Binds of NewChannelBinds act as two hosts on one wire. Each has
// an IPv4 and an IPv6 address (192.0.2.1 and 2001:db8::1 for the first,
// .2 and ::2 for the second) and, once open, a port. A datagram sent to the
// other side's address and port is delivered to its receive function of
// that family; anything else is dropped, as the Internet would. The sender
// address the receiver sees is the sender's own address and port, unless
// SetSource changed it: that is how a test simulates a peer roaming or a
// NAT rebinding.
package udptest

import (
	"fmt"
	"net"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"

	"nbwg/kernel/udp"
)

var _ udp.Bind = (*ChannelBind)(nil)

// queueLen is how many datagrams wait per family before more are dropped.
const queueLen = 1024

// ChannelBind is one end of a pair made by NewChannelBinds.
type ChannelBind struct {
	peer  *ChannelBind
	addr4 netip.Addr
	addr6 netip.Addr
	// nextPort is the port Open(0) chooses, distinct for the two ends.
	nextPort uint16

	mu     sync.Mutex // guards the fields below
	open   *session   // nil when closed
	source netip.AddrPort
	sent   int
	drops  int
}

// session is one Open..Close period; receive functions keep theirs, so
// after Close they see it closed even if the Bind is opened again.
type session struct {
	port   uint16
	rx4    chan datagram
	rx6    chan datagram
	closed chan struct{}
}

type datagram struct {
	data []byte
	from netip.AddrPort
}

// NewChannelBinds returns two Binds connected to each other.
func NewChannelBinds() [2]udp.Bind {
	a := &ChannelBind{addr4: netip.MustParseAddr("192.0.2.1"), addr6: netip.MustParseAddr("2001:db8::1"), nextPort: 10001}
	b := &ChannelBind{addr4: netip.MustParseAddr("192.0.2.2"), addr6: netip.MustParseAddr("2001:db8::2"), nextPort: 10002}
	a.peer, b.peer = b, a
	return [2]udp.Bind{a, b}
}

// Endpoint returns the address and port at which the other side reaches
// this Bind: IPv6 when v6 is set, else IPv4. The port is 0 while closed.
func (c *ChannelBind) Endpoint(v6 bool) netip.AddrPort {
	c.mu.Lock()
	defer c.mu.Unlock()
	var port uint16
	if c.open != nil {
		port = c.open.port
	}
	if v6 {
		return netip.AddrPortFrom(c.addr6, port)
	}
	return netip.AddrPortFrom(c.addr4, port)
}

// SetSource makes the other side see src as the sender of every datagram
// this Bind sends from now on. The zero AddrPort restores the default, the
// Bind's own address and port. A source of the other family than the
// destination is still delivered: it models translation on the path.
func (c *ChannelBind) SetSource(src netip.AddrPort) {
	c.mu.Lock()
	c.source = src
	c.mu.Unlock()
}

// Stats returns how many datagrams Send accepted and how many of those were
// dropped (no such destination, destination closed, or queue full).
func (c *ChannelBind) Stats() (sent, dropped int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent, c.drops
}

// Open opens both families on port, or a fixed port per Bind (10001,
// 10002) when port is 0.
func (c *ChannelBind) Open(port uint16) ([]udp.ReceiveFunc, uint16, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open != nil {
		return nil, 0, udp.ErrBindAlreadyOpen
	}
	if port == 0 {
		port = c.nextPort
	}
	s := &session{
		port:   port,
		rx4:    make(chan datagram, queueLen),
		rx6:    make(chan datagram, queueLen),
		closed: make(chan struct{}),
	}
	c.open = s
	return []udp.ReceiveFunc{s.receiver(s.rx4), s.receiver(s.rx6)}, port, nil
}

// receiver returns the ReceiveFunc for one family's queue.
func (s *session) receiver(q chan datagram) udp.ReceiveFunc {
	return func(bufs [][]byte, sizes []int, eps []netip.AddrPort) (int, error) {
		if len(bufs) == 0 || len(sizes) < len(bufs) || len(eps) < len(bufs) {
			return 0, fmt.Errorf("udptest: receive: %d buffers, %d sizes, %d endpoints: %w", len(bufs), len(sizes), len(eps), unix.EINVAL)
		}
		var d datagram
		select {
		case <-s.closed:
			return 0, fmt.Errorf("udptest: receive: %w", net.ErrClosed)
		case d = <-q:
		}
		n := 0
		for {
			// Too long for the buffer: dropped, size 0, as a truncated
			// datagram from a real socket.
			sizes[n], eps[n] = 0, d.from
			if len(d.data) <= len(bufs[n]) {
				sizes[n] = copy(bufs[n], d.data)
			}
			n++
			if n == len(bufs) {
				return n, nil
			}
			select {
			case d = <-q:
			default:
				return n, nil
			}
		}
	}
}

// Close closes the Bind; receive functions return net.ErrClosed.
func (c *ChannelBind) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open != nil {
		close(c.open.closed)
		c.open = nil
	}
	return nil
}

// Send copies each datagram to the other side when ep is its address and
// port in the family of ep, and drops it otherwise.
func (c *ChannelBind) Send(bufs [][]byte, ep netip.AddrPort) error {
	if !ep.IsValid() {
		return fmt.Errorf("udptest: send to %s: %w", ep, unix.EDESTADDRREQ)
	}
	ep = netip.AddrPortFrom(ep.Addr().Unmap(), ep.Port())
	c.mu.Lock()
	if c.open == nil {
		c.mu.Unlock()
		return fmt.Errorf("udptest: send to %s: %w", ep, net.ErrClosed)
	}
	from := c.source
	if !from.IsValid() {
		from = netip.AddrPortFrom(c.addr4, c.open.port)
		if ep.Addr().Is6() {
			from = netip.AddrPortFrom(c.addr6, c.open.port)
		}
	}
	c.sent += len(bufs)
	c.mu.Unlock()

	delivered := c.peer.deliver(bufs, ep, from)
	c.mu.Lock()
	c.drops += len(bufs) - delivered
	c.mu.Unlock()
	return nil
}

// deliver queues copies of bufs if ep names this Bind, and returns how many
// it queued.
func (c *ChannelBind) deliver(bufs [][]byte, ep, from netip.AddrPort) int {
	c.mu.Lock()
	s := c.open
	c.mu.Unlock()
	if s == nil || ep.Port() != s.port {
		return 0
	}
	var q chan datagram
	switch ep.Addr().WithZone("") {
	case c.addr4:
		q = s.rx4
	case c.addr6:
		q = s.rx6
	default:
		return 0
	}
	n := 0
	for _, b := range bufs {
		select {
		case q <- datagram{data: append([]byte(nil), b...), from: from}:
			n++
		default: // queue full: UDP drops
		}
	}
	return n
}

// BatchSize returns 16.
func (c *ChannelBind) BatchSize() int { return 16 }
