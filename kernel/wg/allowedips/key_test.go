package allowedips

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMaskOf(t *testing.T) {
	tests := []struct {
		bits uint8
		want key
	}{
		{0, key{}},
		{1, key{hi: 1 << 63}},
		{32, key{hi: 0xffffffff_00000000}},
		{64, key{hi: ^uint64(0)}},
		{65, key{hi: ^uint64(0), lo: 1 << 63}},
		{127, key{hi: ^uint64(0), lo: ^uint64(1)}},
		{128, key{hi: ^uint64(0), lo: ^uint64(0)}},
	}
	for _, tt := range tests {
		if got := maskOf(tt.bits); got != tt.want {
			t.Errorf("maskOf(%d) = %#x, want %#x", tt.bits, got, tt.want)
		}
	}
}

func TestKeyBit(t *testing.T) {
	k := key{hi: 1<<63 | 1, lo: 1<<63 | 1}
	var got []int
	for _, i := range []uint8{0, 1, 62, 63, 64, 65, 126, 127, 128} {
		got = append(got, k.bit(i))
	}
	want := []int{1, 0, 0, 1, 1, 0, 0, 1, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bits of %#x (-want +got):\n%s", k, diff)
	}
}

func TestCommonLen(t *testing.T) {
	tests := []struct {
		a, b key
		want uint8
	}{
		{key{}, key{}, 128},
		{key{hi: 1 << 63}, key{}, 0},
		{key{hi: 1}, key{}, 63},
		{key{lo: 1 << 63}, key{}, 64},
		{key{lo: 1}, key{}, 127},
	}
	for _, tt := range tests {
		if got := commonLen(tt.a, tt.b); got != tt.want {
			t.Errorf("commonLen(%#x, %#x) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestKeyRoundTrip(t *testing.T) {
	for _, s := range []string{"0.0.0.0", "10.1.2.3", "255.255.255.255", "::", "2001:db8::1", "ffff::ffff", "::ffff:10.0.0.1"} {
		a := netip.MustParseAddr(s)
		if got := keyFromAddr(a).addr(a.Is4()); got != a {
			t.Errorf("key round trip of %v gives %v", a, got)
		}
	}
}
