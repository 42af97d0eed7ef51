package allowedips

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// benchSet is a table of random prefixes and addresses to look up in it,
// half of them inside some prefix.
type benchSet struct {
	tbl   *Table[int]
	addrs [][]byte // 4 or 16 bytes each, as a packet header holds them
	mixed []netip.Addr
}

var benchSets = map[string]*benchSet{}

// getBenchSet builds (once per process) a table of n random prefixes of
// one family: lengths 8..32 for IPv4, 16..128 for IPv6, spread over 256
// peers.
func getBenchSet(is4 bool, n int) *benchSet {
	name := fmt.Sprintf("%v/%d", is4, n)
	if s := benchSets[name]; s != nil {
		return s
	}
	r := rand.New(rand.NewPCG(1, uint64(n)))
	size, minBits := 16, 16
	if is4 {
		size, minBits = 4, 8
	}
	randAddr := func() []byte {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	s := &benchSet{tbl: &Table[int]{}}
	var prefixes []netip.Prefix
	for s.tbl.Len() < n {
		a, _ := netip.AddrFromSlice(randAddr())
		p := netip.PrefixFrom(a, minBits+r.IntN(size*8-minBits+1)).Masked()
		if s.tbl.Insert(p, r.IntN(256)) == nil {
			prefixes = append(prefixes, p)
		}
	}
	for i := range 4096 {
		b := randAddr()
		if i%2 == 0 {
			// Put b inside a random prefix: keep its host bits only.
			p := prefixes[r.IntN(len(prefixes))]
			pb := p.Addr().AsSlice()
			for j := range p.Bits() {
				mask := byte(0x80) >> (j % 8)
				b[j/8] = b[j/8]&^mask | pb[j/8]&mask
			}
		}
		s.addrs = append(s.addrs, b)
		a, _ := netip.AddrFromSlice(b)
		s.mixed = append(s.mixed, a)
	}
	benchSets[name] = s
	return s
}

func BenchmarkLookup(b *testing.B) {
	for _, fam := range []struct {
		name string
		is4  bool
	}{{"v4", true}, {"v6", false}} {
		for _, n := range []int{1000, 100000} {
			b.Run(fmt.Sprintf("%s/%d/raw", fam.name, n), func(b *testing.B) {
				s := getBenchSet(fam.is4, n)
				lookup := s.tbl.LookupV6
				if fam.is4 {
					lookup = s.tbl.LookupV4
				}
				b.ReportAllocs()
				hits := 0
				i := 0
				for b.Loop() {
					if _, ok := lookup(s.addrs[i&4095]); ok {
						hits++
					}
					i++
				}
				b.ReportMetric(float64(hits)/float64(i), "hits/op")
			})
			b.Run(fmt.Sprintf("%s/%d/netip", fam.name, n), func(b *testing.B) {
				s := getBenchSet(fam.is4, n)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					s.tbl.Lookup(s.mixed[i&4095])
					i++
				}
			})
		}
	}
}

// BenchmarkInsertRemove measures the writer's cost of one Insert and one
// Remove in a table of 100,000 IPv4 prefixes, path copying included.
func BenchmarkInsertRemove(b *testing.B) {
	s := getBenchSet(true, 100000)
	p := netip.MustParsePrefix("10.11.12.13/32")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.tbl.Insert(p, 1); err != nil {
			b.Fatal(err)
		}
		s.tbl.Remove(p)
	}
}

// TestLookupDoesNotAllocate holds the packet path to its promise of no
// allocation per lookup.
func TestLookupDoesNotAllocate(t *testing.T) {
	for _, is4 := range []bool{true, false} {
		s := getBenchSet(is4, 1000)
		i := 0
		var allocs float64
		if is4 {
			allocs = testing.AllocsPerRun(1000, func() { s.tbl.LookupV4(s.addrs[i&4095]); i++ })
		} else {
			allocs = testing.AllocsPerRun(1000, func() { s.tbl.LookupV6(s.addrs[i&4095]); i++ })
		}
		if allocs != 0 {
			t.Errorf("raw lookup (v4 %v) allocates %v times per run", is4, allocs)
		}
		if allocs := testing.AllocsPerRun(1000, func() { s.tbl.Lookup(s.mixed[i&4095]); i++ }); allocs != 0 {
			t.Errorf("Lookup (v4 %v) allocates %v times per run", is4, allocs)
		}
	}
}
