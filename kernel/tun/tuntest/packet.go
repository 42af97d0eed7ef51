package tuntest

import (
	"net/netip"

	"nbwg/kernel/tun/internal/pkt"
)

// Packet building and checking for tests. The checksums are computed here,
// independently of package tun's offload code.

// IP is the network header of a packet to build: addresses (which choose
// IPv4 or IPv6), TTL/hop limit (0 means 64), TOS/traffic class, IPv4 ID and
// don't-fragment flag.
type IP = pkt.IP

// TCPHeader is the TCP header of a segment to build.
type TCPHeader = pkt.TCPHeader

// Info is a decoded packet, as returned by Parse.
type Info = pkt.Info

// IP protocol numbers and TCP flags, for Info and TCPHeader.
const (
	ProtoICMP   = pkt.ProtoICMP
	ProtoTCP    = pkt.ProtoTCP
	ProtoUDP    = pkt.ProtoUDP
	ProtoICMPv6 = pkt.ProtoICMPv6

	TCPFin = pkt.TCPFin
	TCPSyn = pkt.TCPSyn
	TCPRst = pkt.TCPRst
	TCPPsh = pkt.TCPPsh
	TCPAck = pkt.TCPAck
)

// ErrBadPacket is wrapped by every Parse error.
var ErrBadPacket = pkt.ErrBadPacket

// Ping returns an ICMP echo request (ICMPv6 when the addresses are IPv6)
// from src to dst with identifier 0x4e42 ("NB"), sequence 1 and a 32-byte
// payload. It returns nil when src and dst are not of one family.
func Ping(src, dst netip.Addr) []byte {
	return Echo(IP{Src: src, Dst: dst}, false, 0x4e42, 1, []byte("nbwg tuntest echo payload 012345"))
}

// Echo returns an ICMP or ICMPv6 echo request (or reply) with the given
// identifier, sequence number and data.
func Echo(h IP, reply bool, id, seq uint16, data []byte) []byte {
	return pkt.Echo(h, reply, id, seq, data)
}

// UDPPacket returns an IPv4 or IPv6 UDP datagram from src to dst, or nil
// when the addresses are not of one family.
func UDPPacket(src, dst netip.AddrPort, payload []byte) []byte {
	return pkt.UDP(IP{Src: src.Addr(), Dst: dst.Addr()}, src.Port(), dst.Port(), payload)
}

// TCPPacket returns an IPv4 or IPv6 TCP segment, or nil on bad arguments.
func TCPPacket(h IP, t TCPHeader, payload []byte) []byte {
	return pkt.TCP(h, t, payload)
}

// Parse decodes a packet built here or read from a device and verifies its
// length fields and checksums.
func Parse(b []byte) (Info, error) { return pkt.Parse(b) }
