package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/cli"
	"nbwg/kernel/sys"
)

// Exact output of route(8) against an emulated kernel, for the formats
// of route.c 1.155.4.2 (newroute, print_getmsg), show.c 1.48 and
// rtutil.c 1.6, and route get's flags as NetBSD's ATF tests
// (tests/net/route/t_route.sh 1.14, t_change.sh 1.12) expect them.

// siteB is A's side of the two hosts: wg0 with 10.2.0.1/24 and
// fd00:2::1/64.
func siteB(t *testing.T) *host {
	h := newHost(t)
	h.ifconfig("wg0", "create", "10.2.0.1/24", "fd00:2::1/64")
	return h
}

type step struct {
	cmdline string
	want    result
}

func runSteps(t *testing.T, h *host, steps []step) {
	t.Helper()
	for _, s := range steps {
		if diff := cmp.Diff(s.want, h.run(s.cmdline)); diff != "" {
			t.Errorf("route %s (-want +got):\n%s", s.cmdline, diff)
		}
	}
}

// getmsg is route get's report: the lines after "route to:".
func getmsg(lines ...string) string {
	return strings.Join(lines, "\n") + "\n" +
		" recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire\n" +
		"       0         0         0         0         0         0         0         0 \n"
}

func TestAddGetDelete(t *testing.T) {
	h := siteB(t)
	runSteps(t, h, []step{
		{"add -inet -net 192.168.2.0/24 -link wg0 -iface", result{Stdout: "add net 192.168.2.0: gateway wg0\n"}},
		{"add -inet6 -net fd00:3::/64 -link wg0 -iface", result{Stdout: "add net fd00:3::/64: gateway wg0\n"}},
		{"add -net 10.3.0.0/24 10.2.0.42", result{Stdout: "add net 10.3.0.0: gateway 10.2.0.42\n"}},
		{"add -host 10.4.0.1 10.2.0.43", result{Stdout: "add host 10.4.0.1: gateway 10.2.0.43\n"}},
		{"add default -link wg0 -iface", result{Stdout: "add net default: gateway wg0\n"}},
		{"-q add -net 10.6.0.0/24 10.2.0.44", result{}},

		{"get 10.3.0.1", result{Stdout: "   route to: 10.3.0.1\n" + getmsg(
			"destination: 10.3.0.0",
			"       mask: 255.255.255.0",
			"    gateway: 10.2.0.42",
			" local addr: 10.2.0.1",
			"  interface: wg0",
			"      flags: 0x843<UP,GATEWAY,DONE,STATIC>")}},
		{"-n get 192.168.2.4", result{Stdout: "   route to: 192.168.2.4\n" + getmsg(
			"destination: 192.168.2.0",
			"       mask: 255.255.255.0",
			" local addr: 10.2.0.1",
			"  interface: wg0",
			"      flags: 0x841<UP,DONE,STATIC>")}},
		{"-n get -inet6 fd00:3::1", result{Stdout: "   route to: fd00:3::1\n" + getmsg(
			"destination: fd00:3::",
			"       mask: ffff:ffff:ffff:ffff::",
			" local addr: fd00:2::1",
			"  interface: wg0",
			"      flags: 0x841<UP,DONE,STATIC>")}},
		{"-n get 10.4.0.1", result{Stdout: "   route to: 10.4.0.1\n" + getmsg(
			"destination: 10.4.0.1",
			"    gateway: 10.2.0.43",
			" local addr: 10.2.0.1",
			"  interface: wg0",
			"      flags: 0x847<UP,GATEWAY,HOST,DONE,STATIC>")}},
		// The default route catches the rest; its mask is "default".
		{"-n get 8.8.8.8", result{Stdout: "   route to: 8.8.8.8\n" + getmsg(
			"destination: default",
			"       mask: default",
			" local addr: 10.2.0.1",
			"  interface: wg0",
			"      flags: 0x841<UP,DONE,STATIC>")}},
		// The subnet of wg0's address: a connected route.
		{"-n get 10.2.0.42", result{Stdout: "   route to: 10.2.0.42\n" + getmsg(
			"destination: 10.2.0.0",
			"       mask: 255.255.255.0",
			" local addr: 10.2.0.1",
			"  interface: wg0",
			"      flags: 0x141<UP,DONE,CONNECTED>")}},
		// -s: the gateway alone; nothing (and status 0) for a route
		// straight to an interface, as route.c's test of rtm_addrs.
		{"-s get 10.3.0.1", result{Stdout: "10.2.0.42\n"}},
		{"-s get 192.168.2.1", result{}},

		{"delete -inet -net 192.168.2.0/24 -link wg0 -iface", result{Stdout: "delete net 192.168.2.0: gateway wg0\n"}},
		{"delete -inet6 -net fd00:3::/64", result{Stdout: "delete net fd00:3::/64\n"}},
		{"delete default", result{Stdout: "delete net default\n"}},
		{"delete -host 10.4.0.1", result{Stdout: "delete host 10.4.0.1\n"}},
		{"delete -net 10.3.0.0/24", result{Stdout: "delete net 10.3.0.0\n"}},
		{"delete -net 10.3.0.0/24", result{
			Stdout: "delete net 10.3.0.0: not in table\n",
			Stderr: "route: writing to routing socket: not in table\n",
			Code:   1,
		}},
		{"-n get 10.3.0.1", result{
			Stderr: "route: writing to routing socket: not in table\n" +
				"route: 10.3.0.1: no route through a wg interface: this route knows only the routes through nbwg's wg(4) interfaces; ask the host's own tools (ip route get) for the others\n",
			Code: 1,
		}},
		// A connected route goes with its address.
		{"delete -net 10.2.0.0/24", result{
			Stdout: "delete net 10.2.0.0: entry in use\n",
			Stderr: "route: writing to routing socket: entry in use\n",
			Code:   1,
		}},
	})
}

