// Package ratelimiter bounds, per source address, how many handshake
// messages a device spends Curve25519 work (or a cookie reply) on, as the
// Linux driver's ratelimiter.c and wireguard-go's ratelimiter/ do: mac1
// ([W] 5.4.4) only proves that a sender knows our public key, which is no
// secret, so without a limit one host could keep the handshake worker busy
// and starve everyone else.
//
// Each source has a token bucket: PacketsPerSecond messages a second, in
// bursts of up to PacketsBurstable.  A source is an IPv4 address or an
// IPv6 /64, since one IPv6 host usually holds a whole /64.  The table is
// bounded (MaxEntries by default); while it is full, a message from a
// source it does not hold is refused or let through, as the Limiter was
// made to do (WhenFull): refusing is right where the sources are proven
// (mac2) or the work is dear, letting through where spoofed sources could
// fill the table and lock genuine ones out of something cheap.
//
// An entry idle for a second has refilled completely (a burst refills in
// a quarter of a second), so forgetting it changes nothing: the table is
// swept of such entries at most once a second, by the Allow call that
// finds a sweep due.  So a Limiter has no goroutine of its own, nothing
// to stop, and never leaks one.
//
// Time comes from an injected clock, so tests run the buckets on a fake
// one.  A Limiter is safe for concurrent use.
package ratelimiter

import (
	"net/netip"
	"sync"
	"time"

	"nbwg/kernel/wg/clock"
)

// The limits of the Linux driver and wireguard-go.
const (
	PacketsPerSecond = 20
	PacketsBurstable = 5
	// MaxEntries bounds the sources a Limiter tracks at once; the Linux
	// driver allows 65536 on a machine with a gigabyte of memory or more.
	MaxEntries = 1 << 16
)

const (
	// packetCost is the tokens one message costs; tokens are nanoseconds,
	// and a bucket gains one a nanosecond.
	packetCost = int64(time.Second / PacketsPerSecond)
	maxTokens  = packetCost * PacketsBurstable
	// idleAge: an entry last used longer ago than this is full again,
	// and is dropped at the next sweep.  It must be at least the time a
	// bucket takes to refill (maxTokens ns), or a sweep could hand a
	// source fresh tokens it had not earned.
	idleAge = time.Second
	// sweepInterval is the least time between two sweeps.
	sweepInterval = time.Second
)

// WhenFull is what a Limiter answers for a source it does not hold while
// its table is full.
type WhenFull bool

const (
	RefuseWhenFull WhenFull = false
	AllowWhenFull  WhenFull = true
)

// Limiter is a set of token buckets keyed by source.
type Limiter struct {
	clock    clock.Clock
	max      int
	whenFull WhenFull

	mu        sync.Mutex
	table     map[netip.Addr]*bucket
	lastSweep time.Time
}

type bucket struct {
	last   time.Time // when the bucket was last consulted
	tokens int64
}

// New returns a Limiter that reads clk and tracks at most maxEntries
// sources (MaxEntries when maxEntries <= 0); whenFull says what it
// answers for other sources while it tracks that many.
func New(clk clock.Clock, maxEntries int, whenFull WhenFull) *Limiter {
	if maxEntries <= 0 {
		maxEntries = MaxEntries
	}
	return &Limiter{clock: clk, max: maxEntries, whenFull: whenFull, table: make(map[netip.Addr]*bucket)}
}

// Key returns the source a message from addr is counted under: the
// address itself for IPv4 (IPv4-mapped IPv6 included), its /64 for IPv6,
// without zone.
func Key(addr netip.Addr) netip.Addr {
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.Addr()
	}
	return addr
}

// Allow reports whether a message from addr may be handled now, and
// takes its cost from the source's bucket if so.  A source seen for the
// first time may send a full burst.
func (l *Limiter) Allow(addr netip.Addr) bool {
	key := Key(addr)
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepInterval {
		l.sweepLocked(now)
	}
	b := l.table[key]
	if b == nil {
		if len(l.table) >= l.max {
			return bool(l.whenFull)
		}
		l.table[key] = &bucket{last: now, tokens: maxTokens - packetCost}
		return true
	}
	// A clock that stepped back gives nothing (the real clock's
	// readings are monotonic; this only guards the arithmetic).
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(maxTokens, b.tokens+int64(elapsed))
	}
	b.last = now
	if b.tokens < packetCost {
		return false
	}
	b.tokens -= packetCost
	return true
}

// sweepLocked forgets the sources idle for longer than idleAge; l.mu is
// held.
func (l *Limiter) sweepLocked(now time.Time) {
	for k, b := range l.table {
		if now.Sub(b.last) > idleAge {
			delete(l.table, k)
		}
	}
	l.lastSweep = now
}

// Len returns how many sources the Limiter tracks now.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.table)
}
