package route_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/kern"
	"nbwg/kernel/netlink"
	"nbwg/kernel/sys"
)

var (
	root   = sys.Cred{UID: 0, PID: 42}
	nobody = sys.Cred{UID: 65534, GID: 65534, PID: 43}
)

// fakeHost records what the table mirrors, as "add ...", "replace ...",
// "del ..." lines; fail makes the next call fail with that errno.
type fakeHost struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (h *fakeHost) do(verb string, r netlink.Route) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.fail; err != nil {
		h.fail = nil
		return err
	}
	h.calls = append(h.calls, verb+" "+r.String())
	return nil
}

func (h *fakeHost) AddRoute(r netlink.Route) error     { return h.do("add", r) }
func (h *fakeHost) ReplaceRoute(r netlink.Route) error { return h.do("replace", r) }
func (h *fakeHost) DelRoute(r netlink.Route) error     { return h.do("del", r) }

// take returns the calls so far and forgets them.
func (h *fakeHost) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.calls
	h.calls = nil
	return c
}

// testKernel is a kernel without a host for its interfaces, whose routes
// go to a fakeHost.  Interfaces are numbered from 2 (lo0 is 1).
type testKernel struct {
	t    *testing.T
	k    *kern.Kernel
	host *fakeHost
}

func newKernel(t *testing.T) *testKernel {
	h := &fakeHost{}
	return &testKernel{t: t, k: kern.New(kern.Parts{Routes: h}), host: h}
}

func (tk *testKernel) ioctl(cred sys.Cred, cmd uint32, arg, in []byte) ([]byte, error) {
	out, errno := sys.Dispatch(tk.k, cred, cmd, arg, in)
	if errno != 0 {
		return nil, errno
	}
	return out, nil
}

func ifreq(name string) []byte {
	r := sys.Ifreq{}
	copy(r.Name[:], name)
	return r.Marshal()
}

// ifconfig runs the ifconfig requests the words ask for: "create",
// "destroy", "up", "down", or an address with its prefix length.
func (tk *testKernel) ifconfig(name string, words ...string) {
	tk.t.Helper()
	for _, w := range words {
		var cmd uint32
		var arg []byte
		switch w {
		case "create":
			cmd, arg = sys.SIOCIFCREATE, ifreq(name)
		case "destroy":
			cmd, arg = sys.SIOCIFDESTROY, ifreq(name)
		case "up", "down":
			r := sys.Ifreq{}
			copy(r.Name[:], name)
			if w == "up" {
				r.SetFlags(sys.IFF_UP)
			}
			cmd, arg = sys.SIOCSIFFLAGS, r.Marshal()
		default:
			p := netip.MustParsePrefix(w)
			if p.Addr().Is4() {
				r := sys.InAliasreq{Addr: sys.SockaddrInFrom(p.Addr(), 0)}
				copy(r.Name[:], name)
				m := netip.PrefixFrom(netip.IPv4Unspecified(), 0).Addr().As4()
				for i := 0; i < p.Bits(); i++ {
					m[i/8] |= 0x80 >> (i % 8)
				}
				r.Mask = sys.SockaddrIn{Len: 16, Family: sys.AF_INET, Addr: m}
				cmd, arg = sys.SIOCAIFADDR, r.Marshal()
			} else {
				r := sys.In6Aliasreq{Addr: sys.SockaddrIn6From(p.Addr(), 0, 0)}
				copy(r.Name[:], name)
				var m [16]byte
				for i := 0; i < p.Bits(); i++ {
					m[i/8] |= 0x80 >> (i % 8)
				}
				r.Prefixmask = sys.SockaddrIn6{Len: 28, Family: sys.AF_INET6, Addr: m}
				cmd, arg = sys.SIOCAIFADDR_IN6, r.Marshal()
			}
		}
		if _, err := tk.ioctl(root, cmd, arg, nil); err != nil {
			tk.t.Fatalf("ifconfig %s %s: %v", name, w, err)
		}
	}
}