func TestChange(t *testing.T) {
	h := siteB(t)
	h.ifconfig("wg1", "create", "10.8.0.1/24")
	runSteps(t, h, []step{
		{"add -net 10.3.0.0/24 10.2.0.42", result{Stdout: "add net 10.3.0.0: gateway 10.2.0.42\n"}},
		{"change -net 10.3.0.0/24 10.8.0.7", result{Stdout: "change net 10.3.0.0: gateway 10.8.0.7\n"}},
		{"-n get 10.3.0.1", result{Stdout: "   route to: 10.3.0.1\n" + getmsg(
			"destination: 10.3.0.0",
			"       mask: 255.255.255.0",
			"    gateway: 10.8.0.7",
			" local addr: 10.8.0.1",
			"  interface: wg1",
			"      flags: 0x843<UP,GATEWAY,DONE,STATIC>")}},
		// -ifp moves it; the gateway stays (route_output's RTM_CHANGE).
		{"change -net 10.3.0.0/24 -ifp wg0", result{Stdout: "change net 10.3.0.0\n"}},
		{"-n get 10.3.0.1", result{Stdout: "   route to: 10.3.0.1\n" + getmsg(
			"destination: 10.3.0.0",
			"       mask: 255.255.255.0",
			"    gateway: 10.8.0.7",
			" local addr: 10.2.0.1",
			"  interface: wg0",
			"      flags: 0x843<UP,GATEWAY,DONE,STATIC>")}},
		// Without -net, 10.3.0.0 is a host (its class A host part is
		// not 0), and no mask matches the route to a network.
		{"change 10.3.0.0 -ifp wg1", result{
			Stdout: "change host 10.3.0.0: Too many references: can't splice\n",
			Stderr: "route: writing to routing socket: Too many references: can't splice\n",
			Code:   1,
		}},
		{"change -net 10.3.0.0/24 -ifp eth0", result{
			Stdout: "change net 10.3.0.0: Network is unreachable\n",
			Stderr: "route: writing to routing socket: Network is unreachable\n" +
				"route: eth0: not a wg interface, nor in the subnet of one: this route manages only routes through nbwg's wg(4) interfaces; use the host's own tools (ip route) for other routes\n",
			Code: 1,
		}},
		{"change -net 10.3.0.0/24 192.168.1.1", result{
			Stdout: "change net 10.3.0.0: gateway 192.168.1.1: Network is unreachable\n",
			Stderr: "route: writing to routing socket: Network is unreachable\n" +
				"route: 192.168.1.1: not a wg interface, nor in the subnet of one: this route manages only routes through nbwg's wg(4) interfaces; use the host's own tools (ip route) for other routes\n",
			Code: 1,
		}},
		// Flags alone: the interface stays.
		{"change -net 10.3.0.0/24 -reject", result{Stdout: "change net 10.3.0.0\n"}},
	})
}

