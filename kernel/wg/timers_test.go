package wg

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"nbwg/kernel/tun/tuntest"
	"nbwg/kernel/wg/clock"
	"nbwg/kernel/wg/noise"
)

// These tests run the [W] 6 timers on a fake clock: Advance fires them at
// once, while the pipelines still run on their goroutines, so effects are
// awaited with a bounded poll.

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// advance moves the fake clock in small steps, pausing after each so the
// pipelines (which run in real time) can answer what the timers sent;
// one big jump would fire every timer before any reply could arrive.
func advance(clk *clock.Fake, d time.Duration) {
	step := 100 * time.Millisecond
	if d > 10*time.Second {
		step = 500 * time.Millisecond
	}
	for d > 0 {
		s := min(step, d)
		clk.Advance(s)
		d -= s
		time.Sleep(time.Millisecond)
	}
}

func fakePair(t *testing.T, params *Params) (a, b *host, clk *clock.Fake) {
	t.Helper()
	clk = clock.NewFake(time.Unix(1_800_000_000, 0))
	if params == nil {
		params = NewParams()
	}
	a, b = newPair(t, nil, nil, params, clk)
	return a, b, clk
}

func (h *host) peer(other *host) *Peer { return h.dev.peerByKey([32]byte(other.pub)) }

// sent returns how many datagrams h's bind has sent.
func (h *host) sent() int {
	n, _ := h.bind.Stats()
	return n
}

var ping = tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1"))

func established(t *testing.T, a, b *host) {
	t.Helper()
	b.tun.Inbound <- ping
	expect(t, a.tun, ping, 5*time.Second)
	waitFor(t, "A to confirm the session", func() bool {
		next, _, _ := a.peer(b).remote.Keypairs()
		return next == nil && a.peer(b).remote.Current() != nil
	})
}

func TestRekeyAfterTime(t *testing.T) {
	a, b, clk := fakePair(t, nil)
	established(t, a, b)
	first := b.peer(a).remote.Current()
	if !first.IsInitiator() {
		t.Fatal("B should be the initiator")
	}
	// Before REKEY_AFTER_TIME the session stays.
	advance(clk, noise.RekeyAfterTime-time.Second)
	b.tun.Inbound <- ping
	expect(t, a.tun, ping, 5*time.Second)
	if b.peer(a).remote.Current() != first {
		t.Fatal("rekeyed before REKEY_AFTER_TIME")
	}
	// After it, the next packet the initiator sends starts a handshake.
	advance(clk, 2*time.Second)
	b.tun.Inbound <- ping
	expect(t, a.tun, ping, 5*time.Second)
	waitFor(t, "a new session", func() bool { return b.peer(a).remote.Current() != first })
}

func TestRekeyAfterTimeFollowsSysctl(t *testing.T) {
	p := NewParams()
	p.rekeyAfterTime.Store(3) // sysctl -w net.wg.rekey_after_time=3
	a, b, clk := fakePair(t, p)
	established(t, a, b)
	first := b.peer(a).remote.Current()
	advance(clk, 4*time.Second)
	b.tun.Inbound <- ping
	expect(t, a.tun, ping, 5*time.Second)
	waitFor(t, "a new session after 3 s", func() bool { return b.peer(a).remote.Current() != first })
}

func TestRejectAfterTime(t *testing.T) {
	a, b, clk := fakePair(t, nil)
	established(t, a, b)
	first := b.peer(a).remote.Current()
	// Past REJECT_AFTER_TIME the old keys may not send at all: the
	// packet waits for a new handshake, then goes.
	advance(clk, noise.RejectAfterTime+time.Second)
	if b.dev.usable(first, clk.Now()) {
		t.Fatal("keypair still usable after REJECT_AFTER_TIME")
	}
	b.tun.Inbound <- ping
	expect(t, a.tun, ping, 5*time.Second)
	if b.peer(a).remote.Current() == first {
		t.Fatal("packet sent under an expired keypair")
	}
}

func TestKeysErasedAfterThreeRejectAfterTime(t *testing.T) {
	a, b, clk := fakePair(t, nil)
	established(t, a, b)
	advance(clk, 3*noise.RejectAfterTime+time.Second)
	waitFor(t, "keys erased on both sides", func() bool {
		nb, cb, pb := b.peer(a).remote.Keypairs()
		na, ca, pa := a.peer(b).remote.Keypairs()
		return nb == nil && cb == nil && pb == nil && na == nil && ca == nil && pa == nil
	})
}

