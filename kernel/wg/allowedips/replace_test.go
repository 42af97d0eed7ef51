package allowedips

import (
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReplacePeer(t *testing.T) {
	var tb Table[string]
	pfx := netip.MustParsePrefix
	if err := tb.InsertAll([]netip.Prefix{pfx("10.0.0.0/24"), pfx("fd00::/64")}, "a"); err != nil {
		t.Fatal(err)
	}
	if err := tb.Insert(pfx("10.9.0.0/16"), "b"); err != nil {
		t.Fatal(err)
	}
	// Keep one, drop one, add one.
	if err := tb.ReplacePeer("a", []netip.Prefix{pfx("10.0.0.0/24"), pfx("192.168.1.0/24")}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]netip.Prefix{pfx("10.0.0.0/24"), pfx("192.168.1.0/24")}, tb.EntriesForPeer("a"), cmp.Comparer(func(x, y netip.Prefix) bool { return x == y })); diff != "" {
		t.Errorf("a's entries (-want +got):\n%s", diff)
	}
	if _, ok := tb.Lookup(netip.MustParseAddr("fd00::1")); ok {
		t.Error("a dropped prefix still routes")
	}
	if tb.Len() != 3 {
		t.Errorf("Len = %d, want 3", tb.Len())
	}
	// Refusals change nothing: another peer's prefix, a repeat, an
	// invalid prefix.
	for _, bad := range [][]netip.Prefix{
		{pfx("10.0.0.0/24"), pfx("10.9.0.0/16")},
		{pfx("10.1.0.0/16"), pfx("10.1.0.0/16")},
		{pfx("10.2.0.0/16"), {}},
	} {
		err := tb.ReplacePeer("a", bad)
		if !errors.Is(err, syscall.EEXIST) && !errors.Is(err, syscall.EINVAL) {
			t.Errorf("ReplacePeer(%v) = %v", bad, err)
		}
		if got, _ := tb.Lookup(netip.MustParseAddr("192.168.1.1")); got != "a" || tb.Len() != 3 {
			t.Errorf("a refused ReplacePeer(%v) changed the table", bad)
		}
	}
	// To nothing, as RemoveByPeer.
	if err := tb.ReplacePeer("a", nil); err != nil || tb.Len() != 1 {
		t.Errorf("ReplacePeer(nil) = %v, Len %d", err, tb.Len())
	}
}

// TestReplacePeerNeverUnroutes: while a peer's list changes around a
// prefix it keeps, every lookup of an address in that prefix finds it.
func TestReplacePeerNeverUnroutes(t *testing.T) {
	var tb Table[int]
	keep := netip.MustParsePrefix("10.0.0.0/24")
	other := netip.MustParsePrefix("10.1.0.0/24")
	if err := tb.Insert(keep, 1); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var misses atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a := netip.MustParseAddr("10.0.0.7")
		for !stop.Load() {
			if p, ok := tb.Lookup(a); !ok || p != 1 {
				misses.Add(1)
			}
		}
	}()
	for i := range 20000 {
		list := []netip.Prefix{keep}
		if i%2 == 0 {
			list = append(list, other)
		}
		if err := tb.ReplacePeer(1, list); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := misses.Load(); n != 0 {
		t.Errorf("%d lookups missed a prefix the peer kept", n)
	}
}

func TestAssignPeer(t *testing.T) {
	var tb Table[string]
	pfx := netip.MustParsePrefix
	if err := tb.InsertAll([]netip.Prefix{pfx("10.0.0.0/24"), pfx("fd00::/64")}, "a"); err != nil {
		t.Fatal(err)
	}
	if err := tb.InsertAll([]netip.Prefix{pfx("10.9.0.0/16"), pfx("10.8.0.0/16")}, "b"); err != nil {
		t.Fatal(err)
	}
	// a keeps one, takes one of b's (given with host bits), repeats one.
	losers, err := tb.AssignPeer("a", []netip.Prefix{pfx("10.0.0.0/24"), pfx("10.9.1.2/16"), pfx("10.0.0.7/24")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b"}, losers); diff != "" {
		t.Errorf("losers (-want +got):\n%s", diff)
	}
	eq := cmp.Comparer(func(x, y netip.Prefix) bool { return x == y })
	if diff := cmp.Diff([]netip.Prefix{pfx("10.0.0.0/24"), pfx("10.9.0.0/16")}, tb.EntriesForPeer("a"), eq); diff != "" {
		t.Errorf("a's entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]netip.Prefix{pfx("10.8.0.0/16")}, tb.EntriesForPeer("b"), eq); diff != "" {
		t.Errorf("b's entries (-want +got):\n%s", diff)
	}
	if got, _ := tb.Lookup(netip.MustParseAddr("10.9.3.3")); got != "a" || tb.Len() != 3 {
		t.Errorf("10.9.3.3 routes to %q, Len %d", got, tb.Len())
	}
	// An invalid prefix changes nothing.
	if _, err := tb.AssignPeer("b", []netip.Prefix{pfx("10.0.0.0/24"), {}}); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("AssignPeer with an invalid prefix = %v", err)
	}
	if got, _ := tb.Lookup(netip.MustParseAddr("10.0.0.1")); got != "a" || tb.Len() != 3 {
		t.Error("a refused AssignPeer changed the table")
	}
	checkInvariants(t, &tb)
}
