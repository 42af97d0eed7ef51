package prop

import (
	"math"
	"strconv"
)

// Number is a proplib number (prop_number_t): a 64-bit value that is either
// signed or unsigned.  The signedness decides how it is written (decimal for
// signed, "0x" hex for unsigned; prop_number.c) and is kept across a round
// trip.  The zero value is signed 0.
type Number struct {
	bits     uint64 // the value; for signed numbers, int64 bits
	unsigned bool
}

// Signed returns a signed number, as prop_number_create_signed does.
func Signed(v int64) Number { return Number{bits: uint64(v)} }

// Unsigned returns an unsigned number, as prop_number_create_unsigned does.
func Unsigned(v uint64) Number { return Number{bits: v, unsigned: true} }

// IsUnsigned reports whether n was created unsigned (prop_number_unsigned).
func (n Number) IsUnsigned() bool { return n.unsigned }

// Int64 returns n as an int64; ok is false when n is unsigned and above
// math.MaxInt64 (prop_number_int64_value).
func (n Number) Int64() (v int64, ok bool) {
	return n.inRange(math.MinInt64, math.MaxInt64)
}

// Uint64 returns n as a uint64; ok is false when n is signed and negative
// (prop_number_uint64_value).
func (n Number) Uint64() (v uint64, ok bool) {
	if !n.unsigned && int64(n.bits) < 0 {
		return 0, false
	}
	return n.bits, true
}

// inRange is the bounds check of prop_number_<type>_value in prop_number.c
// for the signed C types: an unsigned value must not exceed max, a signed
// one must lie in [min, max].
func (n Number) inRange(min, max int64) (int64, bool) {
	if n.unsigned {
		if n.bits > uint64(max) {
			return 0, false
		}
		return int64(n.bits), true
	}
	v := int64(n.bits)
	if v < min || v > max {
		return 0, false
	}
	return v, true
}

// inRangeUnsigned is the same check for the unsigned C types, whose
// minimum is 0.
func (n Number) inRangeUnsigned(max uint64) (uint64, bool) {
	v, ok := n.Uint64()
	if !ok || v > max {
		return 0, false
	}
	return v, true
}

// Equal reports whether n and o hold the same value.  As in libprop
// (_prop_number_equals), a signed and an unsigned number are equal when
// both are non-negative and equal in value, so Signed(5) equals
// Unsigned(5).
func (n Number) Equal(o Number) bool {
	if n.unsigned == o.unsigned {
		return n.bits == o.bits
	}
	// One signed, one unsigned: both must fit in [0, MaxInt64].
	if n.bits > math.MaxInt64 || o.bits > math.MaxInt64 {
		return false
	}
	return n.bits == o.bits
}

// String formats n the way it is externalized: "0x..." for unsigned,
// decimal for signed.
func (n Number) String() string {
	return string(n.appendText(nil))
}

// appendText appends the externalized text of n (prop_number.c
// _prop_number_externalize: "0x%" PRIx64 or "%" PRIi64).
func (n Number) appendText(b []byte) []byte {
	if n.unsigned {
		b = append(b, '0', 'x')
		return strconv.AppendUint(b, n.bits, 16)
	}
	return strconv.AppendInt(b, int64(n.bits), 10)
}