// TestNotThroughWg: a route no wg interface reaches is refused as
// NetBSD refuses an unreachable gateway, with a line saying whose it is.
func TestNotThroughWg(t *testing.T) {
	h := siteB(t)
	hint := func(what string) string {
		return "route: " + what + ": not a wg interface, nor in the subnet of one: this route manages only routes through nbwg's wg(4) interfaces; use the host's own tools (ip route) for other routes\n"
	}
	runSteps(t, h, []step{
		{"add -net 10.5.0.0/24 192.168.1.1", result{
			Stdout: "add net 10.5.0.0: gateway 192.168.1.1: Network is unreachable\n",
			Stderr: "route: writing to routing socket: Network is unreachable\n" + hint("192.168.1.1"),
			Code:   1,
		}},
		{"add -inet -net 10.5.0.0/24 -link eth0 -iface", result{
			Stdout: "add net 10.5.0.0: gateway eth0: Network is unreachable\n",
			Stderr: "route: writing to routing socket: Network is unreachable\n" + hint("eth0"),
			Code:   1,
		}},
		{"add -net 10.5.0.0/24 192.168.1.1 -ifp eth0", result{
			Stdout: "add net 10.5.0.0: gateway 192.168.1.1: Network is unreachable\n",
			Stderr: "route: writing to routing socket: Network is unreachable\n" + hint("eth0"),
			Code:   1,
		}},
		{"add -inet6 default ::1", result{
			Stdout: "add net default: gateway ::1: Network is unreachable\n",
			Stderr: "route: writing to routing socket: Network is unreachable\n" + hint("::1"),
			Code:   1,
		}},
	})
	if out := h.run("-n show -inet"); strings.Contains(out.Stdout, "10.5") {
		t.Errorf("a refused route is in the table:\n%s", out.Stdout)
	}
}

func TestPrivilege(t *testing.T) {
	h := siteB(t)
	h.run("add -net 10.3.0.0/24 10.2.0.42")
	for _, c := range []struct {
		cmdline string
		want    result
	}{
		{"add -net 10.4.0.0/24 10.2.0.42", result{
			Stdout: "add net 10.4.0.0: gateway 10.2.0.42: Permission denied\n",
			Stderr: "route: writing to routing socket: Permission denied\n",
			Code:   1,
		}},
		{"delete -net 10.3.0.0/24", result{
			Stdout: "delete net 10.3.0.0: Permission denied\n",
			Stderr: "route: writing to routing socket: Permission denied\n",
			Code:   1,
		}},
		{"-s get 10.3.0.1", result{Stdout: "10.2.0.42\n"}},
	} {
		if diff := cmp.Diff(c.want, h.runAs(nobody, c.cmdline)); diff != "" {
			t.Errorf("nobody: route %s (-want +got):\n%s", c.cmdline, diff)
		}
	}
}

func TestUsageAndBadValues(t *testing.T) {
	h := siteB(t)
	usage := "Usage: route [-dfLnqSsTtv] cmd [[-<qualifers>] args]\n"
	runSteps(t, h, []step{
		{"", result{Stderr: usage, Code: 1}},
		{"-n", result{Stderr: usage, Code: 1}},
		{"-x show", result{Stderr: "route: unknown option -- x\n" + usage, Code: 1}},
		{"bogus", result{Stderr: "route: botched keyword: bogus\n" + usage, Code: 1}},
		{"add -net 10.9.0.0/24 -link wg0 -iface -foo", result{Stderr: "route: botched keyword: foo\n" + usage, Code: 1}},
		{"add -net 10.9.0.0/24 -ifp", result{Stderr: "route: botched keyword: ifp\n" + usage, Code: 1}},
		{"add -net 10.9.0.0/24 10.2.0.42 x7", result{Stderr: usage, Code: 1}},
		{"show foo", result{Stderr: "route: botched keyword: foo\n" + usage, Code: 1}},
		{"show -link", result{Stderr: "route: botched keyword: -link\n" + usage, Code: 1}},
		{"add -net 10.9.0.0/24", result{Stderr: "route: missing gateway specification\n", Code: 1}},
		{"delete", result{Stderr: "route: missing destination specification\n", Code: 1}},
		{"add -host -net 10.9.0.1 10.2.0.42", result{Stderr: "route: -host and -net conflict\n", Code: 1}},
		{"add -net 10.9.0.0/33 10.2.0.42", result{Stderr: "route: 33: bad value\n", Code: 1}},
		{"add -net nowhere.example 10.2.0.42", result{Stderr: "route: nowhere.example: bad value\n", Code: 1}},
		{"add -inet6 -net fd00:9::/200 -link wg0 -iface", result{Stderr: "route: 200: bad value\n", Code: 1}},
		{"add -net 10.9.0.0/24 -link wg0 -iface -prefixlen", result{Stderr: "route: botched keyword: prefixlen\n" + usage, Code: 1}},
		{"add -atalk 1.2 3.4", result{Stderr: "route: 1.2: AppleTalk (-atalk) is not supported by nbwg's kernel\n", Code: 1}},
		{"monitor", result{Stderr: "route: monitor: not supported: nbwg's kernel sends no routing messages to listen to\n", Code: 1}},
	})
	// Old usage: a trailing 0 means a route to the interface.
	runSteps(t, h, []step{
		{"add -net 10.9.0.0/24 10.2.0.1 0", result{
			Stdout: "add net 10.9.0.0: gateway 10.2.0.1\n",
			Stderr: "route: old usage of trailing 0, assuming route to if\n",
		}},
		{"-n get 10.9.0.1", result{Stdout: "   route to: 10.9.0.1\n" + getmsg(
			"destination: 10.9.0.0",
			"       mask: 255.255.255.0",
			" local addr: 10.2.0.1",
			"  interface: wg0",
			"      flags: 0x841<UP,DONE,STATIC>")}},
	})
}

