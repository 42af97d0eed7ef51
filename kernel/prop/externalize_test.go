package prop

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExternalizeForms pins how each type is written, at depth 1 and
// nested, with the indentation of prop_extern.c (one tab per level, key
// and value on lines of their own, sorted keys).
func TestExternalizeForms(t *testing.T) {
	d := NewDictionary()
	d.SetString("str", "a<b>&c\"'\t")
	d.SetString("empty_str", "")
	d.SetData("data", []byte("hello, wg"))
	d.SetData("one", []byte{0xff})
	d.SetData("empty_data", nil)
	d.SetBool("t", true)
	d.SetBool("f", false)
	d.SetUint64("u", 0xdeadbeef)
	d.SetUint8("u0", 0)
	d.SetInt64("neg", -42)
	d.SetInt("zero", 0)
	d.Set("empty_dict", NewDictionary())
	d.Set("empty_array", NewArray())
	d.SetString("<&>", "key escaped")
	inner := NewDictionary()
	inner.Set("list", NewArray(NewArray(), NewDictionary(), Unsigned(1), NewArray(String("deep"))))
	d.Set("nested", inner)

	want := docHead + `<dict>
	<key>&lt;&amp;&gt;</key>
	<string>key escaped</string>
	<key>data</key>
	<data>aGVsbG8sIHdn</data>
	<key>empty_array</key>
	<array/>
	<key>empty_data</key>
	<data/>
	<key>empty_dict</key>
	<dict/>
	<key>empty_str</key>
	<string/>
	<key>f</key>
	<false/>
	<key>neg</key>
	<integer>-42</integer>
	<key>nested</key>
	<dict>
		<key>list</key>
		<array>
			<array/>
			<dict/>
			<integer>0x1</integer>
			<array>
				<string>deep</string>
			</array>
		</array>
	</dict>
	<key>one</key>
	<data>/w==</data>
	<key>str</key>
	<string>a&lt;b&gt;&amp;c"'	</string>
	<key>t</key>
	<true/>
	<key>u</key>
	<integer>0xdeadbeef</integer>
	<key>u0</key>
	<integer>0x0</integer>
	<key>zero</key>
	<integer>0</integer>
</dict>
</plist>
`
	got, err := Externalize(d)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestExternalizeEmptyRoot(t *testing.T) {
	got, err := Externalize(NewDictionary())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(docHead+"<dict/>\n</plist>\n", string(got)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestEmptyDataAsymmetry pins a libprop quirk we keep: empty data is
// written as <data/>, which libprop's internalizer rejects.
func TestEmptyDataAsymmetry(t *testing.T) {
	d := NewDictionary()
	d.SetData("d", nil)
	out, err := Externalize(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "\t<data/>\n") {
		t.Fatalf("empty data not written as <data/>:\n%s", out)
	}
	if _, err := Internalize(out); !errors.Is(err, ErrMalformed) {
		t.Errorf("Internalize(<data/>) = %v, want ErrMalformed", err)
	}
}

func TestExternalizeErrors(t *testing.T) {
	cyclic := NewDictionary()
	cyclic.Set("self", cyclic)
	deep := NewDictionary()
	cur := deep
	for range MaxDepth + 1 {
		next := NewDictionary()
		cur.Set("d", next)
		cur = next
	}
	okDeep := NewDictionary()
	cur = okDeep
	for range MaxDepth {
		next := NewDictionary()
		cur.Set("d", next)
		cur = next
	}
	for _, tc := range []struct {
		name string
		d    *Dictionary
		ok   bool
	}{
		{"nil", nil, false},
		{"key 128", dictWith(strings.Repeat("k", 128), Bool(true)), true},
		{"key 129", dictWith(strings.Repeat("k", 129), Bool(true)), false},
		{"key NUL", dictWith("a\x00b", Bool(true)), false},
		{"string NUL", dictWith("s", String("a\x00b")), false},
		{"data NUL is fine", dictWith("d", Data{0, 0}), true},
		{"nested bad key", dictWith("x", NewArray(dictWith("a\x00", Bool(true)))), false},
		{"cycle", cyclic, false},
		{"too deep", deep, false},
		{"max depth", okDeep, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Externalize(tc.d)
			if tc.ok {
				if err != nil {
					t.Fatalf("Externalize: %v", err)
				}
				if _, err := Internalize(out); err != nil {
					t.Errorf("Internalize(Externalize) = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidObject) {
				t.Errorf("Externalize = %v, want ErrInvalidObject", err)
			}
		})
	}
}

func dictWith(key string, o Object) *Dictionary {
	d := NewDictionary()
	d.Set(key, o)
	return d
}
