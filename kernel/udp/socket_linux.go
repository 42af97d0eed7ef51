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
	"sync/atomic"
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

	// gso: send with UDP_SEGMENT. Cleared for good if the kernel says
	// the route cannot do it (EIO: no checksum offload on the device).
	gso atomic.Bool
	// gro: UDP_GRO is on, so receives go through internal buffers.
	gro bool
	// sticky remembers the local address each remote wrote to, to
	// answer from it (sticky_linux.go); nil when the Bind does not.
	sticky *stickyTable

	recvMu sync.Mutex // guards recv, rxBufs, rxq; a ReceiveFunc is not reentrant
	recv   *mmsgBatch
	rxBufs [][]byte // with gro: groBuffers buffers of groBufSize
	rxq    rxQueue

	sendPool sync.Pool // of *sendState; Send may run concurrently

	stats socketStats
}

// socketStats count what the offloads did, for tests and benchmarks.
type socketStats struct {
	gsoMessages atomic.Uint64 // messages sent with UDP_SEGMENT
	groMessages atomic.Uint64 // messages received coalesced
}

// sendState is the scratch space of one Send.
type sendState struct {
	b    *mmsgBatch
	runs []run
}

// offloads are the Bind's wishes; the kernel has the last word.  sticky
// is not an offload, but a wish of the same kind: answer from the
// address written to.
type offloads struct{ gso, gro, sticky bool }

// listen opens and binds the socket of one family ("udp4" or "udp6").
func listen(network string, port uint16, want offloads, mark uint32) (*socket, error) {
	is6 := network == "udp6"
	host := "0.0.0.0"
	if is6 {
		host = "::"
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		cerr := c.Control(func(fd uintptr) {
			err = setSockopts(int(fd), is6, mark)
			if err == nil && want.sticky {
				err = os.NewSyscallError("setsockopt PKTINFO", enablePktinfo(int(fd), is6))
			}
		})
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
	s := &socket{conn: conn, rc: rc, is6: is6}
	var gso, gro bool
	if err := rc.Control(func(fd uintptr) { gso, gro = probeOffloads(int(fd), want) }); err != nil {
		conn.Close()
		return nil, err
	}
	s.gso.Store(gso)
	s.gro = gro
	if want.sticky {
		s.sticky = &stickyTable{}
	}
	s.recv = newBatch(IdealBatchSize, groCmsgSpace+pktinfoCmsgSpace)
	if gro {
		s.rxBufs = make([][]byte, groBuffers)
		for i := range s.rxBufs {
			s.rxBufs[i] = make([]byte, groBufSize)
		}
		s.rxq.msgs = make([]rxMsg, 0, groBuffers)
	}
	s.sendPool.New = func() any {
		return &sendState{b: newBatch(IdealBatchSize, gsoCmsgSpace+pktinfoCmsgSpace), runs: make([]run, 0, IdealBatchSize)}
	}
	return s, nil
}

// setSockopts runs before bind(2).
func setSockopts(fd int, is6 bool, mark uint32) error {
	// Best effort: the *FORCE variants pass rmem_max/wmem_max only with
	// CAP_NET_ADMIN; the plain ones are capped silently.
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, socketBufferSize)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, socketBufferSize)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, socketBufferSize)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, socketBufferSize)
	if mark != 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_MARK, int(mark)); err != nil {
			return os.NewSyscallError("setsockopt SO_MARK", err)
		}
	}
	if is6 {
		// The IPv4 socket has the port for IPv4; IPv6 must not claim
		// IPv4-mapped traffic (NetBSD's wg binds two sockets the same way).
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1); err != nil {
			return os.NewSyscallError("setsockopt IPV6_V6ONLY", err)
		}
	}
	return nil
}

