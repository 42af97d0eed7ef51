package wg

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/curve25519"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/klog"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
	"nbwg/kernel/tun"
	"nbwg/kernel/tun/tuntest"
	"nbwg/kernel/udp"
	"nbwg/kernel/udp/udptest"
	"nbwg/kernel/wg/clock"
	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/noise"
	"nbwg/kernel/wg/wire"
)

// FuzzReceive sends whatever a datagram may hold to a device with an
// established session, through its whole receive path: the socket
// reader's checks, the handshake worker, the decryption workers and the
// peer's receiver.  Nothing the fuzzer makes can be authentic (it has
// no key), so whatever it sends:
//   - nothing panics, and the device goes on working: a packet B sends
//     right after it still reaches A's TUN device;
//   - nothing reaches the TUN device (the packet after the garbage is
//     the first one out);
//   - A's session with B and B's endpoint stay as they were: garbage
//     neither makes a session nor moves a peer ([W] 6.5: only an
//     authenticated packet updates the endpoint);
//   - A answers nothing, except a cookie reply to a handshake message
//     with a valid mac1 while it is under load ([W] 5.3).
//
// The first input byte steers the datagram past the cheap checks, so
// that the fuzzer reaches what lies behind them: bits 0-1 choose a type
// (initiation, response, cookie reply, transport); bit 2 writes that
// type word; bit 3 gives the datagram the type's length (at least a
// keepalive's for transport); bit 4 puts a receiver index of A's live
// session where the type has one; bit 5 computes mac1 (initiation and
// response); bit 6 puts A under load; bit 7 sends from B's address
// rather than a stranger's.
func FuzzReceive(f *testing.F) {
	for _, s := range fuzzReceiveSeeds(f) {
		f.Add(s.ctl, s.msg)
	}
	r := newReceiveRig(f)
	f.Fuzz(func(t *testing.T, ctl uint8, data []byte) {
		if len(data) > 65535 {
			return // no datagram is longer
		}
		r.run(t, ctl, data)
	})
}

// Control bits of FuzzReceive's first byte.
const (
	ctlType      = 0x03
	ctlSetType   = 0x04
	ctlLength    = 0x08
	ctlReceiver  = 0x10
	ctlMAC1      = 0x20
	ctlUnderLoad = 0x40
	ctlFromB     = 0x80
)

// fuzzClock tells the time it is set to and fires no timer: the
// protocol's timers stay out of the way (no keepalive, no rekey, no
// retransmission), so that only what arrives moves the device.
type fuzzClock struct{ now atomic.Int64 }

func newFuzzClock(start time.Time) *fuzzClock {
	c := &fuzzClock{}
	c.now.Store(start.UnixNano())
	return c
}

func (c *fuzzClock) Now() time.Time                              { return time.Unix(0, c.now.Load()) }
func (c *fuzzClock) Advance(d time.Duration)                     { c.now.Add(int64(d)) }
func (c *fuzzClock) AfterFunc(time.Duration, func()) clock.Timer { return inertTimer{} }

type inertTimer struct{}

func (inertTimer) Stop() bool               { return false }
func (inertTimer) Reset(time.Duration) bool { return false }

// snoopBind is a ChannelBind that keeps a copy of what it sends.
type snoopBind struct {
	*udptest.ChannelBind
	mu   sync.Mutex
	sent [][]byte
}

func (b *snoopBind) Send(bufs [][]byte, ep netip.AddrPort) error {
	b.mu.Lock()
	for _, m := range bufs {
		b.sent = append(b.sent, append([]byte(nil), m...))
	}
	b.mu.Unlock()
	return b.ChannelBind.Send(bufs, ep)
}

func (b *snoopBind) take() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.sent
	b.sent = nil
	return s
}

// fuzzHost is one kernel with a wg0, its TUN device in memory.
type fuzzHost struct {
	net  *ifnet.Net
	dev  *Device
	tun  *tuntest.ChannelTUN
	pub  []byte
	bind *udptest.ChannelBind
}

