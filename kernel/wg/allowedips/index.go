package allowedips

import "net/netip"

// The writer's index answers the questions the trie answers slowly: which
// peer holds an exact prefix, and which prefixes a peer holds, in the order
// they were inserted (NetBSD's wg_ioctl_get lists a peer's allowed IPs in
// configuration order). It is guarded by Table.mu and never read by lookups.

// entry is one prefix in the index, linked into its peer's list.
type entry[P comparable] struct {
	prefix     netip.Prefix // masked
	peer       P
	prev, next *entry[P]
}

// peerEntries is a peer's prefixes in insertion order.
type peerEntries[P comparable] struct {
	head, tail *entry[P]
	n          int
}

// index maps prefixes to entries and peers to their lists. The zero value
// is empty and ready to use.
type index[P comparable] struct {
	byPrefix map[netip.Prefix]*entry[P]
	byPeer   map[P]*peerEntries[P]
}

// add appends prefix, which must not be present, to p's list.
func (x *index[P]) add(prefix netip.Prefix, p P) {
	if x.byPrefix == nil {
		x.byPrefix = make(map[netip.Prefix]*entry[P])
		x.byPeer = make(map[P]*peerEntries[P])
	}
	e := &entry[P]{prefix: prefix, peer: p}
	x.byPrefix[prefix] = e
	l := x.byPeer[p]
	if l == nil {
		l = &peerEntries[P]{}
		x.byPeer[p] = l
	}
	if l.tail == nil {
		l.head = e
	} else {
		l.tail.next, e.prev = e, l.tail
	}
	l.tail = e
	l.n++
}

// delete unlinks e, which must be in the index.
func (x *index[P]) delete(e *entry[P]) {
	delete(x.byPrefix, e.prefix)
	l := x.byPeer[e.peer]
	if e.prev == nil {
		l.head = e.next
	} else {
		e.prev.next = e.next
	}
	if e.next == nil {
		l.tail = e.prev
	} else {
		e.next.prev = e.prev
	}
	e.prev, e.next = nil, nil
	if l.n--; l.n == 0 {
		delete(x.byPeer, e.peer)
	}
}

// deletePeer drops p's list and its entries, returning the list (nil if p
// has none) so that the caller can walk it.
func (x *index[P]) deletePeer(p P) *peerEntries[P] {
	l := x.byPeer[p]
	if l == nil {
		return nil
	}
	delete(x.byPeer, p)
	for e := l.head; e != nil; e = e.next {
		delete(x.byPrefix, e.prefix)
	}
	return l
}
