//go:build linux

package tun

import (
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"nbwg/kernel/tun/internal/pkt"
)

var (
	addr4a = netip.MustParseAddr("10.7.0.1")
	addr4b = netip.MustParseAddr("10.7.0.2")
	addr6a = netip.MustParseAddr("fd07::1")
	addr6b = netip.MustParseAddr("fd07::2")
)

// payloadBytes returns n bytes of a recognisable pattern.
func payloadBytes(n, salt int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + salt)
	}
	return b
}

// superpacket is a TSO/USO packet as the kernel hands it to a TUN reader:
// virtio_net_hdr, then one IP packet whose payload is many segments long,
// its transport checksum field holding the pseudo-header sum
// (CHECKSUM_PARTIAL).
func superpacket(t testing.TB, h pkt.IP, proto uint8, th pkt.TCPHeader, payload []byte, gsoSize int) []byte {
	t.Helper()
	var p []byte
	vh := virtioNetHdr{flags: unix.VIRTIO_NET_HDR_F_NEEDS_CSUM, gsoSize: uint16(gsoSize)}
	if proto == unix.IPPROTO_TCP {
		p = pkt.TCP(h, th, payload)
		vh.gsoType = unix.VIRTIO_NET_HDR_GSO_TCPV4
		if h.Src.Is6() {
			vh.gsoType = unix.VIRTIO_NET_HDR_GSO_TCPV6
		}
		vh.csumOffset = tcpCsumOff
	} else {
		p = pkt.UDP(h, th.SrcPort, th.DstPort, payload)
		vh.gsoType = unix.VIRTIO_NET_HDR_GSO_UDP_L4
		vh.csumOffset = udpCsumOff
	}
	if p == nil {
		t.Fatal("fixture does not build")
	}
	iphLen := ipv4HdrLen
	if h.Src.Is6() {
		iphLen = ipv6HdrLen
	}
	vh.csumStart = uint16(iphLen)
	// The kernel leaves hdr_len as it likes; make it wrong on purpose, as
	// the segmenter must not trust it.
	vh.hdrLen = uint16(len(p))
	src, dst := h.Src.AsSlice(), h.Dst.AsSlice()
	binary.BigEndian.PutUint16(p[iphLen+int(vh.csumOffset):], fold(pseudoHeaderSum(proto, src, dst, len(p)-iphLen)))
	out := make([]byte, virtioNetHdrLen, virtioNetHdrLen+len(p))
	vh.encode(out)
	return append(out, p...)
}

// wantSegments builds, with package pkt, the packets a NIC would have
// made of the superpacket.
func wantSegments(h pkt.IP, proto uint8, th pkt.TCPHeader, payload []byte, gsoSize int) [][]byte {
	var out [][]byte
	for i, off := 0, 0; off < len(payload); i, off = i+1, off+gsoSize {
		end := min(off+gsoSize, len(payload))
		sh := h
		sh.ID = h.ID + uint16(i)
		if proto == unix.IPPROTO_UDP {
			out = append(out, pkt.UDP(sh, th.SrcPort, th.DstPort, payload[off:end]))
			continue
		}
		st := th
		st.Seq = th.Seq + uint32(off)
		if end != len(payload) {
			st.Flags &^= pkt.TCPFin | pkt.TCPPsh
		}
		if i > 0 {
			st.Flags &^= tcpCWR
		}
		out = append(out, pkt.TCP(sh, st, payload[off:end]))
	}
	return out
}

// readAll drains the segmenter with batches of batch buffers.
func readAll(t *testing.T, s *segmenter, batch, offset int) [][]byte {
	t.Helper()
	var got [][]byte
	for s.pending() {
		bufs := make([][]byte, batch)
		for i := range bufs {
			bufs[i] = make([]byte, offset+2000)
		}
		sizes := make([]int, batch)
		n, err := s.take(bufs, sizes, offset)
		if err != nil || n == 0 {
			t.Fatalf("take = %d, %v", n, err)
		}
		for i := range n {
			got = append(got, bufs[i][offset:offset+sizes[i]])
		}
	}
	return got
}

