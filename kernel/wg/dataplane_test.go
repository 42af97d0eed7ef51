package wg

import (
	"bytes"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strings"
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
	"nbwg/kernel/wg/wire"
)

// host is one emulated kernel with a wg0 over in-memory doubles.
type host struct {
	net  *ifnet.Net
	dev  *Device
	tun  *tuntest.ChannelTUN
	wire *testBind
	bind *udptest.ChannelBind // wire's, for its address and counters
	// work is the count of work in flight that h shares with the
	// hosts on its wire (testnet_test.go).
	work *atomic.Int64
	priv []byte
	pub  []byte
}

// newHost makes a kernel whose wg0 talks through bind; params and clk may
// be nil.
func newHost(t *testing.T, bind *testBind, seed byte, params *Params, clk clock.Clock) *host {
	t.Helper()
	return newHostWith(t, bind, seed, params, clk, nil)
}

// newHostWith is newHost with env changed by tweak, if not nil, before
// the kernel is made.
func newHostWith(t *testing.T, bind *testBind, seed byte, params *Params, clk clock.Clock, tweak func(*Env)) *host {
	t.Helper()
	h := &host{tun: tuntest.NewNamedChannelTUN("wg0", 8), wire: bind, bind: bind.ChannelBind, work: bind.work}
	if params == nil {
		params = NewParams()
	}
	if testing.Verbose() {
		params.Debug.Store(DebugLog)
	}
	env := Env{
		OpenTUN: func(string, int) (tun.Device, error) { return &testTUN{ChannelTUN: h.tun, work: h.work}, nil },
		NewBind: func() udp.Bind { return bind },
		Params:  params,
		Clock:   clk,
		Log:     klog.New(testLog{t, fmt.Sprintf("host %#x", seed)}, klog.LOG_DEBUG),
		busy:    h.work,
	}
	if tweak != nil {
		tweak(&env)
	}
	c := NewCloner(env)
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
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.net.DestroyAll()
	})
	h.priv = bytes.Repeat([]byte{seed}, 32)
	pub, err := curve25519.X25519(h.priv, curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	h.pub = pub
	if err := set(h.net, root, sys.WG_IOCTL_SET_PRIVATE_KEY, one("private_key", prop.Data(h.priv))); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *host) addPeer(t *testing.T, name string, pub []byte, psk []byte, endpoint netip.AddrPort, allowed ...string) {
	t.Helper()
	d := peerDict(name, pub, allowed...)
	if psk != nil {
		d.SetData("preshared_key", psk)
	}
	if endpoint.IsValid() {
		d.SetData("endpoint", sys.MarshalSockaddr(endpoint))
	}
	if err := set(h.net, root, sys.WG_IOCTL_ADD_PEER, d); err != nil {
		t.Fatalf("add peer %s: %v", name, err)
	}
}

// pair is the wg(4) EXAMPLES in memory: A listens on 1234, B knows A's
// endpoint and has no port of its own.
// Each host has its own tunables, made from params (nil: defaults), as
// two kernels would.
func newPair(t *testing.T, pskA, pskB []byte, params *Params, clk clock.Clock) (a, b *host) {
	t.Helper()
	return newPairOver(t, newTestBinds(), pskA, pskB, params, clk)
}

// newPairOver is newPair over the given binds (A's first).
func newPairOver(t *testing.T, binds [2]*testBind, pskA, pskB []byte, params *Params, clk clock.Clock) (a, b *host) {
	t.Helper()
	return newPairWith(t, binds, pskA, pskB, params, clk, nil)
}

// newPairWith is newPairOver with both hosts' Env changed by tweak.
func newPairWith(t *testing.T, binds [2]*testBind, pskA, pskB []byte, params *Params, clk clock.Clock, tweak func(*Env)) (a, b *host) {
	t.Helper()
	a = newHostWith(t, binds[0], 0xa0, copyParams(params), clk, tweak)
	b = newHostWith(t, binds[1], 0xb0, copyParams(params), clk, tweak)
	if err := set(a.net, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(1234))); err != nil {
		t.Fatal(err)
	}
	a.addPeer(t, "B", b.pub, pskA, netip.AddrPort{}, "10.2.0.42/32", "fd00:2::42/128")
	b.addPeer(t, "A", a.pub, pskB, a.bind.Endpoint(false), "10.2.0.1/32", "fd00:2::1/128")
	return a, b
}

