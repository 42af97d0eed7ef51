//go:build linux

package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// socketBufferSize is asked for both socket buffers. A tunnel moving
// gigabits needs more than the default net.core.rmem_default; without
// CAP_NET_ADMIN the kernel caps it at net.core.rmem_max, which is fine.
const socketBufferSize = 7 << 20

// socket is one bound UDP socket of a Bind. Its file descriptor is
// non-blocking and in the Go runtime poller, reached through rc.
type socket struct {
	conn *net.UDPConn
	rc   syscall.RawConn
	is6  bool

	recvMu sync.Mutex // guards recv; a ReceiveFunc is not reentrant
	recv   *mmsgBatch

	sendPool sync.Pool // of *mmsgBatch; Send may run concurrently
}

// listen opens and binds the socket of one family ("udp4" or "udp6").
func listen(network string, port uint16) (*socket, error) {
	is6 := network == "udp6"
	host := "0.0.0.0"
	if is6 {
		host = "::"
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		cerr := c.Control(func(fd uintptr) { err = setSockopts(int(fd), is6) })
		return errors.Join(cerr, err)
	}}
	pc, err := lc.ListenPacket(context.Background(), network, net.JoinHostPort(host, strconv.Itoa(int(port))))
	if err != nil {
		return nil, err
	}
	conn := pc.(*net.UDPConn)
	rc, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return nil, err
	}
	s := &socket{conn: conn, rc: rc, is6: is6, recv: newBatch(IdealBatchSize, 0)}
	s.sendPool.New = func() any { return newBatch(IdealBatchSize, 0) }
	return s, nil
}

// setSockopts runs before bind(2).
func setSockopts(fd int, is6 bool) error {
	// Best effort: the *FORCE variants pass rmem_max/wmem_max only with
	// CAP_NET_ADMIN; the plain ones are capped silently.
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, socketBufferSize)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, socketBufferSize)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, socketBufferSize)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, socketBufferSize)
	if is6 {
		// The IPv4 socket has the port for IPv4; IPv6 must not claim
		// IPv4-mapped traffic (NetBSD's wg binds two sockets the same way).
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1); err != nil {
			return os.NewSyscallError("setsockopt IPV6_V6ONLY", err)
		}
	}
	return nil
}

func (s *socket) port() uint16 {
	if a, ok := s.conn.LocalAddr().(*net.UDPAddr); ok {
		return uint16(a.Port)
	}
	return 0
}

func (s *socket) close() error { return s.conn.Close() }

// closedError maps the poller's "use of closed network connection" (which
// is net.ErrClosed) and anything else from rc.Read/rc.Write.
func closedError(op string, err error) error {
	if errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("udp: %s: %w", op, net.ErrClosed)
	}
	return fmt.Errorf("udp: %s: %w", op, err)
}

// receive is the ReceiveFunc of the socket.
func (s *socket) receive(bufs [][]byte, sizes []int, eps []netip.AddrPort) (int, error) {
	if len(bufs) == 0 || len(sizes) < len(bufs) || len(eps) < len(bufs) {
		return 0, fmt.Errorf("udp: receive: %d buffers, %d sizes, %d endpoints: %w", len(bufs), len(sizes), len(eps), unix.EINVAL)
	}
	s.recvMu.Lock()
	defer s.recvMu.Unlock()
	b := s.recv
	count := min(len(bufs), len(b.msgs))
	for i := range count {
		setIov(&b.iovs[i], bufs[i])
		b.msgs[i] = unix.Mmsghdr{Hdr: unix.Msghdr{
			Name:    &b.names[i][0],
			Namelen: uint32(len(b.names[i])),
			Iov:     &b.iovs[i],
		}}
		b.msgs[i].Hdr.SetIovlen(1)
	}
	defer b.clear(count)

	var (
		n    int
		rerr error
	)
	err := s.rc.Read(func(fd uintptr) bool {
		n, rerr = recvmmsg(int(fd), b.msgs[:count], 0)
		return rerr != unix.EAGAIN
	})
	if err != nil {
		return 0, closedError("receive", err)
	}
	if rerr != nil {
		return 0, fmt.Errorf("udp: receive: %w", os.NewSyscallError("recvmmsg", rerr))
	}
	for i := range n {
		m := &b.msgs[i]
		ep, ok := decodeSockaddr(&b.names[i])
		sizes[i], eps[i] = int(m.Len), ep
		if !ok || m.Hdr.Flags&unix.MSG_TRUNC != 0 {
			sizes[i] = 0 // truncated or from a foreign family: drop
		}
	}
	return n, nil
}

// send sends every buffer to ep, a batch of sendmmsg at a time. It stops at
// the first datagram the kernel refuses.
func (s *socket) send(bufs [][]byte, ep netip.AddrPort) error {
	b := s.sendPool.Get().(*mmsgBatch)
	defer s.sendPool.Put(b)
	namelen, err := encodeSockaddr(&b.names[0], ep, s.is6)
	if err != nil {
		return fmt.Errorf("udp: send to %s: %w", ep, err)
	}
	for len(bufs) > 0 {
		count := min(len(bufs), len(b.msgs))
		for i := range count {
			setIov(&b.iovs[i], bufs[i])
			b.msgs[i] = unix.Mmsghdr{Hdr: unix.Msghdr{
				Name:    &b.names[0][0],
				Namelen: namelen,
				Iov:     &b.iovs[i],
			}}
			b.msgs[i].Hdr.SetIovlen(1)
		}
		err := s.sendmmsg(b.msgs[:count])
		b.clear(count)
		if err != nil {
			return fmt.Errorf("udp: send to %s: %w", ep, err)
		}
		bufs = bufs[count:]
	}
	return nil
}

// sendmmsg sends all msgs, waiting in the poller while the socket buffer
// is full.
func (s *socket) sendmmsg(msgs []unix.Mmsghdr) error {
	for len(msgs) > 0 {
		var (
			n    int
			serr error
		)
		err := s.rc.Write(func(fd uintptr) bool {
			n, serr = sendmmsg(int(fd), msgs, 0)
			return serr != unix.EAGAIN
		})
		if err != nil {
			return closedError("send", err)
		}
		if serr != nil {
			return os.NewSyscallError("sendmmsg", serr)
		}
		msgs = msgs[n:]
	}
	return nil
}
