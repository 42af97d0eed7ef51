package allowedips

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// step is one operation on a table in a fixed test case.
type step struct {
	op     string   // insert, insertAll, remove, removeByPeer, clear
	p      []string // prefixes (see pfx), one for insert and remove
	peer   int
	err    error // for inserts: nil, syscall.EEXIST or syscall.EINVAL
	result int   // for remove (1 = true) and removeByPeer (the count)
}

func ins(p string, peer int) step { return step{op: "insert", p: []string{p}, peer: peer} }
func insErr(p string, peer int, err error) step {
	return step{op: "insert", p: []string{p}, peer: peer, err: err}
}
func insAll(peer int, err error, p ...string) step {
	return step{op: "insertAll", p: p, peer: peer, err: err}
}
func rm(p string, removed bool) step {
	s := step{op: "remove", p: []string{p}}
	if removed {
		s.result = 1
	}
	return s
}
func rmPeer(peer, n int) step { return step{op: "removeByPeer", peer: peer, result: n} }
func clearAll() step          { return step{op: "clear"} }

func (s step) run(t *testing.T, tbl *Table[int]) {
	t.Helper()
	switch s.op {
	case "insert", "insertAll":
		var err error
		if s.op == "insert" {
			err = tbl.Insert(pfx(t, s.p[0]), s.peer)
		} else {
			err = tbl.InsertAll(pfxs(t, s.p...), s.peer)
		}
		if s.err == nil && err != nil || s.err != nil && !errors.Is(err, s.err) {
			t.Errorf("%s(%q, %d) = %v, want %v", s.op, s.p, s.peer, err, s.err)
		}
	case "remove":
		if got := tbl.Remove(pfx(t, s.p[0])); got != (s.result == 1) {
			t.Errorf("Remove(%s) = %v, want %v", s.p[0], got, s.result == 1)
		}
	case "removeByPeer":
		if got := tbl.RemoveByPeer(s.peer); got != s.result {
			t.Errorf("RemoveByPeer(%d) = %d, want %d", s.peer, got, s.result)
		}
	case "clear":
		tbl.Clear()
	default:
		t.Fatalf("unknown op %q", s.op)
	}
}

