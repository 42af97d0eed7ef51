package prop

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// getAll reads key with every typed getter; a getter that fails shows "-".
func getAll(d *Dictionary, key string) map[string]any {
	m := map[string]any{}
	put := func(name string, v any, ok bool) {
		if !ok {
			v = "-"
		}
		m[name] = v
	}
	u8, ok := d.GetUint8(key)
	put("u8", u8, ok)
	u16, ok := d.GetUint16(key)
	put("u16", u16, ok)
	u32, ok := d.GetUint32(key)
	put("u32", u32, ok)
	u64, ok := d.GetUint64(key)
	put("u64", u64, ok)
	i8, ok := d.GetInt8(key)
	put("i8", i8, ok)
	i16, ok := d.GetInt16(key)
	put("i16", i16, ok)
	i32, ok := d.GetInt32(key)
	put("i32", i32, ok)
	i64, ok := d.GetInt64(key)
	put("i64", i64, ok)
	i, ok := d.GetInt(key)
	put("int", i, ok)
	return m
}

// TestNumberGetters checks prop_number_<type>_value's range rule: a value
// is returned only if it fits the type, whatever its signedness.
func TestNumberGetters(t *testing.T) {
	const no = "-"
	for _, tc := range []struct {
		name string
		n    Number
		want map[string]any
	}{
		{"unsigned 0", Unsigned(0), map[string]any{
			"u8": uint8(0), "u16": uint16(0), "u32": uint32(0), "u64": uint64(0),
			"i8": int8(0), "i16": int16(0), "i32": int32(0), "i64": int64(0), "int": 0}},
		{"signed 2 (if_wg family)", Signed(2), map[string]any{
			"u8": uint8(2), "u16": uint16(2), "u32": uint32(2), "u64": uint64(2),
			"i8": int8(2), "i16": int16(2), "i32": int32(2), "i64": int64(2), "int": 2}},
		{"unsigned 255", Unsigned(255), map[string]any{
			"u8": uint8(255), "u16": uint16(255), "u32": uint32(255), "u64": uint64(255),
			"i8": no, "i16": int16(255), "i32": int32(255), "i64": int64(255), "int": 255}},
		{"unsigned 256", Unsigned(256), map[string]any{
			"u8": no, "u16": uint16(256), "u32": uint32(256), "u64": uint64(256),
			"i8": no, "i16": int16(256), "i32": int32(256), "i64": int64(256), "int": 256}},
		{"signed -1", Signed(-1), map[string]any{
			"u8": no, "u16": no, "u32": no, "u64": no,
			"i8": int8(-1), "i16": int16(-1), "i32": int32(-1), "i64": int64(-1), "int": -1}},
		{"signed -129", Signed(-129), map[string]any{
			"u8": no, "u16": no, "u32": no, "u64": no,
			"i8": no, "i16": int16(-129), "i32": int32(-129), "i64": int64(-129), "int": -129}},
		{"unsigned 65535 (port)", Unsigned(65535), map[string]any{
			"u8": no, "u16": uint16(65535), "u32": uint32(65535), "u64": uint64(65535),
			"i8": no, "i16": no, "i32": int32(65535), "i64": int64(65535), "int": 65535}},
		{"unsigned 65536", Unsigned(65536), map[string]any{
			"u8": no, "u16": no, "u32": uint32(65536), "u64": uint64(65536),
			"i8": no, "i16": no, "i32": int32(65536), "i64": int64(65536), "int": 65536}},
		{"signed 2^31 (C int is 32 bits)", Signed(1 << 31), map[string]any{
			"u8": no, "u16": no, "u32": uint32(1 << 31), "u64": uint64(1 << 31),
			"i8": no, "i16": no, "i32": no, "i64": int64(1 << 31), "int": no}},
		{"signed min int32", Signed(math.MinInt32), map[string]any{
			"u8": no, "u16": no, "u32": no, "u64": no,
			"i8": no, "i16": no, "i32": int32(math.MinInt32), "i64": int64(math.MinInt32), "int": math.MinInt32}},
		{"unsigned 2^32", Unsigned(1 << 32), map[string]any{
			"u8": no, "u16": no, "u32": no, "u64": uint64(1 << 32),
			"i8": no, "i16": no, "i32": no, "i64": int64(1 << 32), "int": no}},
		{"unsigned max int64", Unsigned(math.MaxInt64), map[string]any{
			"u8": no, "u16": no, "u32": no, "u64": uint64(math.MaxInt64),
			"i8": no, "i16": no, "i32": no, "i64": int64(math.MaxInt64), "int": no}},
		{"unsigned 2^63", Unsigned(1 << 63), map[string]any{
			"u8": no, "u16": no, "u32": no, "u64": uint64(1 << 63),
			"i8": no, "i16": no, "i32": no, "i64": no, "int": no}},
		{"signed min int64", Signed(math.MinInt64), map[string]any{
			"u8": no, "u16": no, "u32": no, "u64": no,
			"i8": no, "i16": no, "i32": no, "i64": int64(math.MinInt64), "int": no}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDictionary()
			d.Set("n", tc.n)
			if diff := cmp.Diff(tc.want, getAll(d, "n")); diff != "" {
				t.Errorf("getters mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGettersWrongTypeOrMissing(t *testing.T) {
	d := NewDictionary()
	d.SetString("s", "x")
	d.SetData("d", []byte{1})
	d.SetData("empty", nil)
	d.SetBool("b", true)
	d.Set("a", NewArray())
	d.Set("dict", NewDictionary())
	d.SetUint8("n", 1)

	allFail := map[string]any{"u8": "-", "u16": "-", "u32": "-", "u64": "-",
		"i8": "-", "i16": "-", "i32": "-", "i64": "-", "int": "-"}
	for _, key := range []string{"s", "d", "b", "a", "dict", "missing"} {
		if diff := cmp.Diff(allFail, getAll(d, key)); diff != "" {
			t.Errorf("number getters on %q (-want +got):\n%s", key, diff)
		}
	}
	type result struct {
		V  any
		OK bool
	}
	get := func(v any, ok bool) result { return result{v, ok} }
	for _, tc := range []struct {
		name      string
		got, want result
	}{
		{"string", get(d.GetString("s")), result{"x", true}},
		{"string of number", get(d.GetString("n")), result{"", false}},
		{"data", get(d.GetData("d")), result{[]byte{1}, true}},
		// prop_dictionary_get_data fails for empty data.
		{"empty data", get(d.GetData("empty")), result{[]byte(nil), false}},
		{"data of string", get(d.GetData("s")), result{[]byte(nil), false}},
		{"bool", get(d.GetBool("b")), result{true, true}},
		{"bool of number", get(d.GetBool("n")), result{false, false}},
		{"missing string", get(d.GetString("missing")), result{"", false}},
	} {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if a, ok := d.GetArray("a"); !ok || a.Len() != 0 {
		t.Errorf("GetArray = %v, %v", a, ok)
	}
	if _, ok := d.GetArray("dict"); ok {
		t.Error("GetArray of a dictionary succeeded")
	}
	if x, ok := d.GetDictionary("dict"); !ok || x.Len() != 0 {
		t.Errorf("GetDictionary = %v, %v", x, ok)
	}
	if _, ok := d.GetDictionary("a"); ok {
		t.Error("GetDictionary of an array succeeded")
	}
}

func TestSettersSignedness(t *testing.T) {
	d := NewDictionary()
	d.SetUint8("u8", 1)
	d.SetUint16("u16", 1)
	d.SetUint32("u32", 1)
	d.SetUint64("u64", 1)
	d.SetInt8("i8", -1)
	d.SetInt16("i16", -1)
	d.SetInt32("i32", -1)
	d.SetInt64("i64", -1)
	d.SetInt("int", -1)
	d.SetNumber("n", Unsigned(7))
	want := map[string]any{
		"u8": "uint:1", "u16": "uint:1", "u32": "uint:1", "u64": "uint:1",
		"i8": "int:-1", "i16": "int:-1", "i32": "int:-1", "i64": "int:-1", "int": "int:-1",
		"n": "uint:7",
	}
	if diff := cmp.Diff(want, dump(d)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestNumberMethods(t *testing.T) {
	type conv struct {
		Unsigned bool
		I        int64
		IOK      bool
		U        uint64
		UOK      bool
		Text     string
	}
	c := func(n Number) conv {
		i, iok := n.Int64()
		u, uok := n.Uint64()
		return conv{n.IsUnsigned(), i, iok, u, uok, n.String()}
	}
	for _, tc := range []struct {
		n    Number
		want conv
	}{
		{Number{}, conv{false, 0, true, 0, true, "0"}},
		{Signed(-5), conv{false, -5, true, 0, false, "-5"}},
		{Signed(math.MaxInt64), conv{false, math.MaxInt64, true, math.MaxInt64, true, "9223372036854775807"}},
		{Unsigned(0), conv{true, 0, true, 0, true, "0x0"}},
		{Unsigned(0xca6c), conv{true, 0xca6c, true, 0xca6c, true, "0xca6c"}},
		{Unsigned(math.MaxUint64), conv{true, 0, false, math.MaxUint64, true, "0xffffffffffffffff"}},
	} {
		if diff := cmp.Diff(tc.want, c(tc.n)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tc.n, diff)
		}
	}
}

// TestEqual follows prop_object_equals: numbers compare by value across
// signedness, other types must match exactly.
func TestEqual(t *testing.T) {
	dictA := func() *Dictionary {
		d := NewDictionary()
		d.SetUint8("x", 2)
		d.Set("l", NewArray(String("a"), Data{1}))
		return d
	}
	dictB := dictA()
	dictB.SetInt("x", 2) // same value, signed
	dictC := dictA()
	dictC.SetString("extra", "")
	for _, tc := range []struct {
		name string
		a, b Object
		want bool
	}{
		{"signed equals unsigned", Signed(5), Unsigned(5), true},
		{"negative never equals unsigned", Signed(-1), Unsigned(math.MaxUint64), false},
		{"big unsigned", Unsigned(1 << 63), Unsigned(1 << 63), true},
		{"big unsigned vs signed", Unsigned(1 << 63), Signed(math.MinInt64), false},
		{"different numbers", Unsigned(1), Unsigned(2), false},
		{"number vs string", Unsigned(1), String("1"), false},
		{"strings", String("a"), String("a"), true},
		{"data", Data{1, 2}, Data{1, 2}, true},
		{"empty data", Data{}, Data(nil), true},
		{"data vs string", Data("a"), String("a"), false},
		{"bools", Bool(true), Bool(false), false},
		{"dicts across signedness", dictA(), dictB, true},
		{"dicts with extra key", dictA(), dictC, false},
		{"arrays order", NewArray(Bool(true), Bool(false)), NewArray(Bool(false), Bool(true)), false},
		{"array vs dict", NewArray(), NewDictionary(), false},
		{"nil nil", nil, nil, true},
		{"nil vs empty dict", nil, NewDictionary(), false},
		{"typed nil", (*Dictionary)(nil), nil, true},
	} {
		if got := Equal(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: Equal = %v, want %v", tc.name, got, tc.want)
		}
		if got := Equal(tc.b, tc.a); got != tc.want {
			t.Errorf("%s: Equal reversed = %v, want %v", tc.name, got, tc.want)
		}
	}
	// cmp uses the Equal methods.
	if !cmp.Equal(dictA(), dictB) || cmp.Equal(dictA(), dictC) {
		t.Error("cmp.Equal does not follow Dictionary.Equal")
	}
}

func TestContainers(t *testing.T) {
	d := NewDictionary()
	for _, k := range []string{"b", "a", "c", "B", ""} {
		d.SetString(k, k)
	}
	d.Set("a", Bool(true)) // replace
	d.Remove("c")
	d.Remove("nope")
	d.Set("B", nil) // removes
	d.Set("nilarray", (*Array)(nil))
	if diff := cmp.Diff([]string{"", "a", "b"}, d.Keys()); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if d.Len() != 3 {
		t.Errorf("Len = %d", d.Len())
	}
	var zero Dictionary
	zero.SetBool("z", false)
	if zero.Len() != 1 {
		t.Error("zero Dictionary not usable")
	}
	var nilDict *Dictionary
	if _, ok := nilDict.Get("x"); ok || nilDict.Len() != 0 || nilDict.Keys() != nil {
		t.Error("nil *Dictionary not empty")
	}
	nilDict.Remove("x")

	a := NewArray(String("x"), nil, (*Dictionary)(nil), Bool(true))
	a.Add(nil)
	if a.Len() != 2 || a.Get(-1) != nil || a.Get(2) != nil {
		t.Errorf("array = %v", dump(a))
	}
	items := a.Items()
	items[0] = String("changed")
	if a.Get(0) != String("x") {
		t.Error("Items does not copy")
	}
	data := []byte{1, 2}
	d.SetData("d", data)
	data[0] = 9
	got, _ := d.GetData("d")
	got[1] = 9
	if again, _ := d.GetData("d"); !cmp.Equal(again, []byte{1, 2}) {
		t.Errorf("SetData/GetData alias the caller's slice: %v", again)
	}
}
