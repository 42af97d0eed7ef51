//go:build linux

package netlink

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// LinkIndex returns the interface index of the interface called name.
// A missing interface gives an error wrapping unix.ENODEV.
func LinkIndex(name string) (int, error) {
	op := fmt.Sprintf("link index of %q", name)
	msgs, err := request(op, unix.RTM_GETLINK, 0, func(m *builder) {
		buildGetLink(m, name)
	})
	if err != nil {
		return 0, err
	}
	for _, msg := range msgs {
		if msg.Type != unix.RTM_NEWLINK {
			continue
		}
		index, _, _, err := parseIfInfo(msg.Data)
		if err != nil {
			return 0, &Error{Op: op, Err: err}
		}
		return int(index), nil
	}
	return 0, &Error{Op: op, Err: fmt.Errorf("%w: no RTM_NEWLINK in reply", errMalformed)}
}

// SetMTU sets the MTU of the interface called name.
func SetMTU(name string, mtu int) error {
	op := fmt.Sprintf("set mtu of %q to %d", name, mtu)
	if mtu <= 0 || mtu > 1<<31-1 {
		return &Error{Op: op, Err: unix.EINVAL}
	}
	_, err := request(op, unix.RTM_SETLINK, 0, func(m *builder) {
		buildSetMTU(m, name, uint32(mtu))
	})
	return err
}

// SetUp sets (up) or clears (!up) IFF_UP on the interface called name,
// like "ip link set name up".
func SetUp(name string, up bool) error {
	op := fmt.Sprintf("set %q down", name)
	if up {
		op = fmt.Sprintf("set %q up", name)
	}
	_, err := request(op, unix.RTM_SETLINK, 0, func(m *builder) {
		buildSetUp(m, name, up)
	})
	return err
}

// SetAddrGenModeNone sets IFLA_INET6_ADDR_GEN_MODE to IN6_ADDR_GEN_MODE_NONE
// on the interface called name, so Linux adds no fe80:: address of its own
// when the link comes up: the emulated NetBSD kernel assigns its own
// link-local address (netinet6/in6_ifattach.c) and both must not coexist.
// Call it before the first SetUp; it does not remove an address Linux has
// already added.
func SetAddrGenModeNone(name string) error {
	op := fmt.Sprintf("set addrgenmode of %q to none", name)
	_, err := request(op, unix.RTM_SETLINK, 0, func(m *builder) {
		buildAddrGenModeNone(m, name)
	})
	return err
}

// The build* functions fill in the body of a request after its nlmsghdr.
// Interfaces are named by IFLA_IFNAME with ifi_index 0; the kernel then
// looks them up by name (net/core/rtnetlink.c rtnl_dev_get).

func buildGetLink(m *builder, name string) {
	m.ifInfo(unix.AF_UNSPEC, 0, 0, 0)
	m.attrString(unix.IFLA_IFNAME, name)
}

func buildSetMTU(m *builder, name string, mtu uint32) {
	m.ifInfo(unix.AF_UNSPEC, 0, 0, 0)
	m.attrString(unix.IFLA_IFNAME, name)
	m.attrU32(unix.IFLA_MTU, mtu)
}

func buildSetUp(m *builder, name string, up bool) {
	var flags uint32
	if up {
		flags = unix.IFF_UP
	}
	// ifi_change selects which bits of ifi_flags the kernel applies.
	m.ifInfo(unix.AF_UNSPEC, 0, flags, unix.IFF_UP)
	m.attrString(unix.IFLA_IFNAME, name)
}

func buildAddrGenModeNone(m *builder, name string) {
	m.ifInfo(unix.AF_UNSPEC, 0, 0, 0)
	m.attrString(unix.IFLA_IFNAME, name)
	// IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE: u8 } }
	m.begin(unix.IFLA_AF_SPEC)
	m.begin(unix.AF_INET6)
	m.attrU8(unix.IFLA_INET6_ADDR_GEN_MODE, in6AddrGenModeNone)
	m.end()
	m.end()
}
