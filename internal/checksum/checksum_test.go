package checksum

import "testing"

// The example of RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum
// to ddf2 (folded), so the checksum is 220d.
func TestRFC1071(t *testing.T) {
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := Fold(Sum(b, 0)); got != 0xddf2 {
		t.Errorf("folded sum %#x, want 0xddf2", got)
	}
	if got := Checksum(b, 0); got != 0x220d {
		t.Errorf("checksum %#x, want 0x220d", got)
	}
	// An odd length pads with a zero byte.
	if got, want := Fold(Sum([]byte{1, 2, 3}, 0)), uint16(0x0102+0x0300); got != want {
		t.Errorf("odd length: %#x, want %#x", got, want)
	}
}
