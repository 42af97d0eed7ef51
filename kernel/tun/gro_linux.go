//go:build linux

package tun

// Coalescing of what Write gives to a TUN with offloads (software GRO):
// consecutive TCP segments of one flow are merged into one superpacket that
// the Linux stack takes in one go, as a NIC doing GRO/LRO would deliver it;
// with USO, consecutive UDP datagrams of one flow too (see appendUDP).
// The merge follows the rules of the kernel's tcp_gro_receive, a little
// more strictly:
//
//   - only segments carrying data with flags ACK or ACK|PSH, without IPv4
//     options, fragmentation or IPv6 extension headers;
//   - equal IP headers (TOS/traffic class, flow label, DF, TTL/hop limit)
//     and equal TCP headers apart from sequence number and checksum
//     (same ack, window and options);
//   - each segment starts where the previous one ended, only the last may
//     be shorter than the first, and PSH may only be on the last;
//   - at most maxGROSegments segments and 64 KiB.
//
// Merging must not reorder a flow: only the newest group of a flow takes
// new segments, and any other TCP packet of the flow (a pure ACK, a FIN,
// a segment out of order) closes it. Every merged segment's checksum is
// verified first, because the kernel trusts the checksum of a merged
// packet (CHECKSUM_PARTIAL) and would otherwise accept corrupted data.
// Nothing is copied: the superpacket is written with writev(2) from a
// rebuilt header and the segments' payloads in the caller's buffers.