// testLog sends the kernel's log to the test's.
type testLog struct {
	t    *testing.T
	host string
}

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(l.host + ": " + string(bytes.TrimSpace(b)))
	return len(b), nil
}

// expect waits for a packet on a TUN's outbound side.
func expect(t *testing.T, tn *tuntest.ChannelTUN, want []byte) {
	t.Helper()
	select {
	case got := <-tn.Outbound:
		if !bytes.Equal(got, want) {
			t.Fatalf("delivered % x\nwant      % x", got, want)
		}
	case <-time.After(bound):
		t.Fatalf("no packet delivered within %v", bound)
	}
}

func TestTunnelBothWays(t *testing.T) {
	for _, psk := range [][]byte{nil, bytes.Repeat([]byte{7}, 32)} {
		t.Run(fmt.Sprintf("psk=%v", psk != nil), func(t *testing.T) {
			a, b := newPair(t, psk, psk, nil, newFakeClock())
			for _, tc := range []struct{ from, to string }{
				{"10.2.0.42", "10.2.0.1"}, {"fd00:2::42", "fd00:2::1"},
			} {
				ping := tuntest.Ping(netip.MustParseAddr(tc.from), netip.MustParseAddr(tc.to))
				b.input(ping)
				expect(t, a.tun, ping)
				back := tuntest.Ping(netip.MustParseAddr(tc.to), netip.MustParseAddr(tc.from))
				a.input(back)
				expect(t, b.tun, back)
			}
			// A learnt B's endpoint from the handshake: B's bind.
			pb := a.dev.peerByKey([32]byte(b.pub))
			if ep, ok := pb.Endpoint(); !ok || ep.Addr() != netip.MustParseAddr("192.0.2.2") {
				t.Errorf("A's endpoint for B: %v", ep)
			}
			if _, ok := pb.LastHandshake(); !ok {
				t.Error("A has no latest handshake")
			}
			if _, ok := b.dev.peerByKey([32]byte(a.pub)).LastHandshake(); !ok {
				t.Error("B has no latest handshake")
			}
		})
	}
}

// The negative tests below first show that the message they expect to
// be refused was received and refused (a counter, the messages on the
// wire), then, once the hosts have settled, that nothing was delivered.
// They run on a fake clock, so that no retransmission adds to what they
// count.

func TestPSKMismatchBlocksTraffic(t *testing.T) {
	a, b := newPair(t, bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), nil, newFakeClock())
	b.input(tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1")))
	settle(t, a)
	// A took B's initiation (the preshared key is not in it) and
	// answered; B refused the response, which the key is mixed into.
	if got := a.wire.sentTypes(); !slices.Equal(got, []wire.Type{wire.TypeResponse}) {
		t.Fatalf("A sent %v, want a handshake response", got)
	}
	if n := b.dev.stats.handshakeRefused.Load(); n != 1 {
		t.Fatalf("B refused %d handshake messages, want the response", n)
	}
	nothingDelivered(t, a)
	if _, ok := b.dev.peerByKey([32]byte(a.pub)).LastHandshake(); ok {
		t.Error("handshake completed with mismatched preshared keys")
	}
}

