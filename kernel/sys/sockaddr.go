package sys

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
)

// Sizes of the BSD socket address structures, which begin with a length
// byte (sa_len) before the family, unlike Linux's.
const (
	SizeofSockaddr        = 16
	SizeofSockaddrIn      = 16
	SizeofSockaddrIn6     = 28
	SizeofSockaddrStorage = 128
)

// SockaddrIn is struct sockaddr_in.
type SockaddrIn struct {
	Len    uint8
	Family uint8
	Port   uint16 // host order here; network order on the wire
	Addr   [4]byte
}

// SockaddrIn6 is struct sockaddr_in6.
type SockaddrIn6 struct {
	Len      uint8
	Family   uint8
	Port     uint16 // host order here; network order on the wire
	Flowinfo uint32
	Addr     [16]byte
	ScopeID  uint32
}

// MarshalTo writes the structure into b, which must hold 16 bytes.
func (s *SockaddrIn) MarshalTo(b []byte) {
	b[0], b[1] = s.Len, s.Family
	binary.BigEndian.PutUint16(b[2:], s.Port)
	copy(b[4:8], s.Addr[:])
	clear(b[8:SizeofSockaddrIn])
}

// Marshal returns the structure's 16 bytes.
func (s *SockaddrIn) Marshal() []byte {
	b := make([]byte, SizeofSockaddrIn)
	s.MarshalTo(b)
	return b
}

// UnmarshalSockaddrIn decodes a struct sockaddr_in from the first 16 bytes of b.
func UnmarshalSockaddrIn(b []byte) (SockaddrIn, error) {
	var s SockaddrIn
	if len(b) < SizeofSockaddrIn {
		return s, fmt.Errorf("sockaddr_in: %d bytes, want %d", len(b), SizeofSockaddrIn)
	}
	s.Len, s.Family = b[0], b[1]
	s.Port = binary.BigEndian.Uint16(b[2:])
	copy(s.Addr[:], b[4:8])
	return s, nil
}

// MarshalTo writes the structure into b, which must hold 28 bytes.
func (s *SockaddrIn6) MarshalTo(b []byte) {
	b[0], b[1] = s.Len, s.Family
	binary.BigEndian.PutUint16(b[2:], s.Port)
	binary.BigEndian.PutUint32(b[4:], s.Flowinfo)
	copy(b[8:24], s.Addr[:])
	binary.LittleEndian.PutUint32(b[24:], s.ScopeID)
}

// Marshal returns the structure's 28 bytes.
func (s *SockaddrIn6) Marshal() []byte {
	b := make([]byte, SizeofSockaddrIn6)
	s.MarshalTo(b)
	return b
}

// UnmarshalSockaddrIn6 decodes a struct sockaddr_in6 from the first 28 bytes of b.
func UnmarshalSockaddrIn6(b []byte) (SockaddrIn6, error) {
	var s SockaddrIn6
	if len(b) < SizeofSockaddrIn6 {
		return s, fmt.Errorf("sockaddr_in6: %d bytes, want %d", len(b), SizeofSockaddrIn6)
	}
	s.Len, s.Family = b[0], b[1]
	s.Port = binary.BigEndian.Uint16(b[2:])
	s.Flowinfo = binary.BigEndian.Uint32(b[4:])
	copy(s.Addr[:], b[8:24])
	s.ScopeID = binary.LittleEndian.Uint32(b[24:])
	return s, nil
}

// SockaddrInFrom builds a sockaddr_in for an IPv4 address and port.
func SockaddrInFrom(a netip.Addr, port uint16) SockaddrIn {
	return SockaddrIn{Len: SizeofSockaddrIn, Family: AF_INET, Port: port, Addr: a.Unmap().As4()}
}

// SockaddrIn6From builds a sockaddr_in6 for an IPv6 address and port.
// The scope id comes from the caller, since a netip zone is a name.
func SockaddrIn6From(a netip.Addr, port uint16, scope uint32) SockaddrIn6 {
	return SockaddrIn6{Len: SizeofSockaddrIn6, Family: AF_INET6, Port: port, Addr: a.As16(), ScopeID: scope}
}

// AddrPort returns the address and port of a sockaddr_in.
func (s SockaddrIn) AddrPort() netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4(s.Addr), s.Port)
}

// AddrPort returns the address and port of a sockaddr_in6 (without zone).
func (s SockaddrIn6) AddrPort() netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom16(s.Addr), s.Port)
}

// MarshalSockaddr encodes an endpoint the way getaddrinfo(3) hands it to
// wgconfig: a sockaddr_in for IPv4 (16 bytes), a sockaddr_in6 for IPv6
// (28 bytes), IPv4-mapped addresses included.  A numeric zone is the
// scope id.
func MarshalSockaddr(ap netip.AddrPort) []byte {
	a := ap.Addr()
	if a.Is4() {
		s := SockaddrInFrom(a, ap.Port())
		return s.Marshal()
	}
	var scope uint32
	if z, err := strconv.ParseUint(a.Zone(), 10, 32); err == nil {
		scope = uint32(z)
	}
	s := SockaddrIn6From(a.WithZone(""), ap.Port(), scope)
	return s.Marshal()
}

// ParseSockaddr decodes the raw sockaddr bytes wg(4) exchanges as a
// peer's endpoint: sa_len is ignored as the kernel ignores it; the family
// decides the expected size.  The errno values are those if_wg returns.
func ParseSockaddr(b []byte) (netip.AddrPort, error) {
	if len(b) < SizeofSockaddr || len(b) > SizeofSockaddrStorage {
		return netip.AddrPort{}, EINVAL
	}
	switch b[1] {
	case AF_INET:
		if len(b) != SizeofSockaddrIn {
			return netip.AddrPort{}, EINVAL
		}
		s, _ := UnmarshalSockaddrIn(b)
		return s.AddrPort(), nil
	case AF_INET6:
		if len(b) != SizeofSockaddrIn6 {
			return netip.AddrPort{}, EINVAL
		}
		s, _ := UnmarshalSockaddrIn6(b)
		ap := s.AddrPort()
		if s.ScopeID != 0 {
			// The scope id travels as a numeric zone.
			ap = netip.AddrPortFrom(ap.Addr().WithZone(strconv.FormatUint(uint64(s.ScopeID), 10)), ap.Port())
		}
		return ap, nil
	default:
		return netip.AddrPort{}, EPFNOSUPPORT
	}
}
