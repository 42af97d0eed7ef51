//go:build linux

package netlink_test

import (
	"encoding/json"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"nbwg/kernel/netlink"
	"nbwg/kernel/netlink/nstest"
	"nbwg/kernel/tun"
)

// ipLink is the part of "ip -j addr show" output the test looks at.
type ipLink struct {
	IfIndex  int      `json:"ifindex"`
	Flags    []string `json:"flags"`
	MTU      int      `json:"mtu"`
	AddrInfo []struct {
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
		NoDAD     bool   `json:"nodad"`
	} `json:"addr_info"`
	GenMode string `json:"inet6_addr_gen_mode"`
}

func showLink(t *testing.T, ns *nstest.Namespace, name string) ipLink {
	t.Helper()
	var links, details []ipLink
	out := ns.IP(t, "-j", "addr", "show", "dev", name)
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j addr show dev %s: %v: %s", name, err, out)
	}
	// Only "link show" has the details such as inet6_addr_gen_mode.
	out = ns.IP(t, "-d", "-j", "link", "show", "dev", name)
	if err := json.Unmarshal(out, &details); err != nil || len(details) != 1 {
		t.Fatalf("ip -d -j link show dev %s: %v: %s", name, err, out)
	}
	links[0].GenMode = details[0].GenMode
	return links[0]
}

func addrs(l ipLink) []string {
	var s []string
	for _, a := range l.AddrInfo {
		s = append(s, netip.PrefixFrom(netip.MustParseAddr(a.Local), a.PrefixLen).String())
	}
	return s
}

func TestLinkAndAddresses(t *testing.T) {
	ns := nstest.New(t)
	ns.Enter(t)
	const name = "nbwgnl0"
	// A TUN held open by this process has a carrier, so Linux would add
	// its own fe80:: address on up, unless addrgenmode is none.
	dev, err := tun.Create(name, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })

	idx, err := netlink.LinkIndex(name)
	if err != nil {
		t.Fatal(err)
	}
	if l := showLink(t, ns, name); l.IfIndex != idx {
		t.Errorf("LinkIndex = %d, ip says %d", idx, l.IfIndex)
	}
	if _, err := netlink.LinkIndex("nbwgnl-none"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("LinkIndex(missing) = %v, want ENODEV", err)
	}

	if err := netlink.SetAddrGenModeNone(name); err != nil {
		t.Fatal(err)
	}
	if err := netlink.SetMTU(name, 1380); err != nil {
		t.Fatal(err)
	}
	if err := netlink.SetUp(name, true); err != nil {
		t.Fatal(err)
	}
	l := showLink(t, ns, name)
	if l.MTU != 1380 || !slices.Contains(l.Flags, "UP") || l.GenMode != "none" {
		t.Errorf("after SetMTU/SetUp/SetAddrGenModeNone: mtu %d flags %v addrgenmode %q", l.MTU, l.Flags, l.GenMode)
	}

	prefixes := []netip.Prefix{
		netip.MustParsePrefix("10.88.0.1/24"),
		netip.MustParsePrefix("10.88.1.1/32"),
		netip.MustParsePrefix("fd88::1/64"),
		netip.MustParsePrefix("fe80::88/64"),
	}
	for _, p := range prefixes {
		if err := netlink.AddAddr(idx, p, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := netlink.AddAddr(idx, prefixes[0], true); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %s twice = %v, want EEXIST", prefixes[0], err)
	}
	if err := netlink.AddAddr(idx, netip.PrefixFrom(netip.MustParseAddr("fd88::2"), 129), true); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AddAddr with prefix length 129 = %v, want EINVAL", err)
	}
	if err := netlink.AddAddr(idx+1000, netip.MustParsePrefix("fd88::3/64"), true); !errors.Is(err, unix.ENODEV) {
		t.Errorf("AddAddr to a missing interface = %v, want ENODEV", err)
	}
	want := []string{"10.88.0.1/24", "10.88.1.1/32", "fd88::1/64", "fe80::88/64"}
	if diff := cmp.Diff(want, addrs(showLink(t, ns, name))); diff != "" {
		t.Errorf("addresses per ip (-want +got):\n%s", diff)
	}
	list, err := netlink.AddrList(idx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range list {
		got = append(got, a.Prefix.String())
		if a.Prefix.Addr().Is6() && a.Flags&(unix.IFA_F_NODAD|unix.IFA_F_TENTATIVE) != unix.IFA_F_NODAD {
			t.Errorf("%s: flags %#x, want NODAD and not TENTATIVE", a.Prefix, a.Flags)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddrList (-want +got):\n%s", diff)
	}

	for _, p := range prefixes[1:] {
		if err := netlink.DelAddr(idx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := netlink.DelAddr(idx, prefixes[1]); !errors.Is(err, unix.EADDRNOTAVAIL) {
		t.Errorf("deleting %s twice = %v, want EADDRNOTAVAIL", prefixes[1], err)
	}
	if diff := cmp.Diff(want[:1], addrs(showLink(t, ns, name))); diff != "" {
		t.Errorf("addresses after DelAddr (-want +got):\n%s", diff)
	}

	if err := netlink.SetUp(name, false); err != nil {
		t.Fatal(err)
	}
	if l := showLink(t, ns, name); slices.Contains(l.Flags, "UP") {
		t.Errorf("after SetUp(false): flags %v", l.Flags)
	}
	if err := netlink.SetMTU("nbwgnl-none", 1400); !errors.Is(err, unix.ENODEV) {
		t.Errorf("SetMTU(missing) = %v, want ENODEV", err)
	}
}