func TestWrongKeyBlocksTraffic(t *testing.T) {
	binds := newTestBinds()
	clk := newFakeClock()
	a := newHost(t, binds[0], 0xa0, nil, clk)
	b := newHost(t, binds[1], 0xb0, nil, clk)
	if err := set(a.net, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(1234))); err != nil {
		t.Fatal(err)
	}
	a.addPeer(t, "B", b.pub, nil, netip.AddrPort{}, "10.2.0.42/32")
	stranger, err := curve25519.X25519(bytes.Repeat([]byte{0x33}, 32), curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	b.addPeer(t, "A", stranger, nil, a.bind.Endpoint(false), "10.2.0.1/32")
	b.input(tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1")))
	settle(t, a)
	// B's initiation reached A, whose key its mac1 is not made with.
	if got := b.wire.sentTypes(); !slices.Equal(got, []wire.Type{wire.TypeInitiation}) {
		t.Fatalf("B sent %v, want a handshake initiation", got)
	}
	if n := a.dev.stats.invalidMAC1.Load(); n != 1 {
		t.Fatalf("A refused %d messages for their mac1, want B's initiation", n)
	}
	if got := a.wire.sentTypes(); len(got) != 0 {
		t.Errorf("A answered with %v", got)
	}
	nothingDelivered(t, a)
}

func TestDisallowedSourceDropped(t *testing.T) {
	a, b := newPair(t, nil, nil, nil, newFakeClock())
	ok := tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1"))
	b.input(ok)
	expect(t, a.tun, ok)
	settle(t, a)
	received, errs := a.dev.ifp.Ipackets.Load(), a.dev.ifp.Ierrors.Load()
	// B routes a packet with a source A does not allow B to use.
	spoofed := tuntest.Ping(netip.MustParseAddr("10.9.9.9"), netip.MustParseAddr("10.2.0.1"))
	b.input(spoofed)
	settle(t, a)
	// A received and decrypted it, and counted it as an input error.
	if n := a.dev.ifp.Ierrors.Load() - errs; n != 1 {
		t.Fatalf("A counted %d input errors, want the spoofed packet", n)
	}
	if n := a.dev.ifp.Ipackets.Load() - received; n != 0 {
		t.Errorf("A counted %d packets received", n)
	}
	nothingDelivered(t, a)
}

func TestNoPeerGivesUnreachable(t *testing.T) {
	a, _ := newPair(t, nil, nil, nil, newFakeClock())
	// wg0 needs an address to answer from.
	ar := sys.InAliasreq{Addr: sys.SockaddrInFrom(netip.MustParseAddr("10.2.0.1"), 0),
		Mask: sys.SockaddrIn{Len: 16, Family: sys.AF_INET, Addr: [4]byte{255, 255, 255, 0}}}
	copy(ar.Name[:], "wg0")
	if _, err := a.net.Ioctl(root, sys.SIOCAIFADDR, ar.Marshal(), nil); err != nil {
		t.Fatal(err)
	}
	a.input(tuntest.Ping(netip.MustParseAddr("10.2.0.1"), netip.MustParseAddr("10.2.0.99")))
	select {
	case got := <-a.tun.Outbound:
		info, err := tuntest.Parse(got)
		if err != nil {
			t.Fatalf("ICMP error does not parse: %v", err)
		}
		if info.IP.Src != netip.MustParseAddr("10.2.0.1") || info.IP.Dst != netip.MustParseAddr("10.2.0.1") || got[20] != 3 || got[21] != 1 {
			t.Errorf("got %+v type %d code %d", info, got[20], got[21])
		}
	case <-time.After(bound):
		t.Fatal("no ICMP unreachable")
	}
}

func TestRoaming(t *testing.T) {
	a, b := newPair(t, nil, nil, nil, newFakeClock())
	ping := tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1"))
	b.input(ping)
	expect(t, a.tun, ping)
	// B moves: A sees its packets come from elsewhere and follows.
	moved := netip.MustParseAddrPort("198.51.100.45:4321")
	b.bind.SetSource(moved)
	b.input(ping)
	expect(t, a.tun, ping)
	if ep, _ := a.dev.peerByKey([32]byte(b.pub)).Endpoint(); ep != moved {
		t.Errorf("A's endpoint for B is %v, want %v", ep, moved)
	}
}

// deviceGoroutines returns how many goroutines the devices of package
// wg started (their stacks end "created by nbwg/kernel/wg.(*Device)..."
// or "(*Peer)..."), which the tests' and the runtime's do not, and the
// stacks of all.
func deviceGoroutines() (int, string) {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "\ncreated by nbwg/kernel/wg.(*") {
			count++
		}
	}
	return count, string(buf)
}

