//go:build linux

package netlink_test

import (
	"encoding/json"
	"errors"
	"fmt"
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

// ipRoute is the part of "ip -j route show" output the test looks at.
type ipRoute struct {
	Type     string `json:"type"`
	Dst      string `json:"dst"`
	Gateway  string `json:"gateway"`
	Dev      string `json:"dev"`
	Protocol string `json:"protocol"`
	Scope    string `json:"scope"`
	Metrics  []struct {
		MTU int `json:"mtu"`
	} `json:"metrics"`
}

// routes lists the routes of family ("-4" or "-6") that nbwg added
// (proto static), as "type dst via gw dev name mtu n" strings.
func routes(t *testing.T, ns *nstest.Namespace, family string) []string {
	t.Helper()
	var rs []ipRoute
	out := ns.IP(t, "-j", family, "route", "show", "proto", "static")
	if err := json.Unmarshal(out, &rs); err != nil {
		t.Fatalf("ip -j route show: %v: %s", err, out)
	}
	var s []string
	for _, r := range rs {
		line := r.Dst
		if r.Type != "" && r.Type != "unicast" {
			line = r.Type + " " + line
		}
		if r.Gateway != "" {
			line += " via " + r.Gateway
		}
		if r.Dev != "" && r.Dev != "lo" {
			line += " dev " + r.Dev
		}
		if r.Scope != "" && r.Scope != "global" {
			line += " scope " + r.Scope
		}
		for _, m := range r.Metrics {
			if m.MTU != 0 {
				line += fmt.Sprintf(" mtu %d", m.MTU)
			}
		}
		s = append(s, line)
	}
	return s
}

func TestRoutes(t *testing.T) {
	ns := nstest.New(t)
	ns.Enter(t)
	const name = "nbwgnl1"
	dev, err := tun.Create(name, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	idx, err := netlink.LinkIndex(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		netlink.SetAddrGenModeNone(name),
		netlink.SetUp(name, true),
		netlink.AddAddr(idx, netip.MustParsePrefix("10.2.0.1/24"), true),
		netlink.AddAddr(idx, netip.MustParsePrefix("fd00:2::1/64"), true),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	via := netlink.Route{Dst: netip.MustParsePrefix("10.3.0.0/24"), Gateway: netip.MustParseAddr("10.2.0.42"), Index: idx, Type: netlink.Unicast}
	direct := netlink.Route{Dst: netip.MustParsePrefix("192.168.2.0/24"), Index: idx, Type: netlink.Unicast, MTU: 1300}
	direct6 := netlink.Route{Dst: netip.MustParsePrefix("fd00:3::/64"), Index: idx, Type: netlink.Unicast}
	hole := netlink.Route{Dst: netip.MustParsePrefix("10.4.0.0/16"), Type: netlink.Blackhole}
	for _, r := range []netlink.Route{via, direct, direct6, hole} {
		if err := netlink.AddRoute(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := netlink.AddRoute(via); !errors.Is(err, unix.EEXIST) {
		t.Errorf("adding %s twice = %v, want EEXIST", via, err)
	}
	want4 := []string{
		"10.3.0.0/24 via 10.2.0.42 dev " + name,
		"blackhole 10.4.0.0/16",
		"192.168.2.0/24 dev " + name + " scope link mtu 1300",
	}
	if diff := cmp.Diff(want4, routes(t, ns, "-4")); diff != "" {
		t.Errorf("IPv4 routes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"fd00:3::/64 dev " + name}, routes(t, ns, "-6")); diff != "" {
		t.Errorf("IPv6 routes (-want +got):\n%s", diff)
	}

	// Replace: the gateway route becomes one straight to the device.
	via.Gateway = netip.Addr{}
	if err := netlink.ReplaceRoute(via); err != nil {
		t.Fatal(err)
	}
	for _, r := range []netlink.Route{direct, direct6, hole} {
		if err := netlink.DelRoute(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := netlink.DelRoute(hole); !errors.Is(err, unix.ESRCH) {
		t.Errorf("deleting %s twice = %v, want ESRCH", hole, err)
	}
	if diff := cmp.Diff([]string{"10.3.0.0/24 dev " + name + " scope link"}, routes(t, ns, "-4")); diff != "" {
		t.Errorf("IPv4 routes after replace and delete (-want +got):\n%s", diff)
	}
	if got := routes(t, ns, "-6"); len(got) != 0 {
		t.Errorf("IPv6 routes after delete: %q", got)
	}
	if err := netlink.AddRoute(netlink.Route{Dst: netip.MustParsePrefix("10.5.0.0/24"), Gateway: netip.MustParseAddr("fd00:2::42"), Index: idx, Type: netlink.Unicast}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("an IPv6 gateway for an IPv4 route = %v, want EINVAL", err)
	}
}
