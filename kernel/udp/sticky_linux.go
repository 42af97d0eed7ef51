//go:build linux

package udp

// Sticky source addresses, as wireguard-go's StdNetBind keeps them
// (conn/sticky_linux.go): a host with several addresses answers a peer
// from the address the peer wrote to, not from the one routing would
// choose, so that the peer, which roams to the source of what it
// receives, keeps the endpoint it was given.  The socket learns with
// IP_PKTINFO / IPV6_RECVPKTINFO which local address each datagram came
// to, remembers it per remote address, and sends to that remote with the
// address as source (a pktinfo control message).  When the address is
// gone the kernel refuses it (ENETUNREACH for IPv4, EINVAL for IPv6), and
// the socket forgets it and lets routing choose: sticky, but not too
// sticky.  (The Linux driver does the same on EINVAL; wireguard-go
// forgets the source only when a handshake is retried.)

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pktinfoCmsgSpace is the room for one IP_PKTINFO (struct in_pktinfo, 12
// bytes) or IPV6_PKTINFO (struct in6_pktinfo, 20 bytes) control message.
var pktinfoCmsgSpace = unix.CmsgSpace(unix.SizeofInet6Pktinfo)

// maxSticky bounds the remote addresses a socket remembers: spoofed
// sources could otherwise fill memory.  When full it starts again, and
// peers are answered as routing chooses until they write again.
const maxSticky = 4096

// local is a local address a remote wrote to, with the interface it came
// in on (needed for an IPv6 link-local source).
type local struct {
	addr    netip.Addr
	ifindex int32
}

// stickyTable maps remote addresses to the local addresses they wrote to.
type stickyTable struct {
	mu sync.RWMutex
	m  map[netip.AddrPort]local
}

// learn records that from wrote to at.
func (t *stickyTable) learn(from netip.AddrPort, at local) {
	if !at.addr.IsValid() || !from.IsValid() {
		return
	}
	t.mu.RLock()
	old, ok := t.m[from]
	t.mu.RUnlock()
	if ok && old == at {
		return // the common case: the same peer, the same address
	}
	t.mu.Lock()
	if t.m == nil || len(t.m) >= maxSticky {
		t.m = make(map[netip.AddrPort]local)
	}
	t.m[from] = at
	t.mu.Unlock()
}

// lookup returns the local address to send to ep from, if any.
func (t *stickyTable) lookup(ep netip.AddrPort) (local, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	l, ok := t.m[ep]
	return l, ok
}

// forget drops ep's local address, which the kernel refused.
func (t *stickyTable) forget(ep netip.AddrPort) {
	t.mu.Lock()
	delete(t.m, ep)
	t.mu.Unlock()
}

// enablePktinfo asks the kernel for the destination of every datagram.
func enablePktinfo(fd int, is6 bool) error {
	if is6 {
		return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1)
	}
	return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_PKTINFO, 1)
}

// pktinfoDst finds the pktinfo control message in oob: the local address
// the datagram was sent to and the interface it came in on.
func pktinfoDst(oob []byte) (local, bool) {
	for len(oob) >= unix.SizeofCmsghdr {
		h, data, rest, err := unix.ParseOneSocketControlMessage(oob)
		if err != nil {
			return local{}, false
		}
		switch {
		case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_PKTINFO && len(data) >= unix.SizeofInet4Pktinfo:
			// struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }:
			// ipi_spec_dst is the local address, as wireguard-go takes it.
			var a [4]byte
			copy(a[:], data[4:8])
			return local{addr: netip.AddrFrom4(a), ifindex: int32(binary.NativeEndian.Uint32(data[0:4]))}, true
		case h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
			// struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }
			var a [16]byte
			copy(a[:], data[0:16])
			return local{addr: netip.AddrFrom16(a), ifindex: int32(binary.NativeEndian.Uint32(data[16:20]))}, true
		}
		oob = rest
	}
	return local{}, false
}

// putPktinfoCmsg writes a control message that sends from l into b,
// which must be pktinfoCmsgSpace long, and returns its length.  An IPv4
// source goes without an interface (the address alone chooses the
// source, routing the rest); an IPv6 one with its interface only when it
// is link-local, where the address alone is ambiguous.
func putPktinfoCmsg(b []byte, l local, is6 bool) int {
	clear(b)
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	data := b[unix.CmsgLen(0):]
	if is6 {
		h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_PKTINFO
		h.SetLen(unix.CmsgLen(unix.SizeofInet6Pktinfo))
		a := l.addr.As16()
		copy(data[0:16], a[:])
		if l.addr.IsLinkLocalUnicast() {
			binary.NativeEndian.PutUint32(data[16:20], uint32(l.ifindex))
		}
		return unix.CmsgSpace(unix.SizeofInet6Pktinfo)
	}
	h.Level, h.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
	a := l.addr.As4()
	copy(data[4:8], a[:]) // ipi_spec_dst
	return unix.CmsgSpace(unix.SizeofInet4Pktinfo)
}
