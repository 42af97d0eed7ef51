//go:build !linux

package tun

import (
	"errors"
	"fmt"
	"runtime"
)

// Create is not supported on this system: nbwg emulates the NetBSD kernel
// only on Linux, and a real NetBSD has its own wg(4).
func Create(name string, mtu int) (Device, error) {
	return nil, fmt.Errorf("tun: create %q: TUN devices on %s: %w", name, runtime.GOOS, errors.ErrUnsupported)
}

// CreateWithOffload is not supported on this system either.
func CreateWithOffload(name string, mtu int) (Device, error) {
	return Create(name, mtu)
}

// CreateAuthenticated is not supported on this system either.
func CreateAuthenticated(name string, mtu int) (Device, error) {
	return Create(name, mtu)
}
