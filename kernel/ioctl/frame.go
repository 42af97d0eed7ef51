package ioctl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"

	"nbwg/kernel/sys"
)

// The carrier's framing: a fixed header, then the structure, then the
// buffer.  Requests and replies share the layout; in a reply the first
// word is the errno instead of the command.
const (
	frameMagic = 0x6e627767 // "nbwg"
	headerLen  = 16
)

// errFrame reports a malformed frame; the connection is then dropped.
var errFrame = errors.New("ioctl carrier: malformed frame")

type header struct {
	word   uint32 // command word in a request, errno in a reply
	argLen uint32
	bufLen uint32
}

func (h header) marshal() [headerLen]byte {
	var b [headerLen]byte
	binary.LittleEndian.PutUint32(b[0:], frameMagic)
	binary.LittleEndian.PutUint32(b[4:], h.word)
	binary.LittleEndian.PutUint32(b[8:], h.argLen)
	binary.LittleEndian.PutUint32(b[12:], h.bufLen)
	return b
}

// readHeader reads and checks a header.  Nothing the header says is
// allocated here: the caller decides what to read of the body.
func readHeader(r io.Reader) (header, error) {
	var b [headerLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return header{}, err
	}
	if binary.LittleEndian.Uint32(b[0:]) != frameMagic {
		return header{}, errFrame
	}
	h := header{
		word:   binary.LittleEndian.Uint32(b[4:]),
		argLen: binary.LittleEndian.Uint32(b[8:]),
		bufLen: binary.LittleEndian.Uint32(b[12:]),
	}
	if h.argLen > sys.IOCPARM_MASK || h.bufLen > sys.MaxBuffer {
		return header{}, fmt.Errorf("%w: %d structure bytes, %d buffer bytes", errFrame, h.argLen, h.bufLen)
	}
	return h, nil
}

// writeFrame sends a frame with one writev, so the buffer (which may hold
// keys) is never copied into a second allocation.
func writeFrame(w io.Writer, word uint32, arg, buf []byte) error {
	hdr := header{word: word, argLen: uint32(len(arg)), bufLen: uint32(len(buf))}.marshal()
	bufs := net.Buffers{hdr[:], arg, buf}
	_, err := bufs.WriteTo(w)
	return err
}

// discard reads and drops n bytes with a fixed scratch buffer: a body the
// kernel will not keep costs no memory.
func discard(r io.Reader, n int64) error {
	var scratch [4096]byte
	for n > 0 {
		k, err := r.Read(scratch[:min(int64(len(scratch)), n)])
		n -= int64(k)
		if err != nil && n > 0 {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// frameReader reads frames with as few system calls as the data allows:
// one read(2) usually brings a frame's header, structure and buffer
// together, where reading them one after the other would take three.  A
// read at least as large as its buffer goes straight to the connection.
// The bytes it holds may be keys (a SET_PRIVATE_KEY request): each is
// wiped as soon as it is handed on.
type frameReader struct {
	r          io.Reader
	buf        []byte
	start, end int
}

// frameReadAhead is what one read(2) asks for: a whole request of
// wgconfig's (a dictionary of a peer) and any reply but a show's.
const frameReadAhead = 4096

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: r, buf: make([]byte, frameReadAhead)}
}

func (f *frameReader) Read(p []byte) (int, error) {
	if f.start == f.end {
		if len(p) >= len(f.buf) {
			return f.r.Read(p)
		}
		n, err := f.r.Read(f.buf)
		f.start, f.end = 0, n
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, f.buf[f.start:f.end])
	clear(f.buf[f.start : f.start+n])
	f.start += n
	return n, nil
}

// wipe clears what the reader holds and has not handed on.
func (f *frameReader) wipe() {
	clear(f.buf[f.start:f.end])
	f.start, f.end = 0, 0
}