func TestHandshakeGivesUp(t *testing.T) {
	// NetBSD's wg_handshake_timeout: rekey_timeout=3, rekey_attempt_time=8
	// → exactly three initiations, then silence.
	p := NewParams()
	p.rekeyTimeout.Store(3)
	p.rekeyAttemptTime.Store(8)
	a, b, clk := fakePair(t, p)
	a.dev.Destroy() // nobody answers
	before := b.sent()
	b.tun.Inbound <- ping
	waitFor(t, "the first initiation", func() bool { return b.sent() == before+1 })
	for range 30 {
		advance(clk, time.Second)
	}
	if got := b.sent() - before; got != 3 {
		t.Errorf("%d initiations sent, want 3", got)
	}
	b.peer(a).sendMu.Lock()
	staged := len(b.peer(a).staged)
	b.peer(a).sendMu.Unlock()
	if staged != 0 {
		t.Errorf("%d packets still staged after giving up", staged)
	}
}

func TestCookieUnderLoad(t *testing.T) {
	// NetBSD's wg_cookie: the responder is forced under load; the first
	// initiation gets a cookie reply instead of a response, the retry
	// after REKEY_TIMEOUT carries mac2 and succeeds.
	a, b, clk := fakePair(t, nil)
	a.dev.params.ForceUnderload.Store(true)
	sentA := a.sent()
	b.tun.Inbound <- ping
	waitFor(t, "A's cookie reply", func() bool { return a.sent() == sentA+1 })
	expectNone(t, a.tun, 100*time.Millisecond)
	if _, ok := b.peer(a).LastHandshake(); ok {
		t.Fatal("handshake completed without a cookie")
	}
	advance(clk, noise.RekeyTimeout+time.Second)
	expect(t, a.tun, ping, 5*time.Second)
	if _, ok := b.peer(a).LastHandshake(); !ok {
		t.Error("no handshake after the retry with mac2")
	}
}

func TestPassiveKeepalive(t *testing.T) {
	// [W] 6.5: data received and nothing sent back for KEEPALIVE_TIMEOUT
	// → an empty packet.
	a, b, clk := fakePair(t, nil)
	established(t, a, b)
	b.tun.Inbound <- ping
	expect(t, a.tun, ping, 5*time.Second)
	sentA := a.sent()
	advance(clk, noise.KeepaliveTimeout-time.Second)
	if a.sent() != sentA {
		t.Fatal("keepalive before KEEPALIVE_TIMEOUT")
	}
	advance(clk, 2*time.Second)
	waitFor(t, "A's keepalive", func() bool { return a.sent() == sentA+1 })
}

func TestReplayedPacketDropped(t *testing.T) {
	a, b, _ := fakePair(t, nil)
	established(t, a, b)
	// Capture B's next transport message as A's bind would see it, and
	// deliver it twice: the copy must not reach A's TUN.
	kp := b.peer(a).remote.Current()
	c, _ := kp.NextCounter()
	msg := make([]byte, headroom+len(ping)+32)
	n := copy(msg[headroom:], ping)
	padded := (n + 15) &^ 15
	msg[0] = 4
	putLE32(msg[4:], kp.RemoteIndex())
	putLE64(msg[8:], c)
	sealed := kp.Encrypt(msg[:headroom], msg[headroom:headroom+padded], c)
	for i := range 2 {
		var batches []*inBatch
		batches = a.dev.receiveTransport(batches, sealed, b.bind.Endpoint(false), a.dev.clock.Now())
		for _, bt := range batches {
			if !a.dev.decryptBatch(bt) {
				t.Fatalf("copy %d not queued", i)
			}
		}
	}
	got := <-a.tun.Outbound
	if len(got) < len(ping) || string(got[:len(ping)]) != string(ping) {
		t.Fatalf("first copy: % x", got)
	}
	expectNone(t, a.tun, 200*time.Millisecond)
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func putLE64(b []byte, v uint64) {
	putLE32(b, uint32(v))
	putLE32(b[4:], uint32(v>>32))
}

func TestOutOfOrderWithinWindowAccepted(t *testing.T) {
	a, b, _ := fakePair(t, nil)
	established(t, a, b)
	kp := b.peer(a).remote.Current()
	var msgs [][]byte
	for i := range 3 {
		c, _ := kp.NextCounter()
		p := tuntest.Echo(tuntest.IP{Src: netip.MustParseAddr("10.2.0.42"), Dst: netip.MustParseAddr("10.2.0.1")}, false, 1, uint16(i), []byte(fmt.Sprint(i)))
		msg := make([]byte, headroom+len(p)+32)
		n := copy(msg[headroom:], p)
		msg[0] = 4
		putLE32(msg[4:], kp.RemoteIndex())
		putLE64(msg[8:], c)
		msgs = append(msgs, kp.Encrypt(msg[:headroom], msg[headroom:headroom+((n+15)&^15)], c))
	}
	// Deliver 2, 0, 1: all three arrive.
	for _, i := range []int{2, 0, 1} {
		batches := a.dev.receiveTransport(nil, msgs[i], b.bind.Endpoint(false), a.dev.clock.Now())
		for _, bt := range batches {
			a.dev.decryptBatch(bt)
		}
		select {
		case <-a.tun.Outbound:
		case <-time.After(5 * time.Second):
			t.Fatalf("packet %d not delivered", i)
		}
	}
}
