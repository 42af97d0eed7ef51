package wg

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nbwg/kernel/klog"
	"nbwg/kernel/udp"
	"nbwg/kernel/udp/udptest"
	"nbwg/kernel/wg/clock"
	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/noise"
	"nbwg/kernel/wg/ratelimiter"
	"nbwg/kernel/wg/wire"
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

type injected struct {
	data []byte
	from netip.AddrPort
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

// junkInitiation is an initiation for responderPub whose mac1 is valid
// and whose content is noise: it passes the cheap check and costs the
// responder a Curve25519 operation before its static key fails to open.
func junkInitiation(responderPub []byte, i int) []byte {
	var g cookie.Generator
	g.Init([32]byte(responderPub))
	msg := make([]byte, wire.MessageInitiationSize)
	binary.LittleEndian.PutUint32(msg, uint32(wire.TypeInitiation))
	binary.LittleEndian.PutUint32(msg[4:], uint32(i))
	for j := 8; j < 8+wire.KeySize; j++ {
		msg[j] = byte(i*31 + j)
	}
	g.AddMACs(msg, time.Time{})
	return msg
}

// TestHandshakeFloodFromOneSource: while one source floods A with
// initiations that carry a valid mac1 (10,000 of them), B, from another
// source, still completes its handshake on its first initiation.  The
// per-source limiter lets 5 of the flood through (the clock is frozen,
// so the bucket never refills) and drops the rest before they reach the
// handshake queue, so the queue never backs up and A never goes under
// load.  Without the limiter the flood fills the queue: B's initiation
// is dropped or answered with a cookie, and the fake clock never lets B
// retry.
func TestHandshakeFloodFromOneSource(t *testing.T) {
	binds := udptest.NewChannelBinds()
	ib := newInjectBind(binds[0])
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, b := newPairOver(t, ib, binds[1], nil, nil, nil, clk)
	a.dev.params.Debug.Store(DebugLog)

	const flood = 10_000
	attacker := netip.MustParseAddrPort("198.51.100.7:5555")
	msgs := make([][]byte, 64)
	for i := range msgs {
		msgs[i] = junkInitiation(a.pub, i)
	}
	done := make(chan struct{})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(done)
		for i := range flood {
			select {
			case ib.In <- injected{data: msgs[i%len(msgs)], from: attacker}:
			case <-stop:
				return
			}
		}
	}()
	waitFor(t, "the flood to start", func() bool { return ib.Read.Load() >= flood/5 })
	b.tun.Inbound <- ping
	expect(t, a.tun, ping, 10*time.Second)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the flood did not finish")
	}
	waitFor(t, "A to read the whole flood", func() bool { return ib.Read.Load() == flood })
	// Positive evidence that the flood was received and refused, not
	// lost on the way: every message but the first burst was counted.
	st := &a.dev.stats
	waitFor(t, "A to count the flood", func() bool { return st.ratelimited.Load() == flood-ratelimiter.PacketsBurstable })
	if n := st.handshakeQueueFull.Load(); n != 0 {
		t.Errorf("%d handshake messages dropped for a full queue, want none", n)
	}
	if n := st.invalidMAC1.Load(); n != 0 {
		t.Errorf("%d messages with a bad mac1, want none", n)
	}
	// The flood did not become a log flood: a burst of lines, then
	// silence (the count of the rest waits for the next such message).
	lines := 0
	for _, m := range a.dev.log.Messages() {
		if strings.Contains(m, "initiation from "+attacker.String()+": rate limited") {
			lines++
		}
	}
	if lines == 0 || lines > klog.DefaultBurst {
		t.Errorf("%d log lines about the flood, want 1 to %d", lines, klog.DefaultBurst)
	}
}

