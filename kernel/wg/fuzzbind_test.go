package wg

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"nbwg/kernel/udp"
	"nbwg/kernel/udp/udptest"
)

// injectBind is a ChannelBind with one more socket: datagrams a test
// puts on In arrive there with the source it names, as from a third
// host on the wire (an attacker, say).
type injectBind struct {
	*udptest.ChannelBind
	In chan injected
	// Read counts the datagrams the device has taken from In.
	Read atomic.Int64

	mu     sync.Mutex
	closed chan struct{} // of the current Open; nil when closed
}

var _ udp.Bind = (*injectBind)(nil)

func newInjectBind(b udp.Bind) *injectBind {
	return &injectBind{ChannelBind: b.(*udptest.ChannelBind), In: make(chan injected, 64)}
}

func (b *injectBind) Open(port uint16) ([]udp.ReceiveFunc, uint16, error) {
	fns, actual, err := b.ChannelBind.Open(port)
	if err != nil {
		return nil, 0, err
	}
	closed := make(chan struct{})
	b.mu.Lock()
	b.closed = closed
	b.mu.Unlock()
	return append(fns, func(bufs [][]byte, sizes []int, eps []netip.AddrPort) (int, error) {
		var d injected
		select {
		case <-closed:
			return 0, net.ErrClosed
		case d = <-b.In:
		}
		n := 0
		for {
			sizes[n], eps[n] = copy(bufs[n], d.data), d.from
			n++
			b.Read.Add(1)
			if n == len(bufs) {
				return n, nil
			}
			select {
			case d = <-b.In:
			default:
				return n, nil
			}
		}
	}), actual, nil
}

func (b *injectBind) Close() error {
	b.mu.Lock()
	if b.closed != nil {
		close(b.closed)
		b.closed = nil
	}
	b.mu.Unlock()
	return b.ChannelBind.Close()
}
