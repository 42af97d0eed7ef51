package ctype

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClasses checks every byte against the C locale's classes, spelled
// out (C99 7.4.1).
func TestClasses(t *testing.T) {
	const (
		digits  = "0123456789"
		xdigits = digits + "abcdefABCDEF"
		spaces  = " \t\n\v\f\r"
	)
	for i := 0; i < 256; i++ {
		c := byte(i)
		for _, tt := range []struct {
			name string
			f    func(byte) bool
			set  string
		}{
			{"IsDigit", IsDigit, digits},
			{"IsXDigit", IsXDigit, xdigits},
			{"IsSpace", IsSpace, spaces},
		} {
			if got, want := tt.f(c), strings.IndexByte(tt.set, c) >= 0; got != want {
				t.Errorf("%s(%#02x) = %v, want %v", tt.name, c, got, want)
			}
		}
	}
}

func TestHexVal(t *testing.T) {
	var got []byte
	for _, c := range []byte("0123456789abcdefABCDEF") {
		got = append(got, HexVal(c))
	}
	want := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 10, 11, 12, 13, 14, 15}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HexVal (-want +got):\n%s", diff)
	}
}
