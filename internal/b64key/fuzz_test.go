package b64key

import (
	"bytes"
	"encoding/base64"
	"testing"

	"nbwg/internal/ctype"
)

// FuzzDecode checks Decode, which reads key files and command-line keys,
// against encoding/base64 in strict mode as an independent model of
// b64_pton(3): with the text cut at its first NUL and C's white space
// removed, b64_pton accepts exactly the strict, padded (or whole-quantum)
// base64 whose decoding fits the target, and stores the same bytes.
// Both a key-sized target and a roomy one are tried, since b64_pton's
// checks at the end of the target are where it differs from a decoder
// that allocates.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=",
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n",
		" dwdtCnMY\tpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo= \r\n",
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\x00garbage",
		"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=",
		"AA =",
		"AA = =",
		"AAA=",
		"AAAA",
		"",
		"=",
		"QUJD\vREVG\f",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		text := src
		if i := bytes.IndexByte(text, 0); i >= 0 {
			text = text[:i]
		}
		clean := make([]byte, 0, len(text))
		for _, c := range text {
			if !ctype.IsSpace(c) {
				clean = append(clean, c)
			}
		}
		want, werr := base64.StdEncoding.Strict().DecodeString(string(clean))
		for _, size := range []int{KeyLen, len(src) + 4} {
			dst := make([]byte, size)
			n, err := Decode(dst, src)
			fits := werr == nil && len(want) <= size
			switch {
			case err != nil && err != ErrSyntax:
				t.Fatalf("Decode(%q) into %d bytes: error %v, not ErrSyntax", src, size, err)
			case err != nil && n != 0:
				t.Fatalf("Decode(%q) into %d bytes: failed with count %d", src, size, n)
			case err == nil && !fits:
				t.Fatalf("Decode(%q) into %d bytes = % x; strict base64 of %q: %v (%d bytes)", src, size, dst[:n], clean, werr, len(want))
			case err != nil && fits:
				t.Fatalf("Decode(%q) into %d bytes refused what strict base64 decodes to % x", src, size, want)
			case err == nil && !bytes.Equal(dst[:n], want):
				t.Fatalf("Decode(%q) into %d bytes = % x, want % x", src, size, dst[:n], want)
			}
		}
	})
}

// FuzzEncodeDecode checks the round trip of any key through its text.
func FuzzEncodeDecode(f *testing.F) {
	f.Add(bytes.Repeat([]byte{0xa5}, KeyLen))
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, key []byte) {
		text := AppendEncode(nil, key)
		dst := make([]byte, len(key))
		n, err := Decode(dst, text)
		if err != nil || n != len(key) || !bytes.Equal(dst, key) {
			t.Fatalf("Decode(AppendEncode(% x) = %q) = %d, % x, %v", key, text, n, dst[:n], err)
		}
	})
}
