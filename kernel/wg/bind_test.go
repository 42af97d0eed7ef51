package wg

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
	"nbwg/kernel/tun/tuntest"
)

// busyBind is a test Bind on a host where some ports are taken by
// another program: opening one of them fails with EADDRINUSE, as bind(2)
// does.  It counts the opens, to tell a no-op from a rebind.
type busyBind struct {
	*testBind

	mu    sync.Mutex
	busy  map[uint16]bool
	opens int
}

func newBusyBind(tb *testBind, busy ...uint16) *busyBind {
	b := &busyBind{testBind: tb, busy: map[uint16]bool{}}
	for _, p := range busy {
		b.busy[p] = true
	}
	tb.beforeOpen = func(port uint16) error {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.opens++
		if b.busy[port] {
			return fmt.Errorf("busybind: bind port %d: %w", port, unix.EADDRINUSE)
		}
		return nil
	}
	return b
}

func (b *busyBind) take(port uint16) {
	b.mu.Lock()
	b.busy[port] = true
	b.mu.Unlock()
}

func (b *busyBind) openCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opens
}

// setPort is wgconfig's "set listen-port" as the carrier answers it: the
// errno the caller sees.
func setPort(h *host, port uint16) sys.Errno {
	return sys.ErrnoOf(set(h.net, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(uint64(port)))), sys.EINVAL)
}

// listenPort is the listen_port of a GET, 0 when absent.
func listenPort(t *testing.T, h *host) uint16 {
	t.Helper()
	p, _ := get(t, h.net, root).GetUint16("listen_port")
	return p
}

// TestListenPortRebind checks bindPort, nbwg's departure from NetBSD
// (whose wg_bind_port cannot rebind a bound socket: EINVAL, divergences
// row 6; wgconfig.8 documents nbwg's behaviour): the same port again is a
// no-op, a new port replaces the old, and a port in use is EADDRINUSE and
// keeps the old binding, over which traffic still flows both ways.
func TestListenPortRebind(t *testing.T) {
	binds := newTestBinds()
	bindA := newBusyBind(binds[0], 4321)
	a := newHost(t, bindA.testBind, 0xa0, nil, nil)
	b := newHost(t, binds[1], 0xb0, nil, nil)
	a.addPeer(t, "B", b.pub, nil, netip.AddrPort{}, "10.2.0.42/32")

	if got := setPort(a, 1234); got != 0 {
		t.Fatalf("set listen-port 1234: %v", got)
	}
	b.addPeer(t, "A", a.pub, nil, bindA.Endpoint(false), "10.2.0.1/32")
	toA := tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1"))
	toB := tuntest.Ping(netip.MustParseAddr("10.2.0.1"), netip.MustParseAddr("10.2.0.42"))
	both := func() {
		t.Helper()
		b.tun.Inbound <- toA
		expect(t, a.tun, toA)
		a.tun.Inbound <- toB
		expect(t, b.tun, toB)
	}
	both()
	opens := bindA.openCount()

	// The same port: nothing is closed or opened.
	if got := setPort(a, 1234); got != 0 {
		t.Errorf("set listen-port 1234 again: %v", got)
	}
	if n := bindA.openCount(); n != opens {
		t.Errorf("the same port again opened the sockets %d more times", n-opens)
	}

	// A new port replaces the old: 1234 no longer receives.
	if got := setPort(a, 1235); got != 0 {
		t.Fatalf("set listen-port 1235: %v", got)
	}
	if ep := bindA.Endpoint(false); ep.Port() != 1235 {
		t.Errorf("bound to %v after set listen-port 1235", ep)
	}
	if p := listenPort(t, a); p != 1235 {
		t.Errorf("GET listen_port %d, want 1235", p)
	}
	_, droppedBefore := b.bind.Stats()
	if err := b.bind.Send([][]byte{[]byte("x")}, netip.MustParseAddrPort("192.0.2.1:1234")); err != nil {
		t.Fatal(err)
	}
	if _, dropped := b.bind.Stats(); dropped != droppedBefore+1 {
		t.Errorf("a datagram to the old port 1234 was delivered")
	}
	// A speaks first from its new port; B follows it there ([W] 6.5
	// roaming), so both directions work again.
	a.tun.Inbound <- toB
	expect(t, b.tun, toB)
	b.tun.Inbound <- toA
	expect(t, a.tun, toA)

	// A port in use: EADDRINUSE, and 1235 stays.
	if got := setPort(a, 4321); got != sys.EADDRINUSE {
		t.Errorf("set listen-port 4321 (in use): %v, want EADDRINUSE", got)
	}
	if ep := bindA.Endpoint(false); ep.Port() != 1235 {
		t.Errorf("bound to %v after a failed rebind, want port 1235", ep)
	}
	if p := listenPort(t, a); p != 1235 {
		t.Errorf("GET listen_port %d after a failed rebind, want 1235", p)
	}
	both()
	for _, m := range a.dev.log.Messages() {
		if strings.Contains(m, "cannot rebind") {
			t.Errorf("logged %q although the old port was had back", m)
		}
	}

	// If even the old port is taken meanwhile, the caller still gets
	// the first error and the loss is logged.
	bindA.take(1235)
	if got := setPort(a, 4321); got != sys.EADDRINUSE {
		t.Errorf("set listen-port 4321 with 1235 lost: %v, want EADDRINUSE", got)
	}
	logged := false
	for _, m := range a.dev.log.Messages() {
		if strings.Contains(m, "wg0: cannot rebind port 1235") && strings.Contains(m, "nbwgd[err]") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("losing port 1235 was not logged; log:\n%s", strings.Join(a.dev.log.Messages(), "\n"))
	}
}
