package ifnet

import (
	"net/netip"
	"slices"
	"testing"

	"nbwg/kernel/sys"
)

// linuxLikeHost is a Host that behaves as a Linux device without
// keep_addr_on_down: taking it down drops its IPv6 addresses.
type linuxLikeHost struct {
	up    map[string]bool
	addrs map[int][]netip.Prefix
}

func (h *linuxLikeHost) Attach(name string) (int, error) { return 7, nil }
func (h *linuxLikeHost) SetMTU(name string, mtu int) error {
	return nil
}
func (h *linuxLikeHost) SetUp(name string, up bool) error {
	h.up[name] = up
	if !up {
		h.addrs[7] = slices.DeleteFunc(h.addrs[7], func(p netip.Prefix) bool { return p.Addr().Is6() })
	}
	return nil
}
func (h *linuxLikeHost) AddAddr(index int, p netip.Prefix) error {
	if slices.Contains(h.addrs[index], p) {
		return sys.EEXIST
	}
	h.addrs[index] = append(h.addrs[index], p)
	return nil
}
func (h *linuxLikeHost) DelAddr(index int, p netip.Prefix) error {
	h.addrs[index] = slices.DeleteFunc(h.addrs[index], func(q netip.Prefix) bool { return q == p })
	return nil
}
func (h *linuxLikeHost) LinkLocalID() [8]byte { return [8]byte{2, 0, 0, 0xff, 0xfe, 0, 0, 1} }

// TestDownUpKeepsInet6: NetBSD keeps an interface's IPv6 addresses while
// it is down; after down and up the host device has them all again.
func TestDownUpKeepsInet6(t *testing.T) {
	h := &linuxLikeHost{up: map[string]bool{}, addrs: map[int][]netip.Prefix{}}
	n := New(h, Cloner{Name: "wg", Flags: sys.IFF_MULTICAST, MTU: sys.WG_MTU,
		Create: func(ifp *Interface) (Driver, error) { return &fakeDriver{}, nil }})
	for _, step := range []struct {
		cmd uint32
		arg []byte
	}{
		{sys.SIOCIFCREATE, ifreq("wg0")},
		{sys.SIOCAIFADDR_IN6, aliasreq6("wg0", "fd00:2::1/64")},
		{sys.SIOCAIFADDR, aliasreq("wg0", "10.2.0.1/24")},
	} {
		if err := do(t, n, root, step.cmd, step.arg); err != nil {
			t.Fatalf("%s: %v", sys.IoctlName(step.cmd), err)
		}
	}
	before := slices.Clone(h.addrs[7])
	if len(before) != 3 {
		t.Fatalf("host addresses after configuring: %v, want fd00:2::1/64, 10.2.0.1/24 and fe80::/64", before)
	}
	setFlags := func(flags int) {
		t.Helper()
		r := sys.Ifreq{}
		copy(r.Name[:], "wg0")
		r.SetFlags(int16(flags))
		if err := do(t, n, root, sys.SIOCSIFFLAGS, r.Marshal()); err != nil {
			t.Fatal(err)
		}
	}
	setFlags(sys.IFF_MULTICAST)
	if slices.ContainsFunc(h.addrs[7], func(p netip.Prefix) bool { return p.Addr().Is6() }) {
		t.Fatalf("the fake host kept IPv6 addresses on down: %v; the test proves nothing", h.addrs[7])
	}
	setFlags(sys.IFF_UP | sys.IFF_MULTICAST)
	got := slices.Clone(h.addrs[7])
	for _, p := range before {
		if !slices.Contains(got, p) {
			t.Errorf("after down and up the host lacks %v (has %v)", p, got)
		}
	}
}
