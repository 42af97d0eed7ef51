package prop

import (
	"bytes"
	"math"
)

// Typed accessors, after prop_dictionary_util.c.  The setters store numbers
// with the signedness of the C setter of the same name: SetUint* stores an
// unsigned number (externalized as hex), SetInt* a signed one (decimal).
// The getters fail (ok=false) when the key is missing, holds another type,
// or holds a number that does not fit the requested type; the signedness
// of a stored number does not matter to them (prop_number_<type>_value).

// SetString stores v as a string (prop_dictionary_set_string).
func (d *Dictionary) SetString(key, v string) { d.Set(key, String(v)) }

// SetData stores a copy of v as data (prop_dictionary_set_data).
func (d *Dictionary) SetData(key string, v []byte) {
	d.Set(key, Data(bytes.Clone(v)))
}

// SetBool stores v as a boolean (prop_dictionary_set_bool).
func (d *Dictionary) SetBool(key string, v bool) { d.Set(key, Bool(v)) }

// SetUint8 stores v unsigned (prop_dictionary_set_uint8).
func (d *Dictionary) SetUint8(key string, v uint8) { d.Set(key, Unsigned(uint64(v))) }

// SetUint16 stores v unsigned (prop_dictionary_set_uint16).
func (d *Dictionary) SetUint16(key string, v uint16) { d.Set(key, Unsigned(uint64(v))) }

// SetUint32 stores v unsigned (prop_dictionary_set_uint32).
func (d *Dictionary) SetUint32(key string, v uint32) { d.Set(key, Unsigned(uint64(v))) }

// SetUint64 stores v unsigned (prop_dictionary_set_uint64).
func (d *Dictionary) SetUint64(key string, v uint64) { d.Set(key, Unsigned(v)) }

// SetInt8 stores v signed (prop_dictionary_set_int8).
func (d *Dictionary) SetInt8(key string, v int8) { d.Set(key, Signed(int64(v))) }

// SetInt16 stores v signed (prop_dictionary_set_int16).
func (d *Dictionary) SetInt16(key string, v int16) { d.Set(key, Signed(int64(v))) }

// SetInt32 stores v signed (prop_dictionary_set_int32).
func (d *Dictionary) SetInt32(key string, v int32) { d.Set(key, Signed(int64(v))) }

// SetInt64 stores v signed (prop_dictionary_set_int64).
func (d *Dictionary) SetInt64(key string, v int64) { d.Set(key, Signed(v)) }

// SetInt stores v signed (prop_dictionary_set_int).  if_wg's SIOCGDRVSPEC
// handler stores an allowed-ip's "family" this way.
func (d *Dictionary) SetInt(key string, v int) { d.Set(key, Signed(int64(v))) }

// SetNumber stores n as is.
func (d *Dictionary) SetNumber(key string, n Number) { d.Set(key, n) }

// GetString returns the string under key (prop_dictionary_get_string).
func (d *Dictionary) GetString(key string) (string, bool) {
	s, ok := getAs[String](d, key)
	return string(s), ok
}

// GetData returns a copy of the data under key (prop_dictionary_get_data).
// As in libprop, empty data counts as missing: prop_data_value returns
// NULL for it and the getter fails.
func (d *Dictionary) GetData(key string) ([]byte, bool) {
	v, ok := getAs[Data](d, key)
	if !ok || len(v) == 0 {
		return nil, false
	}
	return bytes.Clone(v), true
}

// GetBool returns the boolean under key (prop_dictionary_get_bool).
func (d *Dictionary) GetBool(key string) (bool, bool) {
	v, ok := getAs[Bool](d, key)
	return bool(v), ok
}

// GetNumber returns the number under key, whatever its range.
func (d *Dictionary) GetNumber(key string) (Number, bool) {
	return getAs[Number](d, key)
}

// GetArray returns the array under key.
func (d *Dictionary) GetArray(key string) (*Array, bool) {
	return getAs[*Array](d, key)
}

// GetDictionary returns the dictionary under key
// (prop_dictionary_get_dict).
func (d *Dictionary) GetDictionary(key string) (*Dictionary, bool) {
	return getAs[*Dictionary](d, key)
}

// GetUint8 returns the number under key if it fits a uint8
// (prop_dictionary_get_uint8).
func (d *Dictionary) GetUint8(key string) (uint8, bool) {
	v, ok := d.getUnsigned(key, math.MaxUint8)
	return uint8(v), ok
}

// GetUint16 returns the number under key if it fits a uint16
// (prop_dictionary_get_uint16).
func (d *Dictionary) GetUint16(key string) (uint16, bool) {
	v, ok := d.getUnsigned(key, math.MaxUint16)
	return uint16(v), ok
}

// GetUint32 returns the number under key if it fits a uint32
// (prop_dictionary_get_uint32).
func (d *Dictionary) GetUint32(key string) (uint32, bool) {
	v, ok := d.getUnsigned(key, math.MaxUint32)
	return uint32(v), ok
}

// GetUint64 returns the number under key if it fits a uint64, i.e. unless
// it is signed and negative (prop_dictionary_get_uint64).
func (d *Dictionary) GetUint64(key string) (uint64, bool) {
	return d.getUnsigned(key, math.MaxUint64)
}

// GetInt8 returns the number under key if it fits an int8
// (prop_dictionary_get_int8).
func (d *Dictionary) GetInt8(key string) (int8, bool) {
	v, ok := d.getSigned(key, math.MinInt8, math.MaxInt8)
	return int8(v), ok
}

// GetInt16 returns the number under key if it fits an int16
// (prop_dictionary_get_int16).
func (d *Dictionary) GetInt16(key string) (int16, bool) {
	v, ok := d.getSigned(key, math.MinInt16, math.MaxInt16)
	return int16(v), ok
}

// GetInt32 returns the number under key if it fits an int32
// (prop_dictionary_get_int32).
func (d *Dictionary) GetInt32(key string) (int32, bool) {
	v, ok := d.getSigned(key, math.MinInt32, math.MaxInt32)
	return int32(v), ok
}

// GetInt64 returns the number under key if it fits an int64, i.e. unless
// it is unsigned and above math.MaxInt64 (prop_dictionary_get_int64).
func (d *Dictionary) GetInt64(key string) (int64, bool) {
	return d.getSigned(key, math.MinInt64, math.MaxInt64)
}

// GetInt returns the number under key if it fits a C int
// (prop_dictionary_get_int).  C's int is 32 bits on every NetBSD port, so
// the range is that of int32 whatever the size of Go's int; if_wg reads an
// allowed-ip's "family" this way.
func (d *Dictionary) GetInt(key string) (int, bool) {
	v, ok := d.getSigned(key, math.MinInt32, math.MaxInt32)
	return int(v), ok
}

func (d *Dictionary) getSigned(key string, min, max int64) (int64, bool) {
	n, ok := getAs[Number](d, key)
	if !ok {
		return 0, false
	}
	return n.inRange(min, max)
}

func (d *Dictionary) getUnsigned(key string, max uint64) (uint64, bool) {
	n, ok := getAs[Number](d, key)
	if !ok {
		return 0, false
	}
	return n.inRangeUnsigned(max)
}

// getAs returns the object under key if it has type T.
func getAs[T Object](d *Dictionary, key string) (T, bool) {
	var zero T
	o, ok := d.Get(key)
	if !ok {
		return zero, false
	}
	v, ok := o.(T)
	if !ok || isNil(v) {
		return zero, false
	}
	return v, true
}
