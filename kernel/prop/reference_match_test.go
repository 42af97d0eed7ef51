package prop

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// matchReference checks that Internalize accepts in exactly when the
// parser before issue 13 (reference_test.go) does, with the same error or
// the same objects, signedness included.
func matchReference(t *testing.T, in []byte) {
	t.Helper()
	if len(in) > MaxInternalizeSize {
		return
	}
	got, err := Internalize(in)
	b := in
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	ref := refParser{b: b}
	want, wantErr := ref.document()
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%q:\nInternalize: %v\nreference:   %v", in, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(dump(got), dump(want)) {
		t.Fatalf("%q:\nInternalize: %v\nreference:   %v", in, dump(got), dump(want))
	}
	// And with a helper on the second half, as a large document gets
	// (parser_split.go), wherever the guessed point falls.
	got, err = internalize(b, true)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%q:\nwith a helper: %v\nreference:     %v", in, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(dump(got), dump(want)) {
		t.Fatalf("%q:\nwith a helper: %v\nreference:     %v", in, dump(got), dump(want))
	}
}

// TestInternalizeMatchesReference edits a document as if_wg writes it at
// random, a few bytes at a time, with the bytes that matter to the
// grammar, and holds Internalize to the reference parser on each.
func TestInternalizeMatchesReference(t *testing.T) {
	d := bigGet(3)
	d.Set("extra", NewArray(String("a&amp;b"), Bool(true), Signed(-5), Unsigned(1<<40), Data{}, NewDictionary()))
	doc, err := Externalize(d)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "<>/=\"!- \t\r\nx0x9AZaz+&;keystringdatintegerarraydictrue"
	pieces := []string{"<key>", "</key>", "<data>", "</data>", "<integer>", "</integer>", "<string>",
		"</string>", "<dict>", "</dict>", "<array>", "</array>", "<true/>", "<!-- c -->", "0x", "==",
		` size="4"`, "\x00", "&amp;", "&lt;"}
	matchReference(t, doc)
	// Lists under construction at one depth while deeper ones start.
	for _, v := range []string{
		"<dict><key>a</key><integer>1</integer><key>b</key><dict><key>c</key><dict><key>d</key><true/></dict></dict><key>e</key><false/></dict>",
		"<array><dict><key>a</key><integer>1</integer><key>b</key><array><dict><key>c</key><true/></dict></array></dict><dict><key>x</key><integer>2</integer></dict></array>",
		"<array><string>a</string><array><string>b</string><array><array/><string>c</string></array></array><string>d</string></array>",
	} {
		matchReference(t, []byte(withValue(v)))
	}
	for range 30000 {
		in := bytes.Clone(doc)
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(in) + 1)
			var ins []byte
			if rng.IntN(2) == 0 {
				ins = []byte{alphabet[rng.IntN(len(alphabet))]}
			} else {
				ins = []byte(pieces[rng.IntN(len(pieces))])
			}
			switch rng.IntN(3) {
			case 0:
				in = append(in[:i], append(ins, in[i:]...)...)
			case 1:
				if i < len(in) {
					in = append(in[:i], in[min(len(in), i+1+rng.IntN(8)):]...)
				}
			case 2:
				if i < len(in) {
					in[i] = alphabet[rng.IntN(len(alphabet))]
				}
			}
		}
		matchReference(t, in)
	}
}

// FuzzInternalizeMatchesReference is TestInternalizeMatchesReference on
// the fuzzer's inputs.
func FuzzInternalizeMatchesReference(f *testing.F) {
	for _, seed := range append(internalizeSeeds(),
		withValue("<integer>0x1f</integer><integer>010</integer><integer>99999999999999999999</integer>"),
		withValue("<data>AAAA</data><data>AA==</data><data>AAA=</data><data>A===</data>"),
	) {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		matchReference(t, in)
	})
}
