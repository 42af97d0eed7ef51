package sys

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// IFNAMSIZ is the size of an interface name buffer, NUL included.
const IFNAMSIZ = 16

// IFDESCRSIZE is the size of an interface description, NUL included
// (<net/if.h>, NetBSD 10).
const IFDESCRSIZE = 64

// Interface flags (<net/if.h>, if_flags).
const (
	IFF_UP          = 0x0001
	IFF_BROADCAST   = 0x0002
	IFF_DEBUG       = 0x0004
	IFF_LOOPBACK    = 0x0008
	IFF_POINTOPOINT = 0x0010
	IFF_UNNUMBERED  = 0x0020
	IFF_RUNNING     = 0x0040
	IFF_NOARP       = 0x0080
	IFF_PROMISC     = 0x0100
	IFF_ALLMULTI    = 0x0200
	IFF_OACTIVE     = 0x0400
	IFF_SIMPLEX     = 0x0800
	IFF_LINK0       = 0x1000
	IFF_LINK1       = 0x2000
	IFF_LINK2       = 0x4000
	IFF_MULTICAST   = 0x8000

	// IFF_CANTCHANGE are the flags SIOCSIFFLAGS may not set or clear.
	IFF_CANTCHANGE = IFF_BROADCAST | IFF_POINTOPOINT | IFF_RUNNING |
		IFF_OACTIVE | IFF_SIMPLEX | IFF_MULTICAST | IFF_ALLMULTI | IFF_PROMISC
)

// Link states (<net/if.h>, if_link_state).
const (
	LINK_STATE_UNKNOWN = 0
	LINK_STATE_DOWN    = 1
	LINK_STATE_UP      = 2
)

// Address families as NetBSD numbers them (<sys/socket.h>).
const (
	AF_UNSPEC = 0
	AF_INET   = 2
	AF_LINK   = 18
	AF_INET6  = 24
)

// Sizes of the structures below on NetBSD/amd64.
const (
	SizeofIfreq       = IFNAMSIZ + SizeofSockaddrStorage // 144
	SizeofIfdrv       = IFNAMSIZ + 8 + 8 + 8             // 40
	SizeofIfClonereq  = 4 + 4 + 8                        // 16
	SizeofIfconf      = 4 + 4 + 8                        // 16 (int, padding, pointer)
	SizeofIfData      = 136
	SizeofIfDatareq   = IFNAMSIZ + SizeofIfData // 152
	SizeofInAliasreq  = IFNAMSIZ + 3*SizeofSockaddrIn
	SizeofIn6Aliasreq = IFNAMSIZ + 3*SizeofSockaddrIn6 + 4 + SizeofIn6Addrlifetime // 128
)

// Name is an interface name buffer, NUL-padded as in struct ifreq.
type Name [IFNAMSIZ]byte

// MakeName fills a Name from s; names that do not fit with their NUL are
// refused, as the kernel would not find them anyway.
func MakeName(s string) (Name, error) {
	var n Name
	if len(s) >= IFNAMSIZ {
		return n, fmt.Errorf("interface name %q too long", s)
	}
	copy(n[:], s)
	return n, nil
}

// String returns the name up to its first NUL.
func (n Name) String() string {
	if i := bytes.IndexByte(n[:], 0); i >= 0 {
		return string(n[:i])
	}
	return string(n[:])
}

// Ifreq is struct ifreq: a name and a 128-byte union of which each request
// uses one member (ifru_flags, ifru_mtu, ifru_addr, ...).
type Ifreq struct {
	Name  Name
	Union [SizeofSockaddrStorage]byte
}

// Flags reads ifru_flags (a short).
func (r *Ifreq) Flags() int16 { return int16(binary.LittleEndian.Uint16(r.Union[:])) }

// SetFlags writes ifru_flags.
func (r *Ifreq) SetFlags(f int16) { binary.LittleEndian.PutUint16(r.Union[:], uint16(f)) }

// Int reads the int members of the union (ifru_mtu, ifru_metric, ifru_addrflags).
func (r *Ifreq) Int() int32 { return int32(binary.LittleEndian.Uint32(r.Union[:])) }

// SetInt writes an int member of the union.
func (r *Ifreq) SetInt(v int32) { binary.LittleEndian.PutUint32(r.Union[:], uint32(v)) }