// probeOffloads turns on what the kernel supports of want.
func probeOffloads(fd int, want offloads) (gso, gro bool) {
	if want.gso {
		// Readable since UDP_SEGMENT exists (Linux 4.18).
		_, err := unix.GetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_SEGMENT)
		gso = err == nil
	}
	if want.gro && unix.SetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_GRO, 1) == nil {
		// Linux before 5.12 sets UDP_GRO but cannot read it back. Only a
		// confirmed setting is used; otherwise it is turned off again, as
		// coalesced datagrams taken for single ones would be garbage.
		v, err := unix.GetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_GRO)
		gro = err == nil && v == 1
		if !gro {
			_ = unix.SetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_GRO, 0)
		}
	}
	return gso, gro
}

func (s *socket) port() uint16 {
	if a, ok := s.conn.LocalAddr().(*net.UDPAddr); ok {
		return uint16(a.Port)
	}
	return 0
}

func (s *socket) close() error { return s.conn.Close() }

// setMark sets SO_MARK (0 clears it).
func (s *socket) setMark(mark uint32) error {
	var err error
	if cerr := s.rc.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, int(mark))
	}); cerr != nil {
		return cerr
	}
	return os.NewSyscallError("setsockopt SO_MARK", err)
}

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
	if !s.gro {
		n, err := s.recvmmsg(bufs)
		if err != nil {
			return 0, err
		}
		for i := range n {
			size, from, ok := s.recv.received(i)
			if !ok {
				size = 0 // dropped, as ReceiveFunc documents
			}
			sizes[i], eps[i] = size, from
			s.learn(i, from)
		}
		return n, nil
	}
	// With GRO one message may hold up to 64 KiB of datagrams: receive
	// into our own buffers and hand out the datagrams, keeping what does
	// not fit for the next call.
	if s.rxq.empty() {
		n, err := s.recvmmsg(s.rxBufs)
		if err != nil {
			return 0, err
		}
		s.rxq.msgs, s.rxq.next, s.rxq.off = s.rxq.msgs[:0], 0, 0
		for i := range n {
			size, from, ok := s.recv.received(i)
			if !ok {
				continue
			}
			s.learn(i, from)
			gsoSize := groSize(s.recv.control(i)[:s.recv.msgs[i].Hdr.Controllen])
			if gsoSize > 0 && gsoSize < size {
				s.stats.groMessages.Add(1)
			}
			s.rxq.msgs = append(s.rxq.msgs, rxMsg{data: s.rxBufs[i][:size], gsoSize: gsoSize, from: from})
		}
		if s.rxq.empty() {
			// Everything was dropped; report one empty slot rather than
			// block again, so the caller sees the contract's size 0.
			sizes[0], eps[0] = 0, netip.AddrPort{}
			return 1, nil
		}
	}
	return s.rxq.deliver(bufs, sizes, eps), nil
}

// learn notes, for a sticky socket, the local address message i of the
// last receive came to.
func (s *socket) learn(i int, from netip.AddrPort) {
	if s.sticky == nil {
		return
	}
	if l, ok := pktinfoDst(s.recv.control(i)[:s.recv.msgs[i].Hdr.Controllen]); ok {
		s.sticky.learn(from, l)
	}
}

// recvmmsg receives into bufs with one recvmmsg(2) and returns the
// number of messages; s.recv.received tells their lengths and senders.
func (s *socket) recvmmsg(bufs [][]byte) (int, error) {
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
		if s.gro || s.sticky != nil {
			oob := b.control(i)
			b.msgs[i].Hdr.Control = &oob[0]
			b.msgs[i].Hdr.SetControllen(len(oob))
		}
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
	return n, nil
}

