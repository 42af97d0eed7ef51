//go:build linux

package tun

// The virtio_net_hdr that precedes every packet on a TUN opened with
// IFF_VNET_HDR (include/uapi/linux/virtio_net.h). It tells the reader how
// the kernel left a packet (GSO superpacket, checksum to complete) and
// tells the kernel the same about a packet written. The fields are in host
// byte order: the TUN is not in TUNSETVNETLE/BE mode.

import (
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// virtioNetHdrLen is sizeof(struct virtio_net_hdr), the TUN default
// (TUNSETVNETHDRSZ is never changed).
const virtioNetHdrLen = 10

type virtioNetHdr struct {
	flags      uint8  // VIRTIO_NET_HDR_F_*
	gsoType    uint8  // VIRTIO_NET_HDR_GSO_*, maybe with VIRTIO_NET_HDR_GSO_ECN
	hdrLen     uint16 // length of the headers to copy into every segment
	gsoSize    uint16 // payload bytes per segment
	csumStart  uint16 // where checksumming starts: the transport header
	csumOffset uint16 // offset of the checksum field from csumStart
}

func (h *virtioNetHdr) decode(b []byte) error {
	if len(b) < virtioNetHdrLen {
		return fmt.Errorf("virtio_net_hdr in %d bytes: %w", len(b), io.ErrUnexpectedEOF)
	}
	h.flags = b[0]
	h.gsoType = b[1]
	h.hdrLen = binary.NativeEndian.Uint16(b[2:])
	h.gsoSize = binary.NativeEndian.Uint16(b[4:])
	h.csumStart = binary.NativeEndian.Uint16(b[6:])
	h.csumOffset = binary.NativeEndian.Uint16(b[8:])
	return nil
}

// encode writes h into b[:virtioNetHdrLen]; b must be long enough.
func (h *virtioNetHdr) encode(b []byte) {
	b[0] = h.flags
	b[1] = h.gsoType
	binary.NativeEndian.PutUint16(b[2:], h.hdrLen)
	binary.NativeEndian.PutUint16(b[4:], h.gsoSize)
	binary.NativeEndian.PutUint16(b[6:], h.csumStart)
	binary.NativeEndian.PutUint16(b[8:], h.csumOffset)
}

// Offsets and values in IP and TCP headers that the offload code uses.
const (
	ipv4SrcOffset = 12
	ipv6SrcOffset = 8
	ipv4HdrLen    = 20 // without options
	ipv6HdrLen    = 40 // without extension headers
	udpHdrLen     = 8
	tcpMinHdrLen  = 20
	tcpMaxHdrLen  = 60
	tcpFlagsOff   = 13
	tcpCsumOff    = 16
	udpCsumOff    = 6

	tcpFIN = 0x01
	tcpPSH = 0x08
	tcpACK = 0x10
	tcpCWR = 0x80

	ipv4FlagMF      = 0x20 // in byte 6
	ipv4FragOffMask = 0x1fff

	// maxIPPacket is the largest packet a 16-bit length field describes
	// (IPv4 total length; IPv6 payload length plus the fixed header is a
	// little more, but the kernel's GSO limit is 64 KiB as well).
	maxIPPacket = 65535
)

// ipAddrs returns the source and destination address fields of the IPv4
// or IPv6 header at the front of p.
func ipAddrs(p []byte, v6 bool) (src, dst []byte) {
	if v6 {
		return p[ipv6SrcOffset : ipv6SrcOffset+16], p[ipv6SrcOffset+16 : ipv6SrcOffset+32]
	}
	return p[ipv4SrcOffset : ipv4SrcOffset+4], p[ipv4SrcOffset+4 : ipv4SrcOffset+8]
}

// setIPLength stores length, the length of the whole packet, in the IP
// header h[:iphLen] (IPv6 counts the payload only) and refreshes an IPv4
// header's checksum, so every other header field must be final.
func setIPLength(h []byte, v6 bool, iphLen, length int) {
	if v6 {
		binary.BigEndian.PutUint16(h[4:], uint16(length-ipv6HdrLen))
		return
	}
	binary.BigEndian.PutUint16(h[2:], uint16(length))
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:], checksum(h[:iphLen], 0))
}

// gsoTypeName is for error messages.
func gsoTypeName(t uint8) string {
	switch t &^ unix.VIRTIO_NET_HDR_GSO_ECN {
	case unix.VIRTIO_NET_HDR_GSO_NONE:
		return "none"
	case unix.VIRTIO_NET_HDR_GSO_TCPV4:
		return "tcpv4"
	case unix.VIRTIO_NET_HDR_GSO_TCPV6:
		return "tcpv6"
	case unix.VIRTIO_NET_HDR_GSO_UDP:
		return "udp (UFO)"
	case unix.VIRTIO_NET_HDR_GSO_UDP_L4:
		return "udp_l4"
	}
	return fmt.Sprintf("%#x", t)
}
