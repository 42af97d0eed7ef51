package ratelimiter

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	"nbwg/kernel/wg/clock"
)

var start = time.Unix(1_800_000_000, 0)

// The burst and refill of one source, step by step.
func TestBucket(t *testing.T) {
	clk := clock.NewFake(start)
	l := New(clk, 0, RefuseWhenFull)
	src := netip.MustParseAddr("192.0.2.1")
	cost := time.Second / PacketsPerSecond
	steps := []struct {
		wait time.Duration
		want bool
		what string
	}{
		{0, true, "burst 1"}, {0, true, "burst 2"}, {0, true, "burst 3"}, {0, true, "burst 4"}, {0, true, "burst 5"},
		{0, false, "after the burst"},
		{cost - 1, false, "a nanosecond short of one message"},
		{1, true, "one message refilled"},
		{0, false, "and spent"},
		{2 * cost, true, "two refilled: first"},
		{0, true, "two refilled: second"},
		{0, false, "two refilled: third"},
		{time.Hour, true, "an idle hour refills a burst, no more: 1"},
		{0, true, "2"}, {0, true, "3"}, {0, true, "4"}, {0, true, "5"},
		{0, false, "6"},
	}
	for i, s := range steps {
		clk.Advance(s.wait)
		if got := l.Allow(src); got != s.want {
			t.Fatalf("step %d (%s): Allow = %v, want %v", i, s.what, got, s.want)
		}
	}
}

// Sources are /32s and /64s: addresses in one IPv6 /64 share a bucket,
// IPv4 addresses do not, and an IPv4-mapped address is its IPv4 address.
func TestKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"},
		{"fe80::1%eth0", "fe80::2%eth1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
	} {
		if ka, kb := Key(netip.MustParseAddr(tc.a)), Key(netip.MustParseAddr(tc.b)); ka != kb {
			t.Errorf("Key(%s) = %v, Key(%s) = %v: want one source", tc.a, ka, tc.b, kb)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"192.0.2.1", "192.0.2.2"},
		{"::ffff:192.0.2.1", "::c000:201"},
	} {
		if ka, kb := Key(netip.MustParseAddr(tc.a)), Key(netip.MustParseAddr(tc.b)); ka == kb {
			t.Errorf("Key(%s) = Key(%s) = %v: want two sources", tc.a, tc.b, ka)
		}
	}
}

// model is a deliberately different limiter: the generic cell rate
// algorithm, which keeps per source the theoretical arrival time of its
// next message instead of a token count.  A message conforms when it
// comes no earlier than (burst-1) intervals before that time, and then
// pushes it one interval on.  It never forgets a source and has no bound.
type model struct {
	tat map[string]time.Time
}

func (m *model) allow(src string, now time.Time) bool {
	interval := time.Second / PacketsPerSecond
	tat, ok := m.tat[src]
	if !ok || tat.Before(now) {
		tat = now
	}
	if now.Before(tat.Add(-(PacketsBurstable - 1) * interval)) {
		return false
	}
	m.tat[src] = tat.Add(interval)
	return true
}

// modelKey is the source a model counts an address under, written out
// by hand from the rule: IPv4 per address, IPv6 per /64.
func modelKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	b := a.As16()
	return fmt.Sprintf("%x", b[:8])
}

// TestAgainstModel runs random traffic from a few sources, at random
// intervals around the refill time and the idle age (so sweeps happen
// and must not show), through a Limiter on a fake clock and through the
// model, and compares every decision.
func TestAgainstModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	addrs := []netip.Addr{
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"),
		netip.MustParseAddr("::ffff:192.0.2.2"), netip.MustParseAddr("198.51.100.9"),
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"),
		netip.MustParseAddr("2001:db8:0:1::1"), netip.MustParseAddr("fe80::1%eth0"),
	}
	cost := time.Second / PacketsPerSecond
	short := []time.Duration{1, cost / 3, cost - 1, cost, cost + 1}
	long := []time.Duration{2 * cost, time.Duration(PacketsBurstable) * cost, idleAge, idleAge + 1, 3 * time.Second}
	wait := func() time.Duration {
		switch r := rng.IntN(100); {
		case r < 90:
			return 0
		case r < 99:
			return short[rng.IntN(len(short))]
		default:
			return long[rng.IntN(len(long))]
		}
	}
	clk := clock.NewFake(start)
	l := New(clk, 0, RefuseWhenFull)
	m := &model{tat: make(map[string]time.Time)}
	allowed := 0
	for i := range 100_000 {
		clk.Advance(wait())
		a := addrs[rng.IntN(len(addrs))]
		got, want := l.Allow(a), m.allow(modelKey(a), clk.Now())
		if got != want {
			t.Fatalf("message %d from %v at +%v: Allow = %v, model says %v", i, a, clk.Now().Sub(start), got, want)
		}
		if got {
			allowed++
		}
	}
	// Both outcomes must have been exercised for the comparison to mean
	// anything.
	t.Logf("%d of 100000 allowed", allowed)
	if allowed < 10_000 || allowed > 90_000 {
		t.Errorf("%d of 100000 allowed: the traffic does not test the limit", allowed)
	}
}

