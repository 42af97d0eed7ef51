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

	"nbwg/kernel/netlink/nstest"
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

func TestBindLoopback(t *testing.T) {
	ns := nstest.New(t)
	a, b := NewBind(), NewBind()
	fnsA, portA := openIn(t, ns, a, 0)
	_, portB := openIn(t, ns, b, 0)
	if len(fnsA) != 2 || portA == 0 || portB == 0 || portA == portB {
		t.Fatalf("Open gave %d receive funcs, ports %d and %d", len(fnsA), portA, portB)
	}
	tests := []struct {
		name     string
		to       netip.AddrPort
		fn       ReceiveFunc
		wantFrom netip.AddrPort
		count    int
		size     int
	}{
		// More than one batch, so sendmmsg and recvmmsg must loop.
		{"v4", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portA), fnsA[0], netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portB), 300, 1200},
		{"v6", netip.AddrPortFrom(netip.MustParseAddr("::1"), portA), fnsA[1], netip.AddrPortFrom(netip.MustParseAddr("::1"), portB), 300, 1200},
		// A mapped endpoint goes out on the IPv4 socket, and the sender
		// is reported unmapped.
		{"v4-mapped", netip.AddrPortFrom(netip.MustParseAddr("::ffff:127.0.0.1"), portA), fnsA[0], netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portB), 3, 100},
		{"odd sizes", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portA), fnsA[0], netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), portB), 5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bufs := payloads(tt.count, tt.size, tt.name)
			var want []datagram
			for _, p := range bufs {
				want = append(want, datagram{string(p), tt.wantFrom.String()})
			}
			errc := make(chan error, 1)
			go func() { errc <- b.Send(bufs, tt.to) }()
			got := collect(t, a, tt.fn, len(want))
			if err := <-errc; err != nil {
				t.Fatalf("Send: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("datagrams (-want +got):\n%s", diff)
			}
		})
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
	for _, batch := range []int{1, 16, IdealBatchSize} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			benchSendReceive(b, batch, 1420)
		})
	}
}

func benchSendReceive(b *testing.B, batch, size int) {
	ns := nstest.New(b)
	tx, rx := NewBind(), NewBind()
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
