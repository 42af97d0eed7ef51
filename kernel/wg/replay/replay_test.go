package replay

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestValidateCounterTable(t *testing.T) {
	const limit = math.MaxUint64 - RingBits // REJECT-AFTER-MESSAGES
	type step struct {
		counter uint64
		want    bool
	}
	tests := []struct {
		name  string
		limit uint64
		steps []step
	}{
		{"first counter zero", limit, []step{{0, true}, {0, false}}},
		{"first counter nonzero", limit, []step{{5, true}, {0, true}, {5, false}, {0, false}}},
		{"in order", limit, []step{{0, true}, {1, true}, {2, true}, {3, true}}},
		{"out of order inside the window", limit, []step{
			{10, true}, {8, true}, {9, true}, {7, true}, {8, false}, {11, true}, {10, false},
		}},
		{"oldest remembered counter", limit, []step{
			{WindowSize + 100, true}, {101, true}, {101, false}, {100, false},
		}},
		{"just too old", limit, []step{{WindowSize, true}, {0, false}, {1, true}}},
		{"jump over a whole ring forgets everything", limit, []step{
			{1, true}, {2, true}, {1 + 3*RingBits, true}, {2 + 3*RingBits, true}, {2, false},
			{2 + 3*RingBits - WindowSize + 1, true}, {2 + 3*RingBits - WindowSize, false},
		}},
		{"jump of less than a ring clears the words passed", limit, []step{
			{64, true}, {64 + 5*64, true}, {64, false}, {64 + 64, true}, {64 + 5*64, false},
		}},
		{"limit", 100, []step{{99, true}, {100, false}, {101, false}, {98, true}}},
		{"limit zero refuses all", 0, []step{{0, false}, {1, false}}},
		{"max counter", math.MaxUint64, []step{
			{math.MaxUint64 - 1, true}, {math.MaxUint64, false}, {math.MaxUint64 - 2, true}, {math.MaxUint64 - 1, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Filter
			for i, s := range tt.steps {
				if got := f.ValidateCounter(s.counter, tt.limit); got != s.want {
					t.Fatalf("step %d: ValidateCounter(%d) = %v, want %v", i, s.counter, got, s.want)
				}
			}
		})
	}
}

func TestReset(t *testing.T) {
	var f Filter
	for c := range uint64(3 * RingBits) {
		f.ValidateCounter(c, math.MaxUint64)
	}
	f.Reset()
	for _, c := range []uint64{0, 1, 5, 3*RingBits - 1} {
		if !f.ValidateCounter(c, math.MaxUint64) {
			t.Errorf("after Reset, ValidateCounter(%d) = false, want true", c)
		}
	}
}

// model is the naive reference: a set of every counter ever accepted and
// the greatest one. It forgets nothing, so it checks both that the ring
// remembers every counter inside the window and that it refuses every
// counter below it.
type model struct {
	seen map[uint64]bool
	top  uint64
}

func (m *model) validate(counter, limit uint64) bool {
	if counter >= limit || m.seen[counter] {
		return false
	}
	if counter < m.top && m.top-counter >= WindowSize {
		return false
	}
	m.seen[counter] = true
	m.top = max(m.top, counter)
	return true
}

var seedFlag = flag.Uint64("seed", 0, "seed for TestAgainstModel (0: from the clock)")

func TestAgainstModel(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %[1]d)", seed)
	for run := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, run))
		var f Filter
		m := model{seen: map[uint64]bool{}}
		var limit uint64 = math.MaxUint64
		base := uint64(0)
		if run%2 == 1 {
			// Work near the top of the counter space and the limit.
			limit = math.MaxUint64 - RingBits
			base = limit - 200_000
		}
		next := base
		for i := range 200_000 {
			var c uint64
			switch r := rng.IntN(100); {
			case r < 50: // the usual: roughly in order
				next += uint64(rng.IntN(3))
				c = next
			case r < 75: // reordered, mostly inside the window
				c = next - min(next-base, uint64(rng.IntN(WindowSize+200)))
			case r < 85: // exact replay of something recent
				c = next - min(next-base, uint64(rng.IntN(64)))
			case r < 90: // around the window's edge
				c = next - min(next-base, uint64(WindowSize-2+rng.IntN(4)))
			case r < 95: // a jump forward
				next += uint64(rng.IntN(3 * RingBits))
				c = next
			default: // anything, including beyond the limit
				c = base + rng.Uint64N(limit-base+1000)
				if c < base {
					c = limit + uint64(rng.IntN(10)) // wrapped: stay above the limit
				}
			}
			want := m.validate(c, limit)
			if got := f.ValidateCounter(c, limit); got != want {
				t.Fatalf("run %d step %d: ValidateCounter(%d) = %v, model says %v (top %d)", run, i, c, got, want, m.top)
			}
			if c > next && c < limit {
				next = c
			}
		}
	}
}

func BenchmarkValidateCounterInOrder(b *testing.B) {
	var f Filter
	var c uint64
	for b.Loop() {
		f.ValidateCounter(c, math.MaxUint64)
		c++
	}
}
