//go:build linux

package tun

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"nbwg/kernel/tun/internal/pkt"
)

// seg describes one TCP segment of a test flow.
type seg struct {
	flow    int // 0: 10.7.0.1:1000 -> 10.7.0.2:2000, 1: the same with port 1001, 6: IPv6
	seq     uint32
	size    int
	flags   uint8
	ack     uint32
	window  uint16
	ttl     uint8
	tos     uint8
	noDF    bool
	options []byte
	id      uint16
	corrupt bool
}

func (s seg) build() []byte {
	h := pkt.IP{Src: addr4a, Dst: addr4b, TTL: s.ttl, TOS: s.tos, DF: !s.noDF, ID: s.id}
	if s.flow == 6 {
		h.Src, h.Dst = addr6a, addr6b
	}
	flags := s.flags
	if flags == 0 {
		flags = pkt.TCPAck
	}
	p := pkt.TCP(h, pkt.TCPHeader{SrcPort: 1000 + uint16(s.flow%6), DstPort: 2000, Seq: s.seq, Ack: s.ack + 1,
		Flags: flags, Window: s.window, Options: s.options}, payloadBytes(s.size, int(s.seq)))
	if s.corrupt {
		p[len(p)-1] ^= 0x40
	}
	return p
}

// grouping runs plan and returns the members of each item.
func grouping(t *testing.T, g *groTable, bufs [][]byte, offset int) [][]int {
	t.Helper()
	var out [][]int
	items := g.plan(bufs, offset)
	for k := range items {
		var m []int
		g.members(&items[k], func(i int) { m = append(m, i) })
		if len(m) != items[k].count {
			t.Fatalf("item %d: %d members, count %d", k, len(m), items[k].count)
		}
		out = append(out, m)
	}
	return out
}

func withOffset(pkts [][]byte, offset int) [][]byte {
	bufs := make([][]byte, len(pkts))
	for i, p := range pkts {
		bufs[i] = append(make([]byte, offset), p...)
	}
	return bufs
}