// newFuzzHost makes a kernel whose wg0 has the static key of seed (the
// same keys as newHost's), talks through bind and reads clk; rnd is its
// random source (nil: crypto/rand).
func newFuzzHost(tb testing.TB, bind udp.Bind, cb *udptest.ChannelBind, seed byte, params *Params, clk clock.Clock, rnd io.Reader) *fuzzHost {
	tb.Helper()
	h := &fuzzHost{tun: tuntest.NewNamedChannelTUN("wg0", 8), bind: cb}
	c := NewCloner(Env{
		OpenTUN: func(string, int) (tun.Device, error) { return h.tun, nil },
		NewBind: func() udp.Bind { return bind },
		Params:  params,
		Clock:   clk,
		Rand:    rnd,
		Log:     klog.New(io.Discard, klog.LOG_DEBUG),
	})
	create := c.Create
	c.Create = func(ifp *ifnet.Interface) (ifnet.Driver, error) {
		drv, err := create(ifp)
		if err == nil {
			h.dev = drv.(*Device)
		}
		return drv, err
	}
	h.net = ifnet.New(nil, c)
	r := sys.Ifreq{}
	copy(r.Name[:], "wg0")
	if _, err := h.net.Ioctl(root, sys.SIOCIFCREATE, r.Marshal(), nil); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(h.net.DestroyAll)
	priv := bytes.Repeat([]byte{seed}, 32)
	h.pub, _ = curve25519.X25519(priv, curve25519.Basepoint)
	if err := set(h.net, root, sys.WG_IOCTL_SET_PRIVATE_KEY, one("private_key", prop.Data(priv))); err != nil {
		tb.Fatal(err)
	}
	return h
}

// fuzzPair makes A (listening on 1234) and B (knowing A's endpoint),
// peers of each other, over binds.
// rnd gives each host its random source (nil: crypto/rand).
func fuzzPair(tb testing.TB, bindA, bindB udp.Bind, cbA, cbB *udptest.ChannelBind, clk clock.Clock, rnd func(seed byte) io.Reader, params func() *Params) (a, b *fuzzHost) {
	tb.Helper()
	if rnd == nil {
		rnd = func(byte) io.Reader { return nil }
	}
	a = newFuzzHost(tb, bindA, cbA, 0xa0, params(), clk, rnd(0xa0))
	b = newFuzzHost(tb, bindB, cbB, 0xb0, params(), clk, rnd(0xb0))
	if err := set(a.net, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(1234))); err != nil {
		tb.Fatal(err)
	}
	for _, p := range []struct {
		h, other *fuzzHost
		ep       netip.AddrPort
		allowed  []string
	}{
		{a, b, netip.AddrPort{}, []string{"10.2.0.42/32", "fd00:2::42/128"}},
		{b, a, cbA.Endpoint(false), []string{"10.2.0.1/32", "fd00:2::1/128"}},
	} {
		d := peerDict("peer", p.other.pub, p.allowed...)
		if p.ep.IsValid() {
			d.SetData("endpoint", sys.MarshalSockaddr(p.ep))
		}
		if err := set(p.h.net, root, sys.WG_IOCTL_ADD_PEER, d); err != nil {
			tb.Fatal(err)
		}
	}
	return a, b
}

var (
	fuzzPing     = tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1"))
	fuzzStranger = netip.MustParseAddrPort("203.0.113.9:4444")
)

// waitPacket returns the next packet out of tn's device, or fails.
func waitPacket(tb testing.TB, tn *tuntest.ChannelTUN, what string) []byte {
	tb.Helper()
	select {
	case p := <-tn.Outbound:
		return p
	case <-time.After(10 * time.Second):
		tb.Fatalf("%s: no packet within 10 s", what)
		return nil
	}
}

type receiveSeed struct {
	ctl uint8
	msg []byte
}

