package prop

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCStrto(t *testing.T) {
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
		at := func(i int) byte {
			if i < len(tc.in) {
				return tc.in[i]
			}
			return 0
		}
		var got res
		got.U, got.UEnd = cStrtoull(at, 0, tc.base)
		got.I, got.IEnd = cStrtoll(at, 0, tc.base)
		if got.UEnd == 0 {
			got.U = tc.want.U // the value is meaningless when nothing was consumed
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q base %d (-want +got):\n%s", tc.in, tc.base, diff)
		}
	}
}