// The table is bounded: while it is full of sources in use, a new source
// is refused and the old ones still count; once they have been idle,
// a sweep makes room.
func TestTableBound(t *testing.T) {
	clk := clock.NewFake(start)
	l := New(clk, 4, RefuseWhenFull)
	src := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}) }
	for i := range 4 {
		if !l.Allow(src(i)) {
			t.Fatalf("source %d refused with room in the table", i)
		}
	}
	if l.Allow(src(4)) {
		t.Fatal("a fifth source allowed in a table of four")
	}
	if n := l.Len(); n != 4 {
		t.Fatalf("Len = %d, want 4", n)
	}
	// A second on, a sweep is due but nobody has been idle long enough.
	clk.Advance(sweepInterval)
	for i := range 4 {
		if !l.Allow(src(i)) {
			t.Fatalf("known source %d refused", i)
		}
	}
	if l.Allow(src(4)) {
		t.Fatal("a fifth source allowed while the four are active")
	}
	// Three go quiet; the first keeps sending, and its messages run
	// the sweeps.
	for range 4 {
		clk.Advance(idleAge / 2)
		l.Allow(src(0))
	}
	if !l.Allow(src(4)) {
		t.Fatal("a new source refused after the idle ones could be swept")
	}
	if n := l.Len(); n != 2 {
		t.Errorf("Len = %d after the sweep, want 2 (the active source and the new one)", n)
	}
}

// Idle sources are forgotten, so a burst of distinct sources does not
// stay in memory.
func TestSweep(t *testing.T) {
	clk := clock.NewFake(start)
	l := New(clk, 0, RefuseWhenFull)
	for i := range 1000 {
		l.Allow(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	if n := l.Len(); n != 1000 {
		t.Fatalf("Len = %d, want 1000", n)
	}
	clk.Advance(idleAge + sweepInterval)
	l.Allow(netip.MustParseAddr("192.0.2.1"))
	if n := l.Len(); n != 1 {
		t.Errorf("Len = %d after the sweep, want 1", n)
	}
}

// Many goroutines on one Limiter (for the race detector): with the clock
// stopped, each source gets exactly its burst, whoever asks.
func TestConcurrent(t *testing.T) {
	clk := clock.NewFake(start)
	l := New(clk, 0, RefuseWhenFull)
	srcs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}
	var mu sync.Mutex
	allowed := make(map[netip.Addr]int)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				a := srcs[(g+i)%len(srcs)]
				if l.Allow(a) {
					mu.Lock()
					allowed[a]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, a := range srcs {
		if allowed[a] != PacketsBurstable {
			t.Errorf("%v: %d allowed, want %d", a, allowed[a], PacketsBurstable)
		}
	}
}

// A Limiter made to let sources through when full does so, without
// tracking them, while the sources it holds stay limited.
func TestAllowWhenFull(t *testing.T) {
	clk := clock.NewFake(start)
	l := New(clk, 2, AllowWhenFull)
	held := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}
	for _, a := range held {
		for range PacketsBurstable {
			l.Allow(a)
		}
		if l.Allow(a) {
			t.Fatalf("%v allowed past its burst", a)
		}
	}
	for i := range 100 {
		if !l.Allow(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})) {
			t.Fatalf("new source %d refused by a limiter that allows when full", i)
		}
	}
	if n := l.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}
}
