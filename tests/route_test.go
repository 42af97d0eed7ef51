//go:build linux

package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// Routes through a wg interface with route(8), as NetBSD's t_tunnel.sh
// and ifconfig.if(5) make them: A and B joined by a tunnel (A 10.2.0.1,
// B 10.2.0.42), and a network behind B, which A's peer B is allowed to
// carry: host C, 10.3.0.1/24 and fd00:3::1/64, linked to B
// (10.3.0.254, fd00:3::254), which forwards.

// behind makes C, the network behind b, and returns it.
func behind(t *testing.T, b *hosts.Host) *hosts.Host {
	t.Helper()
	c := hosts.New(t, "C")
	hosts.Link(t, b, "10.3.0.254/24", c, "10.3.0.1/24")
	b.MustRun(t, "ip -6 addr add fd00:3::254/64 dev vC nodad && echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding")
	c.MustRun(t, "ip -6 addr add fd00:3::1/64 dev vB nodad && ip route add 10.2.0.0/24 via 10.3.0.254 && ip -6 route add fd00:2::/64 via fd00:3::254")
	return c
}

// siteToSite makes the two hosts and their tunnel, and returns A and B.
func siteToSite(t *testing.T) (a, b *hosts.Host) {
	t.Helper()
	a, b = hosts.New(t, "A"), hosts.New(t, "B")
	hosts.Link(t, a, "192.0.2.1/24", b, "192.0.2.2/24")
	ka, kb := newKeyPair(t), newKeyPair(t)
	for _, s := range []struct {
		h            *hosts.Host
		key          keyPair
		inet, inet6  string
		peer, pubKey string
		allowed      string
		endpoint     string
	}{
		{a, ka, "10.2.0.1/24", "fd00:2::1/64", "B", kb.pub, "10.2.0.42/32,fd00:2::42/128,10.3.0.0/24,fd00:3::/64", "192.0.2.2:1234"},
		{b, kb, "10.2.0.42/24", "fd00:2::42/64", "A", ka.pub, "10.2.0.1/32,fd00:2::1/128", "192.0.2.1:1234"},
	} {
		s.h.WriteFile(t, "wg/wg0", []byte(s.key.priv+"\n"), 0o600)
		quiet(t, s.h, "ifconfig wg0 create && ifconfig wg0 inet "+s.inet+" && ifconfig wg0 inet6 "+s.inet6+
			" && wgconfig wg0 set private-key /etc/wg/wg0 && wgconfig wg0 set listen-port 1234"+
			" && wgconfig wg0 add peer "+s.peer+" "+s.pubKey+" --allowed-ips="+s.allowed+" --endpoint="+s.endpoint+
			" && ifconfig wg0 up")
	}
	behind(t, b)
	if err := a.Ping(t, "10.2.0.42", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// unreachable checks that A cannot reach addr: one ping, no reply.
func unreachable(t *testing.T, h *hosts.Host, addr string) {
	t.Helper()
	fam := ""
	if strings.Contains(addr, ":") {
		fam = "-6 "
	}
	if r := h.Run(t, "ping "+fam+"-n -c 1 -W 1 "+addr); r.Code == 0 {
		t.Errorf("%s# ping %s: a reply, with no route:\n%s", h.Name, addr, r.Stdout)
	}
}

// reachable checks that h can reach addr through the tunnel.
func reachable(t *testing.T, h *hosts.Host, addr string) {
	t.Helper()
	if err := h.Ping(t, addr, 10*time.Second); err != nil {
		t.Error(err)
	}
}

// linuxRoute is "ip route show" of one destination on h.
func linuxRoute(t *testing.T, h *hosts.Host, fam, dst string) string {
	t.Helper()
	return strings.TrimSpace(h.MustRun(t, "ip "+fam+" route show "+dst))
}

const getHeader = " recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire\n" +
	"       0         0         0         0         0         0         0         0 \n"

func TestRouteThroughWg(t *testing.T) {
	hosts.Integration(t)
	a, _ := siteToSite(t)

	// IPv4, straight to the interface.
	unreachable(t, a, "10.3.0.1")
	check(t, a, "route add -inet -net 10.3.0.0/24 -link wg0 -iface", out("add net 10.3.0.0: gateway wg0\n"))
	reachable(t, a, "10.3.0.1")
	if got := linuxRoute(t, a, "-4", "10.3.0.0/24"); got != "10.3.0.0/24 dev wg0 proto static scope link" {
		t.Errorf("A's Linux route: %q", got)
	}
	check(t, a, "route -n get 10.3.0.1", out("   route to: 10.3.0.1\n"+
		"destination: 10.3.0.0\n"+
		"       mask: 255.255.255.0\n"+
		" local addr: 10.2.0.1\n"+
		"  interface: wg0\n"+
		"      flags: 0x841<UP,DONE,STATIC>\n"+getHeader))
	if r := a.Run(t, "route get 10.3.0.1"); r.Code != 0 || !strings.Contains(r.Stdout, "\n  interface: wg0\n") {
		t.Errorf("A# route get 10.3.0.1: %+v", r)
	}
	check(t, a, "route -n show -inet", out("Routing tables\n\n"+
		"Internet:\n"+
		"Destination        Gateway            Flags    Refs      Use    Mtu Interface\n"+
		"10.2.0/24          link#"+fmt.Sprint(ifIndex(t, a, "wg0"))+"             U           -        -      -  wg0\n"+
		"10.3.0/24          wg0                U           -        -      -  wg0\n"))
	check(t, a, "route delete -inet -net 10.3.0.0/24 -link wg0 -iface", out("delete net 10.3.0.0: gateway wg0\n"))
	unreachable(t, a, "10.3.0.1")
	if got := linuxRoute(t, a, "-4", "10.3.0.0/24"); got != "" {
		t.Errorf("A's Linux route after delete: %q", got)
	}

	// IPv6, the same.
	unreachable(t, a, "fd00:3::1")
	check(t, a, "route add -inet6 -net fd00:3::/64 -link wg0 -iface", out("add net fd00:3::/64: gateway wg0\n"))
	reachable(t, a, "fd00:3::1")
	check(t, a, "route -n get -inet6 fd00:3::1", out("   route to: fd00:3::1\n"+
		"destination: fd00:3::\n"+
		"       mask: ffff:ffff:ffff:ffff::\n"+
		" local addr: fd00:2::1\n"+
		"  interface: wg0\n"+
		"      flags: 0x841<UP,DONE,STATIC>\n"+getHeader))
	check(t, a, "route delete -inet6 -net fd00:3::/64", out("delete net fd00:3::/64\n"))
	unreachable(t, a, "fd00:3::1")

	// Through the gateway B's tunnel address: inside wg0's subnet.
	check(t, a, "route add -net 10.3.0.0/24 10.2.0.42", out("add net 10.3.0.0: gateway 10.2.0.42\n"))
	reachable(t, a, "10.3.0.1")
	if got := linuxRoute(t, a, "-4", "10.3.0.0/24"); got != "10.3.0.0/24 via 10.2.0.42 dev wg0 proto static" {
		t.Errorf("A's Linux route via 10.2.0.42: %q", got)
	}
	check(t, a, "route -n get 10.3.0.9", out("   route to: 10.3.0.9\n"+
		"destination: 10.3.0.0\n"+
		"       mask: 255.255.255.0\n"+
		"    gateway: 10.2.0.42\n"+
		" local addr: 10.2.0.1\n"+
		"  interface: wg0\n"+
		"      flags: 0x843<UP,GATEWAY,DONE,STATIC>\n"+getHeader))

	// The routes stay while wg0 is down, and are back with it; so is
	// the IPv6 address their IPv6 gateway is reached through, which
	// Linux drops from a device that goes down.
	check(t, a, "route add -inet6 -net fd00:3::/64 fd00:2::42", out("add net fd00:3::/64: gateway fd00:2::42\n"))
	reachable(t, a, "fd00:3::1")
	quiet(t, a, "ifconfig wg0 down")
	if got := linuxRoute(t, a, "-4", "10.3.0.0/24"); got != "" {
		t.Errorf("A's Linux route with wg0 down: %q", got)
	}
	quiet(t, a, "ifconfig wg0 up")
	reachable(t, a, "10.3.0.1")
	reachable(t, a, "fd00:3::1")
	if got := linuxRoute(t, a, "-6", "fd00:3::/64"); !strings.HasPrefix(got, "fd00:3::/64 via fd00:2::42 dev wg0 proto static") {
		t.Errorf("A's Linux route via fd00:2::42 after wg0 down and up: %q", got)
	}

	// Only root changes the table; anybody may look.
	r := a.RunAs(t, 65534, "route add -net 10.5.0.0/24 10.2.0.42")
	want := hosts.Result{Stdout: "add net 10.5.0.0: gateway 10.2.0.42: Permission denied\n", Stderr: "route: writing to routing socket: Permission denied\n", Code: 1}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("nobody# route add (-want +got):\n%s", diff)
	}
	if r := a.RunAs(t, 65534, "route -n get 10.3.0.1"); r.Code != 0 || !strings.Contains(r.Stdout, "interface: wg0") {
		t.Errorf("nobody# route -n get 10.3.0.1: %+v", r)
	}

	// A destroyed interface takes its routes.
	quiet(t, a, "ifconfig wg0 destroy")
	check(t, a, "route -n show", out("Routing tables\n"))
}

// TestRouteRefused: what is not a route through a wg interface, and
// what is not route(8)'s syntax, fails with a message.
func TestRouteRefused(t *testing.T) {
	hosts.Integration(t)
	a, _ := siteToSite(t)
	hint := func(what string) string {
		return "route: " + what + ": not a wg interface, nor in the subnet of one: this route manages only routes through nbwg's wg(4) interfaces; use the host's own tools (ip route) for other routes\n"
	}
	check(t, a, "route add -net 10.5.0.0/24 192.0.2.2", hosts.Result{
		Stdout: "add net 10.5.0.0: gateway 192.0.2.2: Network is unreachable\n",
		Stderr: "route: writing to routing socket: Network is unreachable\n" + hint("192.0.2.2"),
		Code:   1,
	})
	check(t, a, "route add -inet -net 10.5.0.0/24 -link vB -iface", hosts.Result{
		Stdout: "add net 10.5.0.0: gateway vB: Network is unreachable\n",
		Stderr: "route: writing to routing socket: Network is unreachable\n" + hint("vB"),
		Code:   1,
	})
	if got := linuxRoute(t, a, "-4", "10.5.0.0/24"); got != "" {
		t.Errorf("A's Linux table has a refused route: %q", got)
	}
	usage := "Usage: route [-dfLnqSsTtv] cmd [[-<qualifers>] args]\n"
	check(t, a, "route add -net 10.9.0.0/24", fails("route: missing gateway specification\n"))
	check(t, a, "route add -inet -net 10.9.0.0/24 -link wg0 -bogus", fails("route: botched keyword: bogus\n"+usage))
	check(t, a, "route ad -net 10.9.0.0/24 10.2.0.42", fails("route: botched keyword: ad\n"+usage))
	check(t, a, "route", fails(usage))
}

// TestRouteAtBoot: an ifconfig.wg0 file's "!route add" lines route at
// boot, one even before the interface is up (the route waits for it); a
// bad one is named with its file and line, and start exits 1.
func TestRouteAtBoot(t *testing.T) {
	hosts.Integration(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	hosts.Link(t, a, "192.0.2.1/24", b, "192.0.2.2/24")
	ka, kb := newKeyPair(t), newKeyPair(t)
	a.WriteFile(t, "wg/wg0", []byte(ka.priv+"\n"), 0o600)
	b.WriteFile(t, "wg/wg0", []byte(kb.priv+"\n"), 0o600)
	quiet(t, b, "ifconfig wg0 create && ifconfig wg0 inet 10.2.0.42/24 && wgconfig wg0 set private-key /etc/wg/wg0"+
		" && wgconfig wg0 set listen-port 1234 && wgconfig wg0 add peer A "+ka.pub+" --allowed-ips=10.2.0.1/32 --endpoint=192.0.2.1:1234 && ifconfig wg0 up")
	behind(t, b)

	etc := t.TempDir()
	// The first route is added while wg0 is down without an address;
	// it reaches Linux when the address brings wg0 up.
	file := fmt.Sprintf(`!route add -inet -net 10.3.0.0/24 -link $int -iface
inet 10.2.0.1/24
!wgconfig $int set private-key /etc/wg/$int
!wgconfig $int set listen-port 1234
!wgconfig $int add peer B %s --allowed-ips=10.2.0.42/32,10.3.0.0/24 --endpoint=192.0.2.2:1234
up
!route add -net 10.4.0.0/24 10.2.0.42
`, kb.pub)
	if err := os.WriteFile(filepath.Join(etc, "ifconfig.wg0"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	network := filepath.Join(hosts.ModuleRoot(t), "rc.d", "network")
	check(t, a, "NBWG_ETC="+etc+" "+network+" start", hosts.Result{
		Stdout: "Configuring network interfaces: wg0add net 10.3.0.0: gateway wg0\nadd net 10.4.0.0: gateway 10.2.0.42\n.\n",
	})
	reachable(t, a, "10.3.0.1")
	if r := a.Run(t, "route -n get 10.3.0.1"); r.Code != 0 || !strings.Contains(r.Stdout, "\n  interface: wg0\n") {
		t.Errorf("A# route -n get 10.3.0.1 after boot: %+v", r)
	}
	quiet(t, a, "NBWG_ETC="+etc+" "+network+" stop >/dev/null")

	// A route through the host's own link: named, and start fails.
	bad := strings.Replace(file, "!route add -net 10.4.0.0/24 10.2.0.42", "!route add -net 10.4.0.0/24 192.0.2.2", 1)
	if err := os.WriteFile(filepath.Join(etc, "ifconfig.wg0"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r := a.Run(t, "NBWG_ETC="+etc+" "+network+" start")
	wantErr := etc + "/ifconfig.wg0:7: !route add -net 10.4.0.0/24 192.0.2.2: exit status 1\n"
	if r.Code != 1 || !strings.HasSuffix(r.Stderr, wantErr) || !strings.Contains(r.Stderr, "route: writing to routing socket: Network is unreachable\n") {
		t.Errorf("start with a bad route line: exit %d, stderr:\n%s\nwant it to end with %q", r.Code, r.Stderr, wantErr)
	}
	// The other lines were applied.
	reachable(t, a, "10.3.0.1")
}
