package allowedips

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
)

// Table maps IPv4 and IPv6 prefixes to peers of type P and finds the peer
// whose prefix is the longest to contain an address. See the package
// documentation for its semantics and concurrency contract.
//
// The zero value is an empty table ready to use. A Table must not be copied
// after first use.
type Table[P comparable] struct {
	// snap is the published state, read by lookups without a lock; nil
	// means empty. Only a writer holding mu stores to it.
	snap atomic.Pointer[snapshot[P]]

	mu  sync.Mutex // serializes writers; guards idx
	idx index[P]
}

// snapshot is one published state of the table. It is immutable.
type snapshot[P comparable] struct {
	v4, v6 *node[P]
	n      int // entries in both tries
}

// root returns a pointer to the root of the trie for a family, inside s.
func (s *snapshot[P]) root(is4 bool) **node[P] {
	if is4 {
		return &s.v4
	}
	return &s.v6
}

// load returns a copy of the published snapshot, empty if none, for a
// writer to change and publish.
func (t *Table[P]) load() snapshot[P] {
	if s := t.snap.Load(); s != nil {
		return *s
	}
	return snapshot[P]{}
}

// prefixKey validates prefix and returns it masked, with its key, length and
// family. An invalid prefix gives syscall.EINVAL.
func prefixKey(prefix netip.Prefix) (masked netip.Prefix, k key, b uint8, is4 bool, err error) {
	if !prefix.IsValid() {
		return netip.Prefix{}, key{}, 0, false, syscall.EINVAL
	}
	masked = prefix.Masked()
	return masked, keyFromAddr(masked.Addr()), uint8(masked.Bits()), masked.Addr().Is4(), nil
}

// insertPrefix adds prefix, masked, for p to s, a writer's copy: an
// error wrapping syscall.EINVAL for an invalid prefix, syscall.EEXIST for
// one present.
func (s *snapshot[P]) insertPrefix(prefix netip.Prefix, p P) error {
	masked, k, b, is4, err := prefixKey(prefix)
	if err != nil {
		return fmt.Errorf("allowedips: insert %v: %w", prefix, err)
	}
	r := s.root(is4)
	var ok bool
	if *r, ok = insert(*r, k, b, p); !ok {
		return fmt.Errorf("allowedips: insert %v: %w", masked, syscall.EEXIST)
	}
	s.n++
	return nil
}

// removePrefix takes an indexed prefix out of s, a writer's copy.
func (s *snapshot[P]) removePrefix(prefix netip.Prefix) {
	_, k, b, is4, _ := prefixKey(prefix)
	r := s.root(is4)
	var ok bool
	if *r, ok = remove(*r, k, b); !ok {
		// The index and the trie disagree: a bug in this package.
		panic(fmt.Sprintf("allowedips: %v indexed but not in the trie", prefix))
	}
	s.n--
}

// removePeer takes p's indexed prefixes out of s, a writer's copy.
func (t *Table[P]) removePeer(s *snapshot[P], p P) {
	if l := t.idx.byPeer[p]; l != nil {
		for e := l.head; e != nil; e = e.next {
			s.removePrefix(e.prefix)
		}
	}
}

// Insert adds prefix, masked to its length, as an allowed IP of p.
//
// If the masked prefix is already present, for p or any other peer, Insert
// changes nothing and returns an error wrapping syscall.EEXIST, as NetBSD's
// radix table does. An invalid prefix (the zero Prefix, or a length out of
// range for its family) gives an error wrapping syscall.EINVAL.
func (t *Table[P]) Insert(prefix netip.Prefix, p P) error {
	return t.InsertAll([]netip.Prefix{prefix}, p)
}

// InsertAll adds every prefix in prefixes as an allowed IP of p, or none of
// them: if any is invalid (syscall.EINVAL), already present, or repeated in
// prefixes after masking (syscall.EEXIST), the table is left as it was and
// the error names the first offending prefix. Lookups see either none of
// the prefixes or all of them.
func (t *Table[P]) InsertAll(prefixes []netip.Prefix, p P) error {
	t.mu.Lock()
	defer t.mu.Unlock()

	if len(prefixes) == 0 {
		return nil
	}
	s := t.load()
	for _, prefix := range prefixes {
		if err := s.insertPrefix(prefix, p); err != nil {
			return err
		}
	}
	t.snap.Store(&s)
	for _, prefix := range prefixes {
		t.idx.add(prefix.Masked(), p)
	}
	return nil
}

// Remove deletes prefix, masked to its length, from the table and reports
// whether it was present.
func (t *Table[P]) Remove(prefix netip.Prefix) bool {
	masked, _, _, _, err := prefixKey(prefix)
	if err != nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()

	e := t.idx.byPrefix[masked]
	if e == nil {
		return false
	}
	s := t.load()
	s.removePrefix(masked)
	t.snap.Store(&s)
	t.idx.delete(e)
	return true
}

// RemoveByPeer deletes all of p's prefixes and returns how many there were.
// Lookups see either all of them or none.
func (t *Table[P]) RemoveByPeer(p P) int {
	t.mu.Lock()
	defer t.mu.Unlock()

	s := t.load()
	t.removePeer(&s, p)
	l := t.idx.deletePeer(p)
	if l == nil {
		return 0
	}
	t.snap.Store(&s)
	return l.n
}

