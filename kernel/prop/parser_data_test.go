package prop

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// TestBase64FastMatchesSlow checks that the encoding/base64 path of
// parser.base64 decodes and rejects exactly what the byte-by-byte path
// (libprop's rules) does, on random text with and without white space.
func TestBase64FastMatchesSlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const noise = "AZaz09+/=== \t\r\n\n<x-_\x80"
	var fast, slow int
	for i := range 200000 {
		var text []byte
		switch i % 4 {
		case 0, 1: // valid base64, perhaps altered
			raw := make([]byte, rng.IntN(40))
			for j := range raw {
				raw[j] = byte(rng.Uint32())
			}
			text = []byte(base64.StdEncoding.EncodeToString(raw))
			for range rng.IntN(3) {
				if len(text) == 0 {
					break
				}
				j := rng.IntN(len(text) + 1)
				c := noise[rng.IntN(len(noise))]
				switch rng.IntN(3) {
				case 0: // insert
					text = append(text[:j], append([]byte{c}, text[j:]...)...)
				case 1: // replace
					if j < len(text) {
						text[j] = c
					}
				case 2: // cut
					text = text[:j]
				}
			}
		default: // random characters
			text = make([]byte, rng.IntN(12))
			for j := range text {
				text[j] = noise[rng.IntN(len(noise))]
			}
		}
		if rng.IntN(4) != 0 {
			text = append(text, "</data>"...)
		}
		pf := parser{b: text, alloc: newAllocator()}
		ps := parser{b: text, alloc: newAllocator()}
		gotF, errF := pf.base64()
		gotS, errS := ps.base64Slow()
		if (errF == nil) != (errS == nil) || errF != nil && errF.Error() != errS.Error() ||
			!bytes.Equal(gotF, gotS) || pf.pos != ps.pos {
			t.Fatalf("%q: base64 %x, %v, pos %d; base64Slow %x, %v, pos %d",
				text, gotF, errF, pf.pos, gotS, errS, ps.pos)
		}
		if errS == nil && bytes.IndexAny(text[:ps.pos], " \t\r\n") < 0 {
			fast++
		} else {
			slow++
		}
	}
	if fast < 1000 || slow < 1000 {
		t.Fatalf("%d inputs for the fast path, %d for the slow one", fast, slow)
	}
}

// TestHasSpaceOrControl holds the word-at-a-time test to a byte loop, for
// every byte value at every place of texts of up to 24 bytes.
func TestHasSpaceOrControl(t *testing.T) {
	for n := range 25 {
		text := bytes.Repeat([]byte("A"), n)
		if hasSpaceOrControl(text) {
			t.Fatalf("%q: flagged", text)
		}
		for i := range n {
			for c := range 256 {
				text[i] = byte(c)
				if got, want := hasSpaceOrControl(text), c < '!'; got != want {
					t.Fatalf("%q: %v, want %v", text, got, want)
				}
			}
			text[i] = 'A'
		}
	}
	// Random bytes of every value side by side (borrows across bytes).
	rng := rand.New(rand.NewPCG(9, 10))
	for range 200000 {
		text := make([]byte, rng.IntN(24))
		for j := range text {
			text[j] = byte(rng.Uint32())
			if rng.IntN(2) == 0 {
				text[j] |= 0x80
			}
		}
		want := false
		for _, c := range text {
			want = want || c < '!'
		}
		if got := hasSpaceOrControl(text); got != want {
			t.Fatalf("%q: %v, want %v", text, got, want)
		}
	}
}