// fuzzReceiveSeeds are real messages of each type, from a handshake
// between two devices with A's and B's static keys an hour before the
// rig's: B's initiation (answered by A, under load, with a cookie
// reply), B's second initiation with mac2, A's response, B's data.  To
// the rig they are replays, refused however often they come.  (The
// session indices come from crypto/rand, so the seeds differ from run to
// run in those bytes.)  Each goes
// in as it is and with the steering bits that keep it whole; then a few
// datagrams of no type at all.
func fuzzReceiveSeeds(tb testing.TB) []receiveSeed {
	clk := newFuzzClock(time.Unix(1_800_000_000, 0).Add(-time.Hour))
	binds := udptest.NewChannelBinds()
	cbA, cbB := binds[0].(*udptest.ChannelBind), binds[1].(*udptest.ChannelBind)
	sa, sb := &snoopBind{ChannelBind: cbA}, &snoopBind{ChannelBind: cbB}
	rnd := func(seed byte) io.Reader { return rand.NewChaCha8([32]byte{'n', 'b', 'w', 'g', seed}) }
	a, b := fuzzPair(tb, sa, sb, cbA, cbB, clk, rnd, NewParams)
	defer b.net.DestroyAll()
	defer a.net.DestroyAll()

	// Under load, A answers B's initiation with a cookie reply.  Once
	// B holds the cookie, an initiation after REKEY_TIMEOUT carries mac2
	// and A answers it; B then sends the packets it held.
	a.dev.params.ForceUnderload.Store(true)
	var initiations int
	for try := 0; ; try++ {
		if try == 50 {
			tb.Fatal("the seed handshake does not complete")
		}
		clk.Advance(6 * time.Second)
		b.tun.Inbound <- fuzzPing
		deadline := time.Now().Add(5 * time.Second)
		var init []byte
		for init == nil && time.Now().Before(deadline) {
			sb.mu.Lock()
			if len(sb.sent) > initiations {
				init = sb.sent[initiations]
				initiations++
			}
			sb.mu.Unlock()
			time.Sleep(time.Millisecond)
		}
		if init == nil {
			tb.Fatal("B sends no initiation")
		}
		if !bytes.Equal(init[len(init)-wire.MACSize:], make([]byte, wire.MACSize)) {
			break // mac2: A answers this one
		}
		time.Sleep(10 * time.Millisecond) // for B to take in the cookie
	}
	waitPacket(tb, a.tun, "seed handshake")
	for drained := false; !drained; {
		select {
		case <-a.tun.Outbound:
		case <-time.After(100 * time.Millisecond):
			drained = true
		}
	}

	var seeds []receiveSeed
	add := func(msgs [][]byte) {
		for _, m := range msgs {
			typ, err := wire.PeekType(m)
			if err != nil {
				tb.Fatalf("a seed of no type: % x", m)
			}
			keep := uint8(typ-1) | ctlSetType | ctlLength
			seeds = append(seeds,
				receiveSeed{0, m},
				receiveSeed{keep | ctlFromB, m},
				receiveSeed{keep | ctlReceiver | ctlMAC1, m},
				receiveSeed{keep | ctlUnderLoad, m},
			)
		}
	}
	add(sb.take())
	add(sa.take())
	if len(seeds) < 4*5 {
		tb.Fatalf("%d seeds: the seed handshake went otherwise", len(seeds))
	}
	for _, s := range []receiveSeed{
		{0, nil},
		{0, []byte{1, 0, 0}},
		{0, []byte{5, 0, 0, 0}},
		{0, []byte{1, 0, 0, 1}},
		{ctlSetType | ctlLength | 0, make([]byte, 148)},
		{ctlSetType | ctlLength | ctlMAC1 | 0, make([]byte, 148)},
		{ctlSetType | ctlLength | ctlMAC1 | ctlReceiver | 1, make([]byte, 92)},
		{ctlSetType | ctlLength | ctlReceiver | 2, make([]byte, 64)},
		{ctlSetType | ctlLength | ctlReceiver | 3, make([]byte, 32)},
		{ctlSetType | ctlReceiver | 3, make([]byte, 1500)},
		{ctlSetType | ctlLength | ctlMAC1 | ctlUnderLoad | 0, make([]byte, 148)},
		{ctlSetType | ctlLength | ctlUnderLoad | 0, make([]byte, 148)},
		{ctlSetType | ctlLength | ctlMAC1 | ctlUnderLoad | ctlFromB | 1, make([]byte, 92)},
	} {
		seeds = append(seeds, s)
	}
	return seeds
}

