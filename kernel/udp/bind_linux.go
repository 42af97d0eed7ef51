//go:build linux

package udp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"
)

// NewBind returns a closed Bind on Linux UDP sockets, in the network
// namespace of the OS thread that calls Open. Send uses UDP segmentation
// offload (UDP_SEGMENT) and the receive functions UDP_GRO where the kernel
// has them: one system call and one pass through the stack per up to 64
// datagrams. Without GRO the datagrams land directly in the caller's
// buffers; with it they are received into 512 KiB of the socket's own and
// copied out.
func NewBind() Bind { return &linuxBind{want: offloads{gso: true, gro: true}} }

// NewStickyBind is NewBind whose sockets answer each remote address from
// the local address it wrote to, as wireguard-go's do (sticky_linux.go);
// NewBind's let routing choose the source, as NetBSD's wg does.
func NewStickyBind() Bind { return &linuxBind{want: offloads{gso: true, gro: true, sticky: true}} }

// NewPlainBind is NewBind without UDP_SEGMENT and UDP_GRO: every datagram
// is a message of its own in sendmmsg(2) and recvmmsg(2). It is for
// comparison and for kernels whose offloads misbehave.
func NewPlainBind() Bind { return &linuxBind{} }

type linuxBind struct {
	want offloads

	mu     sync.Mutex // guards v4, v6, mark
	v4, v6 *socket    // nil when closed or the family is missing
	mark   uint32     // SO_MARK of the sockets (SetMark)
}

// openTries bounds the search for a port free in both families.
const openTries = 100

func (b *linuxBind) Open(port uint16) ([]ReceiveFunc, uint16, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.v4 != nil || b.v6 != nil {
		return nil, 0, ErrBindAlreadyOpen
	}
	for try := 1; ; try++ {
		v4, v6, actual, err := open2(port, b.want, b.mark)
		if err == nil {
			b.v4, b.v6 = v4, v6
			var fns []ReceiveFunc
			for _, s := range []*socket{v4, v6} {
				if s != nil {
					fns = append(fns, s.receive)
				}
			}
			return fns, actual, nil
		}
		// With port 0 the kernel's choice for IPv4 may be taken for IPv6;
		// choose again.
		if port == 0 && errors.Is(err, unix.EADDRINUSE) && try < openTries {
			continue
		}
		return nil, 0, fmt.Errorf("udp: open port %d: %w", port, err)
	}
}

// open2 binds the IPv4 socket, then the IPv6 one on the same port.
func open2(port uint16, want offloads, mark uint32) (v4, v6 *socket, actual uint16, err error) {
	v4, err = listen("udp4", port, want, mark)
	switch {
	case err == nil:
		port = v4.port()
	case !errors.Is(err, unix.EAFNOSUPPORT):
		return nil, nil, 0, err
	}
	v6, err = listen("udp6", port, want, mark)
	switch {
	case err == nil:
		port = v6.port()
	case !errors.Is(err, unix.EAFNOSUPPORT):
		if v4 != nil {
			v4.close()
		}
		return nil, nil, 0, err
	}
	if v4 == nil && v6 == nil {
		return nil, nil, 0, unix.EAFNOSUPPORT
	}
	return v4, v6, port, nil
}

func (b *linuxBind) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for _, s := range []*socket{b.v4, b.v6} {
		if s != nil {
			if err := s.close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	b.v4, b.v6 = nil, nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("udp: close: %w", err)
	}
	return nil
}

func (b *linuxBind) Send(bufs [][]byte, ep netip.AddrPort) error {
	if !ep.IsValid() {
		return fmt.Errorf("udp: send to %s: %w", ep, unix.EDESTADDRREQ)
	}
	addr := ep.Addr()
	if addr.Is4In6() {
		ep = netip.AddrPortFrom(addr.Unmap(), ep.Port())
	}
	is6 := ep.Addr().Is6()
	b.mu.Lock()
	s, open := b.v4, b.v4 != nil || b.v6 != nil
	if is6 {
		s = b.v6
	}
	b.mu.Unlock()
	switch {
	case !open:
		return fmt.Errorf("udp: send to %s: %w", ep, net.ErrClosed)
	case s == nil:
		return fmt.Errorf("udp: send to %s: no socket for the family: %w", ep, unix.EAFNOSUPPORT)
	}
	return s.send(bufs, ep)
}

func (b *linuxBind) BatchSize() int { return IdealBatchSize }

// SetMark sets SO_MARK on the open sockets and remembers it for the next
// Open.  It needs CAP_NET_ADMIN.
func (b *linuxBind) SetMark(mark uint32) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range []*socket{b.v4, b.v6} {
		if s == nil {
			continue
		}
		if err := s.setMark(mark); err != nil {
			return fmt.Errorf("udp: set mark %d: %w", mark, err)
		}
	}
	b.mark = mark
	return nil
}
