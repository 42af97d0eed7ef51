package udptest

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type got struct {
	Data string
	From string
}

func receive(t *testing.T, fn func([][]byte, []int, []netip.AddrPort) (int, error), bufSize int) []got {
	t.Helper()
	bufs := [][]byte{make([]byte, bufSize), make([]byte, bufSize), make([]byte, bufSize)}
	sizes := make([]int, 3)
	eps := make([]netip.AddrPort, 3)
	n, err := fn(bufs, sizes, eps)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	var out []got
	for i := range n {
		out = append(out, got{string(bufs[i][:sizes[i]]), eps[i].String()})
	}
	return out
}

func TestChannelBinds(t *testing.T) {
	binds := NewChannelBinds()
	a, b := binds[0].(*ChannelBind), binds[1].(*ChannelBind)
	fnsA, portA, err := a.Open(0)
	if err != nil {
		t.Fatal(err)
	}
	fnsB, portB, err := b.Open(0)
	if err != nil {
		t.Fatal(err)
	}
	if portA == portB || len(fnsA) != 2 || len(fnsB) != 2 {
		t.Fatalf("ports %d %d, funcs %d %d", portA, portB, len(fnsA), len(fnsB))
	}
	if _, _, err := a.Open(0); err == nil {
		t.Error("second Open succeeded")
	}

	// IPv4, with the mapped form of the address.
	to := b.Endpoint(false)
	mapped := netip.AddrPortFrom(netip.AddrFrom16(to.Addr().As16()), to.Port())
	if err := a.Send([][]byte{[]byte("one"), []byte("two")}, mapped); err != nil {
		t.Fatal(err)
	}
	want := []got{{"one", "192.0.2.1:10001"}, {"two", "192.0.2.1:10001"}}
	if diff := cmp.Diff(want, receive(t, fnsB[0], 100)); diff != "" {
		t.Errorf("v4 (-want +got):\n%s", diff)
	}

	// IPv6, after the sender roamed.
	a.SetSource(netip.MustParseAddrPort("[2001:db8:99::7]:4444"))
	if err := a.Send([][]byte{[]byte("three")}, b.Endpoint(true)); err != nil {
		t.Fatal(err)
	}
	want = []got{{"three", "[2001:db8:99::7]:4444"}}
	if diff := cmp.Diff(want, receive(t, fnsB[1], 100)); diff != "" {
		t.Errorf("v6 roamed (-want +got):\n%s", diff)
	}
	a.SetSource(netip.AddrPort{})

	// Wrong port or address: dropped. Too long for the buffer: size 0.
	a.Send([][]byte{[]byte("lost")}, netip.AddrPortFrom(to.Addr(), to.Port()+1))
	a.Send([][]byte{[]byte("lost")}, netip.MustParseAddrPort("192.0.2.3:10002"))
	a.Send([][]byte{[]byte("far too long")}, to)
	if diff := cmp.Diff([]got{{"", "192.0.2.1:10001"}}, receive(t, fnsB[0], 4)); diff != "" {
		t.Errorf("oversized (-want +got):\n%s", diff)
	}
	if sent, dropped := a.Stats(); sent != 6 || dropped != 2 {
		t.Errorf("Stats = %d sent, %d dropped; want 6, 2", sent, dropped)
	}

	// Reverse direction.
	if err := b.Send([][]byte{[]byte("back")}, a.Endpoint(false)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]got{{"back", "192.0.2.2:10002"}}, receive(t, fnsA[0], 100)); diff != "" {
		t.Errorf("reverse (-want +got):\n%s", diff)
	}

	// Close unblocks and ends receivers; Send fails.
	done := make(chan error)
	go func() {
		_, err := fnsB[1]([][]byte{make([]byte, 10)}, []int{0}, []netip.AddrPort{{}})
		done <- err
	}()
	b.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("receive after Close = %v, want net.ErrClosed", err)
	}
	if err := b.Send([][]byte{{1}}, a.Endpoint(false)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Send after Close = %v, want net.ErrClosed", err)
	}
	if err := a.Send([][]byte{{1}}, to); err != nil {
		t.Errorf("Send to a closed peer = %v, want nil (dropped)", err)
	}
	// Reopen: the old receive functions stay closed.
	if _, _, err := b.Open(0); err != nil {
		t.Fatal(err)
	}
	if _, err := fnsB[0]([][]byte{make([]byte, 10)}, []int{0}, []netip.AddrPort{{}}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("old receive func after reopen = %v, want net.ErrClosed", err)
	}
}
