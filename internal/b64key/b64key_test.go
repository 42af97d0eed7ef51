package b64key

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeKey(t *testing.T) {
	alice := "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
	aliceB64 := "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
	tests := []struct {
		name string
		src  string
		want string // hex of the decoded bytes; "" for an error
		n    int
	}{
		{"canonical", aliceB64, alice, 32},
		{"trailing newline", aliceB64 + "\n", alice, 32},
		{"white space anywhere", " dwdtCnMY\tpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo= \r\n", alice, 32},
		{"ends at NUL", aliceB64 + "\x00garbage", alice, 32},
		{"no padding, partial quantum", aliceB64[:43], "", 0},
		{"one character too many", aliceB64[:43] + "A", "", 0},
		{"non-zero slop bits", aliceB64[:42] + "p=", "", 0},
		{"bad character", "dwdt*nMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=", "", 0},
		{"garbage after padding", aliceB64 + "x", "", 0},
		{"second pad after space", "AA =", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst [KeyLen]byte
			n, err := Decode(dst[:], []byte(tt.src))
			if tt.want == "" {
				if err != ErrSyntax || n != 0 {
					t.Fatalf("Decode(%q) = %d, %v; want ErrSyntax", tt.src, n, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.src, err)
			}
			if diff := cmp.Diff(mustHex(t, tt.want), dst[:]); diff != "" || n != tt.n {
				t.Errorf("Decode(%q) = %d (want %d), bytes -want +got:\n%s", tt.src, n, tt.n, diff)
			}
		})
	}
}

func TestDecodeShortOutputs(t *testing.T) {
	tests := []struct {
		src  string
		size int
		want []byte
		err  bool
	}{
		{"QQ==", 4, []byte("A"), false},
		{"QQ = =", 4, []byte("A"), false},
		{"QUI=", 4, []byte("AB"), false},
		{"QUJD", 4, []byte("ABC"), false},
		{"QUJD", 3, []byte("ABC"), false},
		{"QUJDRA==", 3, nil, true},  // does not fit
		{"QR==", 4, nil, true},      // slop bits set
		{"Q===", 4, nil, true},      // pad in second position
		{"=", 4, nil, true},         // pad in first position
		{"QQ=", 4, nil, true},       // one byte needs two pads
		{"QUJ", 4, nil, true},       // partial quantum
		{"", 4, []byte{}, false},    // nothing to decode
		{" \n", 4, []byte{}, false}, // only white space
	}
	for _, tt := range tests {
		dst := make([]byte, tt.size)
		n, err := Decode(dst, []byte(tt.src))
		if tt.err {
			if err == nil {
				t.Errorf("Decode(%q, %d) = %d, nil; want an error", tt.src, tt.size, n)
			}
			continue
		}
		if err != nil || !bytes.Equal(dst[:n], tt.want) {
			t.Errorf("Decode(%q, %d) = %q, %v; want %q", tt.src, tt.size, dst[:n], err, tt.want)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	key := mustHex(t, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
	const want = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
	if len(want) != Base64Len {
		t.Fatalf("%q: %d characters, want %d", want, len(want), Base64Len)
	}
	if got := string(AppendEncode([]byte("k: "), key)); got != "k: "+want {
		t.Errorf("AppendEncode = %q, want %q", got, "k: "+want)
	}
	var dst [KeyLen]byte
	if n, err := Decode(dst[:], []byte(want)); err != nil || n != KeyLen || !bytes.Equal(dst[:], key) {
		t.Errorf("Decode(%q) = %x, %d, %v", want, dst, n, err)
	}
}
