//go:build linux

package tun

// Segmentation of what Read gets from a TUN with offloads: the Linux stack
// hands over TCP (TSO) and UDP (USO) superpackets of up to 64 KiB, each
// behind a virtio_net_hdr, and expects the reader to cut them into packets
// of gsoSize payload bytes as a NIC would, or packets whose checksum is
// still to be completed (CHECKSUM_PARTIAL). WireGuard encrypts each
// MTU-sized packet separately, so every segment becomes a full IP packet
// with correct length fields and checksums.
//
// A superpacket may have more segments than the caller has buffers; the
// segmenter keeps the rest for the next Read instead of dropping them.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// errBadGSO marks a superpacket the kernel should not have produced; Read
// drops it.
var errBadGSO = errors.New("malformed offloaded packet")

// segmenter holds the packet last read from the TUN and hands out its
// segments. The zero value holds nothing.
type segmenter struct {
	pkt     []byte // the superpacket, without virtio_net_hdr; nil when done
	proto   uint8  // unix.IPPROTO_TCP or unix.IPPROTO_UDP
	v6      bool
	iphLen  int // IP header length, extension headers included (= csum_start)
	hdrLen  int // IP and transport headers
	gsoSize int
	next    int    // offset in pkt of the next segment's payload
	index   int    // number of the next segment
	firstID uint16 // IPv4 identification of segment 0
	seq     uint32 // TCP sequence number of segment 0
}

// pending reports whether segments are left.
func (s *segmenter) pending() bool { return s.pkt != nil }

// load takes one packet as read from the TUN (virtio_net_hdr first). A
// packet that needs no segmentation has its checksum completed and is
// returned as single; otherwise the segmenter is set up and single is nil.
// in is modified in place and must stay untouched until the segments have
// been taken.
func (s *segmenter) load(in []byte) (single []byte, err error) {
	*s = segmenter{}
	var h virtioNetHdr
	if err := h.decode(in); err != nil {
		return nil, err
	}
	in = in[virtioNetHdrLen:]
	gsoType := h.gsoType &^ unix.VIRTIO_NET_HDR_GSO_ECN
	if gsoType == unix.VIRTIO_NET_HDR_GSO_NONE {
		if h.flags&unix.VIRTIO_NET_HDR_F_NEEDS_CSUM != 0 {
			if err := completeChecksum(in, int(h.csumStart), int(h.csumOffset)); err != nil {
				return nil, err
			}
		}
		return in, nil
	}
	if len(in) < ipv4HdrLen {
		return nil, fmt.Errorf("%w: %d-byte %s superpacket", errBadGSO, len(in), gsoTypeName(h.gsoType))
	}
	s.iphLen = int(h.csumStart)
	s.gsoSize = int(h.gsoSize)
	switch in[0] >> 4 {
	case 4:
		// csum_start must be where the IPv4 header says the payload starts.
		if gsoType != unix.VIRTIO_NET_HDR_GSO_TCPV4 && gsoType != unix.VIRTIO_NET_HDR_GSO_UDP_L4 || s.iphLen != int(in[0]&0x0f)*4 || s.iphLen < ipv4HdrLen {
			return nil, fmt.Errorf("%w: IPv4 %s with csum_start %d", errBadGSO, gsoTypeName(h.gsoType), s.iphLen)
		}
		s.firstID = binary.BigEndian.Uint16(in[4:])
	case 6:
		if gsoType != unix.VIRTIO_NET_HDR_GSO_TCPV6 && gsoType != unix.VIRTIO_NET_HDR_GSO_UDP_L4 || s.iphLen < ipv6HdrLen {
			return nil, fmt.Errorf("%w: IPv6 %s with csum_start %d", errBadGSO, gsoTypeName(h.gsoType), s.iphLen)
		}
		s.v6 = true
	default:
		return nil, fmt.Errorf("%w: IP version %d", errBadGSO, in[0]>>4)
	}
	// The headers' length comes from the transport header itself, not from
	// hdr_len: for forwarded packets the kernel may set hdr_len to the
	// whole first segment (as wireguard-go notes).
	if gsoType == unix.VIRTIO_NET_HDR_GSO_UDP_L4 {
		s.proto = unix.IPPROTO_UDP
		s.hdrLen = s.iphLen + udpHdrLen
	} else {
		s.proto = unix.IPPROTO_TCP
		if len(in) < s.iphLen+tcpMinHdrLen {
			return nil, fmt.Errorf("%w: TCP header beyond %d bytes", errBadGSO, len(in))
		}
		s.hdrLen = s.iphLen + int(in[s.iphLen+12]>>4)*4
		if s.hdrLen-s.iphLen < tcpMinHdrLen {
			return nil, fmt.Errorf("%w: TCP data offset %d", errBadGSO, s.hdrLen-s.iphLen)
		}
		s.seq = binary.BigEndian.Uint32(in[s.iphLen+4:])
	}
	if s.hdrLen > len(in) || s.gsoSize == 0 {
		return nil, fmt.Errorf("%w: %d header bytes, gso_size %d, in %d bytes", errBadGSO, s.hdrLen, s.gsoSize, len(in))
	}
	s.pkt = in
	s.next = s.hdrLen
	return nil, nil
}

