package sys

import (
	"encoding/binary"
	"fmt"
)

// The routing socket of <net/route.h> (route(4)): a PF_ROUTE message is
// an rt_msghdr followed by the socket addresses its rtm_addrs names, in
// RTAX order, each padded to 8 bytes (RT_ROUNDUP).  Values are NetBSD's
// (sys/net/route.h 1.114 and later; unchanged in NetBSD 10), the layout
// NetBSD/amd64's.

// NBWG_ROUTE carries what a PF_ROUTE socket would: a routing message
// written to the kernel and the kernel's answer read back (route(8)'s
// add, delete, change and get), or a dump of the routing table, which
// NetBSD reads with sysctl(3) (CTL_NET, PF_ROUTE, 0, af, NET_RT_DUMP).
// The emulation has only its ioctl carrier, so it gives them a command
// word of their own in nbwg's group ('n'); it is nbwg's, not NetBSD's.
//
// The structure is RouteReq; the buffer holds the message written (for
// ROUTE_WRITE) and receives the answer: the message as the kernel
// completed it (RTF_DONE set; for RTM_GET the route found), or for
// ROUTE_DUMP one message per route.  An answer longer than OutLen is cut
// to OutLen bytes and OutLen set to the length it needs, so the caller
// asks again with more room.  A failed request returns its errno, as
// write(2) on the routing socket does, and copies nothing out.
var NBWG_ROUTE = IOWR('n', 2, SizeofRouteReq)

// RouteReq is the structure of NBWG_ROUTE.
type RouteReq struct {
	Op     uint32 // ROUTE_WRITE or ROUTE_DUMP
	Family uint32 // ROUTE_DUMP: the address family to list, AF_UNSPEC for all
	InLen  uint32 // ROUTE_WRITE: bytes of the message at the start of the buffer
	OutLen uint32 // in: room for the answer; out: bytes it needs
}

// SizeofRouteReq is the size of RouteReq.
const SizeofRouteReq = 16

// RouteReq operations.
const (
	ROUTE_WRITE = 1
	ROUTE_DUMP  = 2
)

// Marshal returns the structure's bytes.
func (r *RouteReq) Marshal() []byte {
	b := make([]byte, SizeofRouteReq)
	binary.LittleEndian.PutUint32(b[0:], r.Op)
	binary.LittleEndian.PutUint32(b[4:], r.Family)
	binary.LittleEndian.PutUint32(b[8:], r.InLen)
	binary.LittleEndian.PutUint32(b[12:], r.OutLen)
	return b
}

// UnmarshalRouteReq decodes a RouteReq.
func UnmarshalRouteReq(b []byte) (*RouteReq, error) {
	if len(b) != SizeofRouteReq {
		return nil, fmt.Errorf("route request: %d bytes, want %d", len(b), SizeofRouteReq)
	}
	return &RouteReq{
		Op:     binary.LittleEndian.Uint32(b[0:]),
		Family: binary.LittleEndian.Uint32(b[4:]),
		InLen:  binary.LittleEndian.Uint32(b[8:]),
		OutLen: binary.LittleEndian.Uint32(b[12:]),
	}, nil
}

// RTM_VERSION is the version of the routing messages.
const RTM_VERSION = 4

// Message types (rtm_type) route(8) sends.
const (
	RTM_ADD    = 0x1 // add route
	RTM_DELETE = 0x2 // delete route
	RTM_CHANGE = 0x3 // change metrics or flags
	RTM_GET    = 0x4 // report metrics
)

// Route flags (rtm_flags, rt_flags).
const (
	RTF_UP        = 0x1     // route usable
	RTF_GATEWAY   = 0x2     // destination is a gateway
	RTF_HOST      = 0x4     // host entry (net otherwise)
	RTF_REJECT    = 0x8     // host or net unreachable
	RTF_DYNAMIC   = 0x10    // created dynamically (by redirect)
	RTF_MODIFIED  = 0x20    // modified dynamically (by redirect)
	RTF_DONE      = 0x40    // message confirmed
	RTF_MASK      = 0x80    // subnet mask present
	RTF_CONNECTED = 0x100   // hosts on this route are neighbours
	RTF_LLDATA    = 0x400   // used by apps to add/del L2 entries
	RTF_STATIC    = 0x800   // manually added
	RTF_BLACKHOLE = 0x1000  // just discard packets
	RTF_PROTO2    = 0x4000  // protocol specific routing flag
	RTF_PROTO1    = 0x8000  // protocol specific routing flag
	RTF_SRC       = 0x10000 // route has fixed source address
	RTF_ANNOUNCE  = 0x20000 // announce new ARP or NDP entry
	RTF_LOCAL     = 0x40000 // route represents a local address
	RTF_BROADCAST = 0x80000 // route represents a broadcast address
)

