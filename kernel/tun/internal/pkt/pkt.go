// Package pkt builds and checks IPv4 and IPv6 packets (ICMP echo, UDP, TCP)
// for tests. It is deliberately independent of package tun's own checksum
// and offload code, so that tests of one are checked by the other.
//
// Package tuntest re-exports the builders; package tun's internal tests use
// them directly (they cannot import tuntest, which imports tun).
package pkt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// IP protocol numbers (RFC 790 and successors).
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// TCP flags (RFC 9293 3.1).
const (
	TCPFin = 0x01
	TCPSyn = 0x02
	TCPRst = 0x04
	TCPPsh = 0x08
	TCPAck = 0x10
)

// IP is the network header of a packet to build. Src and Dst decide the
// version; both must be of the same family.
type IP struct {
	Src, Dst netip.Addr
	// TTL is the IPv4 TTL or IPv6 hop limit; 0 means 64.
	TTL uint8
	// TOS is the IPv4 type of service or IPv6 traffic class.
	TOS uint8
	// ID is the IPv4 identification; unused for IPv6.
	ID uint16
	// DF sets the IPv4 don't-fragment flag.
	DF bool
}

// Checksum returns the Internet checksum (RFC 1071) of b, starting from the
// 32-bit partial sum initial (for example a pseudo-header sum). It is the
// complemented, folded sum, ready to store in a header.
func Checksum(b []byte, initial uint32) uint16 {
	sum := uint64(initial)
	for len(b) >= 2 {
		sum += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint64(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// pseudoSum is the unfolded sum of the TCP/UDP/ICMPv6 pseudo-header
// (RFC 768, RFC 9293 3.1, RFC 8200 8.1).
func pseudoSum(src, dst netip.Addr, proto uint8, length int) uint32 {
	var sum uint32
	for _, a := range [][]byte{src.AsSlice(), dst.AsSlice()} {
		for i := 0; i+1 < len(a); i += 2 {
			sum += uint32(a[i])<<8 | uint32(a[i+1])
		}
	}
	return sum + uint32(proto) + uint32(length>>16) + uint32(length&0xffff)
}

// Build returns the IP packet carrying payload as protocol proto. It
// returns nil when the addresses are invalid or of different families, or
// the packet would be too large.
func Build(h IP, proto uint8, payload []byte) []byte {
	ttl := h.TTL
	if ttl == 0 {
		ttl = 64
	}
	switch {
	case h.Src.Is4() && h.Dst.Is4():
		if 20+len(payload) > 0xffff {
			return nil
		}
		b := make([]byte, 20+len(payload))
		b[0] = 0x45
		b[1] = h.TOS
		binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
		binary.BigEndian.PutUint16(b[4:], h.ID)
		if h.DF {
			b[6] = 0x40
		}
		b[8] = ttl
		b[9] = proto
		src, dst := h.Src.As4(), h.Dst.As4()
		copy(b[12:], src[:])
		copy(b[16:], dst[:])
		binary.BigEndian.PutUint16(b[10:], Checksum(b[:20], 0))
		copy(b[20:], payload)
		return b
	case h.Src.Is6() && !h.Src.Is4In6() && h.Dst.Is6() && !h.Dst.Is4In6():
		if len(payload) > 0xffff {
			return nil
		}
		b := make([]byte, 40+len(payload))
		binary.BigEndian.PutUint32(b[0:], 6<<28|uint32(h.TOS)<<20)
		binary.BigEndian.PutUint16(b[4:], uint16(len(payload)))
		b[6] = proto
		b[7] = ttl
		src, dst := h.Src.As16(), h.Dst.As16()
		copy(b[8:], src[:])
		copy(b[24:], dst[:])
		copy(b[40:], payload)
		return b
	}
	return nil
}

// Echo returns an ICMP (IPv4) or ICMPv6 echo request, or with reply set an
// echo reply, carrying id, seq and data.
func Echo(h IP, reply bool, id, seq uint16, data []byte) []byte {
	m := make([]byte, 8+len(data))
	binary.BigEndian.PutUint16(m[4:], id)
	binary.BigEndian.PutUint16(m[6:], seq)
	copy(m[8:], data)
	if h.Src.Is4() {
		m[0] = 8 // echo request, RFC 792
		if reply {
			m[0] = 0
		}
		binary.BigEndian.PutUint16(m[2:], Checksum(m, 0))
		return Build(h, ProtoICMP, m)
	}
	m[0] = 128 // echo request, RFC 4443 4.1
	if reply {
		m[0] = 129
	}
	binary.BigEndian.PutUint16(m[2:], Checksum(m, pseudoSum(h.Src, h.Dst, ProtoICMPv6, len(m))))
	return Build(h, ProtoICMPv6, m)
}

// UDP returns a UDP datagram from port sport to dport inside an IP packet.
func UDP(h IP, sport, dport uint16, payload []byte) []byte {
	u := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(len(u)))
	copy(u[8:], payload)
	c := Checksum(u, pseudoSum(h.Src, h.Dst, ProtoUDP, len(u)))
	if c == 0 {
		c = 0xffff // 0 means "no checksum" (RFC 768)
	}
	binary.BigEndian.PutUint16(u[6:], c)
	return Build(h, ProtoUDP, u)
}

// TCPHeader is the TCP part of a segment to build.
type TCPHeader struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8
	// Window is the receive window; 0 means 65535.
	Window uint16
	// Options are raw TCP options; their length must be a multiple of 4.
	Options []byte
}

// TCP returns a TCP segment inside an IP packet, or nil when the options
// are not a multiple of 4 bytes or longer than 40.
func TCP(h IP, t TCPHeader, payload []byte) []byte {
	if len(t.Options)%4 != 0 || len(t.Options) > 40 {
		return nil
	}
	hl := 20 + len(t.Options)
	s := make([]byte, hl+len(payload))
	binary.BigEndian.PutUint16(s[0:], t.SrcPort)
	binary.BigEndian.PutUint16(s[2:], t.DstPort)
	binary.BigEndian.PutUint32(s[4:], t.Seq)
	binary.BigEndian.PutUint32(s[8:], t.Ack)
	s[12] = byte(hl/4) << 4
	s[13] = t.Flags
	w := t.Window
	if w == 0 {
		w = 65535
	}
	binary.BigEndian.PutUint16(s[14:], w)
	copy(s[20:], t.Options)
	copy(s[hl:], payload)
	binary.BigEndian.PutUint16(s[16:], Checksum(s, pseudoSum(h.Src, h.Dst, ProtoTCP, len(s))))
	return Build(h, ProtoTCP, s)
}

// Info is what Parse found in a packet.
type Info struct {
	IP    IP
	Proto uint8
	// SrcPort and DstPort are the TCP or UDP ports.
	SrcPort, DstPort uint16
	// ICMPType is the ICMP or ICMPv6 type; ID and Seq the echo fields.
	ICMPType uint8
	ID, Seq  uint16
	// TCP fields.
	TCPSeq, TCPAck uint32
	TCPFlags       uint8
	TCPOptions     []byte
	// Payload is what follows the transport header.
	Payload []byte
}

// ErrBadPacket is wrapped by every Parse error.
var ErrBadPacket = errors.New("bad packet")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadPacket, fmt.Sprintf(format, args...))
}

