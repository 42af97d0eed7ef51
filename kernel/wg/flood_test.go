package wg

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"nbwg/kernel/klog"
	"nbwg/kernel/wg/clock"
	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/noise"
	"nbwg/kernel/wg/ratelimiter"
	"nbwg/kernel/wg/wire"
)

// junkInitiation is an initiation for responderPub whose mac1 is valid
// and whose content is noise: it passes the cheap check and costs the
// responder a Curve25519 operation before its static key fails to open.
func junkInitiation(t *testing.T, responderPub []byte, i int) []byte {
	t.Helper()
	var g cookie.Generator
	g.Init([32]byte(responderPub))
	msg := make([]byte, wire.MessageInitiationSize)
	binary.LittleEndian.PutUint32(msg, uint32(wire.TypeInitiation))
	binary.LittleEndian.PutUint32(msg[4:], uint32(i))
	for j := 8; j < 8+wire.KeySize; j++ {
		msg[j] = byte(i*31 + j)
	}
	if err := g.AddMACs(msg, time.Time{}); err != nil {
		t.Fatal(err)
	}
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
	binds := newTestBinds()
	ib := binds[0]
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, b := newPairOver(t, binds, nil, nil, nil, clk)
	a.dev.params.Debug.Store(DebugLog)

	const flood = 10_000
	attacker := netip.MustParseAddrPort("198.51.100.7:5555")
	msgs := make([][]byte, 64)
	for i := range msgs {
		msgs[i] = junkInitiation(t, a.pub, i)
	}
	done := make(chan struct{})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(done)
		for i := range flood {
			if !ib.inject(msgs[i%len(msgs)], attacker, stop) {
				return
			}
		}
	}()
	waitFor(t, "the flood to start", func() bool { return ib.injectedRead.Load() >= flood/5 })
	b.input(ping)
	expect(t, a.tun, ping)
	waitCount(t, "A to read the whole flood", flood, ib.injectedRead.Load)
	<-done
	// Positive evidence that the flood was received and refused, not
	// lost on the way: every message but the first burst was counted.
	st := &a.dev.stats
	waitCount(t, "A to count the flood", flood-ratelimiter.PacketsBurstable, st.ratelimited.Load)
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
	binds := newTestBinds()
	ib := binds[0]
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, b := newPairOver(t, binds, nil, nil, nil, clk)
	a.dev.params.ForceUnderload.Store(true)

	const flood = 1000
	attacker := netip.MustParseAddrPort("[2001:db8:bad::7]:5555")
	msg := junkInitiation(t, a.pub, 1)
	for range flood {
		ib.inject(msg, attacker, nil)
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
	b.input(ping)
	waitFor(t, "A's cookie reply to B", func() bool { return st.cookieRepliesSent.Load() == ratelimiter.PacketsBurstable+1 })
	advance(t, a, clk, noise.RekeyTimeout+time.Second)
	expect(t, a.tun, ping)
}

// TestSpoofedFloodUnderLoad: under load, initiations from more sources
// than the limiter's table holds (each source spoofed, as a flood's can
// be: they never return a cookie) do not lock a genuine peer out.  Its
// first initiation still gets a cookie reply, although the cookie
// limiter's table is full, and its retry, proven by mac2, is counted in
// the handshake limiter, which the spoofed sources never entered.
func TestSpoofedFloodUnderLoad(t *testing.T) {
	binds := newTestBinds()
	ib := binds[0]
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, b := newPairOver(t, binds, nil, nil, nil, clk)
	a.dev.params.ForceUnderload.Store(true)

	const flood = ratelimiter.MaxEntries + 5000
	msg := junkInitiation(t, a.pub, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := range flood {
			src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 5555)
			if !ib.inject(msg, src, stop) {
				return // the test has failed and gone
			}
		}
	}()
	st := &a.dev.stats
	waitCount(t, "A to answer the flood", flood, st.cookieRepliesSent.Load)
	if n := a.dev.cookieLimiter.Len(); n != ratelimiter.MaxEntries {
		t.Errorf("cookie limiter tracks %d sources, want a full table (%d)", n, ratelimiter.MaxEntries)
	}
	if n := a.dev.hsLimiter.Len(); n != 0 {
		t.Errorf("handshake limiter tracks %d sources; none proved itself", n)
	}
	b.input(ping)
	waitFor(t, "A's cookie reply to B", func() bool { return st.cookieRepliesSent.Load() == flood+1 })
	advance(t, a, clk, noise.RekeyTimeout+time.Second)
	expect(t, a.tun, ping)
}
