//go:build linux

package tun

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/tun/internal/pkt"
)

// datagram builds a UDP datagram of a test flow (0: IPv4 port 1000, 1:
// IPv4 port 1001, 6: IPv6) with an n-byte payload; IPv4 datagrams carry
// id, which the kernel's segmentation gives the segments of a merged one
// in sequence.
func datagram(flow int, n int, id uint16) []byte {
	h := pkt.IP{Src: addr4a, Dst: addr4b, TTL: 64, DF: true, ID: id}
	if flow == 6 {
		h.Src, h.Dst = addr6a, addr6b
	}
	return pkt.UDP(h, 1000+uint16(flow%6), 2000, payloadBytes(n, int(id)+flow))
}

// TestGROUDP: with USO, consecutive datagrams of a flow merge into one
// UDP GSO packet, which the segmenter (as the Linux stack) cuts back into
// the same datagrams; a shorter datagram ends its group; other flows,
// TCP on the same ports, a damaged checksum and a device without USO
// merge nothing.
func TestGROUDP(t *testing.T) {
	var pkts [][]byte
	for i := range 5 {
		pkts = append(pkts, datagram(0, 64, uint16(i)))
		pkts = append(pkts, datagram(6, 64, 0))
	}
	pkts = append(pkts, datagram(0, 30, 5))  // 10: shorter, the last of its group
	pkts = append(pkts, datagram(0, 64, 6))  // 11: a new group
	pkts = append(pkts, datagram(1, 64, 7))  // 12: another flow
	pkts = append(pkts, datagram(0, 100, 8)) // 13: longer than the group's: a new one
	bufs := withOffset(pkts, 32)

	g := groTable{udp: true}
	want := [][]int{{0, 2, 4, 6, 8, 10}, {1, 3, 5, 7, 9}, {11}, {12}, {13}}
	if diff := cmp.Diff(want, grouping(t, &g, bufs, 32)); diff != "" {
		t.Fatalf("groups (-want +got):\n%s", diff)
	}
	items := g.plan(bufs, 32)
	got := expand(t, &g, items, bufs, 32)
	var wantPkts [][]byte
	for _, group := range want {
		for _, i := range group {
			wantPkts = append(wantPkts, pkts[i])
		}
	}
	if diff := cmp.Diff(wantPkts, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(withOffset(pkts, 32), bufs); diff != "" {
		t.Errorf("bufs modified (-want +got):\n%s", diff)
	}

	// Without USO the kernel would refuse a UDP GSO packet.
	var plain groTable
	if n := len(plain.plan(bufs, 32)); n != len(pkts) {
		t.Errorf("without USO: %d items for %d datagrams", n, len(pkts))
	}

	// A damaged datagram stays alone, unless checksums are trusted.
	bad := [][]byte{datagram(0, 64, 0), datagram(0, 64, 1), datagram(0, 64, 2)}
	bad[1][len(bad[1])-1] ^= 0x40
	if diff := cmp.Diff([][]int{{0}, {1}, {2}}, grouping(t, &groTable{udp: true}, bad, 0)); diff != "" {
		t.Errorf("damaged checksum (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]int{{0, 1, 2}}, grouping(t, &groTable{udp: true, trustChecksums: true}, bad, 0)); diff != "" {
		t.Errorf("trusted checksums (-want +got):\n%s", diff)
	}

	// TCP and UDP of the same ports are two flows.
	mixed := [][]byte{datagram(0, 64, 0), seg{flow: 0, seq: 0, size: 64}.build(), datagram(0, 64, 1)}
	if diff := cmp.Diff([][]int{{0, 2}, {1}}, grouping(t, &groTable{udp: true}, mixed, 0)); diff != "" {
		t.Errorf("TCP among UDP (-want +got):\n%s", diff)
	}
}