// Buflen reads ifr_buflen: the length of the buffer at ifr_buf (struct
// ifru_b is a uint32 length, then the pointer, 8-aligned, at offset 8).
func (r *Ifreq) Buflen() uint32 { return binary.LittleEndian.Uint32(r.Union[:]) }

// SetBuflen writes ifr_buflen.
func (r *Ifreq) SetBuflen(n uint32) { binary.LittleEndian.PutUint32(r.Union[:], n) }

// IfreqBufOffset is where struct ifreq holds ifr_buf, the user pointer
// of SIOCSIFDESCR and SIOCGIFDESCR.
const IfreqBufOffset = IFNAMSIZ + 8

// Marshal returns the structure's bytes.
func (r *Ifreq) Marshal() []byte {
	b := make([]byte, SizeofIfreq)
	copy(b, r.Name[:])
	copy(b[IFNAMSIZ:], r.Union[:])
	return b
}

// UnmarshalIfreq decodes a struct ifreq.
func UnmarshalIfreq(b []byte) (*Ifreq, error) {
	if len(b) != SizeofIfreq {
		return nil, fmt.Errorf("ifreq: %d bytes, want %d", len(b), SizeofIfreq)
	}
	r := new(Ifreq)
	copy(r.Name[:], b)
	copy(r.Union[:], b[IFNAMSIZ:])
	return r, nil
}

// Ifdrv is struct ifdrv, the argument of SIOCSDRVSPEC and SIOCGDRVSPEC:
// a driver-specific command and a buffer of Len bytes at Data.
type Ifdrv struct {
	Name Name
	Cmd  uint64 // ifd_cmd, an unsigned long
	Len  uint64 // ifd_len, a size_t
	Data uint64 // ifd_data, a user pointer; meaningless across processes
}

// Marshal returns the structure's bytes.
func (d *Ifdrv) Marshal() []byte {
	b := make([]byte, SizeofIfdrv)
	copy(b, d.Name[:])
	binary.LittleEndian.PutUint64(b[16:], d.Cmd)
	binary.LittleEndian.PutUint64(b[24:], d.Len)
	binary.LittleEndian.PutUint64(b[32:], d.Data)
	return b
}

// UnmarshalIfdrv decodes a struct ifdrv.
func UnmarshalIfdrv(b []byte) (*Ifdrv, error) {
	if len(b) != SizeofIfdrv {
		return nil, fmt.Errorf("ifdrv: %d bytes, want %d", len(b), SizeofIfdrv)
	}
	d := new(Ifdrv)
	copy(d.Name[:], b)
	d.Cmd = binary.LittleEndian.Uint64(b[16:])
	d.Len = binary.LittleEndian.Uint64(b[24:])
	d.Data = binary.LittleEndian.Uint64(b[32:])
	return d, nil
}

// IfClonereq is struct if_clonereq (SIOCIFGCLONERS): the caller offers a
// buffer of Count names of IFNAMSIZ bytes; the kernel reports Total.
type IfClonereq struct {
	Total  int32
	Count  int32
	Buffer uint64 // ifcr_buffer, a user pointer
}

// Marshal returns the structure's bytes.
func (c *IfClonereq) Marshal() []byte {
	b := make([]byte, SizeofIfClonereq)
	binary.LittleEndian.PutUint32(b[0:], uint32(c.Total))
	binary.LittleEndian.PutUint32(b[4:], uint32(c.Count))
	binary.LittleEndian.PutUint64(b[8:], c.Buffer)
	return b
}

// UnmarshalIfClonereq decodes a struct if_clonereq.
func UnmarshalIfClonereq(b []byte) (*IfClonereq, error) {
	if len(b) != SizeofIfClonereq {
		return nil, fmt.Errorf("if_clonereq: %d bytes, want %d", len(b), SizeofIfClonereq)
	}
	return &IfClonereq{
		Total:  int32(binary.LittleEndian.Uint32(b[0:])),
		Count:  int32(binary.LittleEndian.Uint32(b[4:])),
		Buffer: binary.LittleEndian.Uint64(b[8:]),
	}, nil
}

// Ifconf is struct ifconf (SIOCGIFCONF): Len bytes of struct ifreq at Buf,
// one per interface address.
type Ifconf struct {
	Len int32
	Buf uint64 // ifc_buf, a user pointer
}

