package wg

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"time"

	"nbwg/internal/checksum"
)

// A packet that no peer may receive is refused as if_wg's wg_output
// refuses it, with EHOSTUNREACH.  NetBSD's stack turns that error into a
// failed send for the local sender; here the packet came from Linux
// through the TUN device, so the equivalent is an ICMP "host unreachable"
// (ICMPv6 "address unreachable") written back to it from the interface's
// own address, as the Linux driver does.  They are rate-limited, and
// never sent about ICMP errors or multicast, as RFC 1812 4.3.2.7 and
// RFC 4443 2.4 require.

const (
	icmpRate  = 10 // per second
	icmpBurst = 10
)

type icmpLimiter struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func (l *icmpLimiter) allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = icmpBurst
	} else {
		l.tokens = min(icmpBurst, l.tokens+now.Sub(l.last).Seconds()*icmpRate)
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// unreachable answers pkt with an ICMP error, if that is allowed.
func (d *Device) unreachable(pkt []byte) {
	if d.tun == nil || len(pkt) < 1 {
		return
	}
	var reply []byte
	switch pkt[0] >> 4 {
	case 4:
		reply = d.icmp4Unreachable(pkt)
	case 6:
		reply = d.icmp6Unreachable(pkt)
	}
	if reply == nil || !d.icmp.allow(d.clock.Now()) {
		return
	}
	buf := make([]byte, headroom+len(reply))
	copy(buf[headroom:], reply)
	d.tun.Write([][]byte{buf}, headroom)
}

// source picks the interface address of the family to answer from.
func (d *Device) source(v6 bool) (netip.Addr, bool) {
	var linkLocal netip.Addr
	for _, a := range d.ifp.AddrSnapshot() {
		addr := a.Prefix.Addr()
		if addr.Is6() != v6 {
			continue
		}
		if v6 && addr.IsLinkLocalUnicast() {
			linkLocal = addr
			continue
		}
		return addr, true
	}
	return linkLocal, linkLocal.IsValid()
}

func (d *Device) icmp4Unreachable(pkt []byte) []byte {
	if len(pkt) < 20 {
		return nil
	}
	ihl := int(pkt[0]&0x0f) * 4
	if ihl < 20 || len(pkt) < ihl {
		return nil
	}
	dst := netip.AddrFrom4([4]byte(pkt[16:20]))
	orig := netip.AddrFrom4([4]byte(pkt[12:16]))
	if dst.IsMulticast() || orig.IsUnspecified() || binary.BigEndian.Uint16(pkt[6:8])&0x1fff != 0 {
		return nil // multicast, or a fragment other than the first
	}
	if pkt[9] == 1 && len(pkt) >= ihl+1 && isICMP4Error(pkt[ihl]) {
		return nil
	}
	src, ok := d.source(false)
	if !ok {
		return nil
	}
	quote := pkt[:min(len(pkt), ihl+8)] // the header and 8 bytes ([RFC 792])
	out := make([]byte, 20+8+len(quote))
	out[0], out[8], out[9] = 0x45, 64, 1 // IPv4, TTL, ICMP
	binary.BigEndian.PutUint16(out[2:], uint16(len(out)))
	copy(out[12:16], src.AsSlice())
	copy(out[16:20], pkt[12:16])
	binary.BigEndian.PutUint16(out[10:], checksum.Checksum(out[:20], 0))
	icmp := out[20:]
	icmp[0], icmp[1] = 3, 1 // destination unreachable, host unreachable
	copy(icmp[8:], quote)
	binary.BigEndian.PutUint16(icmp[2:], checksum.Checksum(icmp, 0))
	return out
}

func isICMP4Error(typ byte) bool {
	switch typ {
	case 3, 4, 5, 11, 12:
		return true
	}
	return false
}

func (d *Device) icmp6Unreachable(pkt []byte) []byte {
	if len(pkt) < 40 {
		return nil
	}
	dst := netip.AddrFrom16([16]byte(pkt[24:40]))
	orig := netip.AddrFrom16([16]byte(pkt[8:24]))
	if dst.IsMulticast() || orig.IsUnspecified() {
		return nil
	}
	if pkt[6] == 58 && len(pkt) > 40 && pkt[40] < 128 {
		return nil // an ICMPv6 error (types below 128)
	}
	src, ok := d.source(true)
	if !ok {
		return nil
	}
	// As much of the packet as fits in the IPv6 minimum MTU.
	quote := pkt[:min(len(pkt), 1280-40-8)]
	out := make([]byte, 40+8+len(quote))
	out[0] = 0x60
	binary.BigEndian.PutUint16(out[4:], uint16(8+len(quote)))
	out[6], out[7] = 58, 64 // ICMPv6, hop limit
	copy(out[8:24], src.AsSlice())
	copy(out[24:40], pkt[8:24])
	icmp := out[40:]
	icmp[0], icmp[1] = 1, 3 // destination unreachable, address unreachable
	copy(icmp[8:], quote)
	// The checksum covers the pseudo-header ([RFC 8200] 8.1).
	pseudo := checksum.PseudoHeaderSum(58, out[8:24], out[24:40], len(icmp))
	binary.BigEndian.PutUint16(icmp[2:], checksum.Checksum(icmp, pseudo))
	return out
}
