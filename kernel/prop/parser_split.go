package prop

import (
	"bytes"
	"runtime"
)

// A large document is parsed by two goroutines: if_wg's answer for
// 10,000 peers is some 6.5 MB, most of it one array, and parsing it is
// most of what `wgconfig wg0` does while the kernel, done answering,
// leaves a CPU idle.  A helper parses the items of an array from a
// point near the middle of the document to the array's end, while the
// parser does the rest; when the parser, going through that array,
// reaches the point as the start of an item at the helper's depth, it
// takes the helper's items and goes on after the array.
//
// The point is found by libprop's layout (an item <dict> on a line of
// its own, indented by its depth in tabs) and merely guessed: the
// result is the same as the parser's alone whatever the document.  From
// the start of an item, the rest of an array parses the same whatever
// came before: the parser carries nothing from one item to the next but
// the depth (what else it keeps, chunks and key strings, only saves
// allocations).  So the helper's items are taken only when the parser
// reaches the point at an item's start with the helper's depth; if it
// never does, or the helper failed (the parser then parses the rest
// itself and fails as it would have alone), the helper's work is
// dropped and its data wiped.

// splitMinSize is the smallest document worth a helper.
const splitMinSize = 1 << 20

// splitWanted reports whether a document of n bytes gets a helper.
func splitWanted(n int) bool { return n >= splitMinSize && runtime.GOMAXPROCS(0) > 1 }

// split is the helper's work.
type split struct {
	at    int // offset of the '<' of the item the helper starts at
	depth int // the depth of that item
	h     parser
	done  chan struct{}
	items []Object // the items from at to the array's end
	end   int      // the helper's position after the array's end tag
	err   error
	used  bool // the parser took the items
}

// startSplit starts a helper for p's document if a point is found.
func (p *parser) startSplit() {
	at, depth := splitPoint(p.b)
	if at < 0 {
		return
	}
	s := &split{at: at, depth: depth, h: parser{b: p.b, pos: at, alloc: newAllocator()}, done: make(chan struct{})}
	p.split = s
	go func() {
		defer close(s.done)
		s.items, s.err = s.h.arrayItems(s.depth - 1)
		s.end = s.h.pos
	}()
}

// splitPoint finds, in the second half of b, an item <dict> as libprop
// writes it ("\n", its depth in tabs, "<dict>"), the shallowest within
// reach, and returns the offset of its '<' and its depth; or -1.
func splitPoint(b []byte) (at, depth int) {
	const pattern = "\n\t\t\t\t<dict>"
	mid := len(b) / 2
	reach := b[mid:min(len(b), mid+len(b)/4+len(pattern))]
	for depth = 1; depth <= 4; depth++ {
		if i := bytes.Index(reach, []byte(pattern[:1]+pattern[5-depth:])); i >= 0 {
			return mid + i + 1 + depth, depth
		}
	}
	return -1, 0
}

// takeSplit is called by arrayItems for an item tag it found at offset at, of
// depth: if the helper started there, it waits for it and returns its
// items and where the array ended, ok; else ok is false and the parser
// goes on by itself.  The helper is consulted once.
func (p *parser) takeSplit(at, depth int) (items []Object, end int, ok bool) {
	s := p.split
	if s == nil || at != s.at || depth != s.depth || s.used {
		return nil, 0, false
	}
	<-s.done
	if s.err != nil {
		return nil, 0, false
	}
	s.used = true
	return s.items, s.end, true
}

// endSplit waits for the helper, if any, and wipes what it decoded
// unless the parser took it and succeeded.
func (p *parser) endSplit(failed bool) {
	s := p.split
	if s == nil {
		return
	}
	<-s.done
	if failed || !s.used {
		s.h.alloc.wipeData()
	}
}