// Marshal returns the structure's bytes.
func (c *Ifconf) Marshal() []byte {
	b := make([]byte, SizeofIfconf)
	binary.LittleEndian.PutUint32(b[0:], uint32(c.Len))
	binary.LittleEndian.PutUint64(b[8:], c.Buf)
	return b
}

// UnmarshalIfconf decodes a struct ifconf.
func UnmarshalIfconf(b []byte) (*Ifconf, error) {
	if len(b) != SizeofIfconf {
		return nil, fmt.Errorf("ifconf: %d bytes, want %d", len(b), SizeofIfconf)
	}
	return &Ifconf{Len: int32(binary.LittleEndian.Uint32(b[0:])), Buf: binary.LittleEndian.Uint64(b[8:])}, nil
}

// IfData is the part of struct if_data that nbwg fills in: type, link
// state, MTU and the packet counters.
type IfData struct {
	Type       uint8
	Addrlen    uint8
	Hdrlen     uint8
	LinkState  int32
	MTU        uint64
	Metric     uint64
	Baudrate   uint64
	Ipackets   uint64
	Ierrors    uint64
	Opackets   uint64
	Oerrors    uint64
	Collisions uint64
	Ibytes     uint64
	Obytes     uint64
	Imcasts    uint64
	Omcasts    uint64
	Iqdrops    uint64
	Noproto    uint64
	LastChange Timespec
}

// Timespec is struct timespec on amd64.
type Timespec struct {
	Sec  int64
	Nsec int64
}

// IfDatareq is struct ifdatareq (SIOCGIFDATA, SIOCZIFDATA).
type IfDatareq struct {
	Name Name
	Data IfData
}

// Marshal returns the structure's bytes.
func (r *IfDatareq) Marshal() []byte {
	b := make([]byte, SizeofIfDatareq)
	copy(b, r.Name[:])
	d := b[IFNAMSIZ:]
	d[0], d[1], d[2] = r.Data.Type, r.Data.Addrlen, r.Data.Hdrlen
	binary.LittleEndian.PutUint32(d[4:], uint32(r.Data.LinkState))
	for i, v := range r.Data.counters() {
		binary.LittleEndian.PutUint64(d[8+8*i:], v)
	}
	binary.LittleEndian.PutUint64(d[120:], uint64(r.Data.LastChange.Sec))
	binary.LittleEndian.PutUint64(d[128:], uint64(r.Data.LastChange.Nsec))
	return b
}

func (d *IfData) counters() [14]uint64 {
	return [14]uint64{d.MTU, d.Metric, d.Baudrate, d.Ipackets, d.Ierrors,
		d.Opackets, d.Oerrors, d.Collisions, d.Ibytes, d.Obytes, d.Imcasts,
		d.Omcasts, d.Iqdrops, d.Noproto}
}

// UnmarshalIfDatareq decodes a struct ifdatareq.
func UnmarshalIfDatareq(b []byte) (*IfDatareq, error) {
	if len(b) != SizeofIfDatareq {
		return nil, fmt.Errorf("ifdatareq: %d bytes, want %d", len(b), SizeofIfDatareq)
	}
	r := new(IfDatareq)
	copy(r.Name[:], b)
	d := b[IFNAMSIZ:]
	r.Data.Type, r.Data.Addrlen, r.Data.Hdrlen = d[0], d[1], d[2]
	r.Data.LinkState = int32(binary.LittleEndian.Uint32(d[4:]))
	var c [14]uint64
	for i := range c {
		c[i] = binary.LittleEndian.Uint64(d[8+8*i:])
	}
	r.Data.MTU, r.Data.Metric, r.Data.Baudrate, r.Data.Ipackets = c[0], c[1], c[2], c[3]
	r.Data.Ierrors, r.Data.Opackets, r.Data.Oerrors, r.Data.Collisions = c[4], c[5], c[6], c[7]
	r.Data.Ibytes, r.Data.Obytes, r.Data.Imcasts, r.Data.Omcasts = c[8], c[9], c[10], c[11]
	r.Data.Iqdrops, r.Data.Noproto = c[12], c[13]
	r.Data.LastChange.Sec = int64(binary.LittleEndian.Uint64(d[120:]))
	r.Data.LastChange.Nsec = int64(binary.LittleEndian.Uint64(d[128:]))
	return r, nil
}

// IFT_OTHER is the interface type wg(4) attaches with (<net/if_types.h>).
const IFT_OTHER = 0x1
