//go:build linux

package tun

import (
	"math/rand/v2"
	"testing"

	"nbwg/kernel/tun/internal/pkt"
)

// The fast checksum must agree with the plain 16-bit reference in package
// pkt for every length and alignment of the tail, and any initial sum.
func TestChecksumMatchesReference(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if n%7 == 0 {
			for i := range b {
				b[i] = 0xff // many carries
			}
		}
		initial := rng.Uint32() >> 1
		want := pkt.Checksum(b, initial)
		if got := checksum(b, uint64(initial)); got != want {
			t.Fatalf("len %d initial %#x: checksum = %#04x, reference %#04x", n, initial, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		in   uint64
		want uint16
	}{
		{0, 0},
		{0xffff, 0xffff},
		{0x10000, 1},
		{0xffffffffffffffff, 0xffff},
		{0x0001000200030004, 10},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%#x) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

func BenchmarkChecksum1420(b *testing.B) {
	buf := make([]byte, 1420)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		checksum(buf, 0)
	}
}
