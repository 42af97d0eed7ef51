//go:build linux

package tests

import (
	"fmt"
	"strconv"
	"testing"

	"nbwg/internal/hosts"
)

// TestEndpointForms: every form of --endpoint= wgconfig accepts reaches
// the kernel as a struct sockaddr and comes back, as NetBSD's if_wg
// keeps it verbatim, printed by sockaddr_snprintf's "%a:%p": IPv6
// without brackets, a scope after '%' (an interface name for a
// link-local address).
func TestEndpointForms(t *testing.T) {
	hosts.Integration(t)
	h := hosts.New(t, "A")
	// Host names resolve from /etc/hosts only (wgconfig rev 1.7 no
	// longer asks getaddrinfo for AI_NUMERICHOST).
	h.WriteFile(t, "nsswitch.conf", []byte("hosts: files\n"), 0o644)
	h.WriteFile(t, "hosts", []byte("127.0.0.1 localhost\n192.0.2.7 peer4\n2001:db8::7 peer6\n"), 0o644)
	quiet(t, h, "ifconfig wg0 create")
	// getnameinfo(3) names a link-local scope after the interface of
	// that index, if there is one (ip6_sa2str), as the kernel's sockets
	// see them: here lo (1) and the TUN device of wg0.
	scope := func(index int) string {
		if name, ok := linuxIfName(t, h, index); ok {
			return name
		}
		return strconv.Itoa(index)
	}
	for i, tt := range []struct{ endpoint, shown string }{
		{"192.0.2.123:1234", "192.0.2.123:1234"},
		{"[192.0.2.123]:1234", "192.0.2.123:1234"},
		{"[fd00::1]:51820", "fd00::1:51820"},
		// Several colons: the last one separates the port.
		{"fd00::1:51820", "fd00::1:51820"},
		{"[::1]:1", "::1:1"},
		{"[2001:db8:0:0:1:0:0:1]:65535", "2001:db8::1:0:0:1:65535"},
		{"peer4:1234", "192.0.2.7:1234"},
		{"peer6:1234", "2001:db8::7:1234"},
		{"localhost:51820", "127.0.0.1:51820"},
		// A service name from /etc/services.
		{"192.0.2.123:domain", "192.0.2.123:53"},
		// A scope of a link-local address, by number or by name, is
		// shown by name when the index names an interface.
		{"[fe80::1%2]:51820", "fe80::1%" + scope(2) + ":51820"},
		{"[fe80::1%1]:51820", "fe80::1%lo:51820"},
		{"[fe80::1%lo]:51820", "fe80::1%lo:51820"},
		{"[fe80::1%wg0]:51820", "fe80::1%wg0:51820"},
		{"[fe80::1%4000]:51820", "fe80::1%" + scope(4000) + ":51820"},
		// Other scopes are numbers.
		{"[fd00::1%1]:51820", "fd00::1%1:51820"},
		// A v4-mapped IPv6 address stays an IPv6 sockaddr.
		{"[::ffff:192.0.2.1]:1234", "::ffff:192.0.2.1:1234"},
	} {
		t.Run(tt.endpoint, func(t *testing.T) {
			p := peer{name: fmt.Sprintf("e%d", i), pub: newKeyPair(t).pub, endpoint: tt.shown}
			quiet(t, h, "wgconfig wg0 add peer "+p.name+" "+p.pub+" --endpoint="+tt.endpoint)
			check(t, h, "wgconfig wg0 show peer "+p.name, out(showPeer(p, "")))
		})
	}
}
