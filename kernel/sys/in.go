package sys

import (
	"encoding/binary"
	"fmt"
)

// InAliasreq is struct in_aliasreq (SIOCAIFADDR, SIOCGIFALIAS).
type InAliasreq struct {
	Name    Name
	Addr    SockaddrIn
	Dstaddr SockaddrIn // also ifra_broadaddr
	Mask    SockaddrIn
}

// Marshal returns the structure's bytes.
func (r *InAliasreq) Marshal() []byte {
	b := make([]byte, SizeofInAliasreq)
	copy(b, r.Name[:])
	r.Addr.MarshalTo(b[16:])
	r.Dstaddr.MarshalTo(b[32:])
	r.Mask.MarshalTo(b[48:])
	return b
}

// UnmarshalInAliasreq decodes a struct in_aliasreq.
func UnmarshalInAliasreq(b []byte) (*InAliasreq, error) {
	if len(b) != SizeofInAliasreq {
		return nil, fmt.Errorf("in_aliasreq: %d bytes, want %d", len(b), SizeofInAliasreq)
	}
	r := new(InAliasreq)
	copy(r.Name[:], b)
	r.Addr, _ = UnmarshalSockaddrIn(b[16:])
	r.Dstaddr, _ = UnmarshalSockaddrIn(b[32:])
	r.Mask, _ = UnmarshalSockaddrIn(b[48:])
	return r, nil
}

// In6Addrlifetime is struct in6_addrlifetime.
type In6Addrlifetime struct {
	Expire    int64
	Preferred int64
	Vltime    uint32
	Pltime    uint32
}

// SizeofIn6Addrlifetime is the size of struct in6_addrlifetime on amd64.
const SizeofIn6Addrlifetime = 24

// ND6_INFINITE_LIFETIME marks an address lifetime that never runs out.
const ND6_INFINITE_LIFETIME = 0xffffffff

// In6Aliasreq is struct in6_aliasreq (SIOCAIFADDR_IN6).
type In6Aliasreq struct {
	Name       Name
	Addr       SockaddrIn6
	Dstaddr    SockaddrIn6
	Prefixmask SockaddrIn6
	Flags      int32
	Lifetime   In6Addrlifetime
}

// Marshal returns the structure's bytes.
func (r *In6Aliasreq) Marshal() []byte {
	b := make([]byte, SizeofIn6Aliasreq)
	copy(b, r.Name[:])
	r.Addr.MarshalTo(b[16:])
	r.Dstaddr.MarshalTo(b[44:])
	r.Prefixmask.MarshalTo(b[72:])
	binary.LittleEndian.PutUint32(b[100:], uint32(r.Flags))
	binary.LittleEndian.PutUint64(b[104:], uint64(r.Lifetime.Expire))
	binary.LittleEndian.PutUint64(b[112:], uint64(r.Lifetime.Preferred))
	binary.LittleEndian.PutUint32(b[120:], r.Lifetime.Vltime)
	binary.LittleEndian.PutUint32(b[124:], r.Lifetime.Pltime)
	return b
}

// UnmarshalIn6Aliasreq decodes a struct in6_aliasreq.
func UnmarshalIn6Aliasreq(b []byte) (*In6Aliasreq, error) {
	if len(b) != SizeofIn6Aliasreq {
		return nil, fmt.Errorf("in6_aliasreq: %d bytes, want %d", len(b), SizeofIn6Aliasreq)
	}
	r := new(In6Aliasreq)
	copy(r.Name[:], b)
	r.Addr, _ = UnmarshalSockaddrIn6(b[16:])
	r.Dstaddr, _ = UnmarshalSockaddrIn6(b[44:])
	r.Prefixmask, _ = UnmarshalSockaddrIn6(b[72:])
	r.Flags = int32(binary.LittleEndian.Uint32(b[100:]))
	r.Lifetime.Expire = int64(binary.LittleEndian.Uint64(b[104:]))
	r.Lifetime.Preferred = int64(binary.LittleEndian.Uint64(b[112:]))
	r.Lifetime.Vltime = binary.LittleEndian.Uint32(b[120:])
	r.Lifetime.Pltime = binary.LittleEndian.Uint32(b[124:])
	return r, nil
}