// Metric bits (rtm_inits, rmx_locks).
const (
	RTV_MTU      = 0x1
	RTV_HOPCOUNT = 0x2
	RTV_EXPIRE   = 0x4
	RTV_RPIPE    = 0x8
	RTV_SPIPE    = 0x10
	RTV_SSTHRESH = 0x20
	RTV_RTT      = 0x40
	RTV_RTTVAR   = 0x80
)

// Address bits (rtm_addrs) and their indexes.
const (
	RTA_DST     = 0x1
	RTA_GATEWAY = 0x2
	RTA_NETMASK = 0x4
	RTA_GENMASK = 0x8
	RTA_IFP     = 0x10
	RTA_IFA     = 0x20
	RTA_AUTHOR  = 0x40
	RTA_BRD     = 0x80
	RTA_TAG     = 0x100

	RTAX_DST     = 0
	RTAX_GATEWAY = 1
	RTAX_NETMASK = 2
	RTAX_GENMASK = 3
	RTAX_IFP     = 4
	RTAX_IFA     = 5
	RTAX_AUTHOR  = 6
	RTAX_BRD     = 7
	RTAX_TAG     = 8
	RTAX_MAX     = 9
)

// RT_ROUNDUP is the room a socket address of length n takes in a
// routing message: n rounded up to 8 bytes, and 8 for an empty one.
func RT_ROUNDUP(n int) int {
	if n <= 0 {
		return 8
	}
	return (n + 7) &^ 7
}

// RtMetrics is struct rt_metrics.
type RtMetrics struct {
	Locks    uint64 // kernel must leave these values alone
	MTU      uint64 // MTU for this path
	Hopcount uint64 // max hops expected
	Recvpipe uint64 // inbound delay-bandwidth product
	Sendpipe uint64 // outbound delay-bandwidth product
	Ssthresh uint64 // outbound gateway buffer limit
	RTT      uint64 // estimated round trip time, microseconds
	RTTVar   uint64 // estimated rtt variance, microseconds
	Expire   int64  // lifetime for route (time_t)
	Pksent   int64  // packets sent using this route
}

// RtMsghdr is struct rt_msghdr.
type RtMsghdr struct {
	Msglen  uint16 // length of the whole message
	Version uint8  // RTM_VERSION
	Type    uint8  // RTM_*
	Index   uint16 // index of the route's interface
	Flags   int32  // RTF_*
	Addrs   int32  // RTA_* of the addresses that follow
	Pid     int32  // sender
	Seq     int32  // sender's sequence number
	Errno   int32  // why it failed
	Use     int32
	Inits   int32 // RTV_* of the metrics being set
	Rmx     RtMetrics
}

// SizeofRtMsghdr is the size of struct rt_msghdr on NetBSD/amd64: the
// header's ints, then the metrics aligned to 8 bytes at offset 40.
const SizeofRtMsghdr = 120

// MarshalTo writes the header into b, which must hold SizeofRtMsghdr bytes.
func (h *RtMsghdr) MarshalTo(b []byte) {
	le := binary.LittleEndian
	clear(b[:SizeofRtMsghdr])
	le.PutUint16(b[0:], h.Msglen)
	b[2], b[3] = h.Version, h.Type
	le.PutUint16(b[4:], h.Index)
	for i, v := range []int32{h.Flags, h.Addrs, h.Pid, h.Seq, h.Errno, h.Use, h.Inits} {
		le.PutUint32(b[8+4*i:], uint32(v))
	}
	m := &h.Rmx
	for i, v := range []uint64{m.Locks, m.MTU, m.Hopcount, m.Recvpipe, m.Sendpipe, m.Ssthresh, m.RTT, m.RTTVar, uint64(m.Expire), uint64(m.Pksent)} {
		le.PutUint64(b[40+8*i:], v)
	}
}

