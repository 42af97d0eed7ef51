package allowedips

import (
	"errors"
	"flag"
	"math/rand/v2"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var seedFlag = flag.Uint64("allowedips.seed", 0, "seed for the randomized model tests (0: from the clock)")

// testSeed returns the seed for a randomized test and logs it so that a
// failure can be replayed.
func testSeed(t *testing.T) uint64 {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -allowedips.seed=%d)", seed, seed)
	return seed
}

// model is a deliberately naive allowed-IPs table: a slice in insertion
// order, scanned in full for every question.
type model struct {
	entries []modelEntry
}

type modelEntry struct {
	prefix netip.Prefix // masked
	peer   int
}

func (m *model) index(p netip.Prefix) int {
	return slices.IndexFunc(m.entries, func(e modelEntry) bool { return e.prefix == p })
}

func (m *model) insertAll(ps []netip.Prefix, peer int) error {
	seen := map[netip.Prefix]bool{}
	for _, p := range ps {
		if !p.IsValid() {
			return syscall.EINVAL
		}
		p = p.Masked()
		if m.index(p) >= 0 || seen[p] {
			return syscall.EEXIST
		}
		seen[p] = true
	}
	for _, p := range ps {
		m.entries = append(m.entries, modelEntry{p.Masked(), peer})
	}
	return nil
}

func (m *model) remove(p netip.Prefix) bool {
	i := m.index(p.Masked())
	if i < 0 {
		return false
	}
	m.entries = slices.Delete(m.entries, i, i+1)
	return true
}

func (m *model) removeByPeer(peer int) int {
	n := len(m.entries)
	m.entries = slices.DeleteFunc(m.entries, func(e modelEntry) bool { return e.peer == peer })
	return n - len(m.entries)
}

// lookup finds the longest prefix containing a. Prefix.Contains is false
// across families, and a 4-in-6 address is only contained by IPv6
// prefixes, which is what LookupV6 promises.
func (m *model) lookup(a netip.Addr) (int, bool) {
	best, peer := -1, 0
	for _, e := range m.entries {
		if e.prefix.Bits() > best && e.prefix.Contains(a) {
			best, peer = e.prefix.Bits(), e.peer
		}
	}
	return peer, best >= 0
}

// assign is WireGuard's set of a peer's allowed IPs: its old prefixes
// go, the new ones are taken from whoever held them, each once.
func (m *model) assign(peer int, ps []netip.Prefix) ([]int, error) {
	for _, p := range ps {
		if !p.IsValid() {
			return nil, syscall.EINVAL
		}
	}
	m.removeByPeer(peer)
	var losers []int
	for _, p := range ps {
		p = p.Masked()
		if i := m.index(p); i >= 0 {
			if m.entries[i].peer == peer {
				continue // a repeat
			}
			if !slices.Contains(losers, m.entries[i].peer) {
				losers = append(losers, m.entries[i].peer)
			}
			m.entries = slices.Delete(m.entries, i, i+1)
		}
		m.entries = append(m.entries, modelEntry{p, peer})
	}
	return losers, nil
}

func (m *model) entriesFor(peer int) []netip.Prefix {
	var out []netip.Prefix
	for _, e := range m.entries {
		if e.peer == peer {
			out = append(out, e.prefix)
		}
	}
	return out
}

// gen makes random prefixes and addresses that collide and nest often:
// addresses are drawn near a few bases, so that prefixes share long
// stretches of bits as real allowed-IPs configurations do.
type gen struct {
	r     *rand.Rand
	bases []netip.Addr
}

const modelPeers = 8

func newGen(r *rand.Rand, family string) *gen {
	g := &gen{r: r}
	for range 12 {
		switch family {
		case "v4":
			g.bases = append(g.bases, g.randAddr(true))
		case "v6":
			g.bases = append(g.bases, g.randAddr(false))
		default:
			g.bases = append(g.bases, g.randAddr(r.IntN(2) == 0))
		}
	}
	if family != "v4" {
		g.bases = append(g.bases, netip.MustParseAddr("::ffff:10.0.0.0"))
	}
	return g
}

