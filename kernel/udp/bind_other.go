//go:build !linux

package udp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
)

// NewBind returns a Bind whose Open fails: nbwg emulates the NetBSD kernel
// only on Linux.
func NewBind() Bind { return unsupportedBind{} }

// NewStickyBind returns the same as NewBind.
func NewStickyBind() Bind { return unsupportedBind{} }

// NewPlainBind returns the same as NewBind.
func NewPlainBind() Bind { return unsupportedBind{} }

type unsupportedBind struct{}

func (unsupportedBind) Open(port uint16) ([]ReceiveFunc, uint16, error) {
	return nil, 0, fmt.Errorf("udp: open port %d on %s: %w", port, runtime.GOOS, errors.ErrUnsupported)
}

func (unsupportedBind) Close() error { return nil }

func (unsupportedBind) Send(bufs [][]byte, ep netip.AddrPort) error {
	return fmt.Errorf("udp: send to %s: %w", ep, net.ErrClosed)
}

func (unsupportedBind) BatchSize() int { return 1 }
