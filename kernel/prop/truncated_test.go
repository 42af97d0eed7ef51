package prop

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// internalizeNoPanic is Internalize with a panic turned into an error, so
// that one bad prefix is reported with its length instead of ending the
// test binary.
func internalizeNoPanic(in []byte) (d *Dictionary, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return Internalize(in)
}

// TestEveryPrefix cuts the two documents nbwg's kernel reads and writes
// (a wgconfig add-peer request and an if_wg GET reply) at every byte, as a
// short copyin or a writer that died would: each prefix ending before
// "</plist>" is complete must be refused with ErrMalformed, and every
// longer one (only white space follows) must read as the whole document.
// Nothing may panic.
func TestEveryPrefix(t *testing.T) {
	for _, tc := range []struct{ name, doc string }{
		{"wgconfig add peer", wgconfigAddPeer},
		{"if_wg SIOCGDRVSPEC", kernelGet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole, err := Internalize([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			complete := strings.LastIndex(tc.doc, "</plist>") + len("</plist>")
			failures := 0
			for n := 0; n <= len(tc.doc) && failures < 10; n++ {
				d, err := internalizeNoPanic([]byte(tc.doc[:n]))
				switch {
				case n < complete && !errors.Is(err, ErrMalformed):
					t.Errorf("prefix of %d bytes (…%q): err = %v, want ErrMalformed", n, tail(tc.doc[:n]), err)
					failures++
				case n < complete && d != nil:
					t.Errorf("prefix of %d bytes: a dictionary with the error", n)
					failures++
				case n >= complete && err != nil:
					t.Errorf("prefix of %d bytes (…%q): %v", n, tail(tc.doc[:n]), err)
					failures++
				case n >= complete && !Equal(whole, d):
					t.Errorf("prefix of %d bytes: %v, want %v", n, dump(d), dump(whole))
					failures++
				}
			}
		})
	}
}

func tail(s string) string {
	if len(s) > 24 {
		return s[len(s)-24:]
	}
	return s
}

// TestEndOfInputInside checks where in a tag, an attribute, text or
// <data> the input runs out, and the two malformed end tags, by the
// parser's own message, so that each check is shown to be reached.
func TestEndOfInputInside(t *testing.T) {
	const pre = "<plist><dict><key>k</key>"
	for _, tc := range []struct {
		name, doc, msg string
	}{
		{"after '<'", "<plist><dict><", "unexpected end of input"},
		{"after '</'", "<plist><dict></", "unexpected end of input"},
		{"in a tag name", "<plist><dict><ke", "unexpected end of input in tag"},
		{"in an end tag name", pre + "<true/></di", "unexpected end of input in tag"},
		{"after a tag name and blank", "<plist ", "unexpected end of input in tag"},
		{"after a tag name and blanks", "<plist \t\n", "unexpected end of input in tag"},
		{"in an attribute name", "<plist vers", "unexpected end of input in attribute"},
		{"after an attribute's '='", "<plist version=", "expected '\"' in attribute"},
		{"after an attribute's opening quote", `<plist version="`, "unexpected end of input in attribute"},
		{"in an attribute value", `<plist version="1.`, "unexpected end of input in attribute"},
		{"after an attribute", `<plist version="1.0"`, "expected '>' after attribute"},
		{"in a <data> attribute", pre + `<data size="4`, "unexpected end of input in attribute"},
		{"in a key", "<plist><dict><key>ab", "unexpected end of input in text"},
		{"in a string", pre + "<string>ab", "unexpected end of input in text"},
		{"in <data>", pre + "<data>CgAA", "unexpected end of input in <data>"},
		{"in <data>, mid-group", pre + "<data>CgA", "unexpected end of input in <data>"},
		{"in <data>, after '='", pre + "<data>CgA=", "unexpected end of input in <data>"},
		{"in <data>, between the '='", pre + "<data>Cg=", "unexpected end of input in <data>"},
		{"in <data>, blank between the '='", pre + "<data>Cg= \n", "unexpected end of input in <data>"},
		{"in <data>, after the padding", pre + "<data>Cg== ", "unexpected end of input in <data>"},
		{"in an integer", pre + "<integer>12", "expected a tag"},
		{"in a comment", "<plist><dict><!-- a -", "unterminated comment"},
		// libprop skips "<<!--" before <plist> (parser.go, document).
		{"in a comment before <plist>", "<<!-- a -", "unterminated comment"},
		{"empty end tag", pre + "<true/></dict/></plist>", "empty end tag"},
		{"expected '>' after '/'", pre + "<true/ ></dict></plist>", "expected '>' after '/'"},
		{"another end tag", pre + "<string>x</data></dict></plist>", "expected </string>, found </data>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := internalizeNoPanic([]byte(tc.doc))
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("Internalize(%q) = %v, %v; want a SyntaxError", tc.doc, dump(d), err)
			}
			if diff := cmp.Diff(tc.msg, se.Msg); diff != "" {
				t.Errorf("Internalize(%q): message (-want +got):\n%s", tc.doc, diff)
			}
			if se.Offset < 0 || se.Offset > len(tc.doc) {
				t.Errorf("offset %d outside the input of %d bytes", se.Offset, len(tc.doc))
			}
		})
	}
}
