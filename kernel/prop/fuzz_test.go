package prop

import (
	"bytes"
	"errors"
	"testing"
)

// hasEmptyData reports whether o contains empty data, the one value whose
// externalized form (<data/>) libprop, and so Internalize, rejects.
func hasEmptyData(o Object) bool {
	switch v := o.(type) {
	case *Dictionary:
		for _, e := range v.entries {
			if hasEmptyData(e.val) {
				return true
			}
		}
	case *Array:
		for _, item := range v.items {
			if hasEmptyData(item) {
				return true
			}
		}
	case Data:
		return len(v) == 0
	}
	return false
}

// internalizeSeeds are the seeds of the internalizer's fuzz targets:
// the documents nbwg exchanges and the corners of libprop's rules.
func internalizeSeeds() []string {
	return []string{
		wgconfigAddPeer,
		kernelGet,
		docHead + "<dict/>\n</plist>\n",
		withValue("<array></string>x</string><!-- c --><data size=\"1\">/w==</data></array>"),
		withValue("<integer> -0x10</integer>"),
		withValue("<string>&lt;&amp;&apos;</string>"),
		withValue("<data>Cg A=\n=</data>"),
		withValue("<data></data>"),
		"<plist><dict><key></key><true/><key>k</key><false/></dict></plist>\x00junk",
	}
}

// FuzzInternalize checks that Internalize never panics and that what it
// accepts survives internalize → externalize → internalize unchanged,
// signedness included.  The exception is empty data (see
// TestEmptyDataAsymmetry), whose second internalize must fail.
func FuzzInternalize(f *testing.F) {
	for _, seed := range internalizeSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := Internalize(in)
		if err != nil {
			if d != nil {
				t.Fatal("error with a non-nil dictionary")
			}
			return
		}
		out, err := Externalize(d)
		if err != nil {
			t.Fatalf("Externalize of an internalized list: %v", err)
		}
		d2, err := Internalize(out)
		if hasEmptyData(d) {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("<data/> internalized: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Internalize(Externalize(d)): %v\n%s", err, out)
		}
		if !Equal(d, d2) {
			t.Fatalf("round trip changed the list:\n%s", out)
		}
		out2, err := Externalize(d2)
		if err != nil {
			t.Fatalf("second Externalize: %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("externalized form not stable:\n%s\n---\n%s", out, out2)
		}
	})
}