func TestSegmenterSplits(t *testing.T) {
	opts := pkt.TCPHeader{SrcPort: 40000, DstPort: 5201, Seq: 0xfffff000, Ack: 77, Flags: pkt.TCPAck | pkt.TCPPsh | pkt.TCPFin,
		Options: []byte{1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8}}
	tests := []struct {
		name    string
		h       pkt.IP
		proto   uint8
		th      pkt.TCPHeader
		payload int
		gsoSize int
		batch   int
	}{
		{"tcp4 exact", pkt.IP{Src: addr4a, Dst: addr4b, ID: 0xfffe, DF: true}, unix.IPPROTO_TCP, opts, 4 * 1348, 1348, 128},
		{"tcp4 short tail, seq wraps", pkt.IP{Src: addr4a, Dst: addr4b, ID: 9}, unix.IPPROTO_TCP, opts, 64000, 1348, 128},
		{"tcp4 cwr on first only", pkt.IP{Src: addr4a, Dst: addr4b}, unix.IPPROTO_TCP, pkt.TCPHeader{Flags: pkt.TCPAck | tcpCWR}, 3000, 1000, 128},
		{"tcp6", pkt.IP{Src: addr6a, Dst: addr6b, TOS: 0x20}, unix.IPPROTO_TCP, opts, 10000, 1328, 128},
		{"tcp6 in small batches", pkt.IP{Src: addr6a, Dst: addr6b}, unix.IPPROTO_TCP, opts, 60000, 1200, 7},
		{"udp4 uso", pkt.IP{Src: addr4a, Dst: addr4b, ID: 100}, unix.IPPROTO_UDP, pkt.TCPHeader{SrcPort: 53, DstPort: 9999}, 5000, 1200, 128},
		{"udp6 uso", pkt.IP{Src: addr6a, Dst: addr6b}, unix.IPPROTO_UDP, pkt.TCPHeader{SrcPort: 443, DstPort: 4433}, 3601, 1200, 2},
		{"tiny mss, more segments than one batch", pkt.IP{Src: addr4a, Dst: addr4b}, unix.IPPROTO_TCP, opts, 3000, 10, 128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := payloadBytes(tt.payload, 3)
			in := superpacket(t, tt.h, tt.proto, tt.th, payload, tt.gsoSize)
			var s segmenter
			single, err := s.load(in)
			if err != nil || single != nil {
				t.Fatalf("load = %d bytes, %v; want a superpacket", len(single), err)
			}
			got := readAll(t, &s, tt.batch, 16)
			want := wantSegments(tt.h, tt.proto, tt.th, payload, tt.gsoSize)
			if len(got) != len(want) {
				t.Fatalf("%d segments, want %d", len(got), len(want))
			}
			for i := range want {
				if _, err := pkt.Parse(got[i]); err != nil {
					t.Errorf("segment %d: %v", i, err)
				}
				if diff := cmp.Diff(want[i], got[i]); diff != "" {
					t.Fatalf("segment %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func TestSegmenterSingles(t *testing.T) {
	// A small UDP packet with CHECKSUM_PARTIAL: the field holds the
	// pseudo-header sum and Read must complete it.
	p := pkt.UDP(pkt.IP{Src: addr6a, Dst: addr6b}, 1, 2, []byte("partial checksum"))
	want := append([]byte(nil), p...)
	binary.BigEndian.PutUint16(p[ipv6HdrLen+udpCsumOff:], fold(pseudoHeaderSum(unix.IPPROTO_UDP, addr6a.AsSlice(), addr6b.AsSlice(), len(p)-ipv6HdrLen)))
	in := make([]byte, virtioNetHdrLen)
	(&virtioNetHdr{flags: unix.VIRTIO_NET_HDR_F_NEEDS_CSUM, csumStart: ipv6HdrLen, csumOffset: udpCsumOff}).encode(in)
	in = append(in, p...)

	// A packet with nothing to do.
	plain := pkt.Echo(pkt.IP{Src: addr4a, Dst: addr4b}, false, 1, 1, []byte("x"))
	in2 := append(make([]byte, virtioNetHdrLen), plain...)

	tests := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"needs csum", in, want},
		{"nothing", in2, plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s segmenter
			got, err := s.load(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if s.pending() {
				t.Error("segmenter pending after a single packet")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("packet (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSegmenterRejects(t *testing.T) {
	good := superpacket(t, pkt.IP{Src: addr4a, Dst: addr4b}, unix.IPPROTO_TCP, pkt.TCPHeader{Flags: pkt.TCPAck}, payloadBytes(3000, 0), 1000)
	mutate := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"short header", good[:5]},
		{"short packet", good[:virtioNetHdrLen+10]},
		{"gso_size 0", mutate(func(b []byte) { binary.NativeEndian.PutUint16(b[4:], 0) })},
		{"csum_start not the IPv4 header length", mutate(func(b []byte) { binary.NativeEndian.PutUint16(b[6:], 24) })},
		{"tcpv6 type on IPv4", mutate(func(b []byte) { b[1] = unix.VIRTIO_NET_HDR_GSO_TCPV6 })},
		{"UFO", mutate(func(b []byte) { b[1] = unix.VIRTIO_NET_HDR_GSO_UDP })},
		{"TCP data offset 4", mutate(func(b []byte) { b[virtioNetHdrLen+ipv4HdrLen+12] = 0x10 })},
		{"TCP data offset beyond packet", mutate(func(b []byte) { b[virtioNetHdrLen+ipv4HdrLen+12] = 0xf0 })[:virtioNetHdrLen+50]},
		{"IP version 5", mutate(func(b []byte) { b[virtioNetHdrLen] = 0x55 })},
		{"needs csum beyond packet", mutate(func(b []byte) { b[1] = 0; binary.NativeEndian.PutUint16(b[8:], 5000) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s segmenter
			if _, err := s.load(tt.in); err == nil {
				t.Errorf("load accepted it")
			}
			if s.pending() {
				t.Errorf("segmenter pending after an error")
			}
		})
	}
}

func TestSegmenterShortBuffer(t *testing.T) {
	in := superpacket(t, pkt.IP{Src: addr4a, Dst: addr4b}, unix.IPPROTO_TCP, pkt.TCPHeader{Flags: pkt.TCPAck}, payloadBytes(3000, 0), 1000)
	var s segmenter
	if _, err := s.load(in); err != nil {
		t.Fatal(err)
	}
	// Second buffer too short: one segment now, the rest later.
	bufs := [][]byte{make([]byte, 1100), make([]byte, 500)}
	sizes := make([]int, 2)
	if n, err := s.take(bufs, sizes, 0); n != 1 || err != nil || !s.pending() {
		t.Fatalf("take = %d, %v, pending %v; want 1 segment and more pending", n, err, s.pending())
	}
	// First buffer too short: the superpacket is dropped.
	if n, err := s.take(bufs[1:], sizes, 0); n != 0 || !errors.Is(err, io.ErrShortBuffer) || s.pending() {
		t.Fatalf("take = %d, %v, pending %v; want ErrShortBuffer and nothing pending", n, err, s.pending())
	}
}