import (
	"bytes"
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// maxGROSegments bounds one merged packet. 64 full-sized segments are well
// above what 64 KiB holds at a WireGuard MTU, and keep writev's iovec list
// short.
const maxGROSegments = 64

// flowKey names a TCP or UDP flow in one direction.
type flowKey struct {
	src, dst     [16]byte
	sport, dport uint16
	v6           bool
	udp          bool
}

// groItem is one packet to write: a single packet or a merged group.
type groItem struct {
	head, tail  int // indices in bufs of the first and last member
	count       int
	bad         bool // the buffer does not even hold offset bytes
	open        bool // takes more members
	udp         bool // UDP datagrams, not TCP segments
	checkedHead bool // the head's checksum has been verified
	v6          bool
	psh         bool // the last member has PSH
	iphLen      int
	tcphLen     int
	gsoSize     int    // payload length of the head, the segment size
	length      int    // IP length of the merged packet
	nextSeq     uint32 // sequence number the next member must have
}

// groTable plans the writes of one Write call. Its slices and map are
// reused between calls; the zero value is ready to use.
type groTable struct {
	items []groItem
	next  []int // next[i]: index of the member after i in its group, or -1
	flows map[flowKey]int
	hdr   [virtioNetHdrLen + 60 + tcpMaxHdrLen]byte
	views [][]byte
	// trustChecksums skips verifying the segments merged (see
	// CreateAuthenticated).
	trustChecksums bool
	// udp merges UDP datagrams too: the kernel takes UDP GSO packets
	// (USO, TUN_F_USO4/6).
	udp bool
}

// tcpInfo is what classify learned about a packet.
type tcpInfo struct {
	isTCP     bool // a TCP segment with a parsable header
	isUDP     bool // a UDP datagram with a consistent header
	candidate bool // and one that may be merged
	key       flowKey
	v6        bool
	iphLen    int
	tcphLen   int
	payload   int
	seq       uint32
	psh       bool
}

// classify parses p far enough to decide whether it may be merged.
func classify(p []byte) (c tcpInfo) {
	if len(p) < ipv4HdrLen || len(p) > maxIPPacket {
		return c
	}
	switch p[0] >> 4 {
	case 4:
		c.iphLen = int(p[0]&0x0f) * 4
		fragment := p[6]&ipv4FlagMF != 0 || binary.BigEndian.Uint16(p[6:])&ipv4FragOffMask != 0
		if p[9] != unix.IPPROTO_TCP && p[9] != unix.IPPROTO_UDP || fragment || c.iphLen < ipv4HdrLen ||
			int(binary.BigEndian.Uint16(p[2:])) != len(p) {
			return c
		}
		c.key.udp = p[9] == unix.IPPROTO_UDP
	case 6:
		c.iphLen = ipv6HdrLen
		if len(p) < ipv6HdrLen || p[6] != unix.IPPROTO_TCP && p[6] != unix.IPPROTO_UDP ||
			int(binary.BigEndian.Uint16(p[4:])) != len(p)-ipv6HdrLen {
			return c
		}
		c.key.v6, c.v6 = true, true
		c.key.udp = p[6] == unix.IPPROTO_UDP
	default:
		return c
	}
	src, dst := ipAddrs(p, c.v6)
	copy(c.key.src[:], src)
	copy(c.key.dst[:], dst)
	if c.key.udp {
		if len(p) < c.iphLen+udpHdrLen || int(binary.BigEndian.Uint16(p[c.iphLen+4:])) != len(p)-c.iphLen {
			return c
		}
		u := p[c.iphLen:]
		c.isUDP = true
		c.key.sport = binary.BigEndian.Uint16(u[0:])
		c.key.dport = binary.BigEndian.Uint16(u[2:])
		c.payload = len(p) - c.iphLen - udpHdrLen
		c.candidate = c.payload > 0 && (c.v6 || c.iphLen == ipv4HdrLen)
		return c
	}
	if len(p) < c.iphLen+tcpMinHdrLen {
		return c
	}
	t := p[c.iphLen:]
	c.tcphLen = int(t[12]>>4) * 4
	if c.tcphLen < tcpMinHdrLen || c.iphLen+c.tcphLen > len(p) {
		return c
	}
	c.isTCP = true
	c.key.sport = binary.BigEndian.Uint16(t[0:])
	c.key.dport = binary.BigEndian.Uint16(t[2:])
	c.seq = binary.BigEndian.Uint32(t[4:])
	c.payload = len(p) - c.iphLen - c.tcphLen
	flags := t[tcpFlagsOff]
	c.psh = flags&tcpPSH != 0
	c.candidate = c.payload > 0 && (c.v6 || c.iphLen == ipv4HdrLen) &&
		(flags == tcpACK || flags == tcpACK|tcpPSH)
	return c
}

// plan groups bufs[i][offset:] into items, in the order their first
// members appear in bufs.
func (t *groTable) plan(bufs [][]byte, offset int) []groItem {
	t.items = t.items[:0]
	if t.flows == nil {
		t.flows = make(map[flowKey]int)
	}
	clear(t.flows)
	if cap(t.next) < len(bufs) {
		t.next = make([]int, len(bufs))
	}
	t.next = t.next[:len(bufs)]
	for i, b := range bufs {
		t.next[i] = -1
		if offset < 0 || offset > len(b) {
			t.items = append(t.items, groItem{head: i, tail: i, count: 1, bad: true})
			continue
		}
		p := b[offset:]
		c := classify(p)
		if !c.isTCP && !(c.isUDP && t.udp) {
			t.items = append(t.items, groItem{head: i, tail: i, count: 1})
			continue
		}
		if idx, ok := t.flows[c.key]; ok && c.candidate {
			it := &t.items[idx]
			if c.isUDP && t.appendUDP(it, i, p, &c, bufs, offset) || c.isTCP && t.appendTo(it, i, p, &c, bufs, offset) {
				continue
			}
		}
		// A new item, which is from now on the only one of its flow that
		// may grow.
		t.flows[c.key] = len(t.items)
		t.items = append(t.items, groItem{
			head: i, tail: i, count: 1,
			open: c.candidate && !c.psh,
			udp:  c.isUDP,
			v6:   c.v6, psh: c.psh,
			iphLen: c.iphLen, tcphLen: c.tcphLen,
			gsoSize: c.payload, length: len(p),
			nextSeq: c.seq + uint32(c.payload),
		})
	}
	return t.items
}

// appendTo merges packet i (p, described by c) into it if the rules allow.
func (t *groTable) appendTo(it *groItem, i int, p []byte, c *tcpInfo, bufs [][]byte, offset int) bool {
	if !it.open || c.seq != it.nextSeq || c.payload > it.gsoSize || c.tcphLen != it.tcphLen ||
		it.count >= maxGROSegments || it.length+c.payload > maxIPPacket {
		return false
	}
	head := bufs[it.head][offset:]
	if !headersMatch(head, p, it.v6, it.iphLen, it.tcphLen) {
		return false
	}
	if !t.checksumsValid(it, head, p, c, tcpChecksumValid) {
		return false
	}
	t.next[it.tail] = i
	it.tail = i
	it.count++
	it.length += c.payload
	it.nextSeq += uint32(c.payload)
	it.psh = c.psh
	if c.payload < it.gsoSize || c.psh {
		it.open = false // a short segment or PSH ends the group
	}
	return true
}

// checksumsValid checks with valid (TCP's or UDP's), unless the device
// trusts them, the checksums of the group's head, once, and of p.  A
// damaged head closes the group: it is left alone, and the kernel drops
// it.
func (t *groTable) checksumsValid(it *groItem, head, p []byte, c *tcpInfo, valid func([]byte, int, bool) bool) bool {
	if t.trustChecksums {
		return true
	}
	if !it.checkedHead {
		if !valid(head, it.iphLen, it.v6) {
			it.open = false
			return false
		}
		it.checkedHead = true
	}
	return valid(p, c.iphLen, c.v6)
}

// appendUDP merges UDP datagram i (p, described by c) into it if the rules
// allow, as the kernel's udp_gro_receive merges a flow's datagrams for a
// socket with UDP_GRO and as the newest wireguard-go does on its TUN: the
// same flow and IP header fields (TOS or traffic class, DF, TTL or hop
// limit), every datagram as long as the first but the last, which may be
// shorter and ends the group, at most maxGROSegments and 64 KiB.  The
// Linux stack cuts the merged packet apart again (udp_rcv_segment) for a
// socket that did not ask for UDP_GRO, after one write instead of one
// per datagram: what makes small datagrams cheap to deliver.
func (t *groTable) appendUDP(it *groItem, i int, p []byte, c *tcpInfo, bufs [][]byte, offset int) bool {
	if !it.open || !it.udp || c.payload > it.gsoSize || it.count >= maxGROSegments || it.length+c.payload > maxIPPacket {
		return false
	}
	head := bufs[it.head][offset:]
	if !ipHeadersMatch(head, p, it.v6) {
		return false
	}
	if !t.checksumsValid(it, head, p, c, udpChecksumValid) {
		return false
	}
	t.next[it.tail] = i
	it.tail = i
	it.count++
	it.length += c.payload
	if c.payload < it.gsoSize {
		it.open = false // a short datagram ends the group
	}
	return true
}

// ipHeadersMatch compares the IP header fields of a and b that a merged
// packet keeps from its head only.
func ipHeadersMatch(a, b []byte, v6 bool) bool {
	if v6 {
		// Version, traffic class, flow label; hop limit.
		return bytes.Equal(a[0:4], b[0:4]) && a[7] == b[7]
	}
	// TOS; DF (the rest of byte 6 is zero: no fragment); TTL.
	return a[1] == b[1] && a[6] == b[6] && a[8] == b[8]
}

// udpChecksumValid verifies the UDP checksum of an IPv4 or IPv6 packet;
// an IPv4 datagram without one (0) passes.
func udpChecksumValid(p []byte, iphLen int, v6 bool) bool {
	if !v6 && binary.BigEndian.Uint16(p[iphLen+udpCsumOff:]) == 0 {
		return true
	}
	src, dst := ipAddrs(p, v6)
	return fold(sum(p[iphLen:], pseudoHeaderSum(unix.IPPROTO_UDP, src, dst, len(p)-iphLen))) == 0xffff
}

// headersMatch compares everything in the IP and TCP headers of a and b
// that a merged packet keeps from its head only.
func headersMatch(a, b []byte, v6 bool, iphLen, tcphLen int) bool {
	if v6 {
		// Version, traffic class, flow label; hop limit.
		if !bytes.Equal(a[0:4], b[0:4]) || a[7] != b[7] {
			return false
		}
	} else {
		// TOS; DF (the rest of byte 6 is zero in a candidate); TTL.
		if a[1] != b[1] || a[6] != b[6] || a[8] != b[8] {
			return false
		}
	}
	ta, tb := a[iphLen:iphLen+tcphLen], b[iphLen:iphLen+tcphLen]
	return bytes.Equal(ta[8:12], tb[8:12]) && // ack
		bytes.Equal(ta[14:16], tb[14:16]) && // window
		bytes.Equal(ta[18:], tb[18:]) // urgent pointer, options
}

// tcpChecksumValid verifies the TCP checksum of an IPv4 or IPv6 packet.
func tcpChecksumValid(p []byte, iphLen int, v6 bool) bool {
	src, dst := ipAddrs(p, v6)
	return fold(sum(p[iphLen:], pseudoHeaderSum(unix.IPPROTO_TCP, src, dst, len(p)-iphLen))) == 0xffff
}

// itemViews returns the byte slices that, written in order with one writev,
// are item it behind its virtio_net_hdr. They point into bufs and into t,
// and are valid until the next call.
func (t *groTable) itemViews(it *groItem, bufs [][]byte, offset int) [][]byte {
	t.views = t.views[:0]
	head := bufs[it.head][offset:]
	if it.count == 1 {
		// GSO_NONE without NEEDS_CSUM: the kernel checks the packet's own
		// checksum as for any received packet.
		clear(t.hdr[:virtioNetHdrLen])
		return append(t.views, t.hdr[:virtioNetHdrLen], head)
	}
	if it.udp {
		return t.udpViews(it, bufs, offset)
	}
	hl := it.iphLen + it.tcphLen
	vh := virtioNetHdr{
		// NEEDS_CSUM makes the skb CHECKSUM_PARTIAL: the checksum field
		// holds the pseudo-header sum, the rest counts as verified.
		flags:      unix.VIRTIO_NET_HDR_F_NEEDS_CSUM,
		gsoType:    unix.VIRTIO_NET_HDR_GSO_TCPV4,
		hdrLen:     uint16(hl),
		gsoSize:    uint16(it.gsoSize),
		csumStart:  uint16(it.iphLen),
		csumOffset: tcpCsumOff,
	}
	if it.v6 {
		vh.gsoType = unix.VIRTIO_NET_HDR_GSO_TCPV6
	}
	vh.encode(t.hdr[:])
	h := t.hdr[virtioNetHdrLen : virtioNetHdrLen+hl]
	copy(h, head[:hl])
	setIPLength(h, it.v6, it.iphLen, it.length)
	if it.psh {
		h[it.iphLen+tcpFlagsOff] |= tcpPSH
	}
	src, dst := ipAddrs(h, it.v6)
	binary.BigEndian.PutUint16(h[it.iphLen+tcpCsumOff:],
		fold(pseudoHeaderSum(unix.IPPROTO_TCP, src, dst, it.length-it.iphLen)))
	t.views = append(t.views, t.hdr[:virtioNetHdrLen+hl], head[hl:])
	for i := t.next[it.head]; i >= 0; i = t.next[i] {
		t.views = append(t.views, bufs[i][offset+hl:])
	}
	return t.views
}

// udpViews is itemViews for merged UDP datagrams: a UDP GSO packet whose
// segments are the datagrams' payloads.
func (t *groTable) udpViews(it *groItem, bufs [][]byte, offset int) [][]byte {
	head := bufs[it.head][offset:]
	hl := it.iphLen + udpHdrLen
	vh := virtioNetHdr{
		flags:      unix.VIRTIO_NET_HDR_F_NEEDS_CSUM,
		gsoType:    unix.VIRTIO_NET_HDR_GSO_UDP_L4,
		hdrLen:     uint16(hl),
		gsoSize:    uint16(it.gsoSize),
		csumStart:  uint16(it.iphLen),
		csumOffset: udpCsumOff,
	}
	vh.encode(t.hdr[:])
	h := t.hdr[virtioNetHdrLen : virtioNetHdrLen+hl]
	copy(h, head[:hl])
	setIPLength(h, it.v6, it.iphLen, it.length)
	binary.BigEndian.PutUint16(h[it.iphLen+4:], uint16(it.length-it.iphLen))
	src, dst := ipAddrs(h, it.v6)
	binary.BigEndian.PutUint16(h[it.iphLen+udpCsumOff:],
		fold(pseudoHeaderSum(unix.IPPROTO_UDP, src, dst, it.length-it.iphLen)))
	t.views = append(t.views, t.hdr[:virtioNetHdrLen+hl], head[hl:])
	for i := t.next[it.head]; i >= 0; i = t.next[i] {
		t.views = append(t.views, bufs[i][offset+hl:])
	}
	return t.views
}

// members calls fn for each bufs index in it, in order.
func (t *groTable) members(it *groItem, fn func(i int)) {
	for i := it.head; i >= 0; i = t.next[i] {
		fn(i)
	}
}
