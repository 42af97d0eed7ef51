package prop

import (
	"bytes"
	"testing"
)

// allData calls f with every data object in o.
func allData(o Object, f func(Data)) {
	switch v := o.(type) {
	case Data:
		f(v)
	case *Dictionary:
		for _, k := range v.Keys() {
			e, _ := v.Get(k)
			allData(e, f)
		}
	case *Array:
		for _, e := range v.Items() {
			allData(e, f)
		}
	}
}

func TestWipe(t *testing.T) {
	d := bigGet(20)
	d.Set("nested", NewArray(NewArray(Data{1, 2}), NewDictionary(), String("s")))
	in, err := Externalize(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []*Dictionary{d, mustInternalize(t, in)} {
		var n int
		allData(o, func(b Data) {
			if len(b) > 0 && !bytes.Equal(b, make([]byte, len(b))) {
				n++
			}
		})
		if n < 20*4 {
			t.Fatalf("only %d non-zero data objects", n)
		}
		keys := len(o.Keys())
		Wipe(o)
		allData(o, func(b Data) {
			if !bytes.Equal(b, make([]byte, len(b))) {
				t.Fatalf("%x left after Wipe", []byte(b))
			}
		})
		if len(o.Keys()) != keys {
			t.Fatal("Wipe changed the dictionary")
		}
	}
	Wipe(nil)
	Wipe((*Dictionary)(nil))
	Wipe((*Array)(nil))
}

func mustInternalize(t *testing.T, in []byte) *Dictionary {
	t.Helper()
	d, err := Internalize(in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