// UnmarshalRtMsghdr decodes the header at the start of b.
func UnmarshalRtMsghdr(b []byte) (*RtMsghdr, error) {
	if len(b) < SizeofRtMsghdr {
		return nil, fmt.Errorf("rt_msghdr: %d bytes, want %d", len(b), SizeofRtMsghdr)
	}
	le := binary.LittleEndian
	h := &RtMsghdr{Msglen: le.Uint16(b[0:]), Version: b[2], Type: b[3], Index: le.Uint16(b[4:])}
	ints := []*int32{&h.Flags, &h.Addrs, &h.Pid, &h.Seq, &h.Errno, &h.Use, &h.Inits}
	for i, p := range ints {
		*p = int32(le.Uint32(b[8+4*i:]))
	}
	m := &h.Rmx
	u64 := []*uint64{&m.Locks, &m.MTU, &m.Hopcount, &m.Recvpipe, &m.Sendpipe, &m.Ssthresh, &m.RTT, &m.RTTVar}
	for i, p := range u64 {
		*p = le.Uint64(b[40+8*i:])
	}
	m.Expire = int64(le.Uint64(b[104:]))
	m.Pksent = int64(le.Uint64(b[112:]))
	return h, nil
}

// RtMsg is a whole routing message: the header and its socket
// addresses.  Addrs[RTAX_x] holds the bytes of the address for RTA_x as
// they are in the message (sa_len first, up to the padding), or nil when
// the message has none.
type RtMsg struct {
	Hdr   RtMsghdr
	Addrs [RTAX_MAX][]byte
}

// Marshal returns the message's bytes, with rtm_msglen and rtm_addrs
// set from the addresses present.  Each address is padded with zeros to
// RT_ROUNDUP of its sa_len; bytes past that are dropped, so an address
// whose sa_len is 0 (route(8)'s mask for "default") keeps up to 8 bytes
// (its family), as route(8)'s NEXTADDR copies them.
func (m *RtMsg) Marshal() []byte {
	h := m.Hdr
	h.Addrs = 0
	n := SizeofRtMsghdr
	for i, sa := range m.Addrs {
		if sa != nil {
			h.Addrs |= 1 << i
			n += RT_ROUNDUP(saLen(sa))
		}
	}
	h.Msglen = uint16(n)
	b := make([]byte, n)
	h.MarshalTo(b)
	off := SizeofRtMsghdr
	for _, sa := range m.Addrs {
		if sa != nil {
			l := RT_ROUNDUP(saLen(sa))
			copy(b[off:off+l], sa)
			off += l
		}
	}
	return b
}

// saLen is a socket address's sa_len, 0 for an empty slice.
func saLen(sa []byte) int {
	if len(sa) == 0 {
		return 0
	}
	return int(sa[0])
}

// ParseRtMsg decodes one routing message from the start of b, as
// route_output and rt_xaddrs read what is written to the socket: the
// length must be rtm_msglen and at least a header, each address must fit,
// and every bit of rtm_addrs must name one (EINVAL otherwise); a version
// other than RTM_VERSION is EPROTONOSUPPORT.  It returns the message and
// its length.
func ParseRtMsg(b []byte) (*RtMsg, int, error) {
	h, err := UnmarshalRtMsghdr(b)
	if err != nil {
		return nil, 0, EINVAL
	}
	n := int(h.Msglen)
	if n < SizeofRtMsghdr || n > len(b) {
		return nil, 0, EINVAL
	}
	if h.Version != RTM_VERSION {
		return nil, 0, EPROTONOSUPPORT
	}
	if h.Addrs < 0 || h.Addrs>>RTAX_MAX != 0 {
		return nil, 0, EINVAL
	}
	m := &RtMsg{Hdr: *h}
	off, last, lastLen := SizeofRtMsghdr, -1, 0
	for i := 0; i < RTAX_MAX; i++ {
		if h.Addrs&(1<<i) == 0 {
			continue
		}
		if off >= n || off+int(b[off]) > n {
			return nil, 0, EINVAL
		}
		l := RT_ROUNDUP(int(b[off]))
		m.Addrs[i] = append([]byte(nil), b[off:min(off+l, n)]...)
		last, lastLen = i, int(b[off])
		off += l
	}
	// rt_xaddrs: the message ends with its last address, except that
	// a netmask that comes last may lack its padding (old binaries
	// did not write it).
	if off != n && !(last == RTAX_NETMASK && off-RT_ROUNDUP(lastLen)+lastLen == n) {
		return nil, 0, EINVAL
	}
	return m, n, nil
}

