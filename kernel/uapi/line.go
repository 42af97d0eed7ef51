package uapi

import (
	"errors"
	"io"
	"syscall"
)

// maxLine bounds a line of the protocol.  The longest a client sends is
// a key (78 bytes with its name) or an endpoint with a scope.
const maxLine = 4096

// errLineTooLong: a line is longer than maxLine; the connection is out
// of step.
var errLineTooLong = errors.New("line too long")

// LineReader reads the protocol's lines into a buffer of its own, which
// Wipe clears: set requests carry private and preshared keys.
type LineReader struct {
	r          io.Reader
	buf        []byte
	start, end int // buf[start:end] is read and not yet returned
}

// NewLineReader reads lines from r.
func NewLineReader(r io.Reader) *LineReader {
	return &LineReader{r: r, buf: make([]byte, 2*maxLine)}
}

// ReadLine returns the next line without its '\n'; it is valid until the
// next call.  At the end of the input it returns io.EOF (a last line
// without '\n' is dropped, as the protocol ends every line).  A line
// longer than maxLine is an *Error with EPROTO.
func (lr *LineReader) ReadLine() ([]byte, error) {
	for {
		for i := lr.start; i < lr.end; i++ {
			if lr.buf[i] == '\n' {
				line := lr.buf[lr.start:i]
				lr.start = i + 1
				return line, nil
			}
		}
		if lr.end-lr.start > maxLine {
			return nil, errorf(syscall.EPROTO, "%w: more than %d bytes", errLineTooLong, maxLine)
		}
		if lr.start > 0 {
			// Move what is left to the front and clear the rest.
			n := copy(lr.buf, lr.buf[lr.start:lr.end])
			clear(lr.buf[n:lr.end])
			lr.start, lr.end = 0, n
		}
		n, err := lr.r.Read(lr.buf[lr.end:])
		lr.end += n
		if n > 0 {
			continue
		}
		if err == nil {
			err = io.ErrNoProgress
		}
		return nil, err
	}
}

// Wipe clears the buffer.
func (lr *LineReader) Wipe() {
	clear(lr.buf)
	lr.start, lr.end = 0, 0
}
