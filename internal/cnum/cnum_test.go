package cnum

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKernel pins the kernel's strtoull and strtoll, as kernel/prop
// internalizes numbers with them.
func TestKernel(t *testing.T) {
	type res struct {
		U    uint64
		UEnd int
		I    int64
		IEnd int
	}
	for _, tc := range []struct {
		in   string
		base int
		want res
	}{
		{"123<", 0, res{123, 3, 123, 3}},
		{" \t\v\f\r\n-12x", 0, res{math.MaxUint64 - 11, 9, -12, 9}},
		{"+0x1F", 0, res{31, 5, 31, 5}},
		{"0X1f", 16, res{31, 4, 31, 4}},
		{"017", 0, res{15, 3, 15, 3}},
		{"019", 0, res{1, 2, 1, 2}},
		{"0x", 0, res{0, 0, 0, 0}},
		{"", 0, res{0, 0, 0, 0}},
		{"-", 0, res{0, 0, 0, 0}},
		{"18446744073709551615", 0, res{math.MaxUint64, 20, 0, 0}},
		{"18446744073709551616", 0, res{math.MaxUint64, 0, 0, 0}},
		{"9223372036854775807", 0, res{math.MaxInt64, 19, math.MaxInt64, 19}},
		{"-9223372036854775808", 0, res{1 << 63, 20, math.MinInt64, 20}},
		{"-9223372036854775809", 0, res{(1 << 63) - 1, 20, 0, 0}},
		{"zz", 36, res{36*35 + 35, 2, 36*35 + 35, 2}},
	} {
		var got res
		got.U, got.UEnd, _ = Strtoull(tc.in, tc.base, Kernel)
		got.I, got.IEnd, _ = Strtoll(tc.in, tc.base, Kernel)
		if got.UEnd == 0 {
			got.U = tc.want.U // the value is meaningless when nothing was consumed
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q base %d (-want +got):\n%s", tc.in, tc.base, diff)
		}
	}
}

// TestLibc pins the C library's strtoull and strtoll as the front ends
// call them.
func TestLibc(t *testing.T) {
	type res struct {
		U       uint64
		UEnd    int
		URange  bool
		I       int64
		IEnd    int
		IERange bool
	}
	for _, tc := range []struct {
		in   string
		base int
		want res
	}{
		{"0", 0, res{0, 1, false, 0, 1, false}},
		{"  42", 0, res{42, 4, false, 42, 4, false}},
		{"\t\n+42", 0, res{42, 5, false, 42, 5, false}},
		{"-1", 0, res{math.MaxUint64, 2, false, -1, 2, false}},
		{"-0x10", 0, res{math.MaxUint64 - 15, 5, false, -16, 5, false}},
		{"0X1F", 0, res{31, 4, false, 31, 4, false}},
		{"0x1f", 16, res{31, 4, false, 31, 4, false}},
		{"1f", 16, res{31, 2, false, 31, 2, false}},
		{"0x", 0, res{0, 1, false, 0, 1, false}},  // "x" is not part of the number
		{"0xg", 0, res{0, 1, false, 0, 1, false}}, // nor here
		{"0x", 16, res{0, 1, false, 0, 1, false}},
		{"0x10", 10, res{0, 1, false, 0, 1, false}},
		{"017", 0, res{15, 3, false, 15, 3, false}},
		{"08", 0, res{0, 1, false, 0, 1, false}}, // '8' ends an octal number
		{"017", 10, res{17, 3, false, 17, 3, false}},
		{"12abc", 10, res{12, 2, false, 12, 2, false}},
		{"1_000", 0, res{1, 1, false, 1, 1, false}},
		{"0b1", 0, res{0, 1, false, 0, 1, false}},
		{"", 0, res{0, 0, false, 0, 0, false}},
		{"   ", 0, res{0, 0, false, 0, 0, false}},
		{"+", 0, res{0, 0, false, 0, 0, false}},
		{" -x", 0, res{0, 0, false, 0, 0, false}},
		{"zz", 36, res{36*35 + 35, 2, false, 36*35 + 35, 2, false}},
		{"12", 1, res{0, 0, false, 0, 0, false}},
		{"12", 37, res{0, 0, false, 0, 0, false}},
		{"9223372036854775807", 10, res{math.MaxInt64, 19, false, math.MaxInt64, 19, false}},
		{"9223372036854775808", 10, res{1 << 63, 19, false, math.MaxInt64, 19, true}},
		{"-9223372036854775808", 10, res{1 << 63, 20, false, math.MinInt64, 20, false}},
		{"-9223372036854775809", 10, res{(1 << 63) - 1, 20, false, math.MinInt64, 20, true}},
		{"18446744073709551615", 0, res{math.MaxUint64, 20, false, math.MaxInt64, 20, true}},
		{"18446744073709551616", 0, res{math.MaxUint64, 20, true, math.MaxInt64, 20, true}},
		{"-18446744073709551616", 0, res{math.MaxUint64, 21, true, math.MinInt64, 21, true}},
		{"0xffffffffffffffffff", 0, res{math.MaxUint64, 20, true, math.MaxInt64, 20, true}},
		{"99999999999999999999999x", 0, res{math.MaxUint64, 23, true, math.MaxInt64, 23, true}},
	} {
		var got res
		got.U, got.UEnd, got.URange = Strtoull(tc.in, tc.base, Libc)
		got.I, got.IEnd, got.IERange = Strtoll(tc.in, tc.base, Libc)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q base %d (-want +got):\n%s", tc.in, tc.base, diff)
		}
	}
}

// TestBytes checks that a byte slice reads as the string it holds.
func TestBytes(t *testing.T) {
	for _, in := range []string{"", " -42z", "0x1F", "0x", "18446744073709551616", "-9223372036854775809"} {
		for _, f := range []Flavor{Libc, Kernel} {
			u1, e1, r1 := Strtoull(in, 0, f)
			u2, e2, r2 := Strtoull([]byte(in), 0, f)
			i1, f1, s1 := Strtoll(in, 0, f)
			i2, f2, s2 := Strtoll([]byte(in), 0, f)
			if u1 != u2 || e1 != e2 || r1 != r2 || i1 != i2 || f1 != f2 || s1 != s2 {
				t.Errorf("%q flavor %d: string and []byte differ", in, f)
			}
		}
	}
}
