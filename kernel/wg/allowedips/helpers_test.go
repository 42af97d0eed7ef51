package allowedips

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// prefixEqual compares netip values, whose fields cmp cannot see.
var prefixEqual = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

// pfx parses "addr/bits" without range-checking bits, so that tests can
// build invalid prefixes such as 10.0.0.0/33; "" is the zero Prefix.
func pfx(tb testing.TB, s string) netip.Prefix {
	tb.Helper()
	if s == "" {
		return netip.Prefix{}
	}
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		tb.Fatalf("pfx(%q): no /", s)
	}
	n, err := strconv.Atoi(b)
	if err != nil {
		tb.Fatalf("pfx(%q): %v", s, err)
	}
	return netip.PrefixFrom(netip.MustParseAddr(a), n)
}

func pfxs(tb testing.TB, ss ...string) []netip.Prefix {
	tb.Helper()
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = pfx(tb, s)
	}
	return out
}

// checkInvariants walks the published tries and reports any node that
// breaks the invariants listed in trie.go, or a count that does not match.
func checkInvariants[P comparable](tb testing.TB, t *Table[P]) {
	tb.Helper()
	s := t.snap.Load()
	if s == nil {
		return
	}
	var errs []string
	n := walkCheck(s.v4, true, nil, &errs) + walkCheck(s.v6, false, nil, &errs)
	if n != s.n {
		errs = append(errs, fmt.Sprintf("snapshot counts %d entries, tries hold %d", s.n, n))
	}
	if t.mu.TryLock() {
		if len(t.idx.byPrefix) != s.n {
			errs = append(errs, fmt.Sprintf("index holds %d entries, snapshot %d", len(t.idx.byPrefix), s.n))
		}
		t.mu.Unlock()
	}
	for _, e := range errs {
		tb.Error(e)
	}
}

// walkCheck checks the subtree at n, whose parent is parent, and returns the
// number of entries in it.
func walkCheck[P comparable](n *node[P], is4 bool, parent *node[P], errs *[]string) int {
	if n == nil {
		return 0
	}
	name := fmt.Sprintf("%v/%d", n.key.addr(is4), n.bits)
	bad := func(format string, args ...any) {
		*errs = append(*errs, name+": "+fmt.Sprintf(format, args...))
	}
	maxBits := uint8(128)
	if is4 {
		maxBits = 32
	}
	if n.bits > maxBits {
		bad("length over %d", maxBits)
	}
	if n.mask != maskOf(n.bits) {
		bad("mask %v is not maskOf(bits)", n.mask)
	}
	if n.key.and(n.mask) != n.key {
		bad("key not masked")
	}
	if is4 && (n.key.lo != 0 || uint32(n.key.hi) != 0) {
		bad("IPv4 key %v has bits past 32", n.key)
	}
	if parent != nil {
		if n.bits <= parent.bits {
			bad("not longer than parent /%d", parent.bits)
		}
		if n.key.and(parent.mask) != parent.key {
			bad("does not agree with parent %v/%d", parent.key.addr(is4), parent.bits)
		}
		if parent.child[n.key.bit(parent.bits)] != n {
			bad("on the wrong side of its parent")
		}
	}
	if !n.has {
		if n.child[0] == nil || n.child[1] == nil {
			bad("branch point without two children")
		}
		if n.peer != *new(P) {
			bad("branch point with a peer")
		}
	}
	c := walkCheck(n.child[0], is4, n, errs) + walkCheck(n.child[1], is4, n, errs)
	if n.has {
		c++
	}
	return c
}
