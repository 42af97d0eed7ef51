package allowedips

// This file holds the persistent path-compressed binary trie: the same shape
// as the Linux driver's allowedips.c and wireguard-go's allowedips.go, but no
// function here changes a node that already exists. insert and remove return
// a new root that shares every untouched subtree with the old one, which is
// what lets readers walk a published root without a lock (see doc.go).
//
// Invariants of a trie rooted at any published node:
//   - key is masked to bits, and mask is maskOf(bits);
//   - a child has more bits than its parent, agrees with the parent's key on
//     the parent's bits, and sits at child[c.key.bit(parent.bits)];
//   - a node that is not an entry (has == false) has two children, so the
//     trie holds at most 2n-1 nodes for n entries.

// node is one trie node. Once reachable from a published root it is never
// written again.
type node[P comparable] struct {
	child [2]*node[P]
	key   key   // the prefix, masked to bits
	mask  key   // maskOf(bits), kept so that lookups need not compute it
	bits  uint8 // prefix length, 0..128
	has   bool  // whether this prefix is an entry, rather than a branch point
	peer  P     // the entry's peer; the zero value when !has
}

// newNode returns a node for the prefix k/n with no children; k must be
// masked to n.
func newNode[P comparable](k key, n uint8, has bool, p P) *node[P] {
	return &node[P]{key: k, mask: maskOf(n), bits: n, has: has, peer: p}
}

// lookup returns the entry with the longest prefix that contains k in the
// trie rooted at n, or nil. It reads only immutable nodes and allocates
// nothing.
func lookup[P comparable](n *node[P], k key) *node[P] {
	var best *node[P]
	for n != nil && k.hi&n.mask.hi == n.key.hi && k.lo&n.mask.lo == n.key.lo {
		if n.has {
			best = n
		}
		// A full-length node has no children; bit is defined even at
		// 128 (it returns 0), so the walk simply ends there.
		n = n.child[k.bit(n.bits)]
	}
	return best
}

// find returns the node for exactly the prefix k/b (k masked to b), entry
// or not, or nil.
func find[P comparable](n *node[P], k key, b uint8) *node[P] {
	for n != nil && n.bits <= b && k.and(n.mask) == n.key {
		if n.bits == b {
			return n
		}
		n = n.child[k.bit(n.bits)]
	}
	return nil
}

// insert returns the root of a trie that is n plus the entry k/b → p, with
// ok true; k must be masked to b. If k/b is already an entry it returns n
// itself and false. n is not modified.
func insert[P comparable](n *node[P], k key, b uint8, p P) (root *node[P], ok bool) {
	if n == nil {
		return newNode(k, b, true, p), true
	}
	c := min(commonLen(n.key, k), n.bits, b)
	switch {
	case c == n.bits && c == b:
		// The prefix is n itself.
		if n.has {
			return n, false
		}
		m := *n
		m.has, m.peer = true, p
		return &m, true
	case c == n.bits:
		// n is a shorter prefix of k/b: descend.
		i := k.bit(n.bits)
		sub, ok := insert(n.child[i], k, b, p)
		if !ok {
			return n, false
		}
		m := *n
		m.child[i] = sub
		return &m, true
	case c == b:
		// k/b is a shorter prefix of n: it becomes n's parent.
		m := newNode(k, b, true, p)
		m.child[n.key.bit(b)] = n
		return m, true
	default:
		// They part at bit c: join them under a branch point.
		m := newNode(k.and(maskOf(c)), c, false, *new(P))
		m.child[k.bit(c)] = newNode(k, b, true, p)
		m.child[n.key.bit(c)] = n
		return m, true
	}
}

// remove returns the root of a trie that is n without the entry k/b, with
// ok true; k must be masked to b. If k/b is not an entry it returns n
// itself and false. n is not modified.
func remove[P comparable](n *node[P], k key, b uint8) (root *node[P], ok bool) {
	if n == nil || n.bits > b || k.and(n.mask) != n.key {
		return n, false
	}
	if n.bits == b {
		if !n.has {
			return n, false
		}
		m := *n
		m.has, m.peer = false, *new(P)
		return compact(&m), true
	}
	i := k.bit(n.bits)
	sub, ok := remove(n.child[i], k, b)
	if !ok {
		return n, false
	}
	m := *n
	m.child[i] = sub
	return compact(&m), true
}

// compact restores the invariant that a branch point has two children, on
// a node m that the caller has just made and not yet published: a branch
// point with one child is replaced by that child (which agrees with m's
// prefix, so it sits at the same place under m's parent), and one with none
// by nil.
func compact[P comparable](m *node[P]) *node[P] {
	if m.has {
		return m
	}
	switch {
	case m.child[0] == nil:
		return m.child[1]
	case m.child[1] == nil:
		return m.child[0]
	default:
		return m
	}
}
