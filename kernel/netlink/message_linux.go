//go:build linux

package netlink

// Encoding and decoding of netlink messages (netlink(7)). Everything here is
// pure byte work so that it is tested without a socket.
//
// A message is a 16-byte nlmsghdr, a fixed family header (ifinfomsg,
// ifaddrmsg) and a list of route attributes (rtattr: u16 length, u16 type,
// data), each padded to 4 bytes. Integers are in host byte order.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

var native = binary.NativeEndian

// errMalformed reports a reply the kernel should never have sent.
var errMalformed = errors.New("malformed netlink message")

const (
	sizeofNlMsghdr = unix.SizeofNlMsghdr // 16
	sizeofRtAttr   = unix.SizeofRtAttr   // 4
	sizeofIfInfo   = unix.SizeofIfInfomsg
	sizeofIfAddr   = unix.SizeofIfAddrmsg

	// in6AddrGenModeNone is IN6_ADDR_GEN_MODE_NONE from
	// include/uapi/linux/if_link.h (EUI64 = 0, NONE = 1, STABLE_PRIVACY = 2,
	// RANDOM = 3); x/sys does not define it.
	in6AddrGenModeNone = 1
)

// align rounds n up to the 4-byte netlink alignment (NLMSG_ALIGN, RTA_ALIGN).
func align(n int) int { return (n + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1) }

// builder appends one netlink request message.
type builder struct {
	b      []byte
	nested []int // start offsets of open nested attributes
}

// newBuilder starts a message of type typ with the given flags and sequence
// number. The length field is filled in by bytes.
func newBuilder(typ, flags uint16, seq uint32) *builder {
	m := &builder{b: make([]byte, sizeofNlMsghdr, 128)}
	native.PutUint16(m.b[4:], typ)
	native.PutUint16(m.b[6:], flags)
	native.PutUint32(m.b[8:], seq)
	// nlmsg_pid stays 0: the kernel is the addressee.
	return m
}

// pad appends zero bytes up to the next 4-byte boundary.
func (m *builder) pad() {
	for len(m.b)%unix.NLA_ALIGNTO != 0 {
		m.b = append(m.b, 0)
	}
}

// ifInfo appends an ifinfomsg.
func (m *builder) ifInfo(family uint8, index int32, flags, change uint32) {
	var h [sizeofIfInfo]byte
	h[0] = family
	// h[1] is padding, h[2:4] ifi_type (ARPHRD_*) is not set by requests.
	native.PutUint32(h[4:], uint32(index))
	native.PutUint32(h[8:], flags)
	native.PutUint32(h[12:], change)
	m.b = append(m.b, h[:]...)
}

// ifAddr appends an ifaddrmsg.
func (m *builder) ifAddr(family, prefixLen, flags, scope uint8, index uint32) {
	var h [sizeofIfAddr]byte
	h[0], h[1], h[2], h[3] = family, prefixLen, flags, scope
	native.PutUint32(h[4:], index)
	m.b = append(m.b, h[:]...)
}

// attr appends one route attribute.
func (m *builder) attr(typ uint16, data []byte) {
	var h [sizeofRtAttr]byte
	native.PutUint16(h[0:], uint16(sizeofRtAttr+len(data)))
	native.PutUint16(h[2:], typ)
	m.b = append(m.b, h[:]...)
	m.b = append(m.b, data...)
	m.pad()
}

func (m *builder) attrU32(typ uint16, v uint32) {
	var d [4]byte
	native.PutUint32(d[:], v)
	m.attr(typ, d[:])
}

func (m *builder) attrU8(typ uint16, v uint8) { m.attr(typ, []byte{v}) }

// attrString appends a NUL-terminated string attribute (NLA_STRING as
// iproute2 sends interface names).
func (m *builder) attrString(typ uint16, s string) {
	m.attr(typ, append([]byte(s), 0))
}

// begin opens a nested attribute; end closes the innermost open one.
func (m *builder) begin(typ uint16) {
	m.nested = append(m.nested, len(m.b))
	m.attr(typ, nil)
}

func (m *builder) end() {
	start := m.nested[len(m.nested)-1]
	m.nested = m.nested[:len(m.nested)-1]
	native.PutUint16(m.b[start:], uint16(len(m.b)-start))
}

// bytes finishes the message and returns it.
func (m *builder) bytes() []byte {
	if len(m.nested) != 0 {
		panic("netlink: unbalanced nested attributes") // programming error, not input
	}
	native.PutUint32(m.b[0:], uint32(len(m.b)))
	return m.b
}

// message is one received netlink message.
type message struct {
	Type  uint16
	Flags uint16
	Seq   uint32
	Pid   uint32
	Data  []byte // payload after the nlmsghdr
}

