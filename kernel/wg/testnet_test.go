package wg

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"nbwg/kernel/tun/tuntest"
	"nbwg/kernel/udp"
	"nbwg/kernel/udp/udptest"
	"nbwg/kernel/wg/wire"
)

// The hosts of a test share one count of the work in flight among them
// (Device.busy): datagrams on the wire, packets written to a TUN device
// and not yet read, batches and handshake messages in the devices'
// pipelines.  Each stage counts what it causes before it releases its
// own count, so when the count is zero nothing is under way anywhere and
// nothing will happen until a timer fires: with the fake clock, only
// when the test advances it.  Tests wait for that (settle) instead of
// sleeping.
//
// A datagram or packet a device reads is released when the device asks
// for the next ones: by then it has handled the batch and counted what
// the batch caused.

// testBind is a ChannelBind that counts what crosses it, drops all it
// sends while muted (a silent host), records the type of each message
// it sends, and has one more socket: datagrams a test injects arrive
// there with the source the test names, as from a third host (an
// attacker, say).
type testBind struct {
	*udptest.ChannelBind
	work *atomic.Int64

	// sendMu makes Send's count of the datagrams the wire dropped exact.
	sendMu sync.Mutex
	muted  atomic.Bool
	types  []wire.Type // guarded by sendMu
	// afterSend, when set (before any traffic), is called after each
	// Send has delivered, by the sending goroutine.
	afterSend func(bufs [][]byte)

	in chan injected
	// injectedRead counts the datagrams the device has taken from the
	// injection socket.
	injectedRead atomic.Int64

	mu     sync.Mutex
	closed chan struct{} // of the current Open; nil when closed
	// gate, when set, holds each injected datagram the device has
	// taken until the gate is closed.
	gate chan struct{}
	// beforeOpen, when set (before the device opens the bind), may
	// refuse an Open, as bind(2) refuses a port in use.
	beforeOpen func(port uint16) error
}

type injected struct {
	data []byte
	from netip.AddrPort
}

var _ udp.Bind = (*testBind)(nil)

// newTestBinds returns two Binds connected to each other, sharing one
// count of work.
func newTestBinds() [2]*testBind {
	work := new(atomic.Int64)
	cb := udptest.NewChannelBinds()
	var out [2]*testBind
	for i := range out {
		out[i] = &testBind{ChannelBind: cb[i].(*udptest.ChannelBind), work: work, in: make(chan injected, 64)}
	}
	return out
}

// Send sends to the other side, counting each datagram until the
// receiving device has handled it; the wire's drops are not counted.
func (b *testBind) Send(bufs [][]byte, ep netip.AddrPort) error {
	err := b.send(bufs, ep)
	if b.afterSend != nil {
		b.afterSend(bufs)
	}
	return err
}

func (b *testBind) send(bufs [][]byte, ep netip.AddrPort) error {
	b.sendMu.Lock()
	defer b.sendMu.Unlock()
	for _, m := range bufs {
		typ, err := wire.PeekType(m)
		if err != nil {
			typ = 0 // not a WireGuard message: recorded as type 0
		}
		b.types = append(b.types, typ)
	}
	if b.muted.Load() {
		return nil // lost on the way
	}
	b.work.Add(int64(len(bufs)))
	_, before := b.ChannelBind.Stats()
	err := b.ChannelBind.Send(bufs, ep)
	_, after := b.ChannelBind.Stats()
	lost := after - before
	if err != nil {
		lost = len(bufs)
	}
	b.work.Add(-int64(lost))
	return err
}

// sentTypes returns the types of the messages sent so far.
func (b *testBind) sentTypes() []wire.Type {
	b.sendMu.Lock()
	defer b.sendMu.Unlock()
	return append([]wire.Type(nil), b.types...)
}

// inject queues a datagram for the injection socket; it reports false
// if stop came first.
func (b *testBind) inject(data []byte, from netip.AddrPort, stop <-chan struct{}) bool {
	b.work.Add(1)
	select {
	case b.in <- injected{data: data, from: from}:
		return true
	case <-stop:
		b.work.Add(-1)
		return false
	}
}

func (b *testBind) Open(port uint16) ([]udp.ReceiveFunc, uint16, error) {
	if b.beforeOpen != nil {
		if err := b.beforeOpen(port); err != nil {
			return nil, 0, err
		}
	}
	fns, actual, err := b.ChannelBind.Open(port)
	if err != nil {
		return nil, 0, err
	}
	closed := make(chan struct{})
	b.mu.Lock()
	b.closed = closed
	b.mu.Unlock()
	fns = append(fns, func(bufs [][]byte, sizes []int, eps []netip.AddrPort) (int, error) {
		var d injected
		select {
		case <-closed:
			return 0, net.ErrClosed
		case d = <-b.in:
		}
		b.injectedRead.Add(1)
		b.mu.Lock()
		gate := b.gate
		b.mu.Unlock()
		if gate != nil {
			<-gate
		}
		n := 0
		for {
			sizes[n], eps[n] = copy(bufs[n], d.data), d.from
			n++
			if n == len(bufs) {
				return n, nil
			}
			select {
			case d = <-b.in:
				b.injectedRead.Add(1)
			default:
				return n, nil
			}
		}
	})
	for i, fn := range fns {
		fns[i] = b.counted(fn)
	}
	return fns, actual, nil
}

// counted releases the datagrams one call of fn returned at the next
// call, when the device has handled them.  Each ReceiveFunc has one
// caller, so held needs no lock.
func (b *testBind) counted(fn udp.ReceiveFunc) udp.ReceiveFunc {
	held := 0
	return func(bufs [][]byte, sizes []int, eps []netip.AddrPort) (int, error) {
		b.work.Add(-int64(held))
		n, err := fn(bufs, sizes, eps)
		held = n
		return n, err
	}
}

func (b *testBind) Close() error {
	b.mu.Lock()
	if b.closed != nil {
		close(b.closed)
		b.closed = nil
	}
	b.mu.Unlock()
	return b.ChannelBind.Close()
}

// testTUN is a ChannelTUN whose reads are counted: host.input counts a
// packet when it writes it, Read releases it at the next call.
type testTUN struct {
	*tuntest.ChannelTUN
	work *atomic.Int64
	held int // by the device's one reader
}

func (c *testTUN) Read(bufs [][]byte, sizes []int, offset int) (int, error) {
	c.work.Add(-int64(c.held))
	n, err := c.ChannelTUN.Read(bufs, sizes, offset)
	c.held = n
	if errors.Is(err, io.ErrShortBuffer) {
		c.work.Add(-1) // the packet that did not fit was dropped
	}
	return n, err
}

// input writes a packet into h's tunnel, as h's stack routing it there.
func (h *host) input(pkt []byte) {
	h.work.Add(1)
	h.tun.Inbound <- pkt
}

// settle waits until nothing is under way among the hosts sharing h's
// wire.
func settle(t *testing.T, h *host) {
	t.Helper()
	waitFor(t, "the hosts to settle", func() bool { return h.work.Load() == 0 })
}

// nothingDelivered asserts, once the hosts have settled, that h's tunnel
// delivered no packet.
func nothingDelivered(t *testing.T, h *host) {
	t.Helper()
	settle(t, h)
	select {
	case got := <-h.tun.Outbound:
		t.Fatalf("unexpected packet % x", got)
	default:
	}
}
