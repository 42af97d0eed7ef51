//go:build linux

package udp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"nbwg/kernel/netlink"
	"nbwg/kernel/netlink/nstest"
	"nbwg/kernel/tun"
	"nbwg/kernel/tun/tuntest"
)

// waitLimit bounds every wait for datagrams in these tests.
const waitLimit = 10 * time.Second

// openIn opens b inside ns (sockets belong to the namespace of the thread
// that creates them) and closes it when t ends.
func openIn(t testing.TB, ns *nstest.Namespace, b Bind, port uint16) ([]ReceiveFunc, uint16) {
	t.Helper()
	var (
		fns    []ReceiveFunc
		actual uint16
	)
	if err := ns.Do(func() (err error) {
		fns, actual, err = b.Open(port)
		return err
	}); err != nil {
		t.Fatalf("Open(%d): %v", port, err)
	}
	t.Cleanup(func() { b.Close() })
	return fns, actual
}

type datagram struct {
	Payload string
	From    string
}

// collect reads from fn until want datagrams arrived, and fails t if they
// do not within waitLimit (closing b to unblock the reader).
func collect(t testing.TB, b Bind, fn ReceiveFunc, want int) []datagram {
	t.Helper()
	type result struct {
		got []datagram
		err error
	}
	done := make(chan result, 1)
	go func() {
		var got []datagram
		bufs := make([][]byte, b.BatchSize())
		for i := range bufs {
			bufs[i] = make([]byte, 65535)
		}
		sizes := make([]int, len(bufs))
		eps := make([]netip.AddrPort, len(bufs))
		for len(got) < want {
			n, err := fn(bufs, sizes, eps)
			if err != nil {
				done <- result{got, err}
				return
			}
			for i := range n {
				if sizes[i] > 0 {
					got = append(got, datagram{string(bufs[i][:sizes[i]]), eps[i].String()})
				}
			}
		}
		done <- result{got, nil}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("receive after %d datagrams: %v", len(r.got), r.err)
		}
		return r.got
	case <-time.After(waitLimit):
		b.Close()
		r := <-done
		t.Fatalf("received %d of %d datagrams within %v", len(r.got), want, waitLimit)
		return nil
	}
}

// payloads returns n distinct datagrams of the given size.
func payloads(n, size int, tag string) [][]byte {
	bufs := make([][]byte, n)
	for i := range bufs {
		b := make([]byte, size)
		copy(b, fmt.Sprintf("%s-%06d-", tag, i))
		bufs[i] = b
	}
	return bufs
}

// mixed returns datagrams of varied sizes: runs of equal ones, a short one
// ending a run, a larger one after a smaller.
func mixed(tag string) [][]byte {
	var bufs [][]byte
	for i, n := range []int{30, 1, 12, 40, 3, 1} {
		size := []int{1200, 500, 1300, 100, 1400, 64}[i]
		for _, p := range payloads(n, size, fmt.Sprintf("%s%d", tag, i)) {
			bufs = append(bufs, p)
		}
	}
	return bufs
}

var binds = []struct {
	name string
	new  func() Bind
}{
	{"plain", NewPlainBind},
	{"offload", NewBind},
}

func TestBindLoopback(t *testing.T) {
	for _, tx := range binds {
		for _, rx := range binds {
			t.Run(tx.name+"-to-"+rx.name, func(t *testing.T) { testLoopback(t, tx.new(), rx.new()) })
		}
	}
}

