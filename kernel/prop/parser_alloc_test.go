package prop

import (
	"bytes"
	"testing"
)

// The parser carves objects out of shared chunks (parser_alloc.go).  These
// tests check that no object can reach into its neighbour's memory and that
// a failed parse leaves no decoded data behind.

func TestChunkedObjectsAreSeparate(t *testing.T) {
	in, err := Externalize(bigGet(40))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Internalize(in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Internalize(in)
	if err != nil {
		t.Fatal(err)
	}
	peers, _ := d.Get("peers")
	for _, o := range peers.(*Array).items {
		pd := o.(*Dictionary)
		for i := range pd.entries {
			if data, ok := pd.entries[i].val.(Data); ok {
				if cap(data) != len(data) {
					t.Fatalf("data %x has capacity %d", []byte(data), cap(data))
				}
				pd.entries[i].val = append(data, 0xff)
			}
		}
		pd.Set("zzz", String("x")) // past the last entry
		ips, _ := pd.Get("allowedips")
		ips.(*Array).Add(Bool(true))
	}
	// Every peer changed; undo the changes and the rest must be as read.
	for _, o := range peers.(*Array).items {
		pd := o.(*Dictionary)
		pd.Remove("zzz")
		for i := range pd.entries {
			if data, ok := pd.entries[i].val.(Data); ok {
				pd.entries[i].val = data[:len(data)-1]
			}
		}
		ips, _ := pd.Get("allowedips")
		a := ips.(*Array)
		a.items = a.items[:len(a.items)-1]
	}
	if !Equal(d, want) {
		t.Fatal("changing one object changed another")
	}
	if s, ok := d.Get("peers"); !ok || s.(*Array).Len() != 40 {
		t.Fatal("peers lost")
	}
}

func TestFailedParseWipesData(t *testing.T) {
	for _, in := range []string{
		withValue("<array><data>AQIDBAUGBwgJCgsMDQ4PEA==</data><data>AQIDBA</data></array>"), // no padding
		withValue("<array><data>AQIDBAUGBwgJCgsMDQ4PEA==</data><integer>1</integer"),
		withValue(`<data size="3">AQIDBAUGBwgJCgsMDQ4PEA==</data>`), // size mismatch
		withValue("<data>AQIDBAUG\nBwgJCgsMDQ4PEA=</data>"),         // one '=' missing
	} {
		p := parser{b: []byte(in), alloc: newAllocator()}
		if _, err := p.internalize(); err == nil {
			t.Fatalf("%q accepted", in)
		}
		if len(p.alloc.dataChunks) == 0 {
			t.Fatalf("%q: nothing decoded", in)
		}
		for _, c := range p.alloc.dataChunks {
			if !bytes.Equal(c, make([]byte, len(c))) {
				t.Fatalf("%q: %x left", in, c)
			}
		}
	}
}