// Socket addresses as route(8) writes them.
func sin(a string) []byte {
	s := sys.SockaddrInFrom(netip.MustParseAddr(a), 0)
	return s.Marshal()
}

func sin6(a string, scope uint32) []byte {
	s := sys.SockaddrIn6From(netip.MustParseAddr(a), 0, scope)
	sys.PutScopeID(&s)
	return s.Marshal()
}

// mask is route(8)'s netmask: its family set, cut after its last byte
// that is not 0 (mask_addr).
func mask(bits int, v4 bool) []byte {
	off, b := 4, make([]byte, 16)
	if !v4 {
		off, b = 8, make([]byte, 28)
	}
	b[1] = sys.AF_INET
	if !v4 {
		b[1] = sys.AF_INET6
	}
	for i := 0; i < bits; i++ {
		b[off+i/8] |= 0x80 >> (i % 8)
	}
	l := len(b)
	for l > 0 && b[l-1] == 0 {
		l--
	}
	b[0] = byte(l)
	return b[:max(l, 2)]
}

func link(name string) []byte {
	s := sys.SockaddrDl{Len: sys.SizeofSockaddrDl, Family: sys.AF_LINK}
	s.Nlen = uint8(copy(s.Data[:], name))
	return s.Marshal()
}

// msg is a routing message; addrs are given in RTAX order by index.
type msg struct {
	typ   uint8
	flags int32
	inits int32
	rmx   sys.RtMetrics
	addrs map[int][]byte
}

func (m msg) bytes() []byte {
	r := sys.RtMsg{Hdr: sys.RtMsghdr{Version: sys.RTM_VERSION, Type: m.typ, Flags: m.flags, Seq: 1, Inits: m.inits, Rmx: m.rmx}}
	for i, sa := range m.addrs {
		r.Addrs[i] = sa
	}
	return r.Marshal()
}

// write sends a routing message and returns the kernel's answer.
func (tk *testKernel) write(cred sys.Cred, m msg) (*sys.RtMsg, error) {
	b := m.bytes()
	req := sys.RouteReq{Op: sys.ROUTE_WRITE, InLen: uint32(len(b)), OutLen: 1024}
	arg := req.Marshal()
	out, err := tk.ioctl(cred, sys.NBWG_ROUTE, arg, b)
	if err != nil {
		return nil, err
	}
	back, _ := sys.UnmarshalRouteReq(arg)
	if int(back.OutLen) != len(out) {
		tk.t.Fatalf("answer of %d bytes, OutLen %d", len(out), back.OutLen)
	}
	reply, _, err := sys.ParseRtMsg(out)
	if err != nil {
		tk.t.Fatalf("answer: %v", err)
	}
	return reply, nil
}

const static = sys.RTF_UP | sys.RTF_STATIC

// add is route add with its flags: -iface routes have no RTF_GATEWAY.
func (tk *testKernel) add(cred sys.Cred, flags int32, addrs map[int][]byte) error {
	_, err := tk.write(cred, msg{typ: sys.RTM_ADD, flags: static | flags, addrs: addrs})
	return err
}

// describe renders a reply as the fields route get prints.
func describe(m *sys.RtMsg) string {
	var parts []string
	for i, sa := range m.Addrs {
		if sa == nil {
			continue
		}
		name := []string{"dst", "gw", "mask", "genmask", "ifp", "ifa", "author", "brd", "tag"}[i]
		parts = append(parts, name+"="+render(sa, i == sys.RTAX_NETMASK))
	}
	return fmt.Sprintf("%s flags=%#x index=%d", strings.Join(parts, " "), m.Hdr.Flags, m.Hdr.Index)
}