func testLoopback(t *testing.T, b, a Bind) {
	ns := nstest.New(t)
	fnsA, portA := openIn(t, ns, a, 0)
	_, portB := openIn(t, ns, b, 0)
	if len(fnsA) != 2 || portA == 0 || portB == 0 || portA == portB {
		t.Fatalf("Open gave %d receive funcs, ports %d and %d", len(fnsA), portA, portB)
	}
	v4A, v6A := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portA), netip.AddrPortFrom(netip.MustParseAddr("::1"), portA)
	v4B, v6B := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portB), netip.AddrPortFrom(netip.MustParseAddr("::1"), portB)
	tests := []struct {
		name     string
		to       netip.AddrPort
		fn       ReceiveFunc
		wantFrom netip.AddrPort
		bufs     [][]byte
	}{
		// More than one batch, so sendmmsg and recvmmsg must loop.
		{"v4", v4A, fnsA[0], v4B, payloads(300, 1200, "v4")},
		{"v6", v6A, fnsA[1], v6B, payloads(300, 1200, "v6")},
		{"v4 mixed sizes", v4A, fnsA[0], v4B, mixed("m4")},
		{"v6 mixed sizes", v6A, fnsA[1], v6B, mixed("m6")},
		// A mapped endpoint goes out on the IPv4 socket, and the sender
		// is reported unmapped.
		{"v4-mapped", netip.AddrPortFrom(netip.MustParseAddr("::ffff:127.0.0.1"), portA), fnsA[0], v4B, payloads(3, 100, "mapped")},
		{"tiny", v4A, fnsA[0], v4B, payloads(5, 1, "tiny")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []datagram
			for _, p := range tt.bufs {
				want = append(want, datagram{string(p), tt.wantFrom.String()})
			}
			errc := make(chan error, 1)
			go func() { errc <- b.Send(tt.bufs, tt.to) }()
			got := collect(t, a, tt.fn, len(want))
			if err := <-errc; err != nil {
				t.Fatalf("Send: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("datagrams (-want +got):\n%s", diff)
			}
		})
	}
	tx, rx := b.(*linuxBind), a.(*linuxBind)
	gso := tx.v4.stats.gsoMessages.Load() + tx.v6.stats.gsoMessages.Load()
	gro := rx.v4.stats.groMessages.Load() + rx.v6.stats.groMessages.Load()
	t.Logf("sender gso %v: %d UDP_SEGMENT messages; receiver gro %v: %d coalesced receives", tx.v4.gso.Load(), gso, rx.v4.gro, gro)
	if tx.want.gso && gso == 0 {
		t.Error("the sender never used UDP_SEGMENT")
	}
	// Over loopback a GSO packet reaches a GRO socket whole.
	if tx.want.gso && rx.want.gro && gro == 0 {
		t.Error("the receiver never got a coalesced message")
	}
}

func TestOpenErrors(t *testing.T) {
	ns := nstest.New(t)
	a := NewBind()
	_, port := openIn(t, ns, a, 0)
	if _, _, err := a.Open(0); !errors.Is(err, ErrBindAlreadyOpen) {
		t.Errorf("second Open = %v, want ErrBindAlreadyOpen", err)
	}
	b := NewBind()
	err := ns.Do(func() error {
		_, _, err := b.Open(port)
		return err
	})
	if !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("Open(port in use) = %v, want EADDRINUSE", err)
	}
	// A fixed free port is bound for both families.
	c := NewBind()
	fns, got := openIn(t, ns, c, port+1)
	if got != port+1 || len(fns) != 2 {
		t.Errorf("Open(%d) = port %d with %d receive funcs", port+1, got, len(fns))
	}
}

func TestCloseUnblocksReceive(t *testing.T) {
	ns := nstest.New(t)
	a := NewBind()
	fns, port := openIn(t, ns, a, 0)
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		go func() {
			_, err := fn([][]byte{make([]byte, 100)}, []int{0}, []netip.AddrPort{{}})
			errs <- err
		}()
	}
	time.Sleep(50 * time.Millisecond) // let them block; the test passes either way
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for range fns {
		select {
		case err := <-errs:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("receive after Close = %v, want net.ErrClosed", err)
			}
		case <-time.After(waitLimit):
			t.Fatal("Close did not unblock a receive")
		}
	}
	if _, err := fns[0]([][]byte{make([]byte, 100)}, []int{0}, []netip.AddrPort{{}}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("receive called after Close = %v, want net.ErrClosed", err)
	}
	if err := a.Send([][]byte{{1}}, netip.MustParseAddrPort("127.0.0.1:9")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Send after Close = %v, want net.ErrClosed", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	// The Bind opens again, on the same port.
	if _, again := openIn(t, ns, a, port); again != port {
		t.Errorf("reopen on %d got %d", port, again)
	}
}

