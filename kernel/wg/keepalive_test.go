package wg

import (
	"net/netip"
	"testing"
	"time"

	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
	"nbwg/kernel/tun/tuntest"
	"nbwg/kernel/wg/wire"
)

// transports counts the transport messages (data and keepalives) h sent.
func transports(h *host) int {
	n := 0
	for _, typ := range h.wire.sentTypes() {
		if typ == wire.TypeTransport {
			n++
		}
	}
	return n
}

func setKeepalive(t *testing.T, h *host, peer string, sec uint16) {
	t.Helper()
	d := prop.NewDictionary()
	d.SetString(sys.WGKeyName, peer)
	d.SetUint16(sys.WGKeyPersistentKeepalive, sec)
	if err := set(h.net, root, sys.WG_IOCTL_NBWG_SET_PEER, d); err != nil {
		t.Fatal(err)
	}
}

// TestPersistentKeepalive: with an interval set, a keepalive goes at once
// and then whenever nothing was sent to the peer for the interval; off,
// none goes.
func TestPersistentKeepalive(t *testing.T) {
	a, b, clk := fakePair(t, nil)
	established(t, a, b)
	// Past the passive keepalive and the new-handshake timers of the
	// ping: a quiet tunnel.
	advance(t, a, clk, 20*time.Second)
	quiet := transports(a)
	advance(t, a, clk, 30*time.Second)
	if n := transports(a) - quiet; n != 0 {
		t.Fatalf("A sent %d transport messages in a quiet tunnel without keepalive", n)
	}

	base := transports(a)
	setKeepalive(t, a, "B", 5)
	settle(t, a)
	if n := transports(a) - base; n != 1 {
		t.Fatalf("setting the keepalive sent %d messages, want one at once", n)
	}
	advance(t, a, clk, 4900*time.Millisecond)
	if n := transports(a) - base; n != 1 {
		t.Errorf("%d messages within the first interval, want only the first", n)
	}
	advance(t, a, clk, 200*time.Millisecond)
	if n := transports(a) - base; n != 2 {
		t.Errorf("%d messages after one interval, want 2", n)
	}
	advance(t, a, clk, 30*time.Second)
	if n := transports(a) - base; n != 8 {
		t.Errorf("%d messages after 7 intervals, want 8", n)
	}
	// Data sent counts as the keepalive: no keepalive while A sends
	// more often than the interval.
	sent := transports(a)
	toB := tuntest.Ping(netip.MustParseAddr("10.2.0.1"), netip.MustParseAddr("10.2.0.42"))
	for range 5 {
		a.input(toB)
		expect(t, b.tun, toB)
		advance(t, a, clk, 3*time.Second)
	}
	if n := transports(a) - sent; n != 5 {
		t.Errorf("A sent %d transport messages for 5 pings 3 s apart, want 5 (no keepalive)", n)
	}

	setKeepalive(t, a, "B", 0)
	settle(t, a)
	off := transports(a)
	advance(t, a, clk, 30*time.Second)
	if n := transports(a) - off; n != 0 {
		t.Errorf("%d messages with the keepalive off", n)
	}
}