// SockaddrDl is struct sockaddr_dl: a link-level address, here an
// interface named by index or by name.
type SockaddrDl struct {
	Len    uint8
	Family uint8 // AF_LINK
	Index  uint16
	Type   uint8 // IFT_*
	Nlen   uint8 // bytes of name at the start of Data
	Alen   uint8 // bytes of link-level address after the name
	Slen   uint8
	Data   [24]byte
}

// SizeofSockaddrDl is the size of struct sockaddr_dl (dl_data[24]).
const SizeofSockaddrDl = 32

// Marshal returns the structure's bytes: Len of them, or all 32 when Len
// is 0 or larger.
func (s *SockaddrDl) Marshal() []byte {
	b := make([]byte, SizeofSockaddrDl)
	b[0], b[1] = s.Len, s.Family
	binary.LittleEndian.PutUint16(b[2:], s.Index)
	b[4], b[5], b[6], b[7] = s.Type, s.Nlen, s.Alen, s.Slen
	copy(b[8:], s.Data[:])
	if s.Len != 0 && int(s.Len) < len(b) {
		b = b[:s.Len]
	}
	return b
}

// UnmarshalSockaddrDl decodes a sockaddr_dl; bytes past the end of b
// read as zero, as past a trimmed sa_len.
func UnmarshalSockaddrDl(b []byte) SockaddrDl {
	var full [SizeofSockaddrDl]byte
	copy(full[:], b)
	s := SockaddrDl{
		Len: full[0], Family: full[1],
		Index: binary.LittleEndian.Uint16(full[2:]),
		Type:  full[4], Nlen: full[5], Alen: full[6], Slen: full[7],
	}
	copy(s.Data[:], full[8:])
	return s
}

// Name returns the interface name the address holds ("" if none).
func (s *SockaddrDl) Name() string {
	n := min(int(s.Nlen), len(s.Data))
	return string(s.Data[:n])
}

// Routing messages carry a link-local IPv6 address's scope inside the
// address, as KAME's kernel keeps it: the interface index in bytes 2 and
// 3 of fe80::/10 and ff02::/16, sin6_scope_id 0.  route(8) converts with
// libc's inet6_putscopeid and inet6_getscopeid.

// linkScope6 reports whether a is link-local unicast or link-local
// multicast (IN6_IS_ADDR_LINKLOCAL, IN6_IS_ADDR_MC_LINKLOCAL).
func linkScope6(a [16]byte) bool {
	return a[0] == 0xfe && a[1]&0xc0 == 0x80 || a[0] == 0xff && a[1]&0x0f == 0x02
}

// PutScopeID is inet6_putscopeid: the scope id of a link-local address
// moves into the address.
func PutScopeID(sa *SockaddrIn6) {
	if linkScope6(sa.Addr) && sa.ScopeID != 0 {
		binary.BigEndian.PutUint16(sa.Addr[2:], uint16(sa.ScopeID))
		sa.ScopeID = 0
	}
}

// GetScopeID is inet6_getscopeid: a scope embedded in a link-local
// address moves back into sin6_scope_id.
func GetScopeID(sa *SockaddrIn6) {
	if !linkScope6(sa.Addr) {
		return
	}
	if s := binary.BigEndian.Uint16(sa.Addr[2:]); s != 0 {
		if sa.ScopeID == 0 {
			sa.ScopeID = uint32(s)
		}
		sa.Addr[2], sa.Addr[3] = 0, 0
	}
}
