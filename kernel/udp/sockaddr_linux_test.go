//go:build linux

package udp

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestSockaddrRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		ep      string
		is6     bool
		wantLen uint32
	}{
		{"v4", "192.0.2.1:1234", false, unix.SizeofSockaddrInet4},
		{"v4 port 0", "0.0.0.0:0", false, unix.SizeofSockaddrInet4},
		{"v6", "[2001:db8::1]:51820", true, unix.SizeofSockaddrInet6},
		{"v6 numeric zone", "[fe80::1%7]:65535", true, unix.SizeofSockaddrInet6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := netip.MustParseAddrPort(tt.ep)
			var sa rawSockaddr
			n, err := encodeSockaddr(&sa, ep, tt.is6)
			if err != nil || n != tt.wantLen {
				t.Fatalf("encodeSockaddr = %d, %v; want %d", n, err, tt.wantLen)
			}
			got, ok := decodeSockaddr(&sa)
			if !ok || got != ep {
				t.Errorf("decodeSockaddr = %v, %v; want %v", got, ok, ep)
			}
		})
	}
}

// The layout is the kernel's: family in host order (little-endian here),
// port big-endian, then the address.
func TestSockaddrLayout(t *testing.T) {
	if binaryNativeIsBig() {
		t.Skip("fixture is little-endian")
	}
	var sa rawSockaddr
	if _, err := encodeSockaddr(&sa, netip.MustParseAddrPort("192.0.2.1:51820"), false); err != nil {
		t.Fatal(err)
	}
	want := []byte{2, 0, 0xca, 0x6c, 192, 0, 2, 1}
	if diff := cmp.Diff(want, sa[:8]); diff != "" {
		t.Errorf("sockaddr_in (-want +got):\n%s", diff)
	}
	sa = rawSockaddr{}
	if _, err := encodeSockaddr(&sa, netip.MustParseAddrPort("[fe80::1%3]:1"), true); err != nil {
		t.Fatal(err)
	}
	want = []byte{10, 0, 0, 1, 0, 0, 0, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0}
	if diff := cmp.Diff(want, sa[:]); diff != "" {
		t.Errorf("sockaddr_in6 (-want +got):\n%s", diff)
	}
}

func binaryNativeIsBig() bool { return binary.NativeEndian.Uint16([]byte{0, 1}) == 1 }

func TestDecodeMapped(t *testing.T) {
	var sa rawSockaddr
	if _, err := encodeSockaddr(&sa, netip.MustParseAddrPort("[::ffff:192.0.2.1]:1234"), true); !errors.Is(err, unix.EAFNOSUPPORT) {
		t.Fatalf("encoding a mapped address for the IPv6 socket: %v, want EAFNOSUPPORT", err)
	}
	// Build a mapped sockaddr_in6 by hand, as a dual-stack socket reports it.
	sa = rawSockaddr{10, 0, 0x04, 0xd2}
	copy(sa[8:], netip.MustParseAddr("::ffff:192.0.2.1").AsSlice())
	got, ok := decodeSockaddr(&sa)
	if !ok || got.String() != "192.0.2.1:1234" {
		t.Errorf("decodeSockaddr(mapped) = %v, %v; want 192.0.2.1:1234", got, ok)
	}
	if _, ok := decodeSockaddr(&rawSockaddr{1, 0}); ok {
		t.Error("decodeSockaddr(AF_UNIX) ok")
	}
}

func TestEncodeRejects(t *testing.T) {
	var sa rawSockaddr
	tests := []struct {
		name string
		ep   netip.AddrPort
		is6  bool
		want error
	}{
		{"v6 on v4 socket", netip.MustParseAddrPort("[2001:db8::1]:1"), false, unix.EAFNOSUPPORT},
		{"v4 on v6 socket", netip.MustParseAddrPort("192.0.2.1:1"), true, unix.EAFNOSUPPORT},
		{"unknown zone name", netip.MustParseAddrPort("[fe80::1%nbwg-no-such-if]:1"), true, unix.ENXIO},
	}
	for _, tt := range tests {
		if _, err := encodeSockaddr(&sa, tt.ep, tt.is6); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}
