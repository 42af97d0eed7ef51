package sys

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The values golang.org/x/sys/unix records in zerrors_netbsd_amd64.go,
// which were generated from NetBSD's own headers.
func TestIoctlNumbersMatchNetBSD(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uint32
	}{
		{"SIOCSIFFLAGS", SIOCSIFFLAGS, 0x80906910},
		{"SIOCGIFFLAGS", SIOCGIFFLAGS, 0xc0906911},
		{"SIOCDIFADDR", SIOCDIFADDR, 0x80906919},
		{"SIOCAIFADDR", SIOCAIFADDR, 0x8040691a},
		{"SIOCGIFALIAS", SIOCGIFALIAS, 0xc040691b},
		{"SIOCGIFADDR", SIOCGIFADDR, 0xc0906921},
		{"SIOCGIFNETMASK", SIOCGIFNETMASK, 0xc0906925},
		{"SIOCGIFCONF", SIOCGIFCONF, 0xc0106926},
		{"SIOCIFGCLONERS", SIOCIFGCLONERS, 0xc0106978},
		{"SIOCIFDESTROY", SIOCIFDESTROY, 0x80906979},
		{"SIOCIFCREATE", SIOCIFCREATE, 0x8090697a},
		{"SIOCSDRVSPEC", SIOCSDRVSPEC, 0x8028697b},
		{"SIOCGDRVSPEC", SIOCGDRVSPEC, 0xc028697b},
		{"SIOCGIFMTU", SIOCGIFMTU, 0xc090697e},
		{"SIOCSIFMTU", SIOCSIFMTU, 0x8090697f},
		{"SIOCGIFDATA", SIOCGIFDATA, 0xc0986985},
		{"SIOCZIFDATA", SIOCZIFDATA, 0xc0986986},
		// Not in x/sys; from <netinet6/in6_var.h>, where NetBSD
		// renumbered the add and lifetime requests.
		{"SIOCAIFADDR_IN6", SIOCAIFADDR_IN6, 0x8080696b},
		{"SIOCDIFADDR_IN6", SIOCDIFADDR_IN6, 0x81206919},
		{"SIOCGIFAFLAG_IN6", SIOCGIFAFLAG_IN6, 0xc1206949},
		{"SIOCGIFALIFETIME_IN6", SIOCGIFALIFETIME_IN6, 0xc120696a},
		{"SIOCGIFNETMASK_IN6", SIOCGIFNETMASK_IN6, 0xc1206925},
		// Not in x/sys either (NetBSD 10, <sys/sockio.h>:
		// _IOW('i', 142, struct ifreq), _IOWR('i', 143, ...)).
		{"SIOCSIFDESCR", SIOCSIFDESCR, 0x8090698e},
		{"SIOCGIFDESCR", SIOCGIFDESCR, 0xc090698f},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
}