func TestTable(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		// lookups maps an address to the peer it should find; 0 is a miss.
		lookups map[string]int
		// entries maps a peer to its EntriesForPeer.
		entries map[int][]string
	}{{
		name:    "empty",
		lookups: map[string]int{"0.0.0.0": 0, "10.0.0.1": 0, "::": 0, "2001:db8::1": 0},
	}, {
		name:    "v4 default route covers v4 only",
		steps:   []step{ins("0.0.0.0/0", 1)},
		lookups: map[string]int{"0.0.0.0": 1, "10.0.0.1": 1, "255.255.255.255": 1, "::": 0, "2001:db8::1": 0},
		entries: map[int][]string{1: {"0.0.0.0/0"}},
	}, {
		name:    "v6 default route covers v6 only",
		steps:   []step{ins("::/0", 1)},
		lookups: map[string]int{"::": 1, "2001:db8::1": 1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff": 1, "10.0.0.1": 0},
	}, {
		name:  "host routes",
		steps: []step{ins("192.0.2.1/32", 1), ins("2001:db8::1/128", 2)},
		lookups: map[string]int{
			"192.0.2.1": 1, "192.0.2.0": 0, "192.0.2.2": 0, "192.0.2.129": 0,
			"2001:db8::1": 2, "2001:db8::": 0, "2001:db8::2": 0, "2001:db8::8000:0:0:1": 0,
		},
	}, {
		name: "nested prefixes, widest first",
		steps: []step{
			ins("0.0.0.0/0", 9), ins("10.0.0.0/8", 1), ins("10.1.0.0/16", 2),
			ins("10.1.1.0/24", 3), ins("10.1.1.1/32", 4),
		},
		lookups: map[string]int{
			"10.1.1.1": 4, "10.1.1.2": 3, "10.1.2.1": 2, "10.2.0.1": 1, "11.0.0.1": 9, "9.255.255.255": 9,
		},
	}, {
		name: "nested prefixes, narrowest first",
		steps: []step{
			ins("10.1.1.1/32", 4), ins("10.1.1.0/24", 3), ins("10.1.0.0/16", 2), ins("10.0.0.0/8", 1),
		},
		lookups: map[string]int{"10.1.1.1": 4, "10.1.1.2": 3, "10.1.2.1": 2, "10.2.0.1": 1, "11.0.0.1": 0},
	}, {
		name: "siblings need branch points",
		steps: []step{
			ins("10.0.0.0/24", 1), ins("10.0.1.0/24", 2), ins("10.0.2.0/23", 3),
			ins("10.0.128.0/17", 4), ins("10.0.0.128/25", 5),
		},
		lookups: map[string]int{
			"10.0.0.1": 1, "10.0.0.200": 5, "10.0.1.1": 2, "10.0.2.1": 3, "10.0.3.255": 3,
			"10.0.4.0": 0, "10.0.127.255": 0, "10.0.128.0": 4, "10.0.255.255": 4,
		},
	}, {
		name: "v6 nesting across the 64-bit boundary",
		steps: []step{
			ins("2001:db8::/32", 1), ins("2001:db8:0:1::/64", 2), ins("2001:db8:0:1:8000::/65", 3),
			ins("2001:db8:0:1::/63", 4), ins("2001:db8:0:1::ff/128", 5),
		},
		lookups: map[string]int{
			"2001:db8::1": 4, "2001:db8:0:1::1": 2, "2001:db8:0:1:8000::1": 3, "2001:db8:0:1::ff": 5,
			"2001:db8:0:2::1": 1, "2001:db9::": 0,
		},
	}, {
		name: "host bits are masked",
		steps: []step{
			ins("10.1.2.3/8", 1), insErr("10.9.9.9/8", 2, syscall.EEXIST),
			ins("2001:db8::1/32", 1),
		},
		lookups: map[string]int{"10.200.0.1": 1, "2001:db8:ffff::": 1},
		entries: map[int][]string{1: {"10.0.0.0/8", "2001:db8::/32"}, 2: nil},
	}, {
		name: "duplicates are EEXIST for any peer",
		steps: []step{
			ins("10.0.0.0/8", 1),
			insErr("10.0.0.0/8", 1, syscall.EEXIST),
			insErr("10.0.0.0/8", 2, syscall.EEXIST),
			ins("::/0", 1),
			insErr("::/0", 1, syscall.EEXIST),
		},
		lookups: map[string]int{"10.0.0.1": 1, "::1": 1},
		entries: map[int][]string{1: {"10.0.0.0/8", "::/0"}, 2: nil},
	}, {
		name: "invalid prefixes are EINVAL",
		steps: []step{
			insErr("", 1, syscall.EINVAL),
			insErr("10.0.0.0/33", 1, syscall.EINVAL),
			insErr("10.0.0.0/-1", 1, syscall.EINVAL),
			insErr("::/129", 1, syscall.EINVAL),
			rm("", false),
			rm("10.0.0.0/33", false),
		},
		lookups: map[string]int{"10.0.0.0": 0},
		entries: map[int][]string{1: nil},
	}, {
		name: "removal falls back to the next longest",
		steps: []step{
			ins("10.0.0.0/8", 1), ins("10.1.0.0/16", 2), ins("10.1.1.0/24", 3),
			rm("10.1.0.0/16", true), rm("10.1.0.0/16", false),
			rm("10.1.1.0/23", false), // only a branch point, if anything
			rm("10.1.1.99/24", true), // masked
		},
		lookups: map[string]int{"10.1.1.1": 1, "10.1.2.1": 1},
		entries: map[int][]string{1: {"10.0.0.0/8"}, 2: nil, 3: nil},
	}, {
		name: "removing a branch point's child collapses it",
		steps: []step{
			ins("10.0.0.0/24", 1), ins("10.0.1.0/24", 2), rm("10.0.0.0/24", true),
			rm("10.0.0.0/23", false),
		},
		lookups: map[string]int{"10.0.0.1": 0, "10.0.1.1": 2},
	}, {
		name: "re-insert after remove goes last",
		steps: []step{
			ins("10.0.0.0/8", 1), ins("192.168.0.0/16", 1), ins("fd00::/8", 1),
			rm("10.0.0.0/8", true), ins("10.0.0.0/8", 1),
			rm("192.168.0.0/16", true), ins("192.168.0.0/16", 2),
		},
		lookups: map[string]int{"10.0.0.1": 1, "192.168.1.1": 2, "fd00::1": 1},
		entries: map[int][]string{1: {"fd00::/8", "10.0.0.0/8"}, 2: {"192.168.0.0/16"}},
	}, {
		name: "remove by peer",
		steps: []step{
			ins("10.0.0.0/8", 1), ins("10.1.0.0/16", 2), ins("10.1.1.0/24", 1), ins("fd00::/8", 1),
			ins("fd00:1::/32", 2),
			rmPeer(1, 3), rmPeer(1, 0), rmPeer(3, 0),
		},
		lookups: map[string]int{"10.1.1.1": 2, "10.2.0.1": 0, "fd00:1::1": 2, "fd00::1": 0},
		entries: map[int][]string{1: nil, 2: {"10.1.0.0/16", "fd00:1::/32"}},
	}, {
		name: "InsertAll rolls back on a collision",
		steps: []step{
			ins("10.0.0.0/8", 1),
			insAll(2, syscall.EEXIST, "192.168.0.0/16", "fd00::/8", "10.0.0.0/8", "172.16.0.0/12"),
		},
		lookups: map[string]int{"10.0.0.1": 1, "192.168.0.1": 0, "fd00::1": 0, "172.16.0.1": 0},
		entries: map[int][]string{1: {"10.0.0.0/8"}, 2: nil},
	}, {
		name: "InsertAll rolls back on a duplicate within the request",
		steps: []step{
			insAll(2, syscall.EEXIST, "192.168.0.0/16", "fd00::/8", "192.168.7.7/16"),
		},
		lookups: map[string]int{"192.168.0.1": 0, "fd00::1": 0},
		entries: map[int][]string{2: nil},
	}, {
		name: "InsertAll rolls back on an invalid prefix",
		steps: []step{
			ins("10.0.0.0/8", 2),
			insAll(2, syscall.EINVAL, "192.168.0.0/16", "10.0.0.0/33"),
		},
		lookups: map[string]int{"10.0.0.1": 2, "192.168.0.1": 0},
		entries: map[int][]string{2: {"10.0.0.0/8"}},
	}, {
		name: "InsertAll keeps the order given",
		steps: []step{
			insAll(1, nil, "fd00::/8", "10.0.0.0/8", "0.0.0.0/0", "::/0"),
			insAll(2, nil),
		},
		lookups: map[string]int{"fd00::1": 1, "10.0.0.1": 1, "1.1.1.1": 1, "::1": 1},
		entries: map[int][]string{1: {"fd00::/8", "10.0.0.0/8", "0.0.0.0/0", "::/0"}, 2: nil},
	}, {
		name: "v4-mapped prefixes are IPv6 and v4-mapped lookups are IPv4",
		steps: []step{
			ins("10.0.0.0/8", 1), ins("::ffff:10.0.0.0/104", 2), ins("::ffff:0:0/96", 3),
		},
		// Lookup unmaps, so the v6 entries only show in TestLookupV6Mapped.
		lookups: map[string]int{"10.0.0.1": 1, "::ffff:10.0.0.1": 1, "::ffff:11.0.0.1": 0},
		entries: map[int][]string{1: {"10.0.0.0/8"}, 2: {"::ffff:10.0.0.0/104"}, 3: {"::ffff:0.0.0.0/96"}},
	}, {
		name:    "zones are ignored",
		steps:   []step{ins("fe80::/10", 1)},
		lookups: map[string]int{"fe80::1%eth0": 1, "fe80::1": 1},
	}, {
		name: "clear",
		steps: []step{
			ins("10.0.0.0/8", 1), ins("::/0", 2), clearAll(), ins("10.0.0.0/16", 2),
		},
		lookups: map[string]int{"10.0.0.1": 2, "10.1.0.1": 0, "::1": 0},
		entries: map[int][]string{1: nil, 2: {"10.0.0.0/16"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tbl Table[int]
			for _, s := range tt.steps {
				s.run(t, &tbl)
			}
			checkInvariants(t, &tbl)
			for a, want := range tt.lookups {
				checkLookup(t, &tbl, netip.MustParseAddr(a), want)
			}
			n := 0
			for peer, want := range tt.entries {
				got := tbl.EntriesForPeer(peer)
				if diff := cmp.Diff(pfxs(t, want...), got, prefixEqual, cmpEmpty); diff != "" {
					t.Errorf("EntriesForPeer(%d) (-want +got):\n%s", peer, diff)
				}
				for _, p := range got {
					if owner, ok := tbl.LookupPrefix(p); !ok || owner != peer {
						t.Errorf("LookupPrefix(%v) = %d, %v; want %d, true", p, owner, ok, peer)
					}
				}
				n += len(want)
			}
			if tt.entries != nil && tbl.Len() != n {
				t.Errorf("Len() = %d, want %d", tbl.Len(), n)
			}
		})
	}
}

// cmpEmpty lets a nil slice equal an empty one.
var cmpEmpty = cmp.Comparer(func(a, b []netip.Prefix) bool {
	return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b, prefixEqual)
})

