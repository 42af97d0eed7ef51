package tuntest

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChannelTUN(t *testing.T) {
	c := NewNamedChannelTUN("wg7", 2)
	if c.Name() != "wg7" || c.BatchSize() != 2 {
		t.Fatalf("Name, BatchSize = %q, %d", c.Name(), c.BatchSize())
	}
	p1 := Ping(netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.1"))
	p2 := Ping(netip.MustParseAddr("fd00::2"), netip.MustParseAddr("fd00::1"))
	c.Inbound <- p1
	c.Inbound <- p2
	c.Inbound <- p1

	const offset = 16
	bufs := [][]byte{make([]byte, 200), make([]byte, 200), make([]byte, 200)}
	sizes := make([]int, 3)
	n, err := c.Read(bufs, sizes, offset)
	if err != nil || n != 2 {
		t.Fatalf("Read = %d, %v; want 2 packets (BatchSize)", n, err)
	}
	if diff := cmp.Diff([][]byte{p1, p2}, [][]byte{bufs[0][offset : offset+sizes[0]], bufs[1][offset : offset+sizes[1]]}); diff != "" {
		t.Errorf("Read packets (-want +got):\n%s", diff)
	}
	if _, err := c.Read([][]byte{make([]byte, 20)}, sizes, offset); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("Read into short buffer: err = %v, want io.ErrShortBuffer", err)
	}

	out := [][]byte{bufs[0][:offset+sizes[0]], bufs[1][:offset+sizes[1]]}
	if n, err := c.Write(out, offset); n != 2 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	bufs[0][offset] = 0 // Write must have copied
	if got := <-c.Outbound; !cmp.Equal(got, p1) {
		t.Errorf("Outbound[0] = %x, want %x", got, p1)
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := c.Read(bufs, sizes, offset); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close: %v, want net.ErrClosed", err)
	}
	if _, err := c.Write(bufs, offset); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v, want net.ErrClosed", err)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	c := NewChannelTUN()
	done := make(chan error)
	go func() {
		_, err := c.Read([][]byte{make([]byte, 100)}, []int{0}, 0)
		done <- err
	}()
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("blocked Read returned %v, want net.ErrClosed", err)
	}
}

func TestBuilders(t *testing.T) {
	src := netip.MustParseAddrPort("192.0.2.1:5000")
	dst := netip.MustParseAddrPort("192.0.2.2:51820")
	tests := []struct {
		name      string
		pkt       []byte
		wantProto uint8
	}{
		{"ping4", Ping(src.Addr(), dst.Addr()), ProtoICMP},
		{"ping6", Ping(netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fe80::2")), ProtoICMPv6},
		{"udp4", UDPPacket(src, dst, []byte("x")), ProtoUDP},
		{"tcp4", TCPPacket(IP{Src: src.Addr(), Dst: dst.Addr()}, TCPHeader{Flags: TCPSyn}, nil), ProtoTCP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(tt.pkt)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if in.Proto != tt.wantProto {
				t.Errorf("Proto = %d, want %d", in.Proto, tt.wantProto)
			}
		})
	}
	if Ping(src.Addr(), netip.MustParseAddr("::1")) != nil {
		t.Error("Ping with mixed families returned a packet")
	}
}