// receiveRig is A and B with an established session, A's socket open
// to injected datagrams.
type receiveRig struct {
	clk   *fuzzClock
	a, b  *fuzzHost
	inj   *injectBind
	peerB *Peer          // A's peer B
	kpB   *noise.Keypair // B's session with A: seals what B sends
	epB   netip.AddrPort // where A sees B
	mac1  cookie.Generator
}

func newReceiveRig(tb testing.TB) *receiveRig {
	clk := newFuzzClock(time.Unix(1_800_000_000, 0))
	binds := udptest.NewChannelBinds()
	cbA, cbB := binds[0].(*udptest.ChannelBind), binds[1].(*udptest.ChannelBind)
	inj := newInjectBind(cbA)
	// The clock moves a second per input: sessions must not expire
	// while the fuzzer runs.
	params := func() *Params {
		p := NewParams()
		p.SetTimes(1e9, 1e9, 1e9, 5, 10)
		return p
	}
	a, b := fuzzPair(tb, inj, cbB, cbA, cbB, clk, nil, params)
	b.tun.Inbound <- fuzzPing
	if got := waitPacket(tb, a.tun, "handshake"); !bytes.Equal(got, fuzzPing) {
		tb.Fatalf("A delivered % x", got)
	}
	r := &receiveRig{clk: clk, a: a, b: b, inj: inj, peerB: a.dev.peerByKey([32]byte(b.pub))}
	r.kpB = b.dev.peerByKey([32]byte(a.pub)).remote.Current()
	r.epB, _ = r.peerB.Endpoint()
	if r.kpB == nil || r.peerB.remote.Current() == nil || !r.epB.IsValid() {
		tb.Fatal("no session between A and B")
	}
	r.mac1.Init([32]byte(a.pub))
	return r
}

// shape steers data past the cheap checks as ctl says.
func (r *receiveRig) shape(ctl uint8, data []byte) []byte {
	msg := append([]byte(nil), data...)
	typ := wire.Type(ctl&ctlType + 1)
	if ctl&ctlLength != 0 {
		switch typ {
		case wire.TypeInitiation:
			msg = resize(msg, wire.MessageInitiationSize)
		case wire.TypeResponse:
			msg = resize(msg, wire.MessageResponseSize)
		case wire.TypeCookieReply:
			msg = resize(msg, wire.MessageCookieReplySize)
		case wire.TypeTransport:
			msg = resize(msg, max(len(msg), wire.MessageTransportMinSize))
		}
	}
	if ctl&ctlSetType != 0 && len(msg) >= 4 {
		binary.LittleEndian.PutUint32(msg, uint32(typ))
	}
	if ctl&ctlReceiver != 0 {
		at := 4 // cookie reply, transport
		if typ == wire.TypeResponse {
			at = 8
		}
		if typ != wire.TypeInitiation && len(msg) >= at+4 {
			binary.LittleEndian.PutUint32(msg[at:], r.peerB.remote.Current().LocalIndex())
		}
	}
	if ctl&ctlMAC1 != 0 && (typ == wire.TypeInitiation || typ == wire.TypeResponse) {
		r.mac1.AddMACs(msg, r.clk.Now()) // refuses a wrong length
	}
	return msg
}

func resize(b []byte, n int) []byte {
	if len(b) >= n {
		return b[:n]
	}
	return append(b, make([]byte, n-len(b))...)
}

// inject puts a datagram on A's socket as from src.
func (r *receiveRig) inject(msg []byte, src netip.AddrPort) {
	r.inj.In <- injected{data: msg, from: src}
}

