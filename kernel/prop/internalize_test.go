package prop

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const docHead = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`

// withValue returns a document whose dictionary maps "k" to the XML v.
func withValue(v string) string {
	return docHead + "<dict>\n\t<key>k</key>\n\t" + v + "\n</dict>\n</plist>\n"
}

// TestInternalizeValues checks how each value form is read; want is the
// dump of the value under "k", or nil when the document must be rejected.
func TestInternalizeValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		xml  string
		want any
	}{
		// Numbers: strtoll/strtoull in base 0, '-' signed, "0x" unsigned.
		{"decimal", "<integer>42</integer>", "int:42"},
		{"negative", "<integer>-42</integer>", "int:-42"},
		{"plus", "<integer>+42</integer>", "int:42"},
		{"hex unsigned", "<integer>0x2a</integer>", "uint:42"},
		{"hex upper digits", "<integer>0xFF</integer>", "uint:255"},
		{"0X is signed", "<integer>0X10</integer>", "int:16"},
		{"octal", "<integer>010</integer>", "int:8"},
		{"zero", "<integer>0</integer>", "int:0"},
		{"empty is zero", "<integer></integer>", "int:0"},
		{"blank is zero", "<integer> \n </integer>", "int:0"},
		{"spaces around", "<integer> 7 </integer>", "int:7"},
		{"space then hex is signed", "<integer> 0x10</integer>", "int:16"},
		{"negative hex", "<integer>-0x10</integer>", "int:-16"},
		{"int64 max", "<integer>9223372036854775807</integer>", "int:9223372036854775807"},
		{"int64 min", "<integer>-9223372036854775808</integer>", "int:-9223372036854775808"},
		{"uint64 max hex", "<integer>0xffffffffffffffff</integer>", "uint:18446744073709551615"},
		// The kernel's strtoll does not fall back to unsigned on overflow.
		{"decimal above int64", "<integer>9223372036854775808</integer>", nil},
		{"below int64", "<integer>-9223372036854775809</integer>", nil},
		{"hex overflow", "<integer>0x10000000000000000</integer>", nil},
		{"bad octal digit", "<integer>08</integer>", nil},
		{"trailing junk", "<integer>1x</integer>", nil},
		{"0x without digits", "<integer>0x</integer>", nil},
		{"sign only", "<integer>-</integer>", nil},
		{"vertical tab skipped by strtoll", "<integer>\v1</integer>", "int:1"},
		{"vertical tab alone", "<integer>\v</integer>", nil},
		{"comment before end tag", "<integer>1<!-- c --></integer>", nil},
		{"empty integer element", "<integer/>", nil},
		{"integer attribute", `<integer a="1">1</integer>`, nil},

		// Strings.
		{"string", "<string>wg0</string>", "string:wg0"},
		{"empty string element", "<string/>", "string:"},
		{"empty string pair", "<string></string>", "string:"},
		{"entities", "<string>&lt;&gt;&amp;&apos;&quot;</string>", `string:<>&'"`},
		{"raw gt and quote", `<string>a>b"c'</string>`, `string:a>b"c'`},
		{"whitespace kept", "<string> a\tb\n</string>", "string: a\tb\n"},
		{"high bytes kept", "<string>\xc3\xa9\xff</string>", "string:\xc3\xa9\xff"},
		{"unknown entity", "<string>&nbsp;</string>", nil},
		{"bare ampersand", "<string>a & b</string>", nil},
		{"numeric entity", "<string>&#60;</string>", nil},
		{"nested tag", "<string>a<b/></string>", nil},
		{"string attribute", `<string a="1">x</string>`, nil},
		{"end tag attribute ignored", `<string>x</string a="1">`, "string:x"},

		// Data.
		{"data", "<data>CgAAAg==</data>", "data:0a000002"},
		{"data one pad", "<data>CgAA</data>", "data:0a0000"},
		{"data two pad", "<data>Cg==</data>", "data:0a"},
		{"data spaced", "<data>\n\tCg A\rA\nAg = =\n</data>", "data:0a000002"},
		{"data empty pair", "<data></data>", "data:"},
		{"data blank", "<data>  </data>", "data:"},
		{"data leftover bits ignored", "<data>Cg8=</data>", "data:0a0f"},
		{"data empty element", "<data/>", nil},
		{"data missing padding", "<data>Cg</data>", nil},
		{"data missing one pad", "<data>Cg=</data>", nil},
		{"data pad first", "<data>=</data>", nil},
		{"data pad second", "<data>C=</data>", nil},
		{"data after pad", "<data>Cg==Cg==</data>", nil},
		{"data bad char", "<data>Cg!=</data>", nil},
		{"data url alphabet", "<data>-_==</data>", nil},
		{"data size", `<data size="4">CgAAAg==</data>`, "data:0a000002"},
		{"data size hex", `<data size="0x4">CgAAAg==</data>`, "data:0a000002"},
		{"data size octal", `<data size="04">CgAAAg==</data>`, "data:0a000002"},
		{"data size leading space", `<data size=" +4">CgAAAg==</data>`, "data:0a000002"},
		{"data size minus zero", `<data size="-0"></data>`, "data:"},
		{"data size negative", `<data size="-4">CgAAAg==</data>`, nil},
		{"data size overflow", `<data size="99999999999999999999">CgAAAg==</data>`, nil},
		{"data size wrong", `<data size="3">CgAAAg==</data>`, nil},
		{"data size empty", `<data size="">CgAAAg==</data>`, nil},
		{"data size junk", `<data size="4x">CgAAAg==</data>`, nil},
		{"data other attribute", `<data length="4">CgAAAg==</data>`, nil},

		// Booleans.
		{"true", "<true/>", "bool:true"},
		{"false", "<false/>", "bool:false"},
		{"true pair", "<true></true>", nil},
		{"true attribute", `<true a="1"/>`, nil},

		// Containers.
		{"empty dict", "<dict/>", map[string]any{}},
		{"empty dict pair", "<dict></dict>", map[string]any{}},
		{"empty array", "<array/>", []any{}},
		{"empty array pair", "<array>\n</array>", []any{}},
		{"array", "<array><true/><string>a</string><array/></array>", []any{"bool:true", "string:a", []any{}}},
		{"array with comments", "<array><!-- a --><true/><!-- b --></array>", []any{"bool:true"}},
		// libprop starts an item at any tag that is not </array>.
		{"end tag opens item", "<array></string>x</string></array>", []any{"string:x"}},
		{"nested dict", "<dict><key>a</key><dict><key>b</key><false/></dict></dict>",
			map[string]any{"a": map[string]any{"b": "bool:false"}}},
		{"duplicate key keeps last", "<dict><key>a</key><true/><key>a</key><false/></dict>",
			map[string]any{"a": "bool:false"}},
		{"key attribute ignored", `<dict><key x="y">a</key><true/></dict>`, map[string]any{"a": "bool:true"}},
		{"empty key", "<dict><key></key><true/></dict>", map[string]any{"": "bool:true"}},
		{"key entities", "<dict><key>&lt;a&gt;</key><true/></dict>", map[string]any{"<a>": "bool:true"}},
		{"key 128 bytes", "<dict><key>" + strings.Repeat("k", 128) + "</key><true/></dict>",
			map[string]any{strings.Repeat("k", 128): "bool:true"}},
		{"key 129 bytes", "<dict><key>" + strings.Repeat("k", 129) + "</key><true/></dict>", nil},
		{"key 129 bytes by entity", "<dict><key>" + strings.Repeat("k", 128) + "&amp;</key><true/></dict>", nil},
		{"empty key element", "<dict><key/><true/></dict>", nil},
		{"key without value", "<dict><key>a</key></dict>", nil},
		{"value without key", "<dict><true/></dict>", nil},
		{"wrong end tag", "<dict><key>a</key><true/></array>", nil},
		{"dict attribute", `<dict a="1"></dict>`, nil},
		{"array attribute", `<array a="1"></array>`, nil},
		{"unknown tag", "<real>1.0</real>", nil},
		{"date tag", "<date>2020-01-01T00:00:00Z</date>", nil},
		{"space before slash", "<true />", nil},
		{"space around equals", `<data size = "4">CgAAAg==</data>`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Internalize([]byte(withValue(tc.xml)))
			if tc.want == nil {
				if err == nil {
					t.Fatalf("accepted, got %v", dump(d))
				}
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("error %v does not wrap ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			got, _ := d.Get("k")
			if diff := cmp.Diff(tc.want, dump(got)); diff != "" {
				t.Errorf("value mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInternalizeDocument checks the document frame: preamble, <plist>,
// root, trailer, NUL handling.
func TestInternalizeDocument(t *testing.T) {
	const body = "<dict><key>a</key><true/></dict>"
	want := map[string]any{"a": "bool:true"}
	for _, tc := range []struct {
		name string
		doc  string
		ok   bool
	}{
		{"minimal", "<plist>" + body + "</plist>", true},
		{"no version", "<plist>\n" + body + "\n</plist>\n", true},
		{"other version value", `<plist version="2.0">` + body + "</plist>", true},
		{"leading whitespace", " \r\n\t" + docHead + body + "</plist>", true},
		{"comment before plist", "<!-- hello -->\n<plist>" + body + "</plist>", true},
		{"comment after preamble", docHead[:strings.Index(docHead, "<plist")] + "<!-- c --><plist>" + body + "</plist>", true},
		{"comment between preamble lines", `<?xml version="1.0"?><!-- c --><!DOCTYPE plist x><plist>` + body + "</plist>", false},
		{"comments around root", "<plist><!-- a -->" + body + "<!-- b --></plist>", false},
		{"comment before root", "<plist><!-- a -->" + body + "</plist>", true},
		{"trailing garbage ignored", "<plist>" + body + "</plist>garbage<<<", true},
		{"trailing NUL", "<plist>" + body + "</plist>\n\x00", true},
		{"NUL ends input", "<plist>" + body + "</plist>\x00garbage", true},
		{"NUL inside", "<plist>" + body + "\x00</plist>", false},
		{"empty", "", false},
		{"only whitespace", " \n", false},
		{"text first", "hello <plist>" + body + "</plist>", false},
		{"xml decl without space", "<?xml?><plist>" + body + "</plist>", false},
		{"unterminated decl", `<?xml version="1.0"`, false},
		{"empty plist", "<plist/>", false},
		{"plist attribute", `<plist foo="1">` + body + "</plist>", false},
		{"root array", "<plist><array/></plist>", false},
		{"root string", "<plist><string>x</string></plist>", false},
		{"missing plist end", "<plist>" + body, false},
		{"missing dict end", "<plist><dict><key>a</key><true/></plist>", false},
		{"two roots", "<plist>" + body + body + "</plist>", false},
		{"unterminated comment", "<plist><!-- " + body + "</plist>", false},
		{"truncated tag", "<plist><dict", false},
		{"lone <", "<", false},
		{"JSON", `{"a": true}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Internalize([]byte(tc.doc))
			if !tc.ok {
				if err == nil {
					t.Fatalf("accepted, got %v", dump(d))
				}
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("error %v does not wrap ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if diff := cmp.Diff(want, dump(d)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInternalizeLimits(t *testing.T) {
	nest := func(n int) string {
		return "<plist><dict><key>k</key>" + strings.Repeat("<array>", n) +
			strings.Repeat("</array>", n) + "</dict></plist>"
	}
	// The root dictionary is depth 0, so MaxDepth arrays fit.
	if _, err := Internalize([]byte(nest(MaxDepth))); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	if _, err := Internalize([]byte(nest(MaxDepth + 1))); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth %d: got %v, want ErrTooDeep", MaxDepth+1, err)
	}
	// Deep nesting must not exhaust the stack even far past the limit.
	if _, err := Internalize([]byte(nest(1_000_000))); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth 1e6: got %v, want ErrTooDeep", err)
	}
	big := make([]byte, MaxInternalizeSize+1)
	if _, err := Internalize(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize: got %v, want ErrTooLarge", err)
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	doc := "<plist><dict><key>a</key><bogus/></dict></plist>"
	_, err := Internalize([]byte(doc))
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want *SyntaxError", err)
	}
	if want := strings.Index(doc, "<bogus"); se.Offset != want {
		t.Errorf("offset %d, want %d (%v)", se.Offset, want, err)
	}
}

func TestInternalizeManyKeys(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("<plist><dict>")
	const n = 50000
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&sb, "<key>k%06d</key><integer>%d</integer>", i, i)
	}
	// Repeats: the last value for a key wins.
	sb.WriteString("<key>k000001</key><string>first</string><key>k000000</key><true/>")
	sb.WriteString("<key>k000001</key><string>second</string>")
	sb.WriteString("</dict></plist>")
	d, err := Internalize([]byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != n {
		t.Fatalf("Len = %d, want %d", d.Len(), n)
	}
	keys := d.Keys()
	if !slices.IsSorted(keys) {
		t.Error("keys not sorted")
	}
	want := map[string]any{"k000000": "bool:true", "k000001": "string:second", "k000002": "int:2"}
	got := map[string]any{}
	for k := range want {
		v, _ := d.Get(k)
		got[k] = dump(v)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}
