//go:build linux

// Package hostif mirrors the emulated kernel's interfaces onto the Linux
// devices of the same name (the TUN devices if_wg opens), so that Linux
// routes the right packets to them: addresses, MTU and up/down state are
// applied through rtnetlink, and so are the routes route(8) adds through
// them (kernel/route).
package hostif

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/netip"
	"os"

	"nbwg/kernel/netlink"
)

// Linux implements ifnet.Host on the Linux network namespace the kernel
// runs in.
type Linux struct {
	id [8]byte
}

// New derives the IPv6 interface identifier once, as NetBSD's
// in6_ifattach borrows the hardware address of another interface of the
// host (here: of the namespace) for interfaces that have none, and falls
// back to a random one.
func New() *Linux {
	h := &Linux{}
	if ifs, err := net.Interfaces(); err == nil {
		for _, ifi := range ifs {
			if len(ifi.HardwareAddr) == 6 && ifi.Flags&net.FlagLoopback == 0 {
				m := ifi.HardwareAddr
				// Modified EUI-64 (RFC 4291 appendix A).
				h.id = [8]byte{m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]}
				return h
			}
		}
	}
	rand.Read(h.id[:])
	h.id[0] &^= 0x02 // a random identifier is not universal
	return h
}

// Attach readies the TUN device: Linux must not add link-local addresses
// of its own (the emulated kernel adds NetBSD's), it must keep the IPv6
// addresses while the device is down (NetBSD does; Linux drops them
// unless told otherwise), and its index becomes the interface's index
// and scope id.
func (h *Linux) Attach(name string) (int, error) {
	if err := netlink.SetAddrGenModeNone(name); err != nil {
		return 0, err
	}
	// Without IPv6 in the namespace there is no such file, and nothing
	// to keep; ifnet also gives the addresses back when the device comes
	// up, for kernels that lack the setting.
	os.WriteFile("/proc/sys/net/ipv6/conf/"+name+"/keep_addr_on_down", []byte("1\n"), 0)
	idx, err := netlink.LinkIndex(name)
	if err != nil {
		return 0, fmt.Errorf("index of %s: %w", name, err)
	}
	return idx, nil
}

// SetMTU sets the device's MTU.
func (h *Linux) SetMTU(name string, mtu int) error { return netlink.SetMTU(name, mtu) }

// SetUp brings the device up or down.
func (h *Linux) SetUp(name string, up bool) error { return netlink.SetUp(name, up) }

// AddAddr adds an address; IPv6 addresses skip duplicate address
// detection, since the tunnel has no neighbours to collide with.
func (h *Linux) AddAddr(index int, p netip.Prefix) error {
	return netlink.AddAddr(index, p, true)
}

// DelAddr removes an address.
func (h *Linux) DelAddr(index int, p netip.Prefix) error { return netlink.DelAddr(index, p) }

// LinkLocalID returns the identifier for fe80:: addresses.
func (h *Linux) LinkLocalID() [8]byte { return h.id }

// AddRoute adds a route to the namespace's main table.
func (h *Linux) AddRoute(r netlink.Route) error { return netlink.AddRoute(r) }

// ReplaceRoute adds a route or replaces the one to the same destination.
func (h *Linux) ReplaceRoute(r netlink.Route) error { return netlink.ReplaceRoute(r) }

// DelRoute deletes a route.
func (h *Linux) DelRoute(r netlink.Route) error { return netlink.DelRoute(r) }
