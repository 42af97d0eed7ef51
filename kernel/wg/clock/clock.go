// Package clock gives the WireGuard timers their notion of time, so that
// tests can run REKEY_AFTER_TIME and REJECT_AFTER_TIME in microseconds:
// Real is the system clock; Fake is advanced by hand and fires its timers
// synchronously, in deadline order, from Advance.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and runs functions later.
type Clock interface {
	// Now returns the current time.  Durations between two Nows are
	// monotonic.
	Now() time.Time
	// AfterFunc runs f in its own goroutine (Real) or from Advance
	// (Fake) once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call, as time.Timer.
type Timer interface {
	// Stop prevents the call; it reports whether it was still pending.
	Stop() bool
	// Reset reschedules the call d from now; it reports whether it
	// was pending.
	Reset(d time.Duration) bool
}

// Real is the system clock.
var Real Clock = realClock{}

type realClock struct{}

func (realClock) Now() time.Time                            { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Fake is a clock that moves only when told to.  The zero value starts at
// the Unix epoch; NewFake starts elsewhere.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

// NewFake returns a fake clock reading start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now returns the fake time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at now+d.
func (c *Fake) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, f: f, when: c.now.Add(d), pending: true, listed: true}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock forward by d, firing every timer that falls
// due, each at its own deadline and in deadline order.  Timer functions
// run on the caller's goroutine and may schedule further timers, which
// fire too if they fall due within d.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		t := c.nextDue(end)
		if t == nil {
			break
		}
		t.pending = false
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = end
	c.mu.Unlock()
}

// nextDue returns the earliest pending timer due by end; c.mu is held.
func (c *Fake) nextDue(end time.Time) *fakeTimer {
	live := c.timers[:0]
	for _, t := range c.timers {
		if t.pending {
			live = append(live, t)
		} else {
			t.listed = false
		}
	}
	clear(c.timers[len(live):])
	c.timers = live
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
	if len(c.timers) > 0 && !c.timers[0].when.After(end) {
		return c.timers[0]
	}
	return nil
}

// Pending returns how many timers wait to fire.
func (c *Fake) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.pending {
			n++
		}
	}
	return n
}

type fakeTimer struct {
	c       *Fake
	f       func()
	when    time.Time
	pending bool
	// listed: the timer is in c.timers (a stopped timer stays there
	// until the next Advance drops it), so Reset must not add it again.
	listed bool
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.pending
	t.pending = false
	return was
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.pending
	t.when = t.c.now.Add(d)
	t.pending = true
	if !t.listed {
		t.listed = true
		t.c.timers = append(t.c.timers, t)
	}
	return was
}
