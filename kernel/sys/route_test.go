package sys

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The routing constants against the values golang.org/x/sys/unix
// records for NetBSD/amd64 (zerrors_netbsd_amd64.go, ztypes_netbsd_amd64.go),
// generated from NetBSD's headers.  RTF_CONNECTED and RTF_LLDATA are
// newer than those headers (route.h 1.114 reuses RTF_CLONING's and
// RTF_LLINFO's bits for them).
func TestRouteNumbersMatchNetBSD(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"SizeofRtMsghdr", SizeofRtMsghdr, 0x78},
		{"RTM_VERSION", RTM_VERSION, 4},
		{"RTM_ADD", RTM_ADD, 1}, {"RTM_DELETE", RTM_DELETE, 2}, {"RTM_CHANGE", RTM_CHANGE, 3}, {"RTM_GET", RTM_GET, 4},
		{"RTF_UP", RTF_UP, 0x1}, {"RTF_GATEWAY", RTF_GATEWAY, 0x2}, {"RTF_HOST", RTF_HOST, 0x4},
		{"RTF_REJECT", RTF_REJECT, 0x8}, {"RTF_DONE", RTF_DONE, 0x40}, {"RTF_MASK", RTF_MASK, 0x80},
		{"RTF_CONNECTED", RTF_CONNECTED, 0x100}, {"RTF_LLDATA", RTF_LLDATA, 0x400},
		{"RTF_STATIC", RTF_STATIC, 0x800}, {"RTF_BLACKHOLE", RTF_BLACKHOLE, 0x1000},
		{"RTF_PROTO2", RTF_PROTO2, 0x4000}, {"RTF_PROTO1", RTF_PROTO1, 0x8000},
		{"RTF_ANNOUNCE", RTF_ANNOUNCE, 0x20000},
		{"RTA_DST", RTA_DST, 0x1}, {"RTA_GATEWAY", RTA_GATEWAY, 0x2}, {"RTA_NETMASK", RTA_NETMASK, 0x4},
		{"RTA_IFP", RTA_IFP, 0x10}, {"RTA_IFA", RTA_IFA, 0x20}, {"RTA_TAG", RTA_TAG, 0x100},
		{"RTAX_MAX", RTAX_MAX, 9},
		{"RTV_MTU", RTV_MTU, 0x1}, {"RTV_EXPIRE", RTV_EXPIRE, 0x4}, {"RTV_RTTVAR", RTV_RTTVAR, 0x80},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
	if IOCGROUP(NBWG_ROUTE) != 'n' || IOCPARM_LEN(NBWG_ROUTE) != SizeofRouteReq || NBWG_ROUTE == NBWG_SYSCTL {
		t.Errorf("NBWG_ROUTE = %#x", NBWG_ROUTE)
	}
}