func TestStructSizes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"ifreq", len((&Ifreq{}).Marshal()), 144},
		{"ifdrv", len((&Ifdrv{}).Marshal()), 40},
		{"if_clonereq", len((&IfClonereq{}).Marshal()), 16},
		{"ifconf", len((&Ifconf{}).Marshal()), 16},
		{"ifdatareq", len((&IfDatareq{}).Marshal()), 152},
		{"in_aliasreq", len((&InAliasreq{}).Marshal()), 64},
		{"in6_aliasreq", len((&In6Aliasreq{}).Marshal()), 128},
		{"in6_ifreq", len((&In6Ifreq{}).Marshal()), 288},
	} {
		if tc.got != tc.want {
			t.Errorf("sizeof(struct %s) = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestStructRoundTrips(t *testing.T) {
	name, _ := MakeName("wg0")
	drv := &Ifdrv{Name: name, Cmd: WG_IOCTL_ADD_PEER, Len: 1234, Data: 0xdeadbeef}
	gotDrv, err := UnmarshalIfdrv(drv.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(drv, gotDrv); diff != "" {
		t.Errorf("ifdrv round trip (-want +got):\n%s", diff)
	}

	a6 := &In6Aliasreq{Name: name,
		Addr:       SockaddrIn6From(netip.MustParseAddr("fd00:2::1"), 0, 0),
		Prefixmask: SockaddrIn6From(netip.MustParseAddr("ffff:ffff:ffff:ffff::"), 0, 0),
		Flags:      IN6_IFF_NODAD,
		Lifetime:   In6Addrlifetime{Vltime: ND6_INFINITE_LIFETIME, Pltime: ND6_INFINITE_LIFETIME},
	}
	got6, err := UnmarshalIn6Aliasreq(a6.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a6, got6); diff != "" {
		t.Errorf("in6_aliasreq round trip (-want +got):\n%s", diff)
	}

	a4 := &InAliasreq{Name: name,
		Addr: SockaddrInFrom(netip.MustParseAddr("10.2.0.1"), 0),
		Mask: SockaddrInFrom(netip.MustParseAddr("255.255.255.0"), 0)}
	got4, err := UnmarshalInAliasreq(a4.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a4, got4); diff != "" {
		t.Errorf("in_aliasreq round trip (-want +got):\n%s", diff)
	}

	dr := &IfDatareq{Name: name, Data: IfData{Type: IFT_OTHER, LinkState: LINK_STATE_UP, MTU: 1420, Ibytes: 7, Noproto: 9, LastChange: Timespec{1, 2}}}
	gotDr, err := UnmarshalIfDatareq(dr.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dr, gotDr); diff != "" {
		t.Errorf("ifdatareq round trip (-want +got):\n%s", diff)
	}
	if _, err := UnmarshalIfreq(make([]byte, 10)); err == nil {
		t.Error("short ifreq accepted")
	}
}

func TestSockaddrBytes(t *testing.T) {
	// sa_len, AF_INET=2, port 1234 big-endian, 192.0.2.123, zero padding.
	v4 := MarshalSockaddr(netip.MustParseAddrPort("192.0.2.123:1234"))
	want4 := []byte{16, 2, 0x04, 0xd2, 192, 0, 2, 123, 0, 0, 0, 0, 0, 0, 0, 0}
	if diff := cmp.Diff(want4, v4); diff != "" {
		t.Errorf("sockaddr_in (-want +got):\n%s", diff)
	}
	v6 := MarshalSockaddr(netip.MustParseAddrPort("[2001:db8::9]:1234"))
	if len(v6) != 28 || v6[0] != 28 || v6[1] != AF_INET6 || v6[2] != 0x04 || v6[3] != 0xd2 {
		t.Errorf("sockaddr_in6 header = % x", v6[:4])
	}
	mapped := MarshalSockaddr(netip.MustParseAddrPort("[::ffff:192.0.2.1]:1234"))
	scoped := MarshalSockaddr(netip.MustParseAddrPort("[fe80::1%2]:51820"))
	if len(mapped) != 28 || len(scoped) != 28 || scoped[24] != 2 {
		t.Errorf("mapped % x, scoped % x", mapped, scoped)
	}
	for _, b := range [][]byte{v4, v6, mapped, scoped} {
		ap, err := ParseSockaddr(b)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(MarshalSockaddr(ap), b) {
			t.Errorf("round trip of % x gave %v", b, ap)
		}
	}
	for _, tc := range []struct {
		b    []byte
		want Errno
	}{
		{make([]byte, 15), EINVAL},
		{make([]byte, 129), EINVAL},
		{append([]byte{16, 7}, make([]byte, 14)...), EPFNOSUPPORT},
		{append([]byte{28, AF_INET}, make([]byte, 26)...), EINVAL},
		{append([]byte{16, AF_INET6}, make([]byte, 14)...), EINVAL},
	} {
		if _, err := ParseSockaddr(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("ParseSockaddr(% x) = %v, want %v", tc.b, err, tc.want)
		}
	}
}

func TestErrnoText(t *testing.T) {
	for _, tc := range []struct {
		e    Errno
		want string
	}{
		{ENXIO, "Device not configured"},
		{EEXIST, "File exists"},
		{EPFNOSUPPORT, "Protocol family not supported"},
		{EADDRINUSE, "Address already in use"},
		{Errno(500), "Unknown error: 500"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Errno(%d) = %q, want %q", tc.e, got, tc.want)
		}
	}
	if got := ErrnoOf(fmt.Errorf("bind: %w", syscall.EADDRINUSE), EIO); got != EADDRINUSE {
		t.Errorf("ErrnoOf(host EADDRINUSE) = %d, want %d", got, EADDRINUSE)
	}
	if got := ErrnoOf(fmt.Errorf("x: %w", ENOENT), EIO); got != ENOENT {
		t.Errorf("ErrnoOf(ENOENT) = %d", got)
	}
	if got := ErrnoOf(errors.New("other"), EIO); got != EIO {
		t.Errorf("ErrnoOf(other) = %d", got)
	}
}

// TestErrnoHost: NetBSD's numbers map back to the host's, where they
// differ (EADDRINUSE is 48 on NetBSD) and where they do not.
func TestErrnoHost(t *testing.T) {
	for _, tc := range []struct {
		e    Errno
		want syscall.Errno
	}{
		{EADDRINUSE, syscall.EADDRINUSE},
		{EINVAL, syscall.EINVAL},
		{ENXIO, syscall.ENXIO},
	} {
		if got, ok := tc.e.Host(); !ok || got != tc.want {
			t.Errorf("Errno(%d).Host() = %d, %v; want %d", tc.e, got, ok, tc.want)
		}
	}
	if _, ok := EAUTH.Host(); ok {
		t.Error("EAUTH has a host errno")
	}
}

// TestCtlTypeFormat checks NBWG_SYSCTL's text form of values: a quad's
// bits read unsigned, an int's signed.
func TestCtlTypeFormat(t *testing.T) {
	for _, tc := range []struct {
		typ  CtlType
		v    int64
		want string
	}{
		{CTLTYPE_QUAD, -8193, "18446744073709543423"},
		{CTLTYPE_QUAD, 1 << 60, "1152921504606846976"},
		{CTLTYPE_INT, -5, "-5"},
		{CTLTYPE_INT, 120, "120"},
		{CTLTYPE_BOOL, 1, "1"},
	} {
		if got := tc.typ.Format(tc.v); got != tc.want {
			t.Errorf("%d.Format(%d) = %q, want %q", tc.typ, tc.v, got, tc.want)
		}
	}
}