func render(sa []byte, isMask bool) string {
	if isMask {
		return fmt.Sprintf("len%d:% x", sa[0], sa[:min(int(sa[0]), len(sa))])
	}
	switch sa[1] {
	case sys.AF_INET:
		s, _ := sys.UnmarshalSockaddrIn(sa)
		return netip.AddrFrom4(s.Addr).String()
	case sys.AF_INET6:
		s, _ := sys.UnmarshalSockaddrIn6(sa)
		sys.GetScopeID(&s)
		return fmt.Sprintf("%s%%%d", netip.AddrFrom16(s.Addr), s.ScopeID)
	case sys.AF_LINK:
		s := sys.UnmarshalSockaddrDl(sa)
		if s.Nlen == 0 {
			return fmt.Sprintf("link#%d", s.Index)
		}
		return fmt.Sprintf("%s#%d", s.Name(), s.Index)
	}
	return fmt.Sprintf("% x", sa)
}

// get is route get: the address asking for the interface (RTA_IFP).
func (tk *testKernel) get(cred sys.Cred, dst []byte) (string, error) {
	m, err := tk.write(cred, msg{typ: sys.RTM_GET, flags: static | sys.RTF_HOST, addrs: map[int][]byte{
		sys.RTAX_DST: dst, sys.RTAX_IFP: link(""),
	}})
	if err != nil {
		return "", err
	}
	return describe(m), nil
}