func TestGROPlan(t *testing.T) {
	const mss = 1000
	full := func(flow, n int) seg { return seg{flow: flow, seq: uint32(n * mss), size: mss, id: uint16(n)} }
	with := func(s seg, f func(*seg)) seg { f(&s); return s }
	udp := pkt.UDP(pkt.IP{Src: addr4a, Dst: addr4b}, 1000, 2000, []byte("udp"))
	optsIPv4 := func() []byte {
		p := full(0, 1).build()
		q := make([]byte, 0, len(p)+4)
		q = append(q, 0x46)
		q = append(q, p[1:20]...)
		q = append(q, 1, 1, 1, 0) // NOP NOP NOP EOL
		q = append(q, p[20:]...)
		q[3] += 4
		return q
	}
	tests := []struct {
		name string
		segs []seg
		raw  map[int][]byte // packets that are not built from segs
		want [][]int
	}{
		{"four full v4", []seg{full(0, 0), full(0, 1), full(0, 2), full(0, 3)}, nil, [][]int{{0, 1, 2, 3}}},
		{"four full v6", []seg{full(6, 0), full(6, 1), full(6, 2), full(6, 3)}, nil, [][]int{{0, 1, 2, 3}}},
		{"short tail ends the group", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.size = 10 }), {seq: mss + 10, size: mss}}, nil, [][]int{{0, 1}, {2}}},
		{"larger after smaller", []seg{with(full(0, 0), func(s *seg) { s.size = 500 }), {seq: 500, size: mss}}, nil, [][]int{{0}, {1}}},
		{"psh on the last", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.flags = pkt.TCPAck | pkt.TCPPsh }), full(0, 2)}, nil, [][]int{{0, 1}, {2}}},
		{"psh on the head", []seg{with(full(0, 0), func(s *seg) { s.flags = pkt.TCPAck | pkt.TCPPsh }), full(0, 1)}, nil, [][]int{{0}, {1}}},
		{"sequence gap", []seg{full(0, 0), full(0, 2), full(0, 3)}, nil, [][]int{{0}, {1, 2}}},
		{"interleaved flows", []seg{full(0, 0), full(1, 0), full(0, 1), full(1, 1), full(6, 0), full(6, 1)}, nil, [][]int{{0, 2}, {1, 3}, {4, 5}}},
		{"ack differs", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.ack = 9 })}, nil, [][]int{{0}, {1}}},
		{"window differs", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.window = 9 })}, nil, [][]int{{0}, {1}}},
		{"options differ", []seg{with(full(0, 0), func(s *seg) { s.options = []byte{1, 1, 1, 1} }), with(full(0, 1), func(s *seg) { s.options = []byte{1, 1, 1, 0} })}, nil, [][]int{{0}, {1}}},
		{"same options", []seg{with(full(0, 0), func(s *seg) { s.options = []byte{1, 1, 1, 1} }), with(full(0, 1), func(s *seg) { s.options = []byte{1, 1, 1, 1} })}, nil, [][]int{{0, 1}}},
		{"ttl differs", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.ttl = 3 })}, nil, [][]int{{0}, {1}}},
		{"hop limit differs", []seg{full(6, 0), with(full(6, 1), func(s *seg) { s.ttl = 3 })}, nil, [][]int{{0}, {1}}},
		{"tos differs", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.tos = 4 })}, nil, [][]int{{0}, {1}}},
		{"traffic class differs", []seg{full(6, 0), with(full(6, 1), func(s *seg) { s.tos = 4 })}, nil, [][]int{{0}, {1}}},
		{"df differs", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.noDF = true })}, nil, [][]int{{0}, {1}}},
		{"pure ack closes the flow", []seg{full(0, 0), {seq: mss, size: 0}, full(0, 1)}, nil, [][]int{{0}, {1}, {2}}},
		{"fin is not merged", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.flags = pkt.TCPAck | pkt.TCPFin })}, nil, [][]int{{0}, {1}}},
		{"syn is not merged", []seg{with(full(0, 0), func(s *seg) { s.flags = pkt.TCPSyn }), full(0, 1)}, nil, [][]int{{0}, {1}}},
		{"bad member checksum", []seg{full(0, 0), with(full(0, 1), func(s *seg) { s.corrupt = true }), full(0, 2)}, nil, [][]int{{0}, {1}, {2}}},
		{"bad head checksum", []seg{with(full(0, 0), func(s *seg) { s.corrupt = true }), full(0, 1), full(0, 2)}, nil, [][]int{{0}, {1, 2}}},
		{"udp between", []seg{full(0, 0), {}, full(0, 1)}, map[int][]byte{1: udp}, [][]int{{0, 2}, {1}}},
		{"ipv4 options", []seg{{}, full(0, 2)}, map[int][]byte{0: optsIPv4()}, [][]int{{0}, {1}}},
		{"garbage", []seg{full(0, 0), {}, full(0, 1)}, map[int][]byte{1: {0x45, 0, 0}}, [][]int{{0, 2}, {1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkts := make([][]byte, len(tt.segs))
			for i, s := range tt.segs {
				pkts[i] = s.build()
				if r, ok := tt.raw[i]; ok {
					pkts[i] = r
				}
			}
			var g groTable
			got := grouping(t, &g, withOffset(pkts, 16), 16)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("grouping (-want +got):\n%s", diff)
			}
			// The table is reused: a second plan gives the same.
			if diff := cmp.Diff(tt.want, grouping(t, &g, withOffset(pkts, 16), 16)); diff != "" {
				t.Errorf("second plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGROLimits(t *testing.T) {
	var segs []seg
	for i := range maxGROSegments + 6 {
		segs = append(segs, seg{seq: uint32(i * 10), size: 10})
	}
	var big []seg
	for i := range 50 {
		big = append(big, seg{seq: uint32(i * 1400), size: 1400})
	}
	// 52 header bytes + 46 * 1400 = 64452 <= 65535 < 65852.
	tests := []struct {
		name string
		segs []seg
		want []int // group sizes
	}{
		{"segment count", segs, []int{maxGROSegments, 6}},
		{"64 KiB", big, []int{46, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pkts [][]byte
			for _, s := range tt.segs {
				pkts = append(pkts, s.build())
			}
			var g groTable
			var got []int
			for _, m := range grouping(t, &g, pkts, 0) {
				got = append(got, len(m))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("group sizes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGROBadOffset(t *testing.T) {
	var g groTable
	items := g.plan([][]byte{make([]byte, 4), make([]byte, 100)}, 10)
	if len(items) != 2 || !items[0].bad || items[1].bad {
		t.Errorf("plan = %+v; want the first item bad", items)
	}
}

// expand writes each item as the device would and reads it back through
// the segmenter, as the Linux stack sees the data: the original packets.
func expand(t *testing.T, g *groTable, items []groItem, bufs [][]byte, offset int) [][]byte {
	t.Helper()
	var out [][]byte
	for k := range items {
		wire := bytes.Join(g.itemViews(&items[k], bufs, offset), nil)
		if items[k].count > 1 {
			// The merged packet's checksum field holds the
			// pseudo-header sum only (NEEDS_CSUM: the stack adds the
			// rest), whatever value that happens to be.
			if got, want := partialChecksum(t, wire); got != want {
				t.Errorf("item %d: merged packet's checksum field is %#04x, want the pseudo-header sum %#04x", k, got, want)
			}
		}
		var s segmenter
		single, err := s.load(wire)
		if err != nil {
			t.Fatalf("item %d: load: %v", k, err)
		}
		if single != nil {
			out = append(out, append([]byte(nil), single...))
			continue
		}
		out = append(out, readAll(t, &s, 3, 0)...)
	}
	return out
}

func TestGRORoundTrip(t *testing.T) {
	var pkts [][]byte
	for i := range 5 {
		pkts = append(pkts, seg{flow: 0, seq: uint32(1000 * i), size: 1000, id: uint16(i)}.build())
		pkts = append(pkts, seg{flow: 6, seq: uint32(1200 * i), size: 1200}.build())
	}
	pkts = append(pkts, seg{flow: 0, seq: 5000, size: 300, id: 5, flags: pkt.TCPAck | pkt.TCPPsh}.build())
	bufs := withOffset(pkts, 32)
	var g groTable
	items := g.plan(bufs, 32)
	if len(items) != 2 || items[0].count != 6 || items[1].count != 5 {
		t.Fatalf("plan made %d items", len(items))
	}
	got := expand(t, &g, items, bufs, 32)
	want := append(pkts[0:1:1], pkts[2], pkts[4], pkts[6], pkts[8], pkts[10], pkts[1], pkts[3], pkts[5], pkts[7], pkts[9])
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// Write must not have changed the caller's buffers.
	if diff := cmp.Diff(withOffset(pkts, 32), bufs); diff != "" {
		t.Errorf("bufs modified (-want +got):\n%s", diff)
	}
}

// TestGRORandomFlows checks the invariants on random traffic: every
// packet comes out exactly once, byte for byte, and each flow's packets
// stay in their order.
func TestGRORandomFlows(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for round := range 200 {
		type flowState struct {
			seq uint32
			id  uint16
			mss int
		}
		flows := []int{0, 1, 6}
		state := map[int]*flowState{}
		for _, f := range flows {
			state[f] = &flowState{seq: rng.Uint32(), mss: 500 + rng.IntN(1000)}
		}
		var pkts [][]byte
		var flowOf []int
		for range 1 + rng.IntN(100) {
			f := flows[rng.IntN(len(flows))]
			st := state[f]
			s := seg{flow: f, seq: st.seq, size: st.mss, id: st.id}
			switch r := rng.IntN(20); {
			case r == 0:
				s.size = 0 // pure ACK
			case r == 1:
				s.size = 1 + rng.IntN(st.mss) // short
			case r == 2:
				s.flags = pkt.TCPAck | pkt.TCPPsh
			case r == 3:
				s.corrupt = true
			case r == 4:
				s.seq += 1 // out of order
			}
			st.seq += uint32(s.size)
			st.id++
			pkts = append(pkts, s.build())
			flowOf = append(flowOf, f)
		}
		bufs := withOffset(pkts, 16)
		var g groTable
		got := expand(t, &g, g.plan(bufs, 16), bufs, 16)
		// Per flow, the output must equal the input.
		perFlow := func(list [][]byte) map[int][]string {
			m := map[int][]string{}
			for _, p := range list {
				f := -1
				for i, q := range pkts {
					if bytes.Equal(p, q) {
						f = flowOf[i]
						break
					}
				}
				m[f] = append(m[f], fmt.Sprintf("%x", p))
			}
			return m
		}
		if diff := cmp.Diff(perFlow(pkts), perFlow(got)); diff != "" {
			t.Fatalf("round %d: per-flow packets differ (-want +got):\n%s", round, diff)
		}
	}
}

func BenchmarkGROPlan(b *testing.B) {
	var pkts [][]byte
	for i := range 128 {
		pkts = append(pkts, seg{flow: i % 2, seq: uint32(1380 * (i / 2)), size: 1380}.build())
	}
	bufs := withOffset(pkts, 16)
	var g groTable
	b.SetBytes(int64(128 * 1380))
	for b.Loop() {
		items := g.plan(bufs, 16)
		for k := range items {
			g.itemViews(&items[k], bufs, 16)
		}
	}
}

func BenchmarkSegment(b *testing.B) {
	in := superpacket(b, pkt.IP{Src: addr4a, Dst: addr4b}, 6, pkt.TCPHeader{Flags: pkt.TCPAck}, payloadBytes(46*1380, 0), 1380)
	bufs := make([][]byte, 128)
	for i := range bufs {
		bufs[i] = make([]byte, 1500)
	}
	sizes := make([]int, 128)
	work := make([]byte, len(in))
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		copy(work, in)
		var s segmenter
		if _, err := s.load(work); err != nil {
			b.Fatal(err)
		}
		s.take(bufs, sizes, 16)
	}
}

// TestGROTrustedChecksums: a device whose writer authenticated the packets
// (CreateAuthenticated) merges segments without checking their checksums.
func TestGROTrustedChecksums(t *testing.T) {
	const mss = 1000
	segs := []seg{{seq: 0, size: mss}, {seq: mss, size: mss, id: 1, corrupt: true}, {seq: 2 * mss, size: mss, id: 2}}
	var pkts [][]byte
	for _, s := range segs {
		pkts = append(pkts, s.build())
	}
	g := groTable{trustChecksums: true}
	if diff := cmp.Diff([][]int{{0, 1, 2}}, grouping(t, &g, withOffset(pkts, 16), 16)); diff != "" {
		t.Errorf("trusted grouping (-want +got):\n%s", diff)
	}
}

// partialChecksum returns what the checksum field of a NEEDS_CSUM packet
// holds and the pseudo-header sum it should hold.
func partialChecksum(t *testing.T, wire []byte) (got, want uint16) {
	t.Helper()
	var h virtioNetHdr
	if err := h.decode(wire); err != nil {
		t.Fatal(err)
	}
	if h.flags&unix.VIRTIO_NET_HDR_F_NEEDS_CSUM == 0 {
		t.Fatalf("merged packet without NEEDS_CSUM: %+v", h)
	}
	p := wire[virtioNetHdrLen:]
	start := int(h.csumStart)
	got = binary.BigEndian.Uint16(p[start+int(h.csumOffset):])
	var src, dst []byte
	switch p[0] >> 4 {
	case 4:
		src, dst = p[12:16], p[16:20]
	case 6:
		src, dst = p[8:24], p[24:40]
	default:
		t.Fatalf("merged packet of IP version %d", p[0]>>4)
	}
	proto := uint8(unix.IPPROTO_TCP)
	if h.gsoType == unix.VIRTIO_NET_HDR_GSO_UDP_L4 {
		proto = unix.IPPROTO_UDP
	}
	return got, fold(pseudoHeaderSum(proto, src, dst, len(p)-start))
}
