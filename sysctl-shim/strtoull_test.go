package main

import (
	"math"
	"testing"
)

func TestStrtoull(t *testing.T) {
	for _, tc := range []struct {
		in     string
		v      uint64
		n      int
		erange bool
	}{
		{"0", 0, 1, false},
		{"42", 42, 2, false},
		{"  42", 42, 4, false},
		{"\t\n+42", 42, 5, false},
		{"-1", math.MaxUint64, 2, false},
		{"-0x10", math.MaxUint64 - 15, 5, false},
		{"0x1f", 31, 4, false},
		{"0X1F", 31, 4, false},
		{"0x", 0, 1, false},   // "x" is not part of the number
		{"0xg", 0, 1, false},  // nor here
		{"017", 15, 3, false}, // octal
		{"08", 0, 1, false},   // '8' ends an octal number
		{"12abc", 12, 2, false},
		{"1_000", 1, 1, false},
		{"0b1", 0, 1, false},
		{"0o7", 0, 1, false},
		{"", 0, 0, false},
		{"   ", 0, 0, false},
		{"+", 0, 0, false},
		{"-", 0, 0, false},
		{"abc", 0, 0, false},
		{"18446744073709551615", math.MaxUint64, 20, false},
		{"18446744073709551616", math.MaxUint64, 20, true},
		{"-18446744073709551616", math.MaxUint64, 21, true},
		{"0xffffffffffffffffff", math.MaxUint64, 20, true},
		{"99999999999999999999999x", math.MaxUint64, 23, true},
	} {
		v, n, erange := strtoull(tc.in)
		if v != tc.v || n != tc.n || erange != tc.erange {
			t.Errorf("strtoull(%q) = %d, %d, %v; want %d, %d, %v", tc.in, v, n, erange, tc.v, tc.n, tc.erange)
		}
	}
}
