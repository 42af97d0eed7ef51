package allowedips

import (
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
)

// TestConcurrentLookups runs lookups on several goroutines while one writer
// inserts and removes. Run it under -race: it checks that readers need no
// lock, that every answer is one some published state would give, and that
// a batch is seen whole or not at all. It makes no timing assumptions: the
// readers run until the writer is done, however the scheduler interleaves
// them.
func TestConcurrentLookups(t *testing.T) {
	const (
		base  = 1 // holds the default routes, always present
		churn = 2 // gains and loses prefixes one batch at a time
		batch = 3 // gains and loses a v4 and a v6 prefix together
	)
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	var tbl Table[int]
	for _, p := range []string{"0.0.0.0/0", "::/0"} {
		if err := tbl.Insert(netip.MustParsePrefix(p), base); err != nil {
			t.Fatal(err)
		}
	}
	batchV4 := netip.MustParsePrefix("192.0.2.0/24")
	batchV6 := netip.MustParsePrefix("2001:db8::/32")
	churnPrefixes := func(i int) []netip.Prefix {
		x, y := byte(i>>8), byte(i)
		return []netip.Prefix{
			netip.PrefixFrom(netip.AddrFrom4([4]byte{10, x, y, 0}), 24),
			netip.PrefixFrom(netip.AddrFrom16([16]byte{0: 0xfd, 12: x, 13: y}), 112),
		}
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 0))
			for {
				select {
				case <-done:
					return
				default:
				}
				x, y := byte(rng.Uint32()), byte(rng.Uint32())
				v4 := [4]byte{10, x, y, 1}
				if p, ok := tbl.LookupV4(v4[:]); !ok || p != base && p != churn {
					t.Errorf("LookupV4(%v) = %d, %v during churn", netip.AddrFrom4(v4), p, ok)
					return
				}
				v6 := [16]byte{0: 0xfd, 12: x, 13: y, 15: 1}
				if p, ok := tbl.LookupV6(v6[:]); !ok || p != base && p != churn {
					t.Errorf("LookupV6(%v) = %d, %v during churn", netip.AddrFrom16(v6), p, ok)
					return
				}
				if n := tbl.Len(); n < 2 {
					t.Errorf("Len() = %d during churn, want at least 2", n)
					return
				}
				// Both halves of the batch come from one snapshot, so they
				// must agree.
				s := tbl.snap.Load()
				a := lookup(s.v4, keyFromAddr(batchV4.Addr()))
				b := lookup(s.v6, keyFromAddr(batchV6.Addr()))
				if (a.peer == batch) != (b.peer == batch) {
					t.Errorf("snapshot shows half a batch: v4 peer %d, v6 peer %d", a.peer, b.peer)
					return
				}
			}
		})
	}

	var live []int // rounds whose churn prefixes are in the table, oldest first
	for i := range rounds {
		if err := tbl.InsertAll(churnPrefixes(i), churn); err != nil {
			t.Errorf("InsertAll round %d: %v", i, err)
			break
		}
		live = append(live, i)
		if len(live) > 50 {
			for _, p := range churnPrefixes(live[0]) {
				if !tbl.Remove(p) {
					t.Errorf("Remove(%v) round %d = false", p, i)
				}
			}
			live = live[1:]
		}
		if i%500 == 499 {
			if n := tbl.RemoveByPeer(churn); n != 2*len(live) {
				t.Errorf("RemoveByPeer(churn) round %d = %d, want %d", i, n, 2*len(live))
			}
			live = nil
		}
		if err := tbl.InsertAll([]netip.Prefix{batchV4, batchV6}, batch); err != nil {
			t.Errorf("InsertAll batch round %d: %v", i, err)
			break
		}
		if n := tbl.RemoveByPeer(batch); n != 2 {
			t.Errorf("RemoveByPeer(batch) round %d = %d, want 2", i, n)
		}
	}
	close(done)
	wg.Wait()
	checkInvariants(t, &tbl)
}