// checkLookup checks that every lookup entry point finds want (0: nothing)
// for a, passing the raw-byte ones the address as a packet would carry it.
func checkLookup(t *testing.T, tbl *Table[int], a netip.Addr, want int) {
	t.Helper()
	wantOK := want != 0
	if got, ok := tbl.Lookup(a); got != want || ok != wantOK {
		t.Errorf("Lookup(%v) = %d, %v; want %d, %v", a, got, ok, want, wantOK)
	}
	switch {
	case a.Is4():
		b := a.As4()
		if got, ok := tbl.LookupV4(b[:]); got != want || ok != wantOK {
			t.Errorf("LookupV4(%v) = %d, %v; want %d, %v", a, got, ok, want, wantOK)
		}
	case !a.Is4In6():
		b := a.As16()
		if got, ok := tbl.LookupV6(b[:]); got != want || ok != wantOK {
			t.Errorf("LookupV6(%v) = %d, %v; want %d, %v", a, got, ok, want, wantOK)
		}
	}
}

// TestLookupV6Mapped checks that LookupV6 matches a v4-mapped address
// against IPv6 prefixes only, while Lookup unmaps it.
func TestLookupV6Mapped(t *testing.T) {
	var tbl Table[int]
	for _, s := range []step{ins("10.0.0.0/8", 1), ins("::ffff:10.0.0.0/104", 2), ins("::/0", 3)} {
		s.run(t, &tbl)
	}
	tests := []struct {
		addr       string
		v6, lookup int
	}{
		{"::ffff:10.0.0.1", 2, 1},
		{"::ffff:11.0.0.1", 3, 0},
		{"2001:db8::1", 3, 3},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		b := a.As16()
		if got, _ := tbl.LookupV6(b[:]); got != tt.v6 {
			t.Errorf("LookupV6(%v) = %d, want %d", a, got, tt.v6)
		}
		if got, _ := tbl.Lookup(a); got != tt.lookup {
			t.Errorf("Lookup(%v) = %d, want %d", a, got, tt.lookup)
		}
	}
}

