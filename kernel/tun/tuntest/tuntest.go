// Package tuntest provides an in-memory tun.Device and IP packet builders
// for tests that must not need root or a Linux TUN.
package tuntest

import (
	"fmt"
	"io"
	"net"
	"sync"

	"nbwg/kernel/tun"
)

var _ tun.Device = (*ChannelTUN)(nil)

// ChannelTUN is a tun.Device whose two directions are channels.
//
// Inbound carries packets into the device: a packet sent on it is what the
// host's stack would have routed into the tunnel, and Read returns it.
// Outbound carries packets out of the device: every packet given to Write
// is copied and sent on it, as if delivered to the host's stack.
//
// Close makes Read and Write return net.ErrClosed; it does not close the
// channels (a test may still be sending), but Closed is closed instead.
type ChannelTUN struct {
	Inbound  chan []byte
	Outbound chan []byte

	name  string
	batch int

	closeOnce sync.Once
	closed    chan struct{}
}

// NewChannelTUN returns a ChannelTUN called "tun0" with BatchSize 8 and
// channels buffered for 1024 packets each.
func NewChannelTUN() *ChannelTUN {
	return NewNamedChannelTUN("tun0", 8)
}

// NewNamedChannelTUN returns a ChannelTUN with the given name and
// BatchSize (at least 1).
func NewNamedChannelTUN(name string, batchSize int) *ChannelTUN {
	return &ChannelTUN{
		Inbound:  make(chan []byte, 1024),
		Outbound: make(chan []byte, 1024),
		name:     name,
		batch:    max(batchSize, 1),
		closed:   make(chan struct{}),
	}
}

// Closed is closed by Close.
func (c *ChannelTUN) Closed() <-chan struct{} { return c.closed }

// Read waits for a packet on Inbound, then takes more that are already
// queued, up to len(bufs) and BatchSize. A packet too long for its buffer
// is dropped with an error wrapping io.ErrShortBuffer.
func (c *ChannelTUN) Read(bufs [][]byte, sizes []int, offset int) (int, error) {
	if len(bufs) == 0 || len(sizes) < len(bufs) {
		return 0, fmt.Errorf("tuntest: read: %d buffers, %d sizes: %w", len(bufs), len(sizes), io.ErrShortBuffer)
	}
	select {
	case <-c.closed:
		return 0, fmt.Errorf("tuntest: read: %w", net.ErrClosed)
	case p := <-c.Inbound:
		if err := c.put(bufs[0], sizes, 0, offset, p); err != nil {
			return 0, err
		}
	}
	n := 1
	for n < len(bufs) && n < c.batch {
		select {
		case p := <-c.Inbound:
			if err := c.put(bufs[n], sizes, n, offset, p); err != nil {
				return n, err
			}
			n++
		default:
			return n, nil
		}
	}
	return n, nil
}

func (c *ChannelTUN) put(buf []byte, sizes []int, i, offset int, p []byte) error {
	if offset < 0 || offset > len(buf) || len(p) > len(buf)-offset {
		return fmt.Errorf("tuntest: read: %d-byte packet, %d-byte buffer at offset %d: %w", len(p), len(buf), offset, io.ErrShortBuffer)
	}
	sizes[i] = copy(buf[offset:], p)
	return nil
}

// Write copies each packet to Outbound, waiting for room as long as the
// device is open.
func (c *ChannelTUN) Write(bufs [][]byte, offset int) (int, error) {
	for i, b := range bufs {
		if offset < 0 || offset > len(b) {
			return i, fmt.Errorf("tuntest: write: offset %d of %d bytes: %w", offset, len(b), io.ErrShortBuffer)
		}
		p := append([]byte(nil), b[offset:]...)
		// A closed device refuses writes even when Outbound has room
		// (select would otherwise pick either case at random).
		select {
		case <-c.closed:
			return i, fmt.Errorf("tuntest: write: %w", net.ErrClosed)
		default:
		}
		select {
		case <-c.closed:
			return i, fmt.Errorf("tuntest: write: %w", net.ErrClosed)
		case c.Outbound <- p:
		}
	}
	return len(bufs), nil
}

// BatchSize returns the batch size given to the constructor.
func (c *ChannelTUN) BatchSize() int { return c.batch }

// Name returns the device name.
func (c *ChannelTUN) Name() string { return c.name }

// Close makes Read and Write fail with net.ErrClosed. It is idempotent.
func (c *ChannelTUN) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}
