package inet

import "testing"

func TestMaskLen(t *testing.T) {
	for _, tc := range []struct {
		mask []byte
		bits int
		ok   bool
	}{
		{[]byte{255, 255, 255, 0}, 24, true},
		{[]byte{255, 255, 255, 255}, 32, true},
		{[]byte{0, 0, 0, 0}, 0, true},
		{[]byte{255, 254, 0, 0}, 15, true},
		{[]byte{255, 0, 255, 0}, 0, false},
		{[]byte{255, 0xf0 | 0x04, 0, 0}, 0, false},
	} {
		bits, ok := MaskLen(tc.mask)
		if ok != tc.ok || (ok && bits != tc.bits) {
			t.Errorf("MaskLen(%v) = %d, %v; want %d, %v", tc.mask, bits, ok, tc.bits, tc.ok)
		}
	}
}