// parseMessages splits a datagram into messages.
func parseMessages(b []byte) ([]message, error) {
	var msgs []message
	for len(b) >= sizeofNlMsghdr {
		l := int(native.Uint32(b[0:]))
		if l < sizeofNlMsghdr || l > len(b) {
			return msgs, fmt.Errorf("%w: length %d of %d bytes", errMalformed, l, len(b))
		}
		msgs = append(msgs, message{
			Type:  native.Uint16(b[4:]),
			Flags: native.Uint16(b[6:]),
			Seq:   native.Uint32(b[8:]),
			Pid:   native.Uint32(b[12:]),
			Data:  b[sizeofNlMsghdr:l],
		})
		if align(l) >= len(b) {
			break
		}
		b = b[align(l):]
	}
	return msgs, nil
}

// parseAttrs walks a list of route attributes. The type has NLA_F_NESTED and
// NLA_F_NET_BYTEORDER masked off.
func parseAttrs(b []byte) (map[uint16][]byte, error) {
	attrs := make(map[uint16][]byte)
	for len(b) >= sizeofRtAttr {
		l := int(native.Uint16(b[0:]))
		if l < sizeofRtAttr || l > len(b) {
			return attrs, fmt.Errorf("%w: attribute length %d of %d bytes", errMalformed, l, len(b))
		}
		attrs[native.Uint16(b[2:])&0x3fff] = b[sizeofRtAttr:l]
		if align(l) >= len(b) {
			break
		}
		b = b[align(l):]
	}
	return attrs, nil
}

// ackError decodes the payload of an NLMSG_ERROR message: a negative errno
// (0 for a plain ACK), the request's header (and body unless NLM_F_CAPPED),
// then with NLM_F_ACK_TLVS the extended ACK attributes.
func ackError(m message) (errno unix.Errno, extMsg string, err error) {
	if len(m.Data) < 4+sizeofNlMsghdr {
		return 0, "", fmt.Errorf("%w: short NLMSG_ERROR", errMalformed)
	}
	code := int32(native.Uint32(m.Data[0:]))
	if code > 0 {
		return 0, "", fmt.Errorf("%w: positive error %d", errMalformed, code)
	}
	errno = unix.Errno(-code)
	if m.Flags&unix.NLM_F_ACK_TLVS == 0 {
		return errno, "", nil
	}
	off := 4 + sizeofNlMsghdr
	if m.Flags&unix.NLM_F_CAPPED == 0 {
		off = 4 + align(int(native.Uint32(m.Data[4:])))
	}
	if off > len(m.Data) {
		return errno, "", nil
	}
	attrs, _ := parseAttrs(m.Data[off:])
	if s, ok := attrs[unix.NLMSGERR_ATTR_MSG]; ok {
		extMsg = cString(s)
	}
	return errno, extMsg, nil
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// parseIfInfo decodes the ifinfomsg at the front of an RTM_NEWLINK payload.
func parseIfInfo(b []byte) (index int32, flags uint32, attrs map[uint16][]byte, err error) {
	if len(b) < sizeofIfInfo {
		return 0, 0, nil, fmt.Errorf("%w: short ifinfomsg", errMalformed)
	}
	attrs, err = parseAttrs(b[align(sizeofIfInfo):])
	return int32(native.Uint32(b[4:])), native.Uint32(b[8:]), attrs, err
}

// parseIfAddr decodes an RTM_NEWADDR payload into the interface index and
// the address.
func parseIfAddr(b []byte) (index uint32, a Addr, err error) {
	if len(b) < sizeofIfAddr {
		return 0, a, fmt.Errorf("%w: short ifaddrmsg", errMalformed)
	}
	family, plen := b[0], int(b[1])
	a.Flags = uint32(b[2])
	a.Scope = b[3]
	index = native.Uint32(b[4:])
	attrs, err := parseAttrs(b[align(sizeofIfAddr):])
	if err != nil {
		return index, a, err
	}
	if f, ok := attrs[unix.IFA_FLAGS]; ok && len(f) == 4 {
		a.Flags = native.Uint32(f)
	}
	// IFA_LOCAL is the local address when present; for IPv6 without a peer
	// the kernel sends only IFA_ADDRESS (net/ipv6/addrconf.c inet6_fill_ifaddr).
	raw, ok := attrs[unix.IFA_LOCAL]
	if !ok {
		raw = attrs[unix.IFA_ADDRESS]
	}
	addr, ok := netip.AddrFromSlice(raw)
	switch {
	case !ok:
		return index, a, fmt.Errorf("%w: address of %d bytes", errMalformed, len(raw))
	case family == unix.AF_INET && !addr.Is4(), family == unix.AF_INET6 && !addr.Is6():
		return index, a, fmt.Errorf("%w: family %d with %d-byte address", errMalformed, family, len(raw))
	}
	a.Prefix = netip.PrefixFrom(addr, plen)
	if !a.Prefix.IsValid() {
		return index, a, fmt.Errorf("%w: prefix length %d for %s", errMalformed, plen, addr)
	}
	return index, a, nil
}
