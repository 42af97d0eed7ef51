package wg

import (
	"sync"

	"nbwg/kernel/wg/wire"
)

// Packet buffers come in two sizes, so that the common case (an inner
// packet of at most an Ethernet-sized MTU) does not pin 64 KiB per packet
// in the queues: small ones hold a transport header, a packet of up to
// smallPayload bytes, its padding and tag; large ones anything UDP can
// carry.
const (
	headroom     = wire.MessageTransportHeaderSize
	smallPayload = 2048
	smallSize    = headroom + smallPayload + wire.PaddingMultiple + wire.TagSize
	largeSize    = 65535 + headroom + wire.PaddingMultiple + wire.TagSize
)

var (
	smallPool = sync.Pool{New: func() any { b := make([]byte, smallSize); return &b }}
	largePool = sync.Pool{New: func() any { b := make([]byte, largeSize); return &b }}
)

// getBuffer returns a buffer with room for a payload of n bytes after the
// headroom, plus padding and tag.
func getBuffer(n int) *[]byte {
	if n <= smallPayload {
		return smallPool.Get().(*[]byte)
	}
	return largePool.Get().(*[]byte)
}

// putBuffer returns a buffer to its pool.
func putBuffer(b *[]byte) {
	switch cap(*b) {
	case smallSize:
		*b = (*b)[:smallSize]
		smallPool.Put(b)
	case largeSize:
		*b = (*b)[:largeSize]
		largePool.Put(b)
	}
}
