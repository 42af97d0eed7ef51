//go:build linux

package netlink

import (
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// AddAddr adds address p.Addr() with prefix length p.Bits() to interface
// ifindex, like "ip addr add p dev ...", which also installs the prefix
// route. An address that is already present gives an error wrapping
// unix.EEXIST.
//
// For IPv6, noDAD sets IFA_F_NODAD so the address is usable at once instead
// of staying tentative during duplicate address detection; link-local
// fe80:: addresses are added the same way. noDAD is ignored for IPv4, which
// has no DAD in Linux.
func AddAddr(ifindex int, p netip.Prefix, noDAD bool) error {
	op := fmt.Sprintf("add address %s to ifindex %d", p, ifindex)
	if err := checkPrefix(ifindex, p); err != nil {
		return &Error{Op: op, Err: err}
	}
	_, err := request(op, unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL, func(m *builder) {
		buildAddr(m, ifindex, p, noDAD)
	})
	return err
}

// DelAddr deletes address p.Addr()/p.Bits() from interface ifindex.
// An address that is not present gives an error wrapping
// unix.EADDRNOTAVAIL.
func DelAddr(ifindex int, p netip.Prefix) error {
	op := fmt.Sprintf("delete address %s from ifindex %d", p, ifindex)
	if err := checkPrefix(ifindex, p); err != nil {
		return &Error{Op: op, Err: err}
	}
	_, err := request(op, unix.RTM_DELADDR, 0, func(m *builder) {
		buildAddr(m, ifindex, p, false)
	})
	return err
}

// AddrList returns the IPv4 and IPv6 addresses of interface ifindex in the
// kernel's order (IPv4 first).
func AddrList(ifindex int) ([]Addr, error) {
	op := fmt.Sprintf("list addresses of ifindex %d", ifindex)
	msgs, err := request(op, unix.RTM_GETADDR, unix.NLM_F_DUMP, func(m *builder) {
		m.ifAddr(unix.AF_UNSPEC, 0, 0, 0, 0)
	})
	if err != nil {
		return nil, err
	}
	var out []Addr
	for _, msg := range msgs {
		if msg.Type != unix.RTM_NEWADDR {
			continue
		}
		index, a, err := parseIfAddr(msg.Data)
		if err != nil {
			return nil, &Error{Op: op, Err: err}
		}
		if int(index) == ifindex {
			out = append(out, a)
		}
	}
	return out, nil
}

// checkPrefix rejects what the kernel would misread: an invalid prefix, an
// IPv4-mapped IPv6 address (ambiguous family) or a bad index.
func checkPrefix(ifindex int, p netip.Prefix) error {
	switch {
	case !p.IsValid():
		return fmt.Errorf("invalid prefix: %w", unix.EINVAL)
	case p.Addr().Is4In6():
		return fmt.Errorf("IPv4-mapped address: %w", unix.EINVAL)
	case ifindex <= 0 || ifindex > 1<<31-1:
		return fmt.Errorf("interface index %d: %w", ifindex, unix.EINVAL)
	}
	return nil
}

// buildAddr fills in an RTM_NEWADDR or RTM_DELADDR body. IFA_LOCAL and
// IFA_ADDRESS carry the same address: on a point-to-point link such as a
// TUN, a different IFA_ADDRESS would name a peer instead of a prefix, and
// iproute2 sends both equal for the same reason.
func buildAddr(m *builder, ifindex int, p netip.Prefix, noDAD bool) {
	addr := p.Addr()
	family := uint8(unix.AF_INET6)
	var flags, scope uint8
	if addr.Is4() {
		family = unix.AF_INET
		if addr.IsLoopback() {
			// As iproute2 does; IPv6 derives scope from the address itself.
			scope = unix.RT_SCOPE_HOST
		}
	} else if noDAD {
		flags = unix.IFA_F_NODAD
	}
	m.ifAddr(family, uint8(p.Bits()), flags, scope, uint32(ifindex))
	raw := addr.AsSlice()
	m.attr(unix.IFA_LOCAL, raw)
	m.attr(unix.IFA_ADDRESS, raw)
}
