package wg

import (
	"sync"
	"sync/atomic"
)

// A peer's packets must leave in the order they came, in each direction,
// while their crypto may run on any core.  Each direction has a
// batchQueue: batches join it in order when they get their counters (send)
// or are read (receive), and leave it in that order once their crypto is
// done.  Nobody waits on the queue: whoever finishes a batch's crypto (the
// TUN or socket reader that did it inline, or a crypto worker) then
// flushes the queue, delivering every ready batch at its head, unless
// another goroutine is flushing already, in which case that one takes
// care of it.  So a peer costs no goroutine, an idle peer no queue memory,
// and a packet whose crypto was done inline leaves without a hand-off, as
// the Linux driver's per-peer work items do without a thread per peer.

// A batch is what a batchQueue holds: ready reports, once the batch's
// crypto is done, that it may leave.
type batch interface {
	comparable
	ready() bool
}

// batchState is the part of a batch the queue looks at.
type batchState struct{ done atomic.Bool }

func (s *batchState) ready() bool { return s.done.Load() }

// markReady records that the batch's crypto is done; the caller then
// flushes the batch's queue.
func (s *batchState) markReady() { s.done.Store(true) }

// Queue bounds: a queue starts small when its peer first has traffic and
// doubles up to maxQueuedBatches, beyond which a batch is dropped, as a
// full queue drops in wireguard-go and Linux.
const (
	minQueuedBatches = 8
	maxQueuedBatches = 128
)

// batchQueue is one direction of a peer's batches in flight, in order.
// The zero value is an empty queue that allocates nothing until used.
type batchQueue[B batch] struct {
	mu   sync.Mutex // guards ring, head and n
	ring []B
	head int
	n    int
	// flushing is held by the goroutine delivering the queue's batches.
	flushing atomic.Bool
}

// push appends b; it reports false, changing nothing, when the queue is
// full.
func (q *batchQueue[B]) push(b B) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == len(q.ring) {
		if len(q.ring) >= maxQueuedBatches {
			return false
		}
		q.grow()
	}
	q.ring[(q.head+q.n)%len(q.ring)] = b
	q.n++
	return true
}

// grow doubles the ring, keeping the order; q.mu is held.
func (q *batchQueue[B]) grow() {
	ring := make([]B, max(minQueuedBatches, 2*len(q.ring)))
	for i := range q.n {
		ring[i] = q.ring[(q.head+i)%len(q.ring)]
	}
	q.ring, q.head = ring, 0
}

// popReady removes and returns the head if it is ready.
func (q *batchQueue[B]) popReady() (B, bool) {
	var zero B
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 || !q.ring[q.head].ready() {
		return zero, false
	}
	b := q.ring[q.head]
	q.ring[q.head] = zero
	q.head = (q.head + 1) % len(q.ring)
	q.n--
	return b, true
}

// headReady reports whether the head is ready to leave.
func (q *batchQueue[B]) headReady() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n > 0 && q.ring[q.head].ready()
}

// flush delivers the ready batches at the head, in order, unless another
// goroutine is doing so.  A batch made ready while another goroutine
// flushes is not left behind: that goroutine looks at the head again
// after letting go of the queue, and whoever made it ready tried to flush
// after marking it, so one of the two sees it (Go's atomics are
// sequentially consistent).
func (q *batchQueue[B]) flush(deliver func(B)) {
	for q.flushing.CompareAndSwap(false, true) {
		for {
			b, ok := q.popReady()
			if !ok {
				break
			}
			deliver(b)
		}
		q.flushing.Store(false)
		if !q.headReady() {
			return
		}
	}
}

// idle reports whether nothing is queued or being delivered (tests).
func (q *batchQueue[B]) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n == 0 && !q.flushing.Load()
}
