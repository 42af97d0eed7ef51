package ifnet

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

type fakeDriver struct {
	inits, stops, destroys int
	mtu                    int
}

func (d *fakeDriver) Ioctl(cred sys.Cred, cmd uint32, arg, in []byte) ([]byte, error) {
	return nil, sys.ENOTTY
}
func (d *fakeDriver) Init() error    { d.inits++; return nil }
func (d *fakeDriver) Stop()          { d.stops++ }
func (d *fakeDriver) SetMTU(mtu int) { d.mtu = mtu }
func (d *fakeDriver) Destroy()       { d.destroys++ }

var root = sys.Cred{UID: 0}
var nobody = sys.Cred{UID: 65534, GID: 65534}

func newTestNet() (*Net, map[string]*fakeDriver) {
	drivers := map[string]*fakeDriver{}
	n := New(nil, Cloner{Name: "wg", Flags: sys.IFF_MULTICAST, MTU: sys.WG_MTU,
		Create: func(ifp *Interface) (Driver, error) {
			d := &fakeDriver{}
			drivers[ifp.Name()] = d
			return d, nil
		}})
	return n, drivers
}

func ifreq(name string) []byte {
	r := sys.Ifreq{}
	copy(r.Name[:], name)
	return r.Marshal()
}

func do(t *testing.T, n *Net, cred sys.Cred, cmd uint32, arg []byte) error {
	t.Helper()
	_, err := n.Ioctl(cred, cmd, arg, nil)
	return err
}

func flagsOf(t *testing.T, n *Net, name string) int {
	t.Helper()
	arg := ifreq(name)
	if err := do(t, n, nobody, sys.SIOCGIFFLAGS, arg); err != nil {
		t.Fatalf("SIOCGIFFLAGS %s: %v", name, err)
	}
	r, _ := sys.UnmarshalIfreq(arg)
	return int(uint16(r.Flags()))
}

func aliasreq(name, prefix string) []byte {
	p := netip.MustParsePrefix(prefix)
	r := sys.InAliasreq{Addr: sys.SockaddrInFrom(p.Addr(), 0)}
	copy(r.Name[:], name)
	m := maskOf(p.Bits(), 4)
	r.Mask = sys.SockaddrIn{Len: 16, Family: sys.AF_INET}
	copy(r.Mask.Addr[:], m)
	return r.Marshal()
}

func aliasreq6(name, prefix string) []byte {
	p := netip.MustParsePrefix(prefix)
	r := sys.In6Aliasreq{Addr: sys.SockaddrIn6From(p.Addr(), 0, 0)}
	copy(r.Name[:], name)
	var m [16]byte
	copy(m[:], maskOf(p.Bits(), 16))
	r.Prefixmask = sys.SockaddrIn6{Len: 28, Family: sys.AF_INET6, Addr: m}
	return r.Marshal()
}

func TestCreateDestroy(t *testing.T) {
	n, drivers := newTestNet()
	for _, tc := range []struct {
		cred sys.Cred
		cmd  uint32
		name string
		want error
	}{
		{root, sys.SIOCIFCREATE, "wg0", nil},
		{root, sys.SIOCIFCREATE, "wg0", sys.EEXIST},
		{root, sys.SIOCIFCREATE, "wg00", sys.EEXIST}, // unit 0: wg0 (TestCloneUnits)
		{root, sys.SIOCIFCREATE, "wg", sys.EINVAL},
		{root, sys.SIOCIFCREATE, "tun0", sys.EINVAL},
		{nobody, sys.SIOCIFCREATE, "wg1", sys.EPERM},
		{nobody, sys.SIOCIFDESTROY, "wg0", sys.EPERM},
		{root, sys.SIOCIFDESTROY, "wg7", sys.ENXIO},
		{root, sys.SIOCIFDESTROY, "tun0", sys.EINVAL},
		{root, sys.SIOCIFCREATE, "wg1", nil},
		{root, sys.SIOCIFDESTROY, "wg0", nil},
		{root, sys.SIOCGIFFLAGS, "wg0", sys.ENXIO},
	} {
		if err := do(t, n, tc.cred, tc.cmd, ifreq(tc.name)); !errors.Is(err, tc.want) && err != tc.want {
			t.Errorf("%s %s as uid %d: err = %v, want %v", sys.IoctlName(tc.cmd), tc.name, tc.cred.UID, err, tc.want)
		}
	}
	if drivers["wg0"].destroys != 1 {
		t.Errorf("wg0 driver destroyed %d times", drivers["wg0"].destroys)
	}
	if n.Count() != 1 || n.Lookup("wg1") == nil {
		t.Errorf("table holds %d interfaces", n.Count())
	}
}