// barrier sends a ping sealed by B on the session and returns the
// first packet out of A's TUN device, which must be it: A's reader has
// then passed everything before it, and A's receiver for B delivered or
// dropped every transport message before it.
func (r *receiveRig) barrier(t *testing.T) {
	t.Helper()
	c, err := r.kpB.NextCounter()
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, headroom+len(fuzzPing)+wire.TagSize)
	n := copy(msg[headroom:], fuzzPing)
	padded := (n + 15) &^ 15
	binary.LittleEndian.PutUint32(msg, uint32(wire.TypeTransport))
	binary.LittleEndian.PutUint32(msg[4:], r.kpB.RemoteIndex())
	binary.LittleEndian.PutUint64(msg[8:], c)
	r.inject(r.kpB.Encrypt(msg[:headroom], msg[headroom:headroom+padded], c), r.epB)
	if got := waitPacket(t, r.a.tun, "B's packet after the garbage"); !bytes.Equal(got, fuzzPing) {
		t.Fatalf("garbage reached A's TUN device: % x", got)
	}
}

// waitRead waits until A's reader has taken n injected datagrams.
func (r *receiveRig) waitRead(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.inj.Read.Load() < n {
		if time.Now().After(deadline) {
			t.Fatal("A's socket reader is stuck")
		}
		runtime.Gosched()
	}
}

// settle returns once A is through with msg, injected as the reader's
// datagram number n: a datagram of no type injected after the reader
// took msg is taken only when the reader is through with msg's batch;
// then a message of no type behind what msg put on the handshake queue
// is taken only when the handshake worker is through with what was
// before it, and B's inbound queue is idle once what msg put there has
// been delivered.
func (r *receiveRig) settle(t *testing.T, n int64, src netip.AddrPort) {
	t.Helper()
	r.waitRead(t, n)
	r.inject([]byte{0}, src)
	r.waitRead(t, n+1)
	d := r.a.dev
	d.queueMu.RLock()
	d.hsQueue <- &hsMessage{}
	d.queueMu.RUnlock()
	deadline := time.Now().Add(10 * time.Second)
	for len(d.hsQueue) > 0 || !r.peerB.in.idle() {
		if time.Now().After(deadline) {
			t.Fatal("A's handshake worker or B's receiver is stuck")
		}
		runtime.Gosched()
	}
}

func (r *receiveRig) run(t *testing.T, ctl uint8, data []byte) {
	// A second per input refills the per-source limiter.
	r.clk.Advance(time.Second)
	msg := r.shape(ctl, data)
	src := fuzzStranger
	if ctl&ctlFromB != 0 {
		src = r.epB
	}
	d := r.a.dev
	underLoad := ctl&ctlUnderLoad != 0
	d.params.ForceUnderload.Store(underLoad)
	defer d.params.ForceUnderload.Store(false)
	typ, typErr := wire.PeekType(msg)
	answerable := underLoad && typErr == nil && (typ == wire.TypeInitiation || typ == wire.TypeResponse) && d.checker.CheckMAC1(msg) == nil
	kp := r.peerB.remote.Current()
	sent, _ := r.inj.Stats()

	n := r.inj.Read.Load() + 1
	r.inject(msg, src)
	r.settle(t, n, src)
	d.params.ForceUnderload.Store(false)

	if ep, _ := r.peerB.Endpoint(); ep != r.epB {
		t.Errorf("garbage from %v moved B's endpoint to %v", src, ep)
		r.peerB.SetEndpoint(r.epB)
	}
	next, cur, _ := r.peerB.remote.Keypairs()
	if cur != kp || next != nil {
		t.Errorf("garbage changed A's sessions with B")
	}
	if now, _ := r.inj.Stats(); now != sent && !answerable {
		t.Errorf("A answered garbage (%d datagrams)", now-sent)
	}
	// A still works, and the first packet out of its TUN device is
	// B's, sent after the garbage.
	r.barrier(t)
}