func (g *gen) randAddr(is4 bool) netip.Addr {
	if is4 {
		var b [4]byte
		for i := range b {
			b[i] = byte(g.r.Uint32())
		}
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return netip.AddrFrom16(b)
}

// near returns a with a few bits flipped, mostly low ones. It works on
// bytes, not on the package's keys, to stay independent of the code under
// test.
func (g *gen) near(a netip.Addr) netip.Addr {
	b := a.AsSlice()
	n := len(b) * 8
	for range g.r.IntN(4) {
		i := n - 1 - min(g.r.IntN(n), g.r.IntN(n))
		b[i/8] ^= 0x80 >> (i % 8)
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

func (g *gen) prefix() netip.Prefix {
	a := g.near(g.bases[g.r.IntN(len(g.bases))])
	n := g.r.IntN(a.BitLen() + 1)
	if g.r.IntN(10) > 0 {
		// Favour long prefixes: short ones are few and soon all taken.
		n = a.BitLen() - g.r.IntN(a.BitLen()/4+1)
	}
	return netip.PrefixFrom(a, n) // host bits left for Insert to mask
}

// addr returns a lookup address: inside a present prefix, near a base, or
// anywhere.
func (g *gen) addr(m *model) netip.Addr {
	switch g.r.IntN(3) {
	case 0:
		if len(m.entries) > 0 {
			p := m.entries[g.r.IntN(len(m.entries))].prefix
			b := p.Addr().AsSlice()
			for i := p.Bits(); i < len(b)*8; i++ {
				if g.r.IntN(2) == 0 {
					b[i/8] |= 0x80 >> (i % 8)
				}
			}
			a, _ := netip.AddrFromSlice(b)
			return a
		}
		fallthrough
	case 1:
		return g.near(g.bases[g.r.IntN(len(g.bases))])
	default:
		return g.randAddr(g.bases[g.r.IntN(len(g.bases))].Is4())
	}
}

// TestModel runs random inserts, batch inserts, removals, removals by peer
// and lookups against the table and the naive model, and compares every
// answer. Run with -allowedips.seed to replay a failure.
func TestModel(t *testing.T) {
	ops := 40000
	if testing.Short() {
		ops = 4000
	}
	for _, family := range []string{"v4", "v6", "mixed"} {
		t.Run(family, func(t *testing.T) {
			seed := testSeed(t)
			r := rand.New(rand.NewPCG(seed, seed))
			g := newGen(r, family)
			var tbl Table[int]
			var m model
			var lookups, hits, inserts, collisions, removals int
			for op := range ops {
				peer := 1 + r.IntN(modelPeers)
				switch x := r.IntN(1000); {
				case x < 400: // insert
					p := g.prefix()
					err, want := tbl.Insert(p, peer), m.insertAll([]netip.Prefix{p}, peer)
					if !errors.Is(err, want) || (err == nil) != (want == nil) {
						t.Fatalf("op %d: Insert(%v, %d) = %v, want %v", op, p, peer, err, want)
					}
					inserts++
					if err != nil {
						collisions++
					}
				case x < 430: // insert a batch, possibly colliding
					ps := make([]netip.Prefix, 1+r.IntN(6))
					for i := range ps {
						if i > 0 && r.IntN(10) == 0 {
							ps[i] = ps[r.IntN(i)] // a duplicate within the batch
						} else {
							ps[i] = g.prefix()
						}
					}
					err, want := tbl.InsertAll(ps, peer), m.insertAll(ps, peer)
					if !errors.Is(err, want) || (err == nil) != (want == nil) {
						t.Fatalf("op %d: InsertAll(%v, %d) = %v, want %v", op, ps, peer, err, want)
					}
				case x < 680: // remove, mostly something present
					p := g.prefix()
					if len(m.entries) > 0 && r.IntN(5) > 0 {
						p = m.entries[r.IntN(len(m.entries))].prefix
					}
					var want found
					if i := m.index(p.Masked()); i >= 0 {
						want = found{m.entries[i].peer, true}
					}
					var got found
					if got.Peer, got.OK = tbl.LookupPrefix(p); got != want {
						t.Fatalf("op %d: LookupPrefix(%v) = %+v, want %+v", op, p, got, want)
					}
					if got, want := tbl.Remove(p), m.remove(p); got != want {
						t.Fatalf("op %d: Remove(%v) = %v, want %v", op, p, got, want)
					}
					removals++
				case x < 682: // remove by peer
					if got, want := tbl.RemoveByPeer(peer), m.removeByPeer(peer); got != want {
						t.Fatalf("op %d: RemoveByPeer(%d) = %d, want %d", op, peer, got, want)
					}
				case x < 700: // assign a list, taking prefixes from others
					ps := make([]netip.Prefix, r.IntN(6))
					for i := range ps {
						switch {
						case i > 0 && r.IntN(10) == 0:
							ps[i] = ps[r.IntN(i)]
						case len(m.entries) > 0 && r.IntN(2) == 0:
							ps[i] = m.entries[r.IntN(len(m.entries))].prefix
						default:
							ps[i] = g.prefix()
						}
					}
					got, err := tbl.AssignPeer(peer, ps)
					want, wantErr := m.assign(peer, ps)
					if (err == nil) != (wantErr == nil) {
						t.Fatalf("op %d: AssignPeer(%d, %v) = %v, want %v", op, peer, ps, err, wantErr)
					}
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Fatalf("op %d: AssignPeer(%d, %v) losers %v, want %v", op, peer, ps, got, want)
					}
				default: // look up a few addresses
					for range 3 {
						a := g.addr(&m)
						if got, want := lookupRaw(&tbl, a), lookupModel(&m, a); got != want {
							t.Fatalf("op %d: lookup of %v = %+v, want %+v", op, a, got, want)
						}
						// Lookup unmaps; the model does not, so unmap for it.
						got, gotOK := tbl.Lookup(a)
						want, wantOK := m.lookup(a.Unmap())
						if got != want || gotOK != wantOK {
							t.Fatalf("op %d: Lookup(%v) = %d, %v; want %d, %v", op, a, got, gotOK, want, wantOK)
						}
						lookups++
						if gotOK {
							hits++
						}
					}
				}
				if op%2000 == 0 || op == ops-1 {
					compareModel(t, &tbl, &m)
				}
			}
			t.Logf("%d lookups (%d hits), %d inserts (%d collisions), %d removals; %d entries left",
				lookups, hits, inserts, collisions, removals, len(m.entries))
		})
	}
}

type found struct {
	Peer int
	OK   bool
}

// lookupRaw looks a up the way the packet path does, from header bytes.
func lookupRaw(tbl *Table[int], a netip.Addr) found {
	var f found
	if a.Is4() {
		b := a.As4()
		f.Peer, f.OK = tbl.LookupV4(b[:])
	} else {
		b := a.As16()
		f.Peer, f.OK = tbl.LookupV6(b[:])
	}
	return f
}

func lookupModel(m *model, a netip.Addr) found {
	var f found
	f.Peer, f.OK = m.lookup(a)
	return f
}

// compareModel checks the whole state: invariants, size, each peer's
// entries in order, and the owner of every prefix.
func compareModel(t *testing.T, tbl *Table[int], m *model) {
	t.Helper()
	checkInvariants(t, tbl)
	if tbl.Len() != len(m.entries) {
		t.Fatalf("Len() = %d, want %d", tbl.Len(), len(m.entries))
	}
	for peer := 1; peer <= modelPeers; peer++ {
		if diff := cmp.Diff(m.entriesFor(peer), tbl.EntriesForPeer(peer), prefixEqual); diff != "" {
			t.Fatalf("EntriesForPeer(%d) (-want +got):\n%s", peer, diff)
		}
	}
	for _, e := range m.entries {
		if got, ok := tbl.LookupPrefix(e.prefix); !ok || got != e.peer {
			t.Fatalf("LookupPrefix(%v) = %d, %v; want %d, true", e.prefix, got, ok, e.peer)
		}
	}
}