func TestRtMsghdrLayout(t *testing.T) {
	h := RtMsghdr{
		Msglen: 0x1234, Version: 4, Type: RTM_GET, Index: 7,
		Flags: 0x843, Addrs: 0x17, Pid: 99, Seq: 3, Errno: 0, Use: 5, Inits: RTV_MTU,
		Rmx: RtMetrics{Locks: 1, MTU: 1420, Hopcount: 2, Expire: -1, Pksent: 9},
	}
	b := make([]byte, SizeofRtMsghdr)
	h.MarshalTo(b)
	// Offsets of NetBSD/amd64's struct: ints from 8, metrics from 40.
	for _, c := range []struct {
		off  int
		want []byte
	}{
		{0, []byte{0x34, 0x12, 4, RTM_GET, 7, 0, 0, 0}},
		{8, []byte{0x43, 0x08, 0, 0, 0x17, 0, 0, 0, 99, 0, 0, 0}},
		{32, []byte{1, 0, 0, 0, 0, 0, 0, 0}},
		{40, []byte{1, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x05}},
		{104, bytes.Repeat([]byte{0xff}, 8)},
		{112, []byte{9}},
	} {
		if got := b[c.off : c.off+len(c.want)]; !bytes.Equal(got, c.want) {
			t.Errorf("bytes at %d: % x, want % x", c.off, got, c.want)
		}
	}
	back, err := UnmarshalRtMsghdr(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(h, *back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestRtMsgRoundTrip(t *testing.T) {
	dst := SockaddrInFrom(netip.MustParseAddr("10.3.0.0"), 0)
	gw := SockaddrInFrom(netip.MustParseAddr("10.2.0.42"), 0)
	m := &RtMsg{Hdr: RtMsghdr{Version: RTM_VERSION, Type: RTM_ADD, Flags: RTF_UP | RTF_GATEWAY | RTF_STATIC}}
	m.Addrs[RTAX_DST] = dst.Marshal()
	m.Addrs[RTAX_GATEWAY] = gw.Marshal()
	// route(8)'s trimmed mask for /24: sa_len 7, no padding of its own.
	m.Addrs[RTAX_NETMASK] = []byte{7, AF_INET, 0, 0, 255, 255, 255}
	b := m.Marshal()
	if len(b) != SizeofRtMsghdr+16+16+8 {
		t.Fatalf("message of %d bytes", len(b))
	}
	got, n, err := ParseRtMsg(b)
	if err != nil || n != len(b) {
		t.Fatalf("ParseRtMsg: %d, %v", n, err)
	}
	if got.Hdr.Addrs != RTA_DST|RTA_GATEWAY|RTA_NETMASK || int(got.Hdr.Msglen) != len(b) {
		t.Errorf("header: %+v", got.Hdr)
	}
	if !bytes.Equal(got.Addrs[RTAX_NETMASK][:7], m.Addrs[RTAX_NETMASK]) || !bytes.Equal(got.Addrs[RTAX_DST], m.Addrs[RTAX_DST]) {
		t.Errorf("addresses: % x", got.Addrs)
	}

	// The mask of "default": sa_len 0, still 8 bytes in the message.
	m.Addrs[RTAX_NETMASK] = []byte{0, AF_INET}
	b = m.Marshal()
	got, _, err = ParseRtMsg(b)
	if err != nil || len(got.Addrs[RTAX_NETMASK]) != 8 || got.Addrs[RTAX_NETMASK][0] != 0 {
		t.Errorf("empty mask: %v, % x", err, got.Addrs[RTAX_NETMASK])
	}
}

func TestParseRtMsgRefuses(t *testing.T) {
	dst := SockaddrInFrom(netip.MustParseAddr("10.3.0.0"), 0)
	good := &RtMsg{Hdr: RtMsghdr{Version: RTM_VERSION, Type: RTM_GET}}
	good.Addrs[RTAX_DST] = dst.Marshal()
	b := good.Marshal()
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), b...)) }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"short", b[:SizeofRtMsghdr-1], EINVAL},
		{"msglen past the end", mutate(func(b []byte) []byte { b[0]++; return b }), EINVAL},
		{"msglen below a header", mutate(func(b []byte) []byte { b[0], b[1] = 10, 0; return b }), EINVAL},
		{"version", mutate(func(b []byte) []byte { b[2] = 3; return b }), EPROTONOSUPPORT},
		{"an address bit with no address", mutate(func(b []byte) []byte { b[12] |= RTA_GATEWAY; return b }), EINVAL},
		{"an unknown address bit", mutate(func(b []byte) []byte { b[13] = 0x80; return b }), EINVAL},
		{"sa_len past the end", mutate(func(b []byte) []byte { b[SizeofRtMsghdr] = 200; return b }), EINVAL},
		{"bytes after the addresses", mutate(func(b []byte) []byte {
			b = append(b, make([]byte, 8)...)
			b[0] += 8
			return b
		}), EINVAL},
	} {
		if _, _, err := ParseRtMsg(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestSockaddrDl(t *testing.T) {
	s := SockaddrDl{Len: 11, Family: AF_LINK, Index: 3, Nlen: 3}
	copy(s.Data[:], "wg0")
	b := s.Marshal()
	if !bytes.Equal(b, []byte{11, AF_LINK, 3, 0, 0, 3, 0, 0, 'w', 'g', '0'}) {
		t.Errorf("Marshal: % x", b)
	}
	back := UnmarshalSockaddrDl(b)
	if back != s || back.Name() != "wg0" {
		t.Errorf("Unmarshal: %+v", back)
	}
}

func TestScopeID(t *testing.T) {
	sa := SockaddrIn6From(netip.MustParseAddr("fe80::1"), 0, 5)
	PutScopeID(&sa)
	if sa.ScopeID != 0 || sa.Addr[2] != 0 || sa.Addr[3] != 5 {
		t.Errorf("PutScopeID: %+v", sa)
	}
	GetScopeID(&sa)
	if sa.ScopeID != 5 || netip.AddrFrom16(sa.Addr) != netip.MustParseAddr("fe80::1") {
		t.Errorf("GetScopeID: %+v", sa)
	}
	g := SockaddrIn6From(netip.MustParseAddr("fd00:2::1"), 0, 5)
	PutScopeID(&g)
	if g.ScopeID != 5 || netip.AddrFrom16(g.Addr) != netip.MustParseAddr("fd00:2::1") {
		t.Errorf("PutScopeID changed a global address: %+v", g)
	}
}
