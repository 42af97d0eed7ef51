//go:build linux

package tun

import (
	"testing"

	"golang.org/x/sys/unix"

	"nbwg/kernel/tun/internal/pkt"
)

// Whatever the kernel or a peer sends, the offload code must not panic.

func FuzzSegmenter(f *testing.F) {
	f.Add(superpacket(f, pkt.IP{Src: addr4a, Dst: addr4b}, unix.IPPROTO_TCP, pkt.TCPHeader{Flags: pkt.TCPAck}, payloadBytes(3000, 0), 1000))
	f.Add(superpacket(f, pkt.IP{Src: addr6a, Dst: addr6b}, unix.IPPROTO_UDP, pkt.TCPHeader{}, payloadBytes(2000, 0), 700))
	f.Add(append(make([]byte, virtioNetHdrLen), pkt.Echo(pkt.IP{Src: addr4a, Dst: addr4b}, false, 1, 1, nil)...))
	f.Fuzz(func(t *testing.T, in []byte) {
		var s segmenter
		if _, err := s.load(in); err != nil {
			return
		}
		bufs := make([][]byte, 4)
		for i := range bufs {
			bufs[i] = make([]byte, 1600)
		}
		sizes := make([]int, 4)
		for range 100 {
			if !s.pending() {
				return
			}
			if _, err := s.take(bufs, sizes, 8); err != nil {
				return
			}
		}
	})
}

func FuzzGRO(f *testing.F) {
	f.Add(seg{seq: 0, size: 100}.build(), seg{seq: 100, size: 100}.build(), seg{flow: 6, size: 10}.build())
	f.Add(datagram(0, 64, 0), datagram(0, 64, 1), datagram(6, 10, 0))
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		bufs := [][]byte{a, b, c, a, b}
		g := groTable{udp: true}
		items := g.plan(bufs, 0)
		for k := range items {
			if !items[k].bad {
				g.itemViews(&items[k], bufs, 0)
			}
		}
	})
}