func TestShow(t *testing.T) {
	h := siteB(t)
	h.hosts["b-tunnel"] = mustAddr("10.2.0.42")
	h.hosts["b-tunnel6"] = mustAddr("fd00:2::42")
	for _, c := range []string{
		"add -inet -net 192.168.2.0/24 -link wg0 -iface",
		"add -inet6 -net fd00:3::/64 -link wg0 -iface",
		"add -net 10.3.0.0/24 10.2.0.42",
		"add -host 10.4.0.1 10.2.0.42 -mtu 1300 -reject",
		"add -inet6 -net fd00:5::/48 fd00:2::42",
	} {
		if r := h.run(c); r.Code != 0 {
			t.Fatalf("route %s: %+v", c, r)
		}
	}
	runSteps(t, h, []step{
		{"-n show", result{Stdout: `Routing tables

Internet:
Destination        Gateway            Flags    Refs      Use    Mtu Interface
10.2.0/24          link#2             U           -        -      -  wg0
10.3.0/24          10.2.0.42          UG          -        -      -  wg0
10.4.0.1           10.2.0.42          UGHR        -        -   1300  wg0
192.168.2/24       wg0                U           -        -      -  wg0

Internet6:
Destination                             Gateway                        Flags    Refs      Use    Mtu Interface
fd00:2::/64                             link#2                         U           -        -      -  wg0
fd00:3::/64                             wg0                            U           -        -      -  wg0
fd00:5::/48                             fd00:2::42                     UG          -        -      -  wg0
fe80::%wg0/64                           link#2                         U           -        -      -  wg0
`}},
		// Names: networks(5) for networks, hosts(5) for hosts without
		// the host's own domain.
		{"show -inet", result{Stdout: `Routing tables

Internet:
Destination        Gateway            Flags    Refs      Use    Mtu Interface
10.2.0/24          link#2             U           -        -      -  wg0
siteb              b-tunnel           UG          -        -      -  wg0
10.4.0.1           b-tunnel           UGHR        -        -   1300  wg0
192.168.2/24       wg0                U           -        -      -  wg0
`}},
		{"-nT show -inet6", result{Stdout: `Routing tables

Internet6:
Destination                             Gateway                        Flags    Refs      Use    Mtu     Tag Interface
fd00:2::/64                             link#2                         U           -        -      -       - wg0
fd00:3::/64                             wg0                            U           -        -      -       - wg0
fd00:5::/48                             fd00:2::42                     UG          -        -      -       - wg0
fe80::%wg0/64                           link#2                         U           -        -      -       - wg0
`}},
		{"-n show -inet -host", result{Stdout: `Routing tables

Internet:
Destination        Gateway            Flags    Refs      Use    Mtu Interface
10.4.0.1           10.2.0.42          UGHR        -        -   1300  wg0
`}},
	})
	h.ifconfig("wg0", "destroy")
	runSteps(t, h, []step{{"-n show", result{Stdout: "Routing tables\n"}}})
}

func TestFlush(t *testing.T) {
	h := siteB(t)
	for _, c := range []string{
		"add -net 10.3.0.0/24 10.2.0.42",
		"add -inet6 -net fd00:3::/64 -link wg0 -iface",
	} {
		h.run(c)
	}
	// route.c names each route by netname without its mask.
	runSteps(t, h, []step{
		{"-n flush -inet", result{Stdout: "10/0                 10.2.0.42            done\n"}},
		{"-n flush", result{Stdout: "fd00:3::/128         wg0                  done\n"}},
		{"-n flush", result{}},
		{"flush -bogus", result{Stderr: "route: botched keyword: -bogus\nUsage: route [-dfLnqSsTtv] cmd [[-<qualifers>] args]\n", Code: 1}},
	})
	// -f: flush, then the command.
	h.run("add -net 10.3.0.0/24 10.2.0.42")
	runSteps(t, h, []step{{"-nf add -net 10.7.0.0/24 10.2.0.42", result{Stdout: "10/0                 10.2.0.42            done\nadd net 10.7.0.0: gateway 10.2.0.42\n"}}})
}

