package ioctl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"nbwg/kernel/sys"
)

// The carrier's framing: a fixed header, then the structure, then the
// buffer.  Requests and replies share the layout; in a reply the first
// word is the errno instead of the command.
const (
	frameMagic = 0x6e627767 // "nbwg"
	headerLen  = 16
	maxArgLen  = sys.IOCPARM_MASK
	// MaxBuffer bounds the user buffer a request may carry or ask for;
	// the kernel answers larger ones with ENOMEM, as a kernel would
	// refuse an allocation that size.
	MaxBuffer = 64 << 20
)

// errFrame reports a malformed frame; the connection is then dropped.
var errFrame = errors.New("ioctl carrier: malformed frame")

type frame struct {
	word uint32 // command word in a request, errno in a reply
	arg  []byte
	buf  []byte
}

func writeFrame(w io.Writer, f *frame) error {
	hdr := make([]byte, headerLen+len(f.arg), headerLen+len(f.arg)+len(f.buf))
	binary.LittleEndian.PutUint32(hdr[0:], frameMagic)
	binary.LittleEndian.PutUint32(hdr[4:], f.word)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(len(f.arg)))
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(f.buf)))
	copy(hdr[headerLen:], f.arg)
	_, err := w.Write(append(hdr, f.buf...))
	return err
}

func readFrame(r io.Reader) (*frame, error) {
	var hdr [headerLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(hdr[0:]) != frameMagic {
		return nil, errFrame
	}
	f := &frame{word: binary.LittleEndian.Uint32(hdr[4:])}
	argLen := binary.LittleEndian.Uint32(hdr[8:])
	bufLen := binary.LittleEndian.Uint32(hdr[12:])
	if argLen > maxArgLen || bufLen > MaxBuffer {
		return nil, fmt.Errorf("%w: %d structure bytes, %d buffer bytes", errFrame, argLen, bufLen)
	}
	body := make([]byte, argLen+bufLen)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	f.arg, f.buf = body[:argLen:argLen], body[argLen:]
	return f, nil
}