// TestCookieRepliesRateLimited: under load, a flood of initiations
// without mac2 from one source earns that source one burst of cookie
// replies, no more ([W] 5.3; a cookie reply is work and traffic too); a
// genuine peer elsewhere gets its cookie and then its session.
func TestCookieRepliesRateLimited(t *testing.T) {
	binds := udptest.NewChannelBinds()
	ib := newInjectBind(binds[0])
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, b := newPairOver(t, ib, binds[1], nil, nil, nil, clk)
	a.dev.params.ForceUnderload.Store(true)

	const flood = 1000
	attacker := netip.MustParseAddrPort("[2001:db8:bad::7]:5555")
	msg := junkInitiation(a.pub, 1)
	for range flood {
		ib.In <- injected{data: msg, from: attacker}
	}
	st := &a.dev.stats
	waitFor(t, "A to refuse the flood", func() bool {
		return st.ratelimited.Load()+st.cookieRepliesSent.Load() == flood
	})
	if n := st.cookieRepliesSent.Load(); n != ratelimiter.PacketsBurstable {
		t.Errorf("%d cookie replies sent to one source, want %d", n, ratelimiter.PacketsBurstable)
	}
	// B, from its own address, is answered with a cookie, and its
	// retry after REKEY_TIMEOUT carries mac2.
	b.tun.Inbound <- ping
	waitFor(t, "A's cookie reply to B", func() bool { return st.cookieRepliesSent.Load() == ratelimiter.PacketsBurstable+1 })
	advance(clk, noise.RekeyTimeout+time.Second)
	expect(t, a.tun, ping, 5*time.Second)
}

// TestSpoofedFloodUnderLoad: under load, initiations from more sources
// than the limiter's table holds (each source spoofed, as a flood's can
// be: they never return a cookie) do not lock a genuine peer out.  Its
// first initiation still gets a cookie reply, although the cookie
// limiter's table is full, and its retry, proven by mac2, is counted in
// the handshake limiter, which the spoofed sources never entered.
func TestSpoofedFloodUnderLoad(t *testing.T) {
	binds := udptest.NewChannelBinds()
	ib := newInjectBind(binds[0])
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, b := newPairOver(t, ib, binds[1], nil, nil, nil, clk)
	a.dev.params.ForceUnderload.Store(true)

	const flood = ratelimiter.MaxEntries + 5000
	msg := junkInitiation(a.pub, 1)
	go func() {
		for i := range flood {
			src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 5555)
			select {
			case ib.In <- injected{data: msg, from: src}:
			case <-time.After(10 * time.Second):
				return // the test has failed and gone
			}
		}
	}()
	st := &a.dev.stats
	waitFor(t, "A to answer the flood", func() bool { return st.cookieRepliesSent.Load() == flood })
	if n := a.dev.cookieLimiter.Len(); n != ratelimiter.MaxEntries {
		t.Errorf("cookie limiter tracks %d sources, want a full table (%d)", n, ratelimiter.MaxEntries)
	}
	if n := a.dev.hsLimiter.Len(); n != 0 {
		t.Errorf("handshake limiter tracks %d sources; none proved itself", n)
	}
	b.tun.Inbound <- ping
	waitFor(t, "A's cookie reply to B", func() bool { return st.cookieRepliesSent.Load() == flood+1 })
	advance(clk, noise.RekeyTimeout+time.Second)
	expect(t, a.tun, ping, 5*time.Second)
}

// TestRebindDuringCookieFlood: the listen port changes (wg set
// listen-port, WG_IOCTL_SET_LISTEN_PORT) while a receiver answers a
// flood with cookie replies.  Closing the sockets waits for the
// receivers while it holds the sockets' lock, so a receiver must never
// wait for that lock: it deadlocked (the cleanup of
// TestSpoofedFloodUnderLoad hung for ever when that test was slow).
func TestRebindDuringCookieFlood(t *testing.T) {
	binds := udptest.NewChannelBinds()
	ib := newInjectBind(binds[0])
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, _ := newPairOver(t, ib, binds[1], nil, nil, nil, clk)
	a.dev.params.ForceUnderload.Store(true)
	msg := junkInitiation(a.pub, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 5555)
			select {
			case ib.In <- injected{data: msg, from: src}:
			case <-stop:
				return
			}
		}
	}()
	waitFor(t, "cookie replies", func() bool { return a.dev.stats.cookieRepliesSent.Load() > 100 })
	done := make(chan error, 1)
	go func() {
		for i := range 300 {
			if err := a.dev.bindPort(uint16(2000 + i%2)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("rebinding during the flood did not finish within 60 s: deadlocked")
	}
}
