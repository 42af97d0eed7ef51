package prop

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"testing"
)

// splitParse parses doc with a helper, as Internalize does a large
// document, and returns the parser to look at.
func splitParse(doc []byte) (*parser, *Dictionary, error) {
	p := &parser{b: doc, alloc: newAllocator()}
	p.startSplit()
	d, err := p.internalize()
	return p, d, err
}

// TestSplitTakesHelpersItems: in an if_wg answer the point is a peer, the
// parser takes the helper's peers, and the result is the parser's alone.
func TestSplitTakesHelpersItems(t *testing.T) {
	doc, err := Externalize(bigGet(2000))
	if err != nil {
		t.Fatal(err)
	}
	p, got, err := splitParse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if p.split == nil || p.split.depth != 2 || !p.split.used {
		t.Fatalf("split %+v: want the helper's peers (depth 2) taken", p.split)
	}
	if n := len(p.split.items); n < 500 || n > 1500 {
		t.Errorf("the helper parsed %d of 2000 peers, want about half", n)
	}
	want, err := internalize(doc, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dump(got), dump(want)) {
		t.Error("with a helper the document parses differently")
	}
	if splitWanted(splitMinSize - 1) {
		t.Errorf("a helper for a document of %d bytes", splitMinSize-1)
	}
	if splitWanted(splitMinSize) != (runtime.GOMAXPROCS(0) > 1) {
		t.Errorf("splitWanted(%d) with GOMAXPROCS %d: %v", splitMinSize, runtime.GOMAXPROCS(0), splitWanted(splitMinSize))
	}
}

// TestSplitWipesHelpersData: the helper's decoded data (keys) is wiped
// when its work is dropped or the parse fails after taking it.
func TestSplitWipesHelpersData(t *testing.T) {
	doc, err := Externalize(bigGet(200))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		doc  []byte
		used bool
	}{
		// A tag the parser refuses before it reaches the point.
		{"fails before the point", bytes.Replace(doc, []byte("<key>cidr</key>"), []byte("<key>cidr</kex>"), 1), false},
		// The helper's items taken, and the parse fails after them.
		{"fails after taking them", bytes.Replace(doc, []byte("</plist>"), []byte("</plisx>"), 1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, err := splitParse(tc.doc)
			if err == nil {
				t.Fatal("parsed")
			}
			if p.split == nil || p.split.used != tc.used {
				t.Fatalf("split %+v, want used %v", p.split, tc.used)
			}
			if len(p.split.h.alloc.dataChunks) == 0 {
				t.Fatal("the helper decoded no data")
			}
			for _, c := range p.split.h.alloc.dataChunks {
				for i, b := range c {
					if b != 0 {
						t.Fatalf("byte %d of the helper's data is %#x", i, b)
					}
				}
			}
			if _, want := internalize(tc.doc, false); want == nil || err.Error() != want.Error() {
				t.Errorf("with a helper: %v\nalone:         %v", err, want)
			}
		})
	}
}

// TestSplitPoint finds libprop's item <dict> lines in the second half,
// the shallowest first.
func TestSplitPoint(t *testing.T) {
	for _, tc := range []struct {
		doc   string
		at    int
		depth int
	}{
		{"0123456789\n\t\t<dict>xx", 13, 2},
		{"0123456789\n\t\t\t<dict>\n\t<dict>", 22, 1},
		{"0123\n\t<dict>9abcdefghijklmnop", -1, 0}, // in the first half only
		{"0123456789abcdefghij", -1, 0},
	} {
		at, depth := splitPoint([]byte(tc.doc))
		if at != tc.at || depth != tc.depth {
			t.Errorf("splitPoint(%q) = %d, %d; want %d, %d", tc.doc, at, depth, tc.at, tc.depth)
		}
	}
}

// TestSplitKeepsDepth: a helper that guessed a depth other than the
// items' own is not taken, so the depth limit holds as for the parser
// alone: here items nested too deep, laid out as if they were not.
func TestSplitKeepsDepth(t *testing.T) {
	var doc bytes.Buffer
	doc.WriteString("<plist><dict><key>a</key>")
	const outer = MaxDepth - 2
	for range outer {
		doc.WriteString("<array>")
	}
	// Items at depth outer+1: first shallow ones, more than half of
	// the document, then ones indented as if at depth 1 that nest
	// three more levels: too deep.  The helper starts at the first of
	// those, and to it they are not too deep.
	for range 300 {
		doc.WriteString("<dict><key>x</key><true/></dict>")
	}
	for range 100 {
		doc.WriteString("\n\t<dict><key>x</key><array><array><true/></array></array></dict>")
	}
	for range outer {
		doc.WriteString("</array>")
	}
	doc.WriteString("</dict></plist>")
	_, alone := internalize(doc.Bytes(), false)
	if !errors.Is(alone, ErrTooDeep) {
		t.Fatalf("alone: %v, want ErrTooDeep", alone)
	}
	p, _, err := splitParse(doc.Bytes())
	if p.split == nil || p.split.depth != 1 || p.split.err != nil {
		t.Fatalf("split %+v: the test wants a helper at depth 1 that succeeds", p.split)
	}
	if p.split.at != bytes.Index(doc.Bytes(), []byte("\n\t<dict>"))+2 {
		t.Fatalf("the helper starts at %d, not at the first deep item", p.split.at)
	}
	if err == nil || err.Error() != alone.Error() {
		t.Errorf("with a helper: %v\nalone:         %v", err, alone)
	}
}
