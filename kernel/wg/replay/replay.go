// Package replay is the sliding window that rejects replayed transport
// counters, the bitmap algorithm of RFC 6479.
//
// The window holds 2^13 bits, as in the Linux driver, wireguard-go and
// OpenBSD, rather than NetBSD's 2048 (SLIWIN_BITS in sys/net/if_wg.c). Two
// reasons: the paper's REJECT-AFTER-MESSAGES, 2^64 − 2^13 − 1 ([W] 6.1), is
// sized for a window of 2^13; and nbwg encrypts on several cores in
// parallel, so at high packet rates the packets of one keypair reach the
// peer further out of order than a 2048-bit window forgives, and a packet
// that falls off the window is a lost packet. The price is 1 KiB per
// keypair.
//
// The bitmap is a ring of 64-bit words. One word is always the one being
// filled at the top of the window, so of the 8192 bits, [WindowSize] =
// 8128 counters below the greatest accepted one are remembered.
package replay

const (
	wordBits  = 64
	ringWords = 1 << 7 // a power of two, so that % compiles to a mask

	// RingBits is the size of the bitmap, 2^13.
	RingBits = ringWords * wordBits
	// WindowSize is how far below the greatest accepted counter a counter
	// may be and still be accepted: a counter c is too old when
	// greatest − c ≥ WindowSize.
	WindowSize = RingBits - wordBits
)

// A Filter remembers which counters of one keypair have been received.
// The zero value is an empty filter ready to use.
// Filters are unsafe for concurrent use; noise.Keypair guards its filter
// with a mutex.
type Filter struct {
	// top is the greatest counter accepted since the last Reset, or 0
	// when none has been: counter 0 is then simply "not above top".
	top  uint64
	ring [ringWords]uint64
}

// Reset empties the filter, for a new keypair.
func (f *Filter) Reset() {
	*f = Filter{}
}

// ValidateCounter reports whether counter is new and recent enough to be
// accepted, and if so records it so that it is refused next time.
// Counters at or above limit are always refused (the caller passes
// REJECT-AFTER-MESSAGES, [W] 5.4.6).
//
// ValidateCounter must be called only after the message carrying counter
// has been authenticated: otherwise a forged counter far in the future
// would slide the window and make every genuine packet look too old.
func (f *Filter) ValidateCounter(counter, limit uint64) bool {
	if counter >= limit {
		return false
	}
	word := counter / wordBits
	switch {
	case counter > f.top:
		// Slide the window up. Every word the top passes over is reused
		// for newer counters and must be wiped; a jump of a whole ring or
		// more wipes everything.
		topWord := f.top / wordBits
		n := min(word-topWord, ringWords)
		for i := uint64(1); i <= n; i++ {
			f.ring[(topWord+i)%ringWords] = 0
		}
		f.top = counter
	case f.top-counter >= WindowSize:
		return false // fell off the bottom of the window
	}
	bit := uint64(1) << (counter % wordBits)
	w := &f.ring[word%ringWords]
	if *w&bit != 0 {
		return false // replayed
	}
	*w |= bit
	return true
}