func TestSendErrors(t *testing.T) {
	ns := nstest.New(t)
	a := NewBind()
	openIn(t, ns, a, 0)
	tests := []struct {
		name string
		ep   netip.AddrPort
		want error
	}{
		{"zero endpoint", netip.AddrPort{}, unix.EDESTADDRREQ},
		// Nothing routes to 192.0.2.0/24 in a fresh namespace.
		{"unreachable", netip.MustParseAddrPort("192.0.2.1:51820"), unix.ENETUNREACH},
		{"too big", netip.MustParseAddrPort("127.0.0.1:9"), unix.EMSGSIZE},
	}
	for _, tt := range tests {
		buf := []byte{1}
		if tt.want == unix.EMSGSIZE {
			buf = make([]byte, 70000)
		}
		if err := a.Send([][]byte{buf}, tt.ep); !errors.Is(err, tt.want) {
			t.Errorf("%s: Send = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// BenchmarkSendReceive measures one Bind sending batches of 1420-byte
// datagrams over loopback to another that receives them, inside a private
// namespace. "delivered" is the fraction of datagrams that arrived (UDP
// over loopback drops when the receiver falls behind).
func BenchmarkSendReceive(b *testing.B) {
	for _, kind := range binds {
		for _, batch := range []int{1, 16, IdealBatchSize} {
			b.Run(fmt.Sprintf("%s/batch=%d", kind.name, batch), func(b *testing.B) {
				benchSendReceive(b, kind.new, batch, 1420)
			})
		}
	}
}

func benchSendReceive(b *testing.B, newBind func() Bind, batch, size int) {
	ns := nstest.New(b)
	tx, rx := newBind(), newBind()
	openIn(b, ns, tx, 0)
	fns, port := openIn(b, ns, rx, 0)
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)

	received := make(chan int, 1)
	go func() {
		bufs := make([][]byte, rx.BatchSize())
		for i := range bufs {
			bufs[i] = make([]byte, 65535)
		}
		sizes := make([]int, len(bufs))
		eps := make([]netip.AddrPort, len(bufs))
		total := 0
		for {
			n, err := fns[0](bufs, sizes, eps)
			if err != nil {
				received <- total
				return
			}
			for i := range n {
				if sizes[i] > 0 {
					total++
				}
			}
		}
	}()
	bufs := payloads(batch, size, "bench")
	for i := range bufs {
		binary.BigEndian.PutUint32(bufs[i], uint32(i))
	}
	b.SetBytes(int64(batch * size))
	b.ResetTimer()
	for b.Loop() {
		if err := tx.Send(bufs, to); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	time.Sleep(100 * time.Millisecond) // let the receiver drain; affects only the metric
	rx.Close()
	total := <-received
	b.ReportMetric(float64(total)/float64(b.N*batch), "delivered")
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "pkts/s")
}

// tunRoute creates a TUN in ns carrying prefix (its first address is
// ours), and closes it when t ends.
func tunRoute(t *testing.T, ns *nstest.Namespace, name string, mtu int, offload bool, prefix string) tun.Device {
	t.Helper()
	var dev tun.Device
	if err := ns.Do(func() (err error) {
		create := tun.Create
		if offload {
			create = tun.CreateWithOffload
		}
		if dev, err = create(name, mtu); err != nil {
			return err
		}
		idx, err := netlink.LinkIndex(name)
		if err != nil {
			return err
		}
		if err := netlink.AddAddr(idx, netip.MustParsePrefix(prefix), true); err != nil {
			return err
		}
		return netlink.SetUp(name, true)
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

// readUDP reads from dev until want bytes of UDP payload arrived in IPv4
// packets, fragments included, within waitLimit.
func readUDP(t *testing.T, dev tun.Device, want int) {
	t.Helper()
	done := make(chan int, 1)
	go func() {
		bufs := make([][]byte, dev.BatchSize())
		for i := range bufs {
			bufs[i] = make([]byte, 65536)
		}
		sizes := make([]int, len(bufs))
		got := 0
		for got < want {
			n, err := dev.Read(bufs, sizes, 0)
			if err != nil {
				break
			}
			for i := range n {
				p := bufs[i][:sizes[i]]
				if len(p) < 28 || p[0] != 0x45 || p[9] != tuntest.ProtoUDP {
					continue
				}
				got += len(p) - 20
				if binary.BigEndian.Uint16(p[6:])&0x1fff == 0 {
					got -= 8 // the first fragment has the UDP header
				}
			}
		}
		done <- got
	}()
	select {
	case <-done:
	case <-time.After(waitLimit):
		dev.Close()
		t.Fatalf("the datagrams did not reach the TUN within %v (got %d bytes)", waitLimit, <-done)
	}
}

// TestGSOFallbacks sends with UDP_SEGMENT where the kernel may refuse it:
// over a device without checksum offload (older kernels say EIO, and GSO
// is then turned off for the socket; newer ones segment in software), and
// with segments above the route's MTU (EINVAL: that stretch is sent again
// datagram by datagram, and fragmented).
func TestGSOFallbacks(t *testing.T) {
	ns := nstest.New(t)
	tests := []struct {
		name    string
		offload bool
		mtu     int
		size    int
		dst     string
		prefix  string
	}{
		{"no checksum offload", false, 1500, 1200, "10.66.0.2:9", "10.66.0.1/24"},
		{"segment above mtu", true, 1280, 1400, "10.67.0.2:9", "10.67.0.1/24"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dev := tunRoute(t, ns, fmt.Sprintf("nbwgu%d", i), tt.mtu, tt.offload, tt.prefix)
			b := NewBind()
			openIn(t, ns, b, 0)
			s := b.(*linuxBind).v4
			if !s.gso.Load() {
				t.Skip("the kernel has no UDP_SEGMENT")
			}
			bufs := payloads(10, tt.size, "fallback")
			if err := b.Send(bufs, netip.MustParseAddrPort(tt.dst)); err != nil {
				t.Fatalf("Send = %v", err)
			}
			t.Logf("after Send, gso = %v", s.gso.Load())
			readUDP(t, dev, 10*tt.size)
		})
	}
}

// TestSetMark: the mark is set on open sockets and on those opened later
// (wg(8)'s fwmark); 0 clears it.
func TestSetMark(t *testing.T) {
	ns := nstest.New(t)
	b := NewBind().(*linuxBind)
	if err := b.SetMark(0x51820); err != nil {
		t.Fatalf("SetMark before Open: %v", err)
	}
	openIn(t, ns, b, 0)
	mark := func(s *socket) int {
		var v int
		var err error
		s.rc.Control(func(fd uintptr) { v, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK) })
		if err != nil {
			t.Fatalf("getsockopt SO_MARK: %v", err)
		}
		return v
	}
	for _, s := range []*socket{b.v4, b.v6} {
		if s != nil && mark(s) != 0x51820 {
			t.Errorf("mark %#x after Open, want 0x51820", mark(s))
		}
	}
	if err := b.SetMark(0); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*socket{b.v4, b.v6} {
		if s != nil && mark(s) != 0 {
			t.Errorf("mark %#x after SetMark(0)", mark(s))
		}
	}
}

// TestSticky: a sticky Bind answers a remote from the local address the
// remote wrote to, where routing would choose another, in both families
// and for GSO batches too; when that address is removed it falls over
// to routing's choice instead of failing.
func TestSticky(t *testing.T) {
	ns := nstest.New(t)
	// Host addresses: a prefix on lo would make the whole prefix
	// local, the removed address included.
	ns.IP(t, "addr", "add", "10.9.0.1/32", "dev", "lo")
	ns.IP(t, "addr", "add", "10.9.0.2/32", "dev", "lo")
	ns.IP(t, "addr", "add", "fd00:9::1/128", "dev", "lo", "nodad")
	ns.IP(t, "addr", "add", "fd00:9::2/128", "dev", "lo", "nodad")
	b := NewStickyBind()
	_, port := openIn(t, ns, b, 0)
	for _, tc := range []struct {
		family, client, wrote, other string
	}{
		// The client sits at the first address; routing answers it
		// from that one, the primary, unless told otherwise.
		{"udp4", "10.9.0.1", "10.9.0.2", "10.9.0.1"},
		{"udp6", "fd00:9::1", "fd00:9::2", "fd00:9::1"},
	} {
		t.Run(tc.family, func(t *testing.T) {
			var c *net.UDPConn
			if err := ns.Do(func() (err error) {
				c, err = net.ListenUDP(tc.family, &net.UDPAddr{IP: net.ParseIP(tc.client)})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(waitLimit))
			to := &net.UDPAddr{IP: net.ParseIP(tc.wrote), Port: int(port)}
			if _, err := c.WriteTo([]byte("hello"), to); err != nil {
				t.Fatal(err)
			}
			client := c.LocalAddr().(*net.UDPAddr).AddrPort()
			client = netip.AddrPortFrom(client.Addr().Unmap(), client.Port())
			answer := func(n int) string {
				t.Helper()
				// The receive above is the Bind's: poll until it learnt.
				bufs := payloads(n, 1000, "answer")
				if err := b.Send(bufs, client); err != nil {
					t.Fatalf("Send: %v", err)
				}
				buf := make([]byte, 2000)
				var from netip.AddrPort
				for range n {
					_, f, err := c.ReadFromUDPAddrPort(buf)
					if err != nil {
						t.Fatal(err)
					}
					from = f
				}
				return from.Addr().Unmap().String()
			}
			// The Bind learns only from what it receives: read it.
			recvOne(t, b, tc.family == "udp6")
			if got := answer(1); got != tc.wrote {
				t.Errorf("answered from %s, want %s (the address written to)", got, tc.wrote)
			}
			if got := answer(8); got != tc.wrote {
				t.Errorf("a batch answered from %s, want %s", got, tc.wrote)
			}
			ns.IP(t, "addr", "del", tc.wrote, "dev", "lo")
			if got := answer(1); got != tc.other {
				t.Errorf("after %s was removed, answered from %s, want %s", tc.wrote, got, tc.other)
			}
		})
	}
}

// recvOne reads one datagram on b's socket of the family.
func recvOne(t *testing.T, b Bind, v6 bool) {
	t.Helper()
	lb := b.(*linuxBind)
	s := lb.v4
	if v6 {
		s = lb.v6
	}
	bufs := [][]byte{make([]byte, 65535)}
	sizes := make([]int, 1)
	eps := make([]netip.AddrPort, 1)
	if _, err := s.receive(bufs, sizes, eps); err != nil {
		t.Fatal(err)
	}
}