func TestAddGetDeleteThroughInterface(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "10.2.0.1/24")
	net := map[int][]byte{sys.RTAX_DST: sin("192.168.2.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: mask(24, true)}

	// route add -inet -net 192.168.2.0/24 -link wg0 -iface
	if err := tk.add(root, 0, net); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"add 192.168.2.0/24 dev #2"}, tk.host.take()); diff != "" {
		t.Errorf("mirrored (-want +got):\n%s", diff)
	}
	if err := tk.add(root, 0, net); !errors.Is(err, sys.EEXIST) {
		t.Errorf("the same route again: %v, want EEXIST", err)
	}
	// Anybody may ask; the mask comes back as the radix tree keeps it.
	got, err := tk.get(nobody, sin("192.168.2.77"))
	if err != nil {
		t.Fatal(err)
	}
	want := "dst=192.168.2.0 gw=wg0#0 mask=len7:07 00 00 00 ff ff ff ifp=wg0#2 ifa=10.2.0.1 flags=0x841 index=2"
	if got != want {
		t.Errorf("route get:\n got %s\nwant %s", got, want)
	}
	// Only root changes the table.
	if _, err := tk.write(nobody, msg{typ: sys.RTM_DELETE, flags: static, addrs: net}); !errors.Is(err, sys.EACCES) {
		t.Errorf("delete by nobody: %v, want EACCES", err)
	}
	if err := tk.add(nobody, 0, map[int][]byte{sys.RTAX_DST: sin("10.9.0.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: mask(16, true)}); !errors.Is(err, sys.EACCES) {
		t.Errorf("add by nobody: %v, want EACCES", err)
	}
	del, err := tk.write(root, msg{typ: sys.RTM_DELETE, flags: static, addrs: map[int][]byte{sys.RTAX_DST: sin("192.168.2.0"), sys.RTAX_NETMASK: mask(24, true)}})
	if err != nil {
		t.Fatal(err)
	}
	if del.Hdr.Flags != static|sys.RTF_DONE {
		t.Errorf("delete's answer: flags %#x", del.Hdr.Flags)
	}
	if diff := cmp.Diff([]string{"del 192.168.2.0/24 dev #2"}, tk.host.take()); diff != "" {
		t.Errorf("mirrored (-want +got):\n%s", diff)
	}
	if _, err := tk.get(root, sin("192.168.2.77")); !errors.Is(err, sys.ESRCH) {
		t.Errorf("get after delete: %v, want ESRCH", err)
	}
	if _, err := tk.write(root, msg{typ: sys.RTM_DELETE, flags: static, addrs: net}); !errors.Is(err, sys.ESRCH) {
		t.Errorf("delete again: %v, want ESRCH", err)
	}
}

func TestGatewayMustBeOnAWgInterface(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "10.2.0.1/24")
	// route add -net 10.3.0.0/24 10.2.0.42: inside wg0's subnet.
	if err := tk.add(root, sys.RTF_GATEWAY, map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_GATEWAY: sin("10.2.0.42"), sys.RTAX_NETMASK: mask(24, true)}); err != nil {
		t.Fatal(err)
	}
	// Through that route's gateway's interface, -host.
	if err := tk.add(root, sys.RTF_GATEWAY|sys.RTF_HOST, map[int][]byte{sys.RTAX_DST: sin("10.4.0.1"), sys.RTAX_GATEWAY: sin("10.2.0.43")}); err != nil {
		t.Fatal(err)
	}
	want := []string{"add 10.3.0.0/24 via 10.2.0.42 dev #2", "add 10.4.0.1/32 via 10.2.0.43 dev #2"}
	if diff := cmp.Diff(want, tk.host.take()); diff != "" {
		t.Errorf("mirrored (-want +got):\n%s", diff)
	}
	got, err := tk.get(root, sin("10.4.0.1"))
	if want := "dst=10.4.0.1 gw=10.2.0.43 ifp=wg0#2 ifa=10.2.0.1 flags=0x847 index=2"; err != nil || got != want {
		t.Errorf("route get 10.4.0.1: %v\n got %s\nwant %s", err, got, want)
	}

	for _, tc := range []struct {
		name  string
		addrs map[int][]byte
		flags int32
		want  error
	}{
		{"a gateway in no wg subnet", map[int][]byte{sys.RTAX_DST: sin("10.5.0.0"), sys.RTAX_GATEWAY: sin("192.168.1.1"), sys.RTAX_NETMASK: mask(24, true)}, sys.RTF_GATEWAY, sys.ENETUNREACH},
		{"-link eth0", map[int][]byte{sys.RTAX_DST: sin("10.5.0.0"), sys.RTAX_GATEWAY: link("eth0"), sys.RTAX_NETMASK: mask(24, true)}, 0, sys.ENETUNREACH},
		{"-ifp eth0", map[int][]byte{sys.RTAX_DST: sin("10.5.0.0"), sys.RTAX_GATEWAY: sin("192.168.1.1"), sys.RTAX_NETMASK: mask(24, true), sys.RTAX_IFP: link("eth0")}, sys.RTF_GATEWAY, sys.ENETUNREACH},
		{"no gateway", map[int][]byte{sys.RTAX_DST: sin("10.5.0.0"), sys.RTAX_NETMASK: mask(24, true)}, 0, sys.EINVAL},
		{"an IPv6 gateway for IPv4", map[int][]byte{sys.RTAX_DST: sin("10.5.0.0"), sys.RTAX_GATEWAY: sin6("fd00::1", 0), sys.RTAX_NETMASK: mask(24, true)}, sys.RTF_GATEWAY, sys.EAFNOSUPPORT},
		{"a mask that is not a prefix", map[int][]byte{sys.RTAX_DST: sin("10.5.0.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: {8, sys.AF_INET, 0, 0, 255, 0, 255, 0}}, 0, sys.EINVAL},
		{"the subnet of wg0's address", map[int][]byte{sys.RTAX_DST: sin("10.2.0.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: mask(24, true)}, 0, sys.EEXIST},
	} {
		if err := tk.add(root, tc.flags, tc.addrs); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if calls := tk.host.take(); len(calls) != 0 {
		t.Errorf("refused routes were mirrored: %q", calls)
	}
}

// TestConnectedRoutes: the prefixes of the addresses are routes route
// get finds and the dump lists, which only ifconfig removes.
func TestConnectedRoutes(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "10.2.0.1/24", "fd00:2::1/64")
	got, err := tk.get(root, sin("10.2.0.42"))
	if want := "dst=10.2.0.0 gw=link#2 mask=len7:07 00 00 00 ff ff ff ifp=wg0#2 ifa=10.2.0.1 flags=0x141 index=2"; err != nil || got != want {
		t.Errorf("route get 10.2.0.42: %v\n got %s\nwant %s", err, got, want)
	}
	got, err = tk.get(root, sin6("fe80::99", 2))
	if want := "dst=fe80::%2 gw=link#2 mask=len16:10 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff ifp=wg0#2"; err != nil || !strings.HasPrefix(got, want) {
		t.Errorf("route get fe80::99%%wg0: %v\n got %s\nwant %s...", err, got, want)
	}
	for _, typ := range []uint8{sys.RTM_DELETE, sys.RTM_CHANGE} {
		_, err := tk.write(root, msg{typ: typ, flags: static, addrs: map[int][]byte{sys.RTAX_DST: sin("10.2.0.0"), sys.RTAX_NETMASK: mask(24, true)}})
		if !errors.Is(err, sys.EBUSY) {
			t.Errorf("type %d of a connected route: %v, want EBUSY", typ, err)
		}
	}
	tk.ifconfig("wg0", "down")
	if _, err := tk.get(root, sin("10.2.0.42")); !errors.Is(err, sys.ESRCH) {
		t.Errorf("route get 10.2.0.42 with wg0 down: %v, want ESRCH", err)
	}
}

// dump returns the table as route show reads it.
func (tk *testKernel) dump(af uint32, room int) []string {
	tk.t.Helper()
	req := sys.RouteReq{Op: sys.ROUTE_DUMP, Family: af, OutLen: uint32(room)}
	arg := req.Marshal()
	out, err := tk.ioctl(nobody, sys.NBWG_ROUTE, arg, nil)
	if err != nil {
		tk.t.Fatal(err)
	}
	back, _ := sys.UnmarshalRouteReq(arg)
	if int(back.OutLen) > room {
		return []string{fmt.Sprintf("need %d", back.OutLen)}
	}
	var lines []string
	for len(out) > 0 {
		m, n, err := sys.ParseRtMsg(out)
		if err != nil {
			tk.t.Fatalf("dump: %v", err)
		}
		lines = append(lines, describe(m))
		out = out[n:]
	}
	return lines
}

func TestDump(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "10.2.0.1/24", "fd00:2::1/64")
	tk.ifconfig("wg1", "create", "10.9.0.1/16")
	for _, r := range []map[int][]byte{
		{sys.RTAX_DST: sin6("fd00:3::", 0), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: mask(64, false)},
		{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_GATEWAY: link("wg1"), sys.RTAX_NETMASK: mask(24, true)},
		{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: mask(16, true)},
		{sys.RTAX_DST: sin("0.0.0.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: {0, sys.AF_INET}},
	} {
		if err := tk.add(root, 0, r); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"dst=0.0.0.0 gw=wg0#0 mask=len0: ifp=wg0#2 ifa=10.2.0.1 flags=0x801 index=2",
		"dst=10.2.0.0 gw=link#2 mask=len7:07 00 00 00 ff ff ff ifp=wg0#2 ifa=10.2.0.1 flags=0x101 index=2",
		"dst=10.3.0.0 gw=wg1#0 mask=len7:07 00 00 00 ff ff ff ifp=wg1#3 ifa=10.9.0.1 flags=0x801 index=3",
		"dst=10.3.0.0 gw=wg0#0 mask=len6:06 00 00 00 ff ff ifp=wg0#2 ifa=10.2.0.1 flags=0x801 index=2",
		"dst=10.9.0.0 gw=link#3 mask=len6:06 00 00 00 ff ff ifp=wg1#3 ifa=10.9.0.1 flags=0x101 index=3",
		"dst=fd00:2::%0 gw=link#2 mask=len16:10 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff ifp=wg0#2 ifa=fd00:2::1%0 flags=0x101 index=2",
		"dst=fd00:3::%0 gw=wg0#0 mask=len16:10 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff ifp=wg0#2 ifa=fd00:2::1%0 flags=0x801 index=2",
	}
	got := tk.dump(sys.AF_UNSPEC, 1<<16)
	// The link-local routes sort last: their addresses are fe80::,
	// wg0's scope (2) before wg1's.
	if len(got) != len(want)+2 || !strings.HasPrefix(got[len(got)-2], "dst=fe80::%2 gw=link#2") || !strings.HasPrefix(got[len(got)-1], "dst=fe80::%3 gw=link#3") {
		t.Fatalf("dump: %d routes:\n%s", len(got), strings.Join(got, "\n"))
	}
	if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
		t.Errorf("dump (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:5], tk.dump(sys.AF_INET, 1<<16)); diff != "" {
		t.Errorf("dump -inet (-want +got):\n%s", diff)
	}
	if got := tk.dump(sys.AF_UNSPEC, 100); len(got) != 1 || !strings.HasPrefix(got[0], "need ") {
		t.Errorf("dump into too small a buffer: %q", got)
	}
}

func TestChange(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "10.2.0.1/24")
	tk.ifconfig("wg1", "create", "10.8.0.1/24")
	dst := map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_NETMASK: mask(24, true)}
	if err := tk.add(root, sys.RTF_GATEWAY, map[int][]byte{sys.RTAX_DST: dst[sys.RTAX_DST], sys.RTAX_NETMASK: dst[sys.RTAX_NETMASK], sys.RTAX_GATEWAY: sin("10.2.0.42")}); err != nil {
		t.Fatal(err)
	}
	tk.host.take()

	// route change -net 10.3.0.0/24 10.8.0.7: a new gateway, on wg1.
	_, err := tk.write(root, msg{typ: sys.RTM_CHANGE, flags: static | sys.RTF_GATEWAY, addrs: map[int][]byte{
		sys.RTAX_DST: dst[sys.RTAX_DST], sys.RTAX_NETMASK: dst[sys.RTAX_NETMASK], sys.RTAX_GATEWAY: sin("10.8.0.7"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"replace 10.3.0.0/24 via 10.8.0.7 dev #3", "del 10.3.0.0/24 via 10.2.0.42 dev #2"}
	if diff := cmp.Diff(want, tk.host.take()); diff != "" {
		t.Errorf("mirrored (-want +got):\n%s", diff)
	}
	// route change -net 10.3.0.0/24 -ifp wg0 -reject -mtu 1300: flags
	// outside PRESERVED_RTF follow the message, metrics rtm_inits names.
	_, err = tk.write(root, msg{typ: sys.RTM_CHANGE, flags: static | sys.RTF_GATEWAY | sys.RTF_REJECT, inits: sys.RTV_MTU, rmx: sys.RtMetrics{MTU: 1300}, addrs: map[int][]byte{
		sys.RTAX_DST: dst[sys.RTAX_DST], sys.RTAX_NETMASK: dst[sys.RTAX_NETMASK], sys.RTAX_IFP: link("wg0"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tk.get(root, sin("10.3.0.9"))
	if want := "dst=10.3.0.0 gw=10.8.0.7 mask=len7:07 00 00 00 ff ff ff ifp=wg0#2 ifa=10.2.0.1 flags=0x84b index=2"; got != want {
		t.Errorf("after change:\n got %s\nwant %s", got, want)
	}
	want = []string{"replace unreachable 10.3.0.0/24 mtu 1300", "del 10.3.0.0/24 via 10.8.0.7 dev #3"}
	if diff := cmp.Diff(want, tk.host.take()); diff != "" {
		t.Errorf("mirrored (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name  string
		addrs map[int][]byte
		want  error
	}{
		{"no mask for a network route", map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_IFP: link("wg1")}, sys.ETOOMANYREFS},
		{"a route that is not there", map[int][]byte{sys.RTAX_DST: sin("10.7.0.0"), sys.RTAX_NETMASK: mask(24, true)}, sys.ESRCH},
		{"a shorter mask", map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_NETMASK: mask(16, true)}, sys.ESRCH},
		{"-ifp eth0", map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_NETMASK: mask(24, true), sys.RTAX_IFP: link("eth0")}, sys.ENETUNREACH},
		{"a gateway on no wg link", map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_NETMASK: mask(24, true), sys.RTAX_GATEWAY: sin("192.168.1.1")}, sys.ENETUNREACH},
		{"-ifa of no interface", map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_NETMASK: mask(24, true), sys.RTAX_IFA: sin("192.168.1.1")}, sys.ENETUNREACH},
	} {
		if _, err := tk.write(root, msg{typ: sys.RTM_CHANGE, flags: static, addrs: tc.addrs}); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	// The host refuses: the route stays as it was.
	tk.host.fail = sys.ENETUNREACH
	_, err = tk.write(root, msg{typ: sys.RTM_CHANGE, flags: static | sys.RTF_GATEWAY, addrs: map[int][]byte{
		sys.RTAX_DST: dst[sys.RTAX_DST], sys.RTAX_NETMASK: dst[sys.RTAX_NETMASK], sys.RTAX_GATEWAY: sin("10.8.0.8"),
	}})
	if !errors.Is(err, sys.ENETUNREACH) {
		t.Errorf("change the host refuses: %v", err)
	}
	if after, _ := tk.get(root, sin("10.3.0.9")); after != got {
		t.Errorf("after a refused change:\n got %s\nwant %s", after, got)
	}
}

// TestInterfaceEvents: routes leave the host's table when their
// interface goes down and come back when it comes up, as NetBSD keeps
// them; they go with their interface.
func TestInterfaceEvents(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "10.2.0.1/24")
	tk.ifconfig("wg1", "create", "10.8.0.1/24")
	for i, gw := range []string{"wg0", "wg1"} {
		if err := tk.add(root, 0, map[int][]byte{sys.RTAX_DST: sin6(fmt.Sprintf("fd00:%d::", 3+i), 0), sys.RTAX_GATEWAY: link(gw), sys.RTAX_NETMASK: mask(64, false)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tk.add(root, 0, map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_GATEWAY: link("wg1"), sys.RTAX_NETMASK: mask(24, true)}); err != nil {
		t.Fatal(err)
	}
	tk.host.take()
	tk.ifconfig("wg0", "down")
	tk.ifconfig("wg0", "up")
	want := []string{"del fd00:3::/64 dev #2", "add fd00:3::/64 dev #2"}
	if diff := cmp.Diff(want, tk.host.take()); diff != "" {
		t.Errorf("wg0 down and up (-want +got):\n%s", diff)
	}
	if _, err := tk.get(root, sin6("fd00:3::1", 0)); err != nil {
		t.Errorf("the route through wg0 after down and up: %v", err)
	}
	// A route added while its interface is down waits for it.
	tk.ifconfig("wg0", "down")
	tk.host.take()
	if err := tk.add(root, 0, map[int][]byte{sys.RTAX_DST: sin("10.5.0.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: mask(24, true)}); err != nil {
		t.Fatal(err)
	}
	if calls := tk.host.take(); len(calls) != 0 {
		t.Errorf("a route through a down interface was mirrored: %q", calls)
	}
	tk.ifconfig("wg0", "up")
	want = []string{"add fd00:3::/64 dev #2", "add 10.5.0.0/24 dev #2"}
	if diff := cmp.Diff(want, tk.host.take()); diff != "" {
		t.Errorf("wg0 up (-want +got):\n%s", diff)
	}
	tk.ifconfig("wg0", "destroy")
	want = []string{"del fd00:3::/64 dev #2", "del 10.5.0.0/24 dev #2"}
	if diff := cmp.Diff(want, tk.host.take()); diff != "" {
		t.Errorf("wg0 destroyed (-want +got):\n%s", diff)
	}
	if n := tk.k.Route.Count(); n != 2 {
		t.Errorf("%d routes after destroying wg0, want wg1's 2", n)
	}
	tk.ifconfig("wg1", "destroy")
	if n := tk.k.Route.Count(); n != 0 {
		t.Errorf("%d routes after destroying every interface", n)
	}
}

func TestIPv6LinkLocalGateway(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "fd00:2::1/64")
	// route add -inet6 -net fd00:4::/64 fe80::1%wg0
	if err := tk.add(root, sys.RTF_GATEWAY, map[int][]byte{sys.RTAX_DST: sin6("fd00:4::", 0), sys.RTAX_GATEWAY: sin6("fe80::1", 2), sys.RTAX_NETMASK: mask(64, false)}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"add fd00:4::/64 via fe80::1 dev #2"}, tk.host.take()); diff != "" {
		t.Errorf("mirrored (-want +got):\n%s", diff)
	}
	// fe80::1%3: no such interface.
	err := tk.add(root, sys.RTF_GATEWAY, map[int][]byte{sys.RTAX_DST: sin6("fd00:5::", 0), sys.RTAX_GATEWAY: sin6("fe80::1", 3), sys.RTAX_NETMASK: mask(64, false)})
	if !errors.Is(err, sys.ENETUNREACH) {
		t.Errorf("a gateway on no interface's link: %v, want ENETUNREACH", err)
	}
}

func TestHostRefusal(t *testing.T) {
	tk := newKernel(t)
	tk.ifconfig("wg0", "create", "10.2.0.1/24")
	tk.host.fail = fmt.Errorf("netlink: add route: %w", sys.EEXIST)
	err := tk.add(root, 0, map[int][]byte{sys.RTAX_DST: sin("10.3.0.0"), sys.RTAX_GATEWAY: link("wg0"), sys.RTAX_NETMASK: mask(24, true)})
	if !errors.Is(err, sys.EEXIST) {
		t.Errorf("add the host refuses: %v, want EEXIST", err)
	}
	if n := tk.k.Route.Count(); n != 0 {
		t.Errorf("a refused route stayed: %d routes", n)
	}
}

func TestMalformedRequests(t *testing.T) {
	tk := newKernel(t)
	good := msg{typ: sys.RTM_GET, addrs: map[int][]byte{sys.RTAX_DST: sin("10.2.0.1")}}.bytes()
	for _, tc := range []struct {
		name string
		req  sys.RouteReq
		in   []byte
		want error
	}{
		{"unknown op", sys.RouteReq{Op: 9}, nil, sys.EINVAL},
		{"InLen past the buffer", sys.RouteReq{Op: sys.ROUTE_WRITE, InLen: 500}, good, sys.EFAULT},
		{"no destination", sys.RouteReq{Op: sys.ROUTE_WRITE}, msg{typ: sys.RTM_GET}.bytes(), sys.EINVAL},
		{"a link-level destination", sys.RouteReq{Op: sys.ROUTE_WRITE}, msg{typ: sys.RTM_GET, addrs: map[int][]byte{sys.RTAX_DST: link("wg0")}}.bytes(), sys.EAFNOSUPPORT},
		{"a short destination", sys.RouteReq{Op: sys.ROUTE_WRITE}, msg{typ: sys.RTM_GET, addrs: map[int][]byte{sys.RTAX_DST: {4, sys.AF_INET, 0, 0}}}.bytes(), sys.EINVAL},
		{"RTM_LOCK", sys.RouteReq{Op: sys.ROUTE_WRITE}, msg{typ: 8, addrs: map[int][]byte{sys.RTAX_DST: sin("10.2.0.1")}}.bytes(), sys.EOPNOTSUPP},
		{"a message shorter than its InLen says", sys.RouteReq{Op: sys.ROUTE_WRITE}, append(slices.Clone(good), 0, 0), sys.EINVAL},
	} {
		req := tc.req
		if req.Op == sys.ROUTE_WRITE && req.InLen == 0 {
			req.InLen = uint32(len(tc.in))
		}
		if _, err := tk.ioctl(root, sys.NBWG_ROUTE, req.Marshal(), tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
