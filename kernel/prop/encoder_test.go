package prop

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// encodeTree writes o through an Encoder, as a caller that holds the
// same data would: the reference for the Encoder is Externalize.
func encodeTree(e *Encoder, o Object) { encodeTreeKeys(e, o, false) }

// encodeTreeKeys is encodeTree with the keys written by KeyName when
// prepared is set.
func encodeTreeKeys(e *Encoder, o Object, prepared bool) {
	switch v := o.(type) {
	case *Dictionary:
		e.BeginDict()
		for _, ent := range v.entries {
			if prepared {
				e.KeyName(NewKeyName(ent.key))
			} else {
				e.Key(ent.key)
			}
			encodeTreeKeys(e, ent.val, prepared)
		}
		e.EndDict()
	case *Array:
		e.BeginArray()
		for _, item := range v.items {
			encodeTreeKeys(e, item, prepared)
		}
		e.EndArray()
	case String:
		e.String(string(v))
	case Data:
		e.Data(v)
	case Bool:
		e.Bool(bool(v))
	case Number:
		if v.unsigned {
			e.Unsigned(v.bits)
		} else {
			e.Signed(int64(v.bits))
		}
	}
}

// randomObject makes a random object of at most depth levels, with the
// characters libprop escapes in keys and strings.
func randomObject(r *rand.Rand, depth int) Object {
	k := r.IntN(8)
	if depth <= 0 {
		k = 2 + r.IntN(6)
	}
	switch k {
	case 0:
		d := NewDictionary()
		for range r.IntN(5) {
			d.Set(randomText(r), randomObject(r, depth-1))
		}
		return d
	case 1:
		a := NewArray()
		for range r.IntN(5) {
			a.Add(randomObject(r, depth-1))
		}
		return a
	case 2, 3:
		return String(randomText(r))
	case 4:
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return Data(b)
	case 5:
		return Bool(r.IntN(2) == 0)
	case 6:
		return Unsigned(r.Uint64() >> r.IntN(64))
	}
	return Signed(int64(r.Uint64()) >> r.IntN(64))
}

func randomText(r *rand.Rand) string {
	const alphabet = "ab_<>&\"' x\t"
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// TestEncoderMatchesExternalize: for random trees the Encoder writes what
// Externalize writes, byte for byte.
func TestEncoderMatchesExternalize(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for i := range 2000 {
		d := NewDictionary()
		for range r.IntN(6) {
			d.Set(randomText(r), randomObject(r, 4))
		}
		want, err := Externalize(d)
		if err != nil {
			t.Fatal(err)
		}
		e := NewEncoder(nil)
		// Every other document with prepared keys (KeyName).
		encodeTreeKeys(e, d, i%2 == 1)
		got, err := e.Bytes()
		if err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("document %d:\n got %q\nwant %q", i, got, want)
		}
	}
	// And the documents of bench_test.go, as a kernel writes them.
	want, _ := Externalize(bigGet(3))
	e := NewEncoder(make([]byte, 0, 10))
	encodeTree(e, bigGet(3))
	if got, err := e.Bytes(); err != nil || !bytes.Equal(got, want) {
		t.Errorf("bigGet(3): %v\n got %q\nwant %q", err, got, want)
	}
}

func TestEncoderMisuse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(e *Encoder)
	}{
		{"keys out of order", func(e *Encoder) {
			e.BeginDict()
			e.Key("b")
			e.Bool(true)
			e.Key("a")
			e.Bool(true)
			e.EndDict()
		}},
		{"a key twice", func(e *Encoder) {
			e.BeginDict()
			e.Key("a")
			e.Bool(true)
			e.Key("a")
			e.Bool(true)
			e.EndDict()
		}},
		{"a value without a key", func(e *Encoder) { e.BeginDict(); e.Bool(true); e.EndDict() }},
		{"a key without a value", func(e *Encoder) { e.BeginDict(); e.Key("a"); e.EndDict() }},
		{"a key in an array", func(e *Encoder) {
			e.BeginDict()
			e.Key("a")
			e.BeginArray()
			e.Key("b")
			e.EndArray()
			e.EndDict()
		}},
		{"not closed", func(e *Encoder) { e.BeginDict(); e.Key("a"); e.BeginArray() }},
		{"nothing", func(e *Encoder) {}},
		{"an array as root", func(e *Encoder) { e.BeginArray(); e.EndArray() }},
		{"wrong end", func(e *Encoder) { e.BeginDict(); e.EndArray() }},
		{"two roots", func(e *Encoder) { e.BeginDict(); e.EndDict(); e.BeginDict(); e.EndDict() }},
		{"NUL in a string", func(e *Encoder) { e.BeginDict(); e.Key("a"); e.String("x\x00"); e.EndDict() }},
		{"long key", func(e *Encoder) { e.BeginDict(); e.Key(string(make([]byte, 129))); e.Bool(true); e.EndDict() }},
		{"too deep", func(e *Encoder) {
			e.BeginDict()
			for i := range MaxDepth + 1 {
				e.Key(fmt.Sprint(i))
				e.BeginDict()
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder(nil)
			tc.write(e)
			if out, err := e.Bytes(); !errors.Is(err, ErrInvalidObject) {
				t.Errorf("Bytes = %q, %v; want an error wrapping ErrInvalidObject", out, err)
			}
		})
	}
}

// TestKeyNameMisuse: KeyName refuses what Key refuses, with Key's error.
func TestKeyNameMisuse(t *testing.T) {
	long := string(make([]byte, maxKeyLen+1))
	for _, tc := range []struct {
		name  string
		write func(e *Encoder, key func(e *Encoder, k string))
	}{
		{"out of order", func(e *Encoder, key func(*Encoder, string)) {
			e.BeginDict()
			key(e, "b")
			e.Bool(true)
			key(e, "a")
		}},
		{"twice", func(e *Encoder, key func(*Encoder, string)) {
			e.BeginDict()
			key(e, "a")
			e.Bool(true)
			key(e, "a")
		}},
		{"without a value", func(e *Encoder, key func(*Encoder, string)) { e.BeginDict(); key(e, "a"); key(e, "b") }},
		{"in an array", func(e *Encoder, key func(*Encoder, string)) {
			e.BeginDict()
			key(e, "a")
			e.BeginArray()
			key(e, "b")
		}},
		{"outside a dictionary", func(e *Encoder, key func(*Encoder, string)) { key(e, "a") }},
		{"long", func(e *Encoder, key func(*Encoder, string)) { e.BeginDict(); key(e, long) }},
		{"NUL", func(e *Encoder, key func(*Encoder, string)) { e.BeginDict(); key(e, "a\x00") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain, prepared := NewEncoder(nil), NewEncoder(nil)
			tc.write(plain, (*Encoder).Key)
			tc.write(prepared, func(e *Encoder, k string) { e.KeyName(NewKeyName(k)) })
			_, want := plain.Bytes()
			_, got := prepared.Bytes()
			if !errors.Is(want, ErrInvalidObject) {
				t.Fatalf("Key: %v, want an error wrapping ErrInvalidObject", want)
			}
			if got == nil || got.Error() != want.Error() {
				t.Errorf("KeyName: %v\nwant the error of Key: %v", got, want)
			}
		})
	}
	if k := NewKeyName("a<b"); k.Name() != "a<b" {
		t.Errorf("Name() = %q", k.Name())
	}
}

func BenchmarkEncoder1000Peers(b *testing.B) {
	d := bigGet(1000)
	out, _ := Externalize(d)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	buf := make([]byte, 0, len(out)+1024)
	for b.Loop() {
		e := NewEncoder(buf)
		encodeTree(e, d)
		if _, err := e.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
