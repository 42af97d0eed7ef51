//go:build !linux && !netbsd

package ioctl

import "errors"

// Conn is unavailable on this system.
type Conn struct{}

// ErrNoKernel means there is no kernel to talk to here.
var ErrNoKernel = errors.New("nbwg runs on Linux (emulated kernel) and NetBSD only")

// Open fails: nbwg has no carrier on this system.
func Open() (*Conn, error) { return nil, ErrNoKernel }

// OpenOrStart fails: nbwg has no carrier on this system.
func OpenOrStart() (*Conn, error) { return nil, ErrNoKernel }

// Close does nothing.
func (c *Conn) Close() error { return nil }

// Ioctl fails.
func (c *Conn) Ioctl(cmd uint32, arg []byte, buf []byte) error { return ErrNoKernel }

// DiedKernel reports nothing here: the kernel is the system's.
func DiedKernel(record bool) error { return nil }
