package ioctl

import (
	"bytes"
	"io"
	"testing"
)

// countingReader counts the reads that reach the connection.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// TestFrameReader: frames come out of a frameReader as written, one
// read of the connection for a small frame instead of one per part, a
// large buffer straight into the caller's; what it hands on is wiped
// from its own buffer.
func TestFrameReader(t *testing.T) {
	var wire bytes.Buffer
	arg := bytes.Repeat([]byte{1}, 40)
	small := []byte("<dict>a key</dict>")
	large := bytes.Repeat([]byte{2}, 3*frameReadAhead)
	writeFrame(&wire, 7, arg, small)
	writeFrame(&wire, 8, arg, large)
	cr := &countingReader{r: &wire}
	f := newFrameReader(cr)
	for _, want := range []struct {
		word uint32
		buf  []byte
	}{{7, small}, {8, large}} {
		h, err := readHeader(f)
		if err != nil || h.word != want.word || int(h.argLen) != len(arg) || int(h.bufLen) != len(want.buf) {
			t.Fatalf("header %+v, %v; want word %d", h, err, want.word)
		}
		gotArg := make([]byte, h.argLen)
		gotBuf := make([]byte, h.bufLen)
		if _, err := io.ReadFull(f, gotArg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(f, gotBuf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotArg, arg) || !bytes.Equal(gotBuf, want.buf) {
			t.Fatalf("frame %d: wrong bytes", want.word)
		}
		if want.word == 7 && cr.reads != 1 {
			t.Errorf("a small frame took %d reads of the connection, want 1", cr.reads)
		}
	}
	if !bytes.Equal(f.buf, make([]byte, len(f.buf))) {
		t.Errorf("the reader still holds bytes it handed on")
	}
	if _, err := readHeader(f); err != io.EOF {
		t.Errorf("after the last frame: %v, want EOF", err)
	}
}
