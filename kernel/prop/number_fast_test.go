package prop

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestNumberFastMatchesCnum checks that, whenever parser.number's fast path
// reads a number, strtoll/strtoull (numberSlow) would read the same value,
// signedness and length, on edge cases and random numeric texts.
func TestNumberFastMatchesCnum(t *testing.T) {
	var texts []string
	for _, e := range []string{"", "0", "00", "07", "08", "0x", "0X1", "0x0", "0xg", "1", "-1", " 1", "+1",
		"999999999999999999", "9223372036854775807", "9223372036854775808", "99999999999999999999",
		"0xffffffffffffffff", "0x0ffffffffffffffff", "0x10000000000000000", "0xFFFFFFFFFFFFFFFF"} {
		texts = append(texts, e, e+"<", e+" <")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const chars = "0123456789abcdefABCDEFxX-+ <g"
	for i := range 300000 {
		var text string
		switch i % 3 {
		case 0:
			text = "0x" + strconv.FormatUint(rng.Uint64()>>rng.IntN(64), 16)
		case 1:
			text = strconv.FormatInt(rng.Int64()>>rng.IntN(64), 10)
		default:
			b := make([]byte, rng.IntN(22))
			for j := range b {
				b[j] = chars[rng.IntN(len(chars))]
			}
			text = string(b)
		}
		if rng.IntN(5) != 0 {
			text += "</integer>"
		}
		texts = append(texts, text)
	}
	var hits int
	for _, text := range texts {
		n, used, ok := numberFast([]byte(text))
		if !ok {
			continue
		}
		hits++
		want, wantUsed := numberSlow([]byte(text))
		if n != want || used != wantUsed {
			t.Fatalf("%q: numberFast %v (%d bytes), numberSlow %v (%d bytes)", text, n, used, want, wantUsed)
		}
	}
	if hits < 100000 {
		t.Fatalf("fast path taken %d times", hits)
	}
}

// TestBoxNumber checks that the shared small numbers keep value and
// signedness.
func TestBoxNumber(t *testing.T) {
	for _, n := range []Number{Signed(0), Signed(1), Signed(255), Signed(256), Signed(-1),
		Unsigned(0), Unsigned(2), Unsigned(255), Unsigned(256), Unsigned(1 << 63)} {
		if got, ok := boxNumber(n).(Number); !ok || got != n {
			t.Errorf("boxNumber(%v) = %#v", n, boxNumber(n))
		}
	}
	in := withValue("<array><integer>0x20</integer><integer>32</integer><integer>0x20</integer></array>")
	d, err := Internalize([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := d.GetArray("k")
	if a.Get(0).(Number) != Unsigned(32) || a.Get(1).(Number) != Signed(32) || a.Get(2).(Number) != Unsigned(32) {
		t.Fatalf("got %v", a.items)
	}
}