// ReplacePeer makes prefixes p's allowed IPs in place of those it had, in
// one step: lookups see either all of the old ones or all of the new
// ones, never a moment with neither, so traffic to a prefix p keeps is
// not dropped while the list changes.  A prefix p already has may stay;
// one that another peer holds, an invalid one, or one repeated in
// prefixes after masking fails as for InsertAll, and the table is left
// as it was.
func (t *Table[P]) ReplacePeer(p P, prefixes []netip.Prefix) error {
	t.mu.Lock()
	defer t.mu.Unlock()

	s := t.load()
	t.removePeer(&s, p)
	for _, prefix := range prefixes {
		if err := s.insertPrefix(prefix, p); err != nil {
			return err
		}
	}
	t.snap.Store(&s)
	t.idx.deletePeer(p)
	for _, prefix := range prefixes {
		t.idx.add(prefix.Masked(), p)
	}
	return nil
}

// AssignPeer makes prefixes p's allowed IPs in place of those it had, in
// one step as ReplacePeer does, but with WireGuard's rule where another
// peer holds a prefix: the prefix moves to p (Linux's
// wg_allowedips_insert and wireguard-go's Insert replace its owner),
// where ReplacePeer refuses.  A prefix repeated in prefixes after masking
// is taken once, in its first place.  It returns the peers that lost
// prefixes to p, each once, so that the caller can update what it keeps
// about them.  An invalid prefix fails with an error wrapping
// syscall.EINVAL and leaves the table as it was.
func (t *Table[P]) AssignPeer(p P, prefixes []netip.Prefix) (losers []P, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()

	s := t.load()
	t.removePeer(&s, p)
	seen := make(map[netip.Prefix]bool, len(prefixes))
	var kept []netip.Prefix
	var stolen []*entry[P]
	for _, prefix := range prefixes {
		masked, _, _, _, err := prefixKey(prefix)
		if err != nil {
			return nil, fmt.Errorf("allowedips: insert %v: %w", prefix, err)
		}
		if seen[masked] {
			continue
		}
		seen[masked] = true
		if e := t.idx.byPrefix[masked]; e != nil && e.peer != p {
			s.removePrefix(masked)
			stolen = append(stolen, e)
		}
		if err := s.insertPrefix(masked, p); err != nil {
			panic(fmt.Sprintf("allowedips: %v still in the trie after its owner's entries left: %v", masked, err))
		}
		kept = append(kept, masked)
	}
	t.snap.Store(&s)
	t.idx.deletePeer(p)
	for _, e := range stolen {
		if !slices.Contains(losers, e.peer) {
			losers = append(losers, e.peer)
		}
		t.idx.delete(e)
	}
	for _, prefix := range kept {
		t.idx.add(prefix, p)
	}
	return losers, nil
}

// Clear deletes every prefix.
func (t *Table[P]) Clear() {
	t.mu.Lock()
	defer t.mu.Unlock()

	t.snap.Store(nil)
	t.idx = index[P]{}
}

// Len returns the number of prefixes in the table. It takes no lock.
func (t *Table[P]) Len() int {
	if s := t.snap.Load(); s != nil {
		return s.n
	}
	return 0
}

// LookupPrefix returns the peer that holds exactly prefix (masked to its
// length), unlike Lookup, which matches the longest containing prefix. It
// takes no lock.
func (t *Table[P]) LookupPrefix(prefix netip.Prefix) (P, bool) {
	s := t.snap.Load()
	_, k, b, is4, err := prefixKey(prefix)
	if s == nil || err != nil {
		return *new(P), false
	}
	if n := find(*s.root(is4), k, b); n != nil && n.has {
		return n.peer, true
	}
	return *new(P), false
}

// EntriesForPeer returns p's prefixes, masked, in the order they were
// inserted (a prefix removed and inserted again goes to the end), or nil if
// p has none. The slice is the caller's.
func (t *Table[P]) EntriesForPeer(p P) []netip.Prefix {
	t.mu.Lock()
	defer t.mu.Unlock()

	l := t.idx.byPeer[p]
	if l == nil {
		return nil
	}
	out := make([]netip.Prefix, 0, l.n)
	for e := l.head; e != nil; e = e.next {
		out = append(out, e.prefix)
	}
	return out
}

// Lookup returns the peer whose prefix is the longest to contain addr. An
// IPv4-mapped IPv6 address is looked up as the IPv4 address it maps; the
// zone, if any, is ignored. It takes no lock and does not allocate.
func (t *Table[P]) Lookup(addr netip.Addr) (P, bool) {
	s := t.snap.Load()
	if s == nil || !addr.IsValid() {
		return *new(P), false
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return result(lookup(s.v4, keyFromAddr(addr)))
	}
	return result(lookup(s.v6, keyFromAddr(addr)))
}

// LookupV4 returns the peer whose IPv4 prefix is the longest to contain
// the address in b, a 4-byte address in network order such as an IPv4
// header's source or destination field. If len(b) != 4 it returns false.
// It takes no lock and does not allocate.
func (t *Table[P]) LookupV4(b []byte) (P, bool) {
	s := t.snap.Load()
	if s == nil || len(b) != 4 {
		return *new(P), false
	}
	return result(lookup(s.v4, keyFrom4(b)))
}

// LookupV6 returns the peer whose IPv6 prefix is the longest to contain
// the address in b, a 16-byte address in network order such as an IPv6
// header's source or destination field. An IPv4-mapped address is not
// unmapped: it is matched against IPv6 prefixes only. If len(b) != 16 it
// returns false. It takes no lock and does not allocate.
func (t *Table[P]) LookupV6(b []byte) (P, bool) {
	s := t.snap.Load()
	if s == nil || len(b) != 16 {
		return *new(P), false
	}
	return result(lookup(s.v6, keyFrom16(b)))
}

// result unpacks a lookup's node.
func result[P comparable](n *node[P]) (P, bool) {
	if n == nil {
		return *new(P), false
	}
	return n.peer, true
}
