//go:build !linux

package netlink

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
)

func unsupported(op string) error {
	return &Error{Op: op, Err: fmt.Errorf("rtnetlink on %s: %w", runtime.GOOS, errors.ErrUnsupported)}
}

// LinkIndex is not supported on this system.
func LinkIndex(name string) (int, error) { return 0, unsupported("link index of " + name) }

// SetMTU is not supported on this system.
func SetMTU(name string, mtu int) error { return unsupported("set mtu of " + name) }

// SetUp is not supported on this system.
func SetUp(name string, up bool) error { return unsupported("set up/down " + name) }

// SetAddrGenModeNone is not supported on this system.
func SetAddrGenModeNone(name string) error { return unsupported("set addrgenmode of " + name) }

// AddAddr is not supported on this system.
func AddAddr(ifindex int, p netip.Prefix, noDAD bool) error {
	return unsupported("add address " + p.String())
}

// DelAddr is not supported on this system.
func DelAddr(ifindex int, p netip.Prefix) error { return unsupported("delete address " + p.String()) }

// AddrList is not supported on this system.
func AddrList(ifindex int) ([]Addr, error) { return nil, unsupported("list addresses") }

// AddRoute is not supported on this system.
func AddRoute(r Route) error { return unsupported("add route " + r.Dst.String()) }

// ReplaceRoute is not supported on this system.
func ReplaceRoute(r Route) error { return unsupported("replace route " + r.Dst.String()) }

// DelRoute is not supported on this system.
func DelRoute(r Route) error { return unsupported("delete route " + r.Dst.String()) }