// waitDeviceGoroutines waits, for a bounded time, until the devices'
// goroutines number want, and fails the test with every stack if not.
func waitDeviceGoroutines(t *testing.T, what string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, stacks := deviceGoroutines()
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d device goroutines, want %d:\n%s", what, n, want, stacks)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestDestroyLeavesNoGoroutines(t *testing.T) {
	// The baseline: no device of an earlier test still runs (each test
	// destroys its devices when it ends, and Destroy waits for their
	// goroutines); only goroutines of devices count, so the tests' own
	// and the runtime's cannot move it.
	waitDeviceGoroutines(t, "before (a test that leaves its devices running?)", 0)
	binds := newTestBinds()
	const workers = 3
	n := ifnet.New(nil, NewCloner(Env{
		OpenTUN:       func(string, int) (tun.Device, error) { return tuntest.NewNamedChannelTUN("wg0", 8), nil },
		NewBind:       func() udp.Bind { return binds[0] },
		CryptoWorkers: workers,
	}))
	t.Cleanup(n.DestroyAll) // should the test fail half-way
	r := sys.Ifreq{}
	copy(r.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCIFCREATE, r.Marshal(), nil); err != nil {
		t.Fatalf("SIOCIFCREATE: %v", err)
	}
	if err := set(n, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(1))); err != nil {
		t.Fatalf("SET_LISTEN_PORT: %v", err)
	}
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("P", key(1), "10.0.0.0/8")); err != nil {
		t.Fatalf("ADD_PEER: %v", err)
	}
	// The device runs, with everything that has goroutines: its crypto
	// workers each way, the handshake worker, the TUN reader and
	// a receiver per socket (the test bind has three).  A peer has none
	// (queue.go).
	if ep := binds[0].Endpoint(false); ep.Port() != 1 {
		t.Fatalf("sockets bound to %v, want port 1", ep)
	}
	waitDeviceGoroutines(t, "while the device runs", 2*workers+1+1+3)
	if _, err := n.Ioctl(root, sys.SIOCIFDESTROY, r.Marshal(), nil); err != nil {
		t.Fatalf("SIOCIFDESTROY: %v", err)
	}
	waitDeviceGoroutines(t, "after destroy", 0)
}

func copyParams(p *Params) *Params {
	c := NewParams()
	if p == nil {
		return c
	}
	c.RekeyAfterMessages.Store(p.RekeyAfterMessages.Load())
	c.RejectAfterMessages.Store(p.RejectAfterMessages.Load())
	c.SetTimes(p.rekeyAfterTime.Load(), p.rejectAfterTime.Load(), p.rekeyAttemptTime.Load(), p.rekeyTimeout.Load(), p.keepaliveTimeout.Load())
	c.ForceUnderload.Store(p.ForceUnderload.Load())
	c.Debug.Store(p.Debug.Load())
	return c
}

func TestNoPeerGivesUnreachable6(t *testing.T) {
	a, _ := newPair(t, nil, nil, nil, newFakeClock())
	var m [16]byte
	copy(m[:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	ar := sys.In6Aliasreq{Addr: sys.SockaddrIn6From(netip.MustParseAddr("fd00:2::1"), 0, 0),
		Prefixmask: sys.SockaddrIn6{Len: 28, Family: sys.AF_INET6, Addr: m}}
	copy(ar.Name[:], "wg0")
	if _, err := a.net.Ioctl(root, sys.SIOCAIFADDR_IN6, ar.Marshal(), nil); err != nil {
		t.Fatal(err)
	}
	a.input(tuntest.Ping(netip.MustParseAddr("fd00:2::1"), netip.MustParseAddr("fd00:2::99")))
	select {
	case got := <-a.tun.Outbound:
		info, err := tuntest.Parse(got) // checks the ICMPv6 checksum
		if err != nil {
			t.Fatalf("ICMPv6 error does not parse: %v", err)
		}
		if info.IP.Src != netip.MustParseAddr("fd00:2::1") || got[40] != 1 || got[41] != 3 {
			t.Errorf("got %+v type %d code %d", info.IP, got[40], got[41])
		}
	case <-time.After(bound):
		t.Fatal("no ICMPv6 unreachable")
	}
}