// SizeofIn6Ifreq is the size of struct in6_ifreq on amd64: a name and a
// union whose largest member is struct icmp6_ifstat (34 u_quad_t).
const SizeofIn6Ifreq = IFNAMSIZ + 272

// In6Ifreq is struct in6_ifreq (SIOCDIFADDR_IN6, SIOCGIFAFLAG_IN6,
// SIOCGIFNETMASK_IN6, SIOCGIFALIFETIME_IN6).
type In6Ifreq struct {
	Name  Name
	Union [272]byte
}

// Addr reads ifru_addr.
func (r *In6Ifreq) Addr() SockaddrIn6 {
	s, _ := UnmarshalSockaddrIn6(r.Union[:])
	return s
}

// SetAddr writes ifru_addr.
func (r *In6Ifreq) SetAddr(s SockaddrIn6) { s.MarshalTo(r.Union[:]) }

// Flags reads ifru_flags6 (an int).
func (r *In6Ifreq) Flags() int32 { return int32(binary.LittleEndian.Uint32(r.Union[:])) }

// SetFlags writes ifru_flags6.
func (r *In6Ifreq) SetFlags(f int32) { binary.LittleEndian.PutUint32(r.Union[:], uint32(f)) }

// Lifetime reads ifru_lifetime.
func (r *In6Ifreq) Lifetime() In6Addrlifetime {
	u := r.Union[:]
	return In6Addrlifetime{
		Expire:    int64(binary.LittleEndian.Uint64(u[0:])),
		Preferred: int64(binary.LittleEndian.Uint64(u[8:])),
		Vltime:    binary.LittleEndian.Uint32(u[16:]),
		Pltime:    binary.LittleEndian.Uint32(u[20:]),
	}
}

// SetLifetime writes ifru_lifetime.
func (r *In6Ifreq) SetLifetime(l In6Addrlifetime) {
	u := r.Union[:]
	binary.LittleEndian.PutUint64(u[0:], uint64(l.Expire))
	binary.LittleEndian.PutUint64(u[8:], uint64(l.Preferred))
	binary.LittleEndian.PutUint32(u[16:], l.Vltime)
	binary.LittleEndian.PutUint32(u[20:], l.Pltime)
}

// Marshal returns the structure's bytes.
func (r *In6Ifreq) Marshal() []byte {
	b := make([]byte, SizeofIn6Ifreq)
	copy(b, r.Name[:])
	copy(b[IFNAMSIZ:], r.Union[:])
	return b
}

// UnmarshalIn6Ifreq decodes a struct in6_ifreq.
func UnmarshalIn6Ifreq(b []byte) (*In6Ifreq, error) {
	if len(b) != SizeofIn6Ifreq {
		return nil, fmt.Errorf("in6_ifreq: %d bytes, want %d", len(b), SizeofIn6Ifreq)
	}
	r := new(In6Ifreq)
	copy(r.Name[:], b)
	copy(r.Union[:], b[IFNAMSIZ:])
	return r, nil
}

// IPv4 address flags (<netinet/in_var.h>, ia4_flags).
const (
	IN_IFF_TENTATIVE    = 0x01
	IN_IFF_DUPLICATED   = 0x02
	IN_IFF_DETACHED     = 0x04
	IN_IFF_TRYTENTATIVE = 0x08
)

// IPv6 address flags (<netinet6/in6_var.h>, ia6_flags).
const (
	IN6_IFF_ANYCAST    = 0x01
	IN6_IFF_TENTATIVE  = 0x02
	IN6_IFF_DUPLICATED = 0x04
	IN6_IFF_DETACHED   = 0x08
	IN6_IFF_DEPRECATED = 0x10
	IN6_IFF_NODAD      = 0x20
	IN6_IFF_AUTOCONF   = 0x40
	IN6_IFF_TEMPORARY  = 0x80
)