// take writes segments into bufs[i][offset:] and their lengths into
// sizes[i], as many as there are left and buffers to hold them. A buffer
// too short for its segment ends the batch early; if it is the first one,
// the superpacket is dropped with an error wrapping io.ErrShortBuffer.
func (s *segmenter) take(bufs [][]byte, sizes []int, offset int) (int, error) {
	n := 0
	for ; n < len(bufs) && s.pkt != nil; n++ {
		end := min(s.next+s.gsoSize, len(s.pkt))
		segLen := s.hdrLen + end - s.next
		if offset < 0 || offset > len(bufs[n]) || len(bufs[n])-offset < segLen {
			if n == 0 {
				s.pkt = nil
				return 0, fmt.Errorf("%d-byte segment in %d-byte buffer at offset %d: %w", segLen, len(bufs[n]), offset, io.ErrShortBuffer)
			}
			break
		}
		sizes[n] = s.segment(bufs[n][offset:offset+segLen], end)
		s.next = end
		s.index++
		if s.next >= len(s.pkt) {
			s.pkt = nil
		}
	}
	return n, nil
}

// segment builds segment s.index, carrying s.pkt[s.next:end], in out
// (exactly its length) and returns that length.
func (s *segmenter) segment(out []byte, end int) int {
	in := s.pkt
	copy(out, in[:s.hdrLen])
	copy(out[s.hdrLen:], in[s.next:end])
	last := end == len(in)

	if !s.v6 {
		// Each IPv4 segment is a datagram of its own: the next
		// identification (as the kernel's own TSO does for IDs that are
		// not fixed), then its length and a fresh header checksum.
		binary.BigEndian.PutUint16(out[4:], s.firstID+uint16(s.index))
	}
	setIPLength(out, s.v6, s.iphLen, len(out))

	l4 := out[s.iphLen:]
	csumOff := udpCsumOff
	if s.proto == unix.IPPROTO_TCP {
		csumOff = tcpCsumOff
		binary.BigEndian.PutUint32(l4[4:], s.seq+uint32(s.next-s.hdrLen))
		if !last {
			// FIN and PSH belong to the last segment only; CWR to the
			// first (RFC 3168 6.1.2, as tcp_gso_segment does).
			l4[tcpFlagsOff] &^= tcpFIN | tcpPSH
		}
		if s.index > 0 {
			l4[tcpFlagsOff] &^= tcpCWR
		}
	} else {
		binary.BigEndian.PutUint16(l4[4:], uint16(len(l4)))
	}
	l4[csumOff], l4[csumOff+1] = 0, 0
	src, dst := ipAddrs(out, s.v6)
	c := checksum(l4, pseudoHeaderSum(s.proto, src, dst, len(l4)))
	if c == 0 && s.proto == unix.IPPROTO_UDP {
		c = 0xffff // a UDP checksum of 0 means none (RFC 768)
	}
	binary.BigEndian.PutUint16(l4[csumOff:], c)
	return len(out)
}

// completeChecksum finishes a CHECKSUM_PARTIAL packet: the field at
// csumStart+csumOffset holds the pseudo-header sum, and the checksum is the
// complement of the sum of everything from csumStart, that field included.
func completeChecksum(p []byte, csumStart, csumOffset int) error {
	at := csumStart + csumOffset
	if csumStart > len(p) || at+2 > len(p) {
		return fmt.Errorf("%w: checksum at %d+%d of %d bytes", errBadGSO, csumStart, csumOffset, len(p))
	}
	c := checksum(p[csumStart:], 0)
	if c == 0 && csumOffset == udpCsumOff {
		c = 0xffff // UDP: 0 would mean "no checksum" (RFC 768)
	}
	binary.BigEndian.PutUint16(p[at:], c)
	return nil
}
