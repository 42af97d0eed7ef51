package prop

import "strings"

// A document of many peers holds tens of thousands of small objects, and
// allocating each on its own was a fifth of Internalize's time.  The parser
// carves them out of chunks instead: one chunk serves many dictionaries,
// entry lists, arrays, data and strings.  Every piece is cut with a full
// slice expression (s[a:b:b]), so that appending to one (Dictionary.Set,
// Array.Add, append on a Data) reallocates rather than writing into its
// neighbour's.  The chunks start small and double up to a bound, so that a
// small document (an ioctl's) allocates little and a large one few times.

// slab hands out pieces of chunks of T.
type slab[T any] struct {
	free []T // what is left of the current chunk
	next int // the length of the next chunk
	max  int // the largest ordinary chunk
}

// grow makes sure n elements are free, starting a new chunk if needed.
func (s *slab[T]) grow(n int) {
	if n <= len(s.free) {
		return
	}
	switch {
	case s.next == 0:
		s.next = 8
	case s.next < s.max:
		s.next *= 2
	}
	s.free = make([]T, max(n, s.next))
}

// take returns n zeroed elements.
func (s *slab[T]) take(n int) []T {
	s.grow(n)
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

// allocator holds the parser's chunks.
type allocator struct {
	dicts  slab[Dictionary]
	arrays slab[Array]
	// data holds decoded base64.  Its chunks are remembered so that a
	// parse that fails can clear what it decoded: data may hold keys,
	// and no Data object reaches the caller for Wipe to clear.
	data       slab[byte]
	dataChunks [][]byte
	// strs holds the text of strings: a strings.Builder never changes
	// the bytes it has handed out through String, so each string is a
	// piece of one.
	strs     strings.Builder
	strsNext int // the size of the next builder
}

func newAllocator() allocator {
	return allocator{
		dicts:  slab[Dictionary]{max: 1024},
		arrays: slab[Array]{max: 256},
		data:   slab[byte]{max: 64 << 10},
	}
}

func (a *allocator) dictionary() *Dictionary { return &a.dicts.take(1)[0] }

func (a *allocator) array() *Array { return &a.arrays.take(1)[0] }

// dataSpace returns room for up to n bytes of data, of length 0; the
// caller appends to it (never beyond n) and then calls keepData with
// what it kept.
func (a *allocator) dataSpace(n int) []byte {
	if n > len(a.data.free) {
		a.data.grow(n)
		a.dataChunks = append(a.dataChunks, a.data.free)
	}
	return a.data.free[:0:n]
}

// keepData takes b, which dataSpace returned and the caller filled, out
// of the free space and returns it with its capacity cut to its length.
func (a *allocator) keepData(b []byte) []byte {
	if len(b) <= len(a.data.free) { // else append moved it elsewhere
		a.data.free = a.data.free[len(b):]
	}
	return b[:len(b):len(b)]
}

// wipeData clears every byte of data decoded so far.
func (a *allocator) wipeData() {
	for _, c := range a.dataChunks {
		clear(c)
	}
}

// str returns b as a string.
func (a *allocator) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if a.strs.Cap()-a.strs.Len() < len(b) {
		a.strsNext = min(max(2*a.strsNext, 64), 4<<10)
		a.strs = strings.Builder{}
		a.strs.Grow(max(len(b), a.strsNext))
	}
	start := a.strs.Len()
	a.strs.Write(b)
	return a.strs.String()[start:]
}

// lists builds the lists of one kind (a dictionary's entries, an array's
// items) at each depth straight in chunks: at one depth only one list is
// under construction at a time, so it can grow at the start of its depth's
// free space and be cut off from it when done, written once instead of
// gathered in a scratch list and copied.
type lists[T any] struct {
	depth []*listChunk[T] // pointers: a deeper list may grow the slice
}

type listChunk[T any] struct {
	free []T // the current chunk's free space; a list grows at its start
	next int // the length of the next chunk
	prev []T // the last list finished at this depth
}

// at returns the chunk of depth, making room for it.
func (l *lists[T]) at(depth int) *listChunk[T] {
	for len(l.depth) <= depth {
		l.depth = append(l.depth, new(listChunk[T]))
	}
	return l.depth[depth]
}

// set stores v as element n of the list under construction, whose
// elements 0 to n-1 have been set.
func (c *listChunk[T]) set(n int, v T) {
	if n == len(c.free) {
		c.next = min(max(2*c.next, 8), 4096)
		free := make([]T, max(c.next, 2*n))
		copy(free, c.free[:n])
		clear(c.free[:n]) // what the new chunk holds now
		c.free = free
	}
	c.free[n] = v
}

// finish returns the list of n elements, or nil if n is 0, and leaves the
// chunk's free space after it.
func (c *listChunk[T]) finish(n int) []T {
	if n == 0 {
		return nil
	}
	out := c.free[:n:n]
	c.free = c.free[n:]
	c.prev = out
	return out
}