// TestLookupBadLength checks that raw lookups refuse, rather than panic
// on, a slice of the wrong length.
func TestLookupBadLength(t *testing.T) {
	var tbl Table[int]
	for _, s := range []step{ins("0.0.0.0/0", 1), ins("::/0", 1)} {
		s.run(t, &tbl)
	}
	for _, n := range []int{0, 3, 5, 15, 17} {
		b := make([]byte, n)
		if _, ok := tbl.LookupV4(b); ok && n != 4 {
			t.Errorf("LookupV4 of %d bytes found a peer", n)
		}
		if _, ok := tbl.LookupV6(b); ok && n != 16 {
			t.Errorf("LookupV6 of %d bytes found a peer", n)
		}
	}
	if _, ok := tbl.Lookup(netip.Addr{}); ok {
		t.Error("Lookup of the zero Addr found a peer")
	}
}

// TestInsertErrorText checks that errors name the operation and the prefix.
func TestInsertErrorText(t *testing.T) {
	var tbl Table[int]
	if err := tbl.Insert(pfx(t, "10.0.0.0/8"), 1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p    string
		want string
	}{
		{"10.1.2.3/8", "allowedips: insert 10.0.0.0/8: file exists"},
		{"10.0.0.0/33", "allowedips: insert invalid Prefix: invalid argument"},
	}
	for _, tt := range tests {
		err := tbl.Insert(pfx(t, tt.p), 2)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Insert(%s) = %v, want %q", tt.p, err, tt.want)
		}
	}
}

// TestZeroValue checks that every method works on a zero Table.
func TestZeroValue(t *testing.T) {
	var tbl Table[*int]
	if _, ok := tbl.Lookup(netip.MustParseAddr("10.0.0.1")); ok {
		t.Error("Lookup found a peer")
	}
	if tbl.Remove(pfx(t, "10.0.0.0/8")) || tbl.RemoveByPeer(nil) != 0 || tbl.Len() != 0 ||
		tbl.EntriesForPeer(nil) != nil {
		t.Error("zero Table is not empty")
	}
	if _, ok := tbl.LookupPrefix(pfx(t, "10.0.0.0/8")); ok {
		t.Error("LookupPrefix found a peer")
	}
	tbl.Clear()
	p := new(int)
	if err := tbl.Insert(pfx(t, "10.0.0.0/8"), p); err != nil {
		t.Fatal(err)
	}
	if got, _ := tbl.Lookup(netip.MustParseAddr("10.0.0.1")); got != p {
		t.Errorf("Lookup = %p, want %p", got, p)
	}
}
