//go:build linux

package tests

import (
	"fmt"
	"regexp"
	"testing"

	"nbwg/internal/hosts"
)

// TestDeletePeer: delete peer removes the peer, its allowed IPs and its
// key; the link goes down with the last peer (ifconfig shows
// "status: down" and the addresses DETACHED, as in_if_link_down and
// in6_if_link_down mark them) and up again with the next.
func TestDeletePeer(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	c := peer{name: "C", pub: newKeyPair(t).pub, allowed: "10.2.0.43/32"}
	quiet(t, a.Host, "wgconfig wg0 add peer C "+c.pub+" --allowed-ips=10.2.0.43/32")
	// The newest peer first, as if_wg inserts at the head.
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", c, a.b)))

	// The link-local address is the kernel's choice (this host has no
	// wire to borrow an identifier from); the rest is fixed.
	m := regexp.MustCompile(`\tinet6 (fe80::[0-9a-f:]+)%wg0/64 flags 0 scopeid 0x([0-9a-f]+)\n`).FindStringSubmatch(a.MustRun(t, "ifconfig wg0"))
	if m == nil {
		t.Fatalf("no link-local line in:\n%s", a.MustRun(t, "ifconfig wg0"))
	}
	var index int
	fmt.Sscanf(m[2], "%x", &index)
	active := display(m[1], index, []string{"fd00:2::1/64"}, []string{"10.2.0.1/24"})
	down := "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
		"\tstatus: down\n" +
		fmt.Sprintf("\tinet6 %s%%wg0/64 flags 0x8<DETACHED> scopeid 0x%x\n", m[1], index) +
		"\tinet6 fd00:2::1/64 flags 0x8<DETACHED>\n" +
		"\tinet 10.2.0.1/24 flags 0x4<DETACHED>\n"
	check(t, a.Host, "ifconfig wg0", out(active))

	quiet(t, a.Host, "wgconfig wg0 delete peer B")
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", c)))
	check(t, a.Host, "wgconfig wg0 show peer B", hosts.Result{Code: 1})
	check(t, a.Host, "wgconfig wg0 show peer C", out(showPeer(c, "")))
	// A peer without a preshared key has none to show, even to root.
	check(t, a.Host, "wgconfig wg0 show peer C --show-preshared-key", out(showPeer(c, "(none)")))
	check(t, a.Host, "ifconfig wg0", out(active))
	check(t, a.Host, "wgconfig wg0 delete peer B", fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=8: No such file or directory\n"))

	// The longest name if_wg takes (WG_PEER_NAME_MAXLEN) is added and
	// deleted like any other.
	long := peer{name: "ABCDEFGHIJKLMNOP", pub: newKeyPair(t).pub}
	quiet(t, a.Host, "wgconfig wg0 add peer "+long.name+" "+long.pub)
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", long, c)))
	quiet(t, a.Host, "wgconfig wg0 delete peer "+long.name)
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", c)))

	quiet(t, a.Host, "wgconfig wg0 delete peer C")
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234")))
	// With no peer at all, show peer prints nothing and succeeds, as
	// NetBSD's does.
	check(t, a.Host, "wgconfig wg0 show peer C", out(""))
	check(t, a.Host, "ifconfig wg0", out(down))
	// The interface keeps its own key and port.
	check(t, a.Host, "wgconfig wg0 show private-key", out("private-key: "+a.key.priv+"\n"))

	// B's key, name and allowed IPs are free again: B comes back, and
	// the link with it.
	quiet(t, a.Host, "wgconfig wg0 add peer B "+a.b.pub+" --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128 --endpoint=198.51.100.45:5678")
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", a.b)))
	check(t, a.Host, "wgconfig wg0 show peer B --show-preshared-key", out(showPeer(a.b, a.psk)))
	check(t, a.Host, "ifconfig wg0", out(active))
}