// send sends every buffer to ep, IdealBatchSize datagrams per sendmmsg at
// most, grouped by UDP_SEGMENT when the socket can. It stops at the first
// datagram the kernel refuses.
func (s *socket) send(bufs [][]byte, ep netip.AddrPort) error {
	st := s.sendPool.Get().(*sendState)
	defer s.sendPool.Put(st)
	b := st.b
	namelen, err := encodeSockaddr(&b.names[0], ep, s.is6)
	if err != nil {
		return fmt.Errorf("udp: send to %s: %w", ep, err)
	}
	maxPayload := maxPayload4
	if s.is6 {
		maxPayload = maxPayload6
	}
	var src local // the address to send from; invalid: routing chooses
	if s.sticky != nil {
		src, _ = s.sticky.lookup(ep)
	}
	retryPlain := false // resend a refused GSO message datagram by datagram
	for len(bufs) > 0 {
		chunk := bufs[:min(len(bufs), len(b.iovs))]
		gso := s.gso.Load() && !retryPlain
		retryPlain = false
		st.runs = st.runs[:0]
		if gso {
			st.runs = planRuns(st.runs, chunk, maxPayload)
		} else {
			for i := range chunk {
				st.runs = append(st.runs, run{start: i, end: i + 1, gsoSize: len(chunk[i])})
			}
		}
		for i, p := range chunk {
			setIov(&b.iovs[i], p)
		}
		multi := 0
		for k, r := range st.runs {
			m := &b.msgs[k]
			*m = unix.Mmsghdr{Hdr: unix.Msghdr{Name: &b.names[0][0], Namelen: namelen, Iov: &b.iovs[r.start]}}
			m.Hdr.SetIovlen(r.end - r.start)
			oob := b.control(k)
			n := 0
			if r.end-r.start > 1 {
				n = putSegmentCmsg(oob[:gsoCmsgSpace], r.gsoSize)
				multi++
			}
			if src.addr.IsValid() {
				n += putPktinfoCmsg(oob[n:n+pktinfoCmsgSpace], src, s.is6)
			}
			if n > 0 {
				m.Hdr.Control = &oob[0]
				m.Hdr.SetControllen(n)
			}
		}
		sent, err := s.sendmmsg(b.msgs[:len(st.runs)])
		b.clear(len(chunk))
		if err != nil {
			var errno unix.Errno
			failed := st.runs[min(sent, len(st.runs)-1)]
			if src.addr.IsValid() && errors.As(err, &errno) &&
				(errno == unix.EINVAL || errno == unix.ENETUNREACH || errno == unix.EADDRNOTAVAIL) {
				// The address the peer wrote to is gone (an IPv4
				// source that is not local is ENETUNREACH, an IPv6
				// one EINVAL), or cannot reach it any more: let
				// routing choose, and resend.
				s.sticky.forget(ep)
				src = local{}
				bufs = bufs[failed.start:]
				continue
			}
			switch {
			case !gso || failed.end-failed.start == 1 || !errors.As(err, &errno):
			case errno == unix.EIO:
				// udp_send_skb: the route's device cannot checksum a GSO
				// packet. Send this and every later datagram without.
				s.gso.Store(false)
				bufs = bufs[failed.start:]
				continue
			case errno == unix.EINVAL || errno == unix.EMSGSIZE:
				// A segment larger than the path MTU allows, which plain
				// sends would fragment: retry this stretch plainly.
				bufs = bufs[failed.start:]
				retryPlain = true
				continue
			}
			return fmt.Errorf("udp: send to %s: %w", ep, err)
		}
		s.stats.gsoMessages.Add(uint64(multi))
		bufs = bufs[len(chunk):]
	}
	return nil
}

// sendmmsg sends all msgs, waiting in the poller while the socket buffer
// is full. It returns how many were sent before an error.
func (s *socket) sendmmsg(msgs []unix.Mmsghdr) (int, error) {
	sent := 0
	for sent < len(msgs) {
		var (
			n    int
			serr error
		)
		err := s.rc.Write(func(fd uintptr) bool {
			n, serr = sendmmsg(int(fd), msgs[sent:], 0)
			return serr != unix.EAGAIN
		})
		if err != nil {
			return sent, closedError("send", err)
		}
		if serr != nil {
			return sent, os.NewSyscallError("sendmmsg", serr)
		}
		sent += n
	}
	return sent, nil
}