// TestCloneUnits follows if_clone_lookup, sys/net/if.c (rev 1.308,
// lines 1049-1092; the same unit loop in 1.419.2.9): the unit is read
// digit by digit with leading zeros, and a name whose unit has reached
// INT_MAX/10 (214748364) with a digit still to read is no cloner's
// (EINVAL, line 1082).  if_clone_create (lines 1007-1020) then lets the
// cloner name the interface: wg_clone_create calls if_initname (lines
// 285-289), "%s%d", so "wg01" makes wg1.  NetBSD looks for a duplicate
// under the name given (ifunit("wg01"), lines 1606-1639), and would make
// a second wg1 beside an existing one; nbwg refuses that with EEXIST.
// if_clone_destroy runs the same lookup first, then wants the exact name.
func TestCloneUnits(t *testing.T) {
	n, _ := newTestNet()
	names := func() []string {
		var l []string
		for _, ifp := range n.ifaces {
			l = append(l, ifp.Name())
		}
		return l
	}
	for _, tc := range []struct {
		cmd   uint32
		name  string
		want  error
		after []string // the interfaces then, in creation order
	}{
		{sys.SIOCIFCREATE, "wg01", nil, []string{"wg1"}},
		{sys.SIOCIFCREATE, "wg1", sys.EEXIST, []string{"wg1"}},
		{sys.SIOCIFCREATE, "wg001", sys.EEXIST, []string{"wg1"}},
		{sys.SIOCIFDESTROY, "wg01", sys.ENXIO, []string{"wg1"}},
		{sys.SIOCIFCREATE, "wg00", nil, []string{"wg1", "wg0"}},
		// Nine digits never reach INT_MAX/10 before the last.
		{sys.SIOCIFCREATE, "wg214748364", nil, []string{"wg1", "wg0", "wg214748364"}},
		// 199999999 < 214748364 when the tenth digit comes.
		{sys.SIOCIFCREATE, "wg1999999999", nil, []string{"wg1", "wg0", "wg214748364", "wg1999999999"}},
		{sys.SIOCIFDESTROY, "wg1999999999", nil, []string{"wg1", "wg0", "wg214748364"}},
		// Leading zeros add no value: unit 1 again.
		{sys.SIOCIFCREATE, "wg0000000000001", sys.EEXIST, []string{"wg1", "wg0", "wg214748364"}},
		// 214748364 read with a digit to come.
		{sys.SIOCIFCREATE, "wg2147483640", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		{sys.SIOCIFCREATE, "wg2147483647", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		{sys.SIOCIFCREATE, "wg2147483648", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		{sys.SIOCIFCREATE, "wg4294967297", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		{sys.SIOCIFCREATE, "wg99999999999", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		{sys.SIOCIFDESTROY, "wg99999999999", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		// A leading zero does not hide the length: 1234567890 read,
		// a digit to come.
		{sys.SIOCIFCREATE, "wg0123456789012", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		{sys.SIOCIFCREATE, "wg1a", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
		{sys.SIOCIFCREATE, "wg-1", sys.EINVAL, []string{"wg1", "wg0", "wg214748364"}},
	} {
		if err := do(t, n, root, tc.cmd, ifreq(tc.name)); !errors.Is(err, tc.want) && err != tc.want {
			t.Errorf("%s %s: err = %v, want %v", sys.IoctlName(tc.cmd), tc.name, err, tc.want)
		}
		if diff := cmp.Diff(tc.after, names()); diff != "" {
			t.Errorf("%s %s: interfaces after (-want +got):\n%s", sys.IoctlName(tc.cmd), tc.name, diff)
		}
	}
	if n.Lookup("wg01") != nil || n.Lookup("wg1") == nil {
		t.Errorf("wg01 create made an interface named otherwise than wg1")
	}
}

func TestFlagsAndLinkLocal(t *testing.T) {
	n, drivers := newTestNet()
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	if got := flagsOf(t, n, "wg0"); got != sys.IFF_MULTICAST {
		t.Fatalf("fresh flags = %#x, want MULTICAST", got)
	}
	// An address brings it up and running, with a link-local address.
	if err := do(t, n, root, sys.SIOCAIFADDR, aliasreq("wg0", "10.2.0.1/24")); err != nil {
		t.Fatal(err)
	}
	if got := flagsOf(t, n, "wg0"); got != 0x8041 {
		t.Errorf("flags after inet = %#x, want 0x8041", got)
	}
	if err := do(t, n, root, sys.SIOCAIFADDR_IN6, aliasreq6("wg0", "fd00:2::1/64")); err != nil {
		t.Fatal(err)
	}
	ifp := n.Lookup("wg0")
	var got []string
	for _, a := range n.Addrs(ifp) {
		got = append(got, a.Prefix.String())
	}
	want := []string{"10.2.0.1/24", "fe80::200:ff:fe00:1/64", "fd00:2::1/64"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}

	down := ifreq("wg0")
	r, _ := sys.UnmarshalIfreq(down)
	r.SetFlags(f16(sys.IFF_MULTICAST))
	if err := do(t, n, root, sys.SIOCSIFFLAGS, r.Marshal()); err != nil {
		t.Fatal(err)
	}
	if got := flagsOf(t, n, "wg0"); got != sys.IFF_MULTICAST {
		t.Errorf("flags after down = %#x", got)
	}
	r.SetFlags(f16(sys.IFF_MULTICAST | sys.IFF_UP))
	if err := do(t, n, root, sys.SIOCSIFFLAGS, r.Marshal()); err != nil {
		t.Fatal(err)
	}
	d := drivers["wg0"]
	if d.inits != 2 || d.stops != 1 {
		t.Errorf("driver inits %d stops %d, want 2 and 1", d.inits, d.stops)
	}
	if len(n.Addrs(ifp)) != 3 {
		t.Errorf("a second up added another link-local: %v", n.Addrs(ifp))
	}
	if err := do(t, n, nobody, sys.SIOCSIFFLAGS, r.Marshal()); !errors.Is(err, sys.EPERM) {
		t.Errorf("unprivileged SIOCSIFFLAGS: %v", err)
	}
}

func TestAddresses(t *testing.T) {
	n, _ := newTestNet()
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	do(t, n, root, sys.SIOCAIFADDR, aliasreq("wg0", "10.2.0.1/24"))
	// Re-adding updates the prefix length in place.
	do(t, n, root, sys.SIOCAIFADDR, aliasreq("wg0", "10.2.0.1/16"))
	q := ifreq("wg0")
	r, _ := sys.UnmarshalIfreq(q)
	s := sys.SockaddrInFrom(netip.MustParseAddr("10.2.0.1"), 0)
	s.MarshalTo(r.Union[:])
	arg := r.Marshal()
	if err := do(t, n, nobody, sys.SIOCGIFNETMASK, arg); err != nil {
		t.Fatal(err)
	}
	r, _ = sys.UnmarshalIfreq(arg)
	mask, _ := sys.UnmarshalSockaddrIn(r.Union[:])
	if mask.Addr != [4]byte{255, 255, 0, 0} {
		t.Errorf("netmask = %v", mask.Addr)
	}
	// Delete, then delete again.
	r, _ = sys.UnmarshalIfreq(q)
	s.MarshalTo(r.Union[:])
	if err := do(t, n, root, sys.SIOCDIFADDR, r.Marshal()); err != nil {
		t.Fatal(err)
	}
	if err := do(t, n, root, sys.SIOCDIFADDR, r.Marshal()); !errors.Is(err, sys.EADDRNOTAVAIL) {
		t.Errorf("second delete: %v", err)
	}
	// A non-contiguous netmask is refused.
	bad := aliasreq("wg0", "10.9.0.1/24")
	bad[48+4+1] = 0x0f
	if err := do(t, n, root, sys.SIOCAIFADDR, bad); !errors.Is(err, sys.EINVAL) {
		t.Errorf("bad mask: %v", err)
	}
	if err := do(t, n, root, sys.SIOCAIFADDR_IN6, aliasreq6("wg0", "fe80::1/10")); !errors.Is(err, sys.EINVAL) {
		t.Errorf("link-local /10: %v", err)
	}
}

func TestMTU(t *testing.T) {
	n, drivers := newTestNet()
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	set := func(mtu int32) error {
		r, _ := sys.UnmarshalIfreq(ifreq("wg0"))
		r.SetInt(mtu)
		return do(t, n, root, sys.SIOCSIFMTU, r.Marshal())
	}
	get := func() int32 {
		arg := ifreq("wg0")
		do(t, n, nobody, sys.SIOCGIFMTU, arg)
		r, _ := sys.UnmarshalIfreq(arg)
		return r.Int()
	}
	if get() != 1420 {
		t.Errorf("default MTU %d", get())
	}
	if err := set(1280); err != nil || get() != 1280 || drivers["wg0"].mtu != 1280 {
		t.Errorf("set 1280: %v, now %d", err, get())
	}
	for _, bad := range []int32{0, -1, 67, 70000} {
		if err := set(bad); !errors.Is(err, sys.EINVAL) {
			t.Errorf("mtu %d: %v", bad, err)
		}
	}
}

func TestClonersAndIfconf(t *testing.T) {
	n, _ := newTestNet()
	c := sys.IfClonereq{Count: 4}
	arg := c.Marshal()
	out, err := n.Ioctl(nobody, sys.SIOCIFGCLONERS, arg, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := sys.UnmarshalIfClonereq(arg)
	if back.Total != 1 || string(out[:2]) != "wg" || len(out) != sys.IFNAMSIZ {
		t.Errorf("cloners: total %d, %q", back.Total, out)
	}

	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg1"))
	do(t, n, root, sys.SIOCAIFADDR, aliasreq("wg1", "10.0.0.1/24"))
	ic := sys.Ifconf{Len: 100 * sys.SizeofIfreq}
	arg = ic.Marshal()
	out, err = n.Ioctl(nobody, sys.SIOCGIFCONF, arg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i+sys.SizeofIfreq <= len(out); i += sys.SizeofIfreq {
		r, _ := sys.UnmarshalIfreq(out[i : i+sys.SizeofIfreq])
		got = append(got, r.Name.String()+"/"+map[byte]string{sys.AF_LINK: "link", sys.AF_INET: "inet", sys.AF_INET6: "inet6"}[r.Union[1]])
	}
	want := []string{"wg0/link", "wg1/link", "wg1/inet", "wg1/inet6"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SIOCGIFCONF entries (-want +got):\n%s", diff)
	}
	// A short buffer gets whole entries only.
	ic.Len = sys.SizeofIfreq + 10
	arg = ic.Marshal()
	out, _ = n.Ioctl(nobody, sys.SIOCGIFCONF, arg, nil)
	back2, _ := sys.UnmarshalIfconf(arg)
	if len(out) != sys.SizeofIfreq || back2.Len != sys.SizeofIfreq {
		t.Errorf("short buffer: %d bytes, ifc_len %d", len(out), back2.Len)
	}
}

// f16 converts flags to ifru_flags, a short in which MULTICAST is the sign bit.
func f16(v int) int16 { return int16(v) }

// flagsByAddr returns each address's flags.
func flagsByAddr(n *Net, name string) map[string]int {
	out := map[string]int{}
	for _, a := range n.Addrs(n.Lookup(name)) {
		out[a.Prefix.String()] = a.Flags
	}
	return out
}

func TestAddressFlagsFollowTheLink(t *testing.T) {
	n, _ := newTestNet()
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	do(t, n, root, sys.SIOCAIFADDR, aliasreq("wg0", "10.2.0.1/24"))
	do(t, n, root, sys.SIOCAIFADDR_IN6, aliasreq6("wg0", "fd00:2::1/64"))
	ll := "fe80::200:ff:fe00:1/64"
	// No peer: the link is down, so the IPv6 addresses are detached;
	// the first IPv4 address, added while the interface was down, is not.
	want := map[string]int{ll: sys.IN6_IFF_DETACHED, "fd00:2::1/64": sys.IN6_IFF_DETACHED, "10.2.0.1/24": 0}
	if diff := cmp.Diff(want, flagsByAddr(n, "wg0")); diff != "" {
		t.Errorf("before the link is up (-want +got):\n%s", diff)
	}
	ifp := n.Lookup("wg0")
	ifp.SetLinkState(sys.LINK_STATE_UP)
	want = map[string]int{ll: 0, "fd00:2::1/64": 0, "10.2.0.1/24": 0}
	if diff := cmp.Diff(want, flagsByAddr(n, "wg0")); diff != "" {
		t.Errorf("link up (-want +got):\n%s", diff)
	}
	// Down: everything detached; up again: attached.
	r, _ := sys.UnmarshalIfreq(ifreq("wg0"))
	r.SetFlags(f16(sys.IFF_MULTICAST))
	do(t, n, root, sys.SIOCSIFFLAGS, r.Marshal())
	want = map[string]int{ll: sys.IN6_IFF_DETACHED, "fd00:2::1/64": sys.IN6_IFF_DETACHED, "10.2.0.1/24": sys.IN_IFF_DETACHED}
	if diff := cmp.Diff(want, flagsByAddr(n, "wg0")); diff != "" {
		t.Errorf("interface down (-want +got):\n%s", diff)
	}
	r.SetFlags(f16(sys.IFF_MULTICAST | sys.IFF_UP))
	do(t, n, root, sys.SIOCSIFFLAGS, r.Marshal())
	want = map[string]int{ll: 0, "fd00:2::1/64": 0, "10.2.0.1/24": 0}
	if diff := cmp.Diff(want, flagsByAddr(n, "wg0")); diff != "" {
		t.Errorf("interface up (-want +got):\n%s", diff)
	}
	ifp.SetLinkState(sys.LINK_STATE_DOWN)
	do(t, n, root, sys.SIOCAIFADDR, aliasreq("wg0", "10.3.0.1/24"))
	if got := flagsByAddr(n, "wg0")["10.3.0.1/24"]; got != sys.IN_IFF_DETACHED {
		t.Errorf("IPv4 address added to a running interface without link: flags %#x", got)
	}
}

func TestDefaultPrefixLengths(t *testing.T) {
	n, _ := newTestNet()
	do(t, n, root, sys.SIOCIFCREATE, ifreq("wg0"))
	for _, tc := range []struct {
		addr string
		bits int
	}{{"10.0.0.1", 8}, {"172.16.0.1", 16}, {"192.168.1.1", 24}} {
		r := sys.InAliasreq{Addr: sys.SockaddrInFrom(netip.MustParseAddr(tc.addr), 0)}
		copy(r.Name[:], "wg0")
		if err := do(t, n, root, sys.SIOCAIFADDR, r.Marshal()); err != nil {
			t.Fatal(err)
		}
		p := netip.PrefixFrom(netip.MustParseAddr(tc.addr), tc.bits).String()
		if _, ok := flagsByAddr(n, "wg0")[p]; !ok {
			t.Errorf("%s without a mask: want %s, have %v", tc.addr, p, flagsByAddr(n, "wg0"))
		}
	}
	// An IPv6 address keeps its prefix length.
	do(t, n, root, sys.SIOCAIFADDR_IN6, aliasreq6("wg0", "fd00::1/64"))
	if err := do(t, n, root, sys.SIOCAIFADDR_IN6, aliasreq6("wg0", "fd00::1/48")); !errors.Is(err, sys.EINVAL) {
		t.Errorf("changing an IPv6 prefix length: %v", err)
	}
}

// TestWatch: watchers hear each interface arrive, come up (by SIOCSIFFLAGS
// or by a first address), go down, and go away, in that order, with the
// interface in the table at the first event and marked detached before
// the last.
func TestWatch(t *testing.T) {
	n, _ := newTestNet()
	var events []string
	n.Watch(func(ifp *Interface, ev Event) {
		name := map[Event]string{EventUp: "up", EventDown: "down", EventDetach: "detach", EventAttach: "attach"}[ev]
		if ev == EventAttach && n.lookup(ifp.Name()) != ifp {
			t.Errorf("%s: attach event before it is in the table", ifp.Name())
		}
		if ev == EventDetach && !ifp.Detached() {
			t.Errorf("%s: detach event before Detached()", ifp.Name())
		}
		if ev == EventUp && len(ifp.AddrSnapshot()) == 0 {
			t.Errorf("%s: up event before its addresses were published", ifp.Name())
		}
		events = append(events, ifp.Name()+" "+name)
	})
	for _, step := range []struct {
		cmd uint32
		arg []byte
	}{
		{sys.SIOCIFCREATE, ifreq("wg0")},
		{sys.SIOCAIFADDR, aliasreq("wg0", "10.2.0.1/24")}, // brings wg0 up
		{sys.SIOCIFCREATE, ifreq("wg1")},
		{sys.SIOCSIFFLAGS, ifreq("wg0")}, // flags 0: down
		{sys.SIOCIFDESTROY, ifreq("wg0")},
		{sys.SIOCIFDESTROY, ifreq("wg1")},
	} {
		if err := do(t, n, root, step.cmd, step.arg); err != nil {
			t.Fatalf("%s: %v", sys.IoctlName(step.cmd), err)
		}
	}
	want := []string{"wg0 attach", "wg0 up", "wg1 attach", "wg0 down", "wg0 detach", "wg1 detach"}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if got := n.Interfaces(); len(got) != 0 {
		t.Errorf("Interfaces() after destroying all: %d", len(got))
	}
}

// TestCreateNamed: an interface named by someone else (nbwg-go's TUN)
// keeps its name exactly, is found by it, and takes the MTU its host
// device was given, telling its driver.
func TestCreateNamed(t *testing.T) {
	n, drivers := newTestNet()
	for _, name := range []string{"home", "wg01", "wg0"} {
		if err := n.CreateNamed("wg", name); err != nil {
			t.Fatalf("CreateNamed(%q): %v", name, err)
		}
		if n.Lookup(name) == nil {
			t.Errorf("%s not found by its name", name)
		}
	}
	for _, tc := range []struct{ cloner, name string }{
		{"wg", "home"}, {"gif", "x"}, {"wg", ""}, {"wg", "sixteen-chars-xx"},
	} {
		if err := n.CreateNamed(tc.cloner, tc.name); err == nil {
			t.Errorf("CreateNamed(%q, %q) succeeded", tc.cloner, tc.name)
		}
	}
	if err := n.NoteMTU("home", 34716); err != nil {
		t.Fatal(err)
	}
	if got := n.Lookup("home").MTU(); got != 34716 || drivers["home"].mtu != 34716 {
		t.Errorf("after NoteMTU: interface %d, driver %d", got, drivers["home"].mtu)
	}
	if err := n.NoteMTU("nothere", 1500); !errors.Is(err, sys.ENXIO) {
		t.Errorf("NoteMTU of no interface: %v", err)
	}
	// DestroyAll takes them all, names of no cloner's form included
	// (it looped for ever on "home").
	n.DestroyAll()
	if n.Count() != 0 || drivers["home"].destroys != 1 {
		t.Errorf("after DestroyAll: %d interfaces, home destroyed %d times", n.Count(), drivers["home"].destroys)
	}
}