// Parse decodes an IPv4 or IPv6 packet and verifies its length fields and
// its IPv4 header and transport checksums. IPv6 extension headers and IPv4
// options other than their length are not interpreted.
func Parse(b []byte) (Info, error) {
	var in Info
	if len(b) < 1 {
		return in, bad("empty")
	}
	var l4 []byte
	switch b[0] >> 4 {
	case 4:
		if len(b) < 20 {
			return in, bad("IPv4 header of %d bytes", len(b))
		}
		ihl := int(b[0]&0x0f) * 4
		if ihl < 20 || len(b) < ihl {
			return in, bad("IPv4 IHL %d", ihl)
		}
		if tl := int(binary.BigEndian.Uint16(b[2:])); tl != len(b) {
			return in, bad("IPv4 total length %d, packet %d", tl, len(b))
		}
		if Checksum(b[:ihl], 0) != 0 {
			return in, bad("IPv4 header checksum")
		}
		in.IP = IP{
			Src: netip.AddrFrom4([4]byte(b[12:16])), Dst: netip.AddrFrom4([4]byte(b[16:20])),
			TTL: b[8], TOS: b[1], ID: binary.BigEndian.Uint16(b[4:]), DF: b[6]&0x40 != 0,
		}
		in.Proto = b[9]
		l4 = b[ihl:]
	case 6:
		if len(b) < 40 {
			return in, bad("IPv6 header of %d bytes", len(b))
		}
		if pl := int(binary.BigEndian.Uint16(b[4:])); pl != len(b)-40 {
			return in, bad("IPv6 payload length %d, packet %d", pl, len(b))
		}
		in.IP = IP{
			Src: netip.AddrFrom16([16]byte(b[8:24])), Dst: netip.AddrFrom16([16]byte(b[24:40])),
			TTL: b[7], TOS: uint8(binary.BigEndian.Uint16(b[0:]) >> 4),
		}
		in.Proto = b[6]
		l4 = b[40:]
	default:
		return in, bad("IP version %d", b[0]>>4)
	}
	pseudo := pseudoSum(in.IP.Src, in.IP.Dst, in.Proto, len(l4))
	switch in.Proto {
	case ProtoICMP, ProtoICMPv6:
		if len(l4) < 8 {
			return in, bad("ICMP message of %d bytes", len(l4))
		}
		if in.Proto == ProtoICMP {
			pseudo = 0
		}
		if Checksum(l4, pseudo) != 0 {
			return in, bad("ICMP checksum")
		}
		in.ICMPType = l4[0]
		in.ID = binary.BigEndian.Uint16(l4[4:])
		in.Seq = binary.BigEndian.Uint16(l4[6:])
		in.Payload = l4[8:]
	case ProtoUDP:
		if len(l4) < 8 {
			return in, bad("UDP datagram of %d bytes", len(l4))
		}
		if ul := int(binary.BigEndian.Uint16(l4[4:])); ul != len(l4) {
			return in, bad("UDP length %d, datagram %d", ul, len(l4))
		}
		if binary.BigEndian.Uint16(l4[6:]) != 0 && Checksum(l4, pseudo) != 0 {
			return in, bad("UDP checksum")
		}
		in.SrcPort = binary.BigEndian.Uint16(l4[0:])
		in.DstPort = binary.BigEndian.Uint16(l4[2:])
		in.Payload = l4[8:]
	case ProtoTCP:
		if len(l4) < 20 {
			return in, bad("TCP segment of %d bytes", len(l4))
		}
		hl := int(l4[12]>>4) * 4
		if hl < 20 || hl > len(l4) {
			return in, bad("TCP data offset %d", hl)
		}
		if Checksum(l4, pseudo) != 0 {
			return in, bad("TCP checksum")
		}
		in.SrcPort = binary.BigEndian.Uint16(l4[0:])
		in.DstPort = binary.BigEndian.Uint16(l4[2:])
		in.TCPSeq = binary.BigEndian.Uint32(l4[4:])
		in.TCPAck = binary.BigEndian.Uint32(l4[8:])
		in.TCPFlags = l4[13]
		in.TCPOptions = l4[20:hl]
		in.Payload = l4[hl:]
	default:
		in.Payload = l4
	}
	return in, nil
}