func TestVerbose(t *testing.T) {
	h := siteB(t)
	runSteps(t, h, []step{
		{"-v add -net 10.4.0.0/16 10.2.0.42", result{Stdout: "so_dst: inet 10.4.0.0; so_gate: inet 10.2.0.42; so_mask: inet 255.255.0.0; \n" +
			"RTM_ADD: Add Route: len 160, pid 0, seq 1, errno 0, flags: 0x803<UP,GATEWAY,STATIC>\n" +
			"locks: 0x0 inits: 0x0\n" +
			"sockaddrs: 0x7<DST,GATEWAY,NETMASK>\n" +
			" 10.4.0.0 10.2.0.42 255.255.0.0\n" +
			"add net 10.4.0.0: gateway 10.2.0.42\n"}},
		// -d: the message, not sent.
		{"-d add -net 10.5.0.0/16 10.2.0.42", result{Stdout: "add net 10.5.0.0: gateway 10.2.0.42\n"}},
		{"-t add -net 10.5.0.0/16 10.2.0.42", result{Stdout: "add net 10.5.0.0: gateway 10.2.0.42\n"}},
		{"-t get 10.4.0.1", result{Stderr: "route: read from routing socket: Bad file descriptor\n", Code: 1}},
	})
	if r := h.run("-n get 10.5.0.1"); r.Code != 1 {
		t.Errorf("-d and -t added a route: %+v", r)
	}
}

// TestNoKernel: with no kernel running there is no wg interface.
func TestNoKernel(t *testing.T) {
	h := newHost(t)
	h.running = false
	runSteps(t, h, []step{
		{"-n show", result{Stdout: "Routing tables\n"}},
		{"add -inet -net 10.3.0.0/24 -link wg0 -iface", result{
			Stdout: "add net 10.3.0.0: gateway wg0: Network is unreachable\n",
			Stderr: "route: writing to routing socket: Network is unreachable\n" +
				"route: wg0: not a wg interface, nor in the subnet of one: this route manages only routes through nbwg's wg(4) interfaces; use the host's own tools (ip route) for other routes\n",
			Code: 1,
		}},
		{"delete -net 10.3.0.0/24", result{Stdout: "delete net 10.3.0.0: not in table\n", Stderr: "route: writing to routing socket: not in table\n", Code: 1}},
	})
	if diff := cmp.Diff(result{Stdout: "add net 10.3.0.0: gateway 10.2.0.42: Permission denied\n", Stderr: "route: writing to routing socket: Permission denied\n", Code: 1},
		h.runAs(nobody, "add -net 10.3.0.0/24 10.2.0.42")); diff != "" {
		t.Errorf("nobody, no kernel (-want +got):\n%s", diff)
	}
}

// recorder keeps the routing messages route writes.
type recorder struct {
	k    cli.Kernel
	msgs [][]byte
}

func (r *recorder) Ioctl(cmd uint32, arg, buf []byte) error {
	if req, err := sys.UnmarshalRouteReq(arg); err == nil && cmd == sys.NBWG_ROUTE && req.Op == sys.ROUTE_WRITE {
		r.msgs = append(r.msgs, append([]byte(nil), buf[:req.InLen]...))
	}
	return r.k.Ioctl(cmd, arg, buf)
}

// TestDumpRetry: a table larger than the first buffer is asked for again
// with the room the kernel says it needs.
func TestDumpRetry(t *testing.T) {
	h := siteB(t)
	for i := range 20 {
		if r := h.run(fmt.Sprintf("add -net 10.%d.0.0/16 10.2.0.42", 100+i)); r.Code != 0 {
			t.Fatalf("%+v", r)
		}
	}
	want := h.run("-n show")
	old := firstRoom
	firstRoom = 100
	defer func() { firstRoom = old }()
	got := h.run("-n show")
	if diff := cmp.Diff(want, got); diff != "" || strings.Count(got.Stdout, "10.2.0.42") != 20 {
		t.Errorf("route -n show with a small first buffer (-want +got):\n%s", diff)
	}
}
