//go:build linux

package udp

// Conversion between netip.AddrPort and the kernel's sockaddr_in and
// sockaddr_in6 (ip(7), ipv6(7)): family in host order, port in network
// order, then the address; sockaddr_in6 also has flowinfo and scope_id.

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// rawSockaddr is room for either sockaddr (28 bytes, sockaddr_in6).
type rawSockaddr [unix.SizeofSockaddrInet6]byte

// encodeSockaddr writes ep into sa in the form the socket of family is6
// needs and returns its length. ep must already be unmapped and of the
// socket's family. A zone names the interface of a link-local address,
// either as a number or as an interface name.
func encodeSockaddr(sa *rawSockaddr, ep netip.AddrPort, is6 bool) (uint32, error) {
	*sa = rawSockaddr{}
	binary.BigEndian.PutUint16(sa[2:], ep.Port())
	addr := ep.Addr()
	if !is6 {
		if !addr.Is4() {
			return 0, fmt.Errorf("%s is not an IPv4 address: %w", addr, unix.EAFNOSUPPORT)
		}
		binary.NativeEndian.PutUint16(sa[0:], unix.AF_INET)
		a := addr.As4()
		copy(sa[4:8], a[:])
		return unix.SizeofSockaddrInet4, nil
	}
	if !addr.Is6() || addr.Is4In6() {
		return 0, fmt.Errorf("%s is not an IPv6 address: %w", addr, unix.EAFNOSUPPORT)
	}
	binary.NativeEndian.PutUint16(sa[0:], unix.AF_INET6)
	a := addr.As16()
	copy(sa[8:24], a[:])
	if zone := addr.Zone(); zone != "" {
		scope, err := zoneIndex(zone)
		if err != nil {
			return 0, err
		}
		binary.NativeEndian.PutUint32(sa[24:], scope)
	}
	return unix.SizeofSockaddrInet6, nil
}

// zoneIndex resolves a zone to an interface index.
func zoneIndex(zone string) (uint32, error) {
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, fmt.Errorf("zone %q: %w", zone, unix.ENXIO)
	}
	return uint32(ifi.Index), nil
}

// decodeSockaddr reads the sender address the kernel stored in sa. An
// IPv4-mapped address is unmapped; a nonzero scope_id becomes a numeric
// zone. ok is false for a family other than AF_INET and AF_INET6.
func decodeSockaddr(sa *rawSockaddr) (ep netip.AddrPort, ok bool) {
	port := binary.BigEndian.Uint16(sa[2:])
	switch binary.NativeEndian.Uint16(sa[0:]) {
	case unix.AF_INET:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(sa[4:8])), port), true
	case unix.AF_INET6:
		addr := netip.AddrFrom16([16]byte(sa[8:24]))
		if addr.Is4In6() {
			return netip.AddrPortFrom(addr.Unmap(), port), true
		}
		if scope := binary.NativeEndian.Uint32(sa[24:]); scope != 0 {
			addr = addr.WithZone(strconv.FormatUint(uint64(scope), 10))
		}
		return netip.AddrPortFrom(addr, port), true
	}
	return netip.AddrPort{}, false
}
