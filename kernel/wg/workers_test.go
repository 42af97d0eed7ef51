package wg

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"nbwg/kernel/tun/tuntest"
)

func TestDefaultCryptoWorkers(t *testing.T) {
	for _, tc := range []struct{ ncpu, want int }{{1, 0}, {2, 0}, {3, 3}, {4, 4}, {64, 64}} {
		if got := DefaultCryptoWorkers(tc.ncpu); got != tc.want {
			t.Errorf("DefaultCryptoWorkers(%d) = %d, want %d", tc.ncpu, got, tc.want)
		}
	}
}

// TestCryptoWorkers sends packets both ways with every batch handed to
// the crypto workers, and with no workers at all: each packet arrives
// once, in order, and the counts say who sealed and opened the batches.
func TestCryptoWorkers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers int
		min     int
		want    bool // batches went to the workers
	}{
		{"every batch to 2 workers", 2, 1, true},
		{"no workers", -1, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newPairWith(t, newTestBinds(), nil, nil, nil, newFakeClock(), func(e *Env) {
				e.CryptoWorkers, e.parallelMin = tc.workers, tc.min
			})
			for _, h := range []*host{a, b} {
				if want := max(tc.workers, 0); h.dev.cryptoWorkers != want {
					t.Fatalf("%d crypto workers, want %d", h.dev.cryptoWorkers, want)
				}
			}
			// A session first: packets sent before it are staged, and
			// only the newest are kept.
			ping := tuntest.Ping(netip.MustParseAddr("10.2.0.42"), netip.MustParseAddr("10.2.0.1"))
			b.input(ping)
			expect(t, a.tun, ping)
			const n = 300
			for _, dir := range []struct {
				name     string
				from, to *host
				src, dst netip.AddrPort
			}{
				{"B to A", b, a, netip.MustParseAddrPort("10.2.0.42:1000"), netip.MustParseAddrPort("10.2.0.1:2000")},
				{"A to B", a, b, netip.MustParseAddrPort("[fd00:2::1]:2000"), netip.MustParseAddrPort("[fd00:2::42]:1000")},
			} {
				pkts := make([][]byte, n)
				for i := range pkts {
					payload := make([]byte, 1000)
					binary.BigEndian.PutUint32(payload, uint32(i))
					pkts[i] = tuntest.UDPPacket(dir.src, dir.dst, payload)
				}
				go func() {
					for _, p := range pkts {
						dir.from.input(p)
					}
				}()
				for i, p := range pkts {
					select {
					case got := <-dir.to.tun.Outbound:
						if !bytes.Equal(got, p) {
							t.Fatalf("%s: packet %d delivered where packet %d was due (or it was changed)", dir.name, seqOf(got), i)
						}
					case <-time.After(bound):
						t.Fatalf("%s: packet %d not delivered within %v", dir.name, i, bound)
					}
				}
			}
			settle(t, a)
			for _, h := range []struct {
				name string
				h    *host
			}{{"A", a}, {"B", b}} {
				sealed, opened := h.h.dev.stats.sealedByWorkers.Load(), h.h.dev.stats.openedByWorkers.Load()
				if got := sealed > 0 && opened > 0; got != tc.want || (!tc.want && sealed+opened > 0) {
					t.Errorf("%s: the workers sealed %d batches and opened %d; want them to do all: %v", h.name, sealed, opened, tc.want)
				}
			}
		})
	}
}

// seqOf is the number TestCryptoWorkers wrote at the start of a UDP
// packet's payload, or -1.
func seqOf(pkt []byte) int {
	info, err := tuntest.Parse(pkt)
	if err != nil || len(info.Payload) < 4 {
		return -1
	}
	return int(binary.BigEndian.Uint32(info.Payload))
}
