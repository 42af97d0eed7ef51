package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// addrLines runs each command line as root and returns the address lines
// of "ifconfig wg0" afterwards.
func addrLines(t *testing.T, h *host, cmds [][]string) []string {
	t.Helper()
	for _, c := range cmds {
		h.must(c...)
	}
	var lines []string
	for _, l := range strings.Split(h.must("wg0"), "\n") {
		if strings.HasPrefix(l, "\tinet") {
			lines = append(lines, strings.TrimPrefix(l, "\t"))
		}
	}
	return lines
}

// TestAddresses works on a wg0 with a peer, so that the link is up and
// address flags are 0 (address_flags are in TestDisplay).  IPv6 cases
// bring wg0 up first: where its link-local address goes in the list when
// the first address is IPv6 is the kernel's business.
func TestAddresses(t *testing.T) {
	const ll = "inet6 fe80::200:ff:fe00:1%wg0/64 flags 0 scopeid 0x2"
	tests := []struct {
		name string
		cmds [][]string
		want []string
	}{{
		name: "inet A replaces the first IPv4 address",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1/24"},
			{"wg0", "inet", "10.3.0.1/24", "alias"},
			{"wg0", "inet", "10.4.0.1/16"},
		},
		want: []string{ll, "inet 10.3.0.1/24 flags 0", "inet 10.4.0.1/16 flags 0"},
	}, {
		name: "inet A of the first address re-adds it at the end",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1/24"},
			{"wg0", "inet", "10.3.0.1/24", "alias"},
			{"wg0", "inet", "10.2.0.1/25"},
		},
		want: []string{ll, "inet 10.3.0.1/24 flags 0", "inet 10.2.0.1/25 flags 0"},
	}, {
		name: "alias adds, even before the address",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1/24"},
			{"wg0", "alias", "10.3.0.1/24"},
		},
		want: []string{ll, "inet 10.2.0.1/24 flags 0", "inet 10.3.0.1/24 flags 0"},
	}, {
		name: "-alias deletes the address given",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1/24"},
			{"wg0", "inet", "10.3.0.1/24", "alias"},
			{"wg0", "inet", "10.3.0.1", "-alias"},
		},
		want: []string{ll, "inet 10.2.0.1/24 flags 0"},
	}, {
		name: "delete deletes the address given",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1/24"},
			{"wg0", "inet", "10.3.0.1/24", "alias"},
			{"wg0", "inet", "10.2.0.1", "delete"},
		},
		want: []string{ll, "inet 10.3.0.1/24 flags 0"},
	}, {
		name: "-alias without an address deletes the first IPv4 address",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1/24"},
			{"wg0", "inet", "10.3.0.1/24", "alias"},
			{"wg0", "-alias"},
		},
		want: []string{ll, "inet 10.3.0.1/24 flags 0"},
	}, {
		name: "inet6 A adds: nothing is replaced",
		cmds: [][]string{
			{"wg0", "up"},
			{"wg0", "inet6", "fd00:2::1/64"},
			{"wg0", "inet6", "fd00:3::1/48"},
		},
		want: []string{ll, "inet6 fd00:2::1/64 flags 0", "inet6 fd00:3::1/48 flags 0"},
	}, {
		name: "inet6 delete, and the link-local by its scope",
		cmds: [][]string{
			{"wg0", "up"},
			{"wg0", "inet6", "fd00:2::1/64"},
			{"wg0", "inet6", "fd00:3::1", "alias"},
			{"wg0", "inet6", "fd00:2::1", "delete"},
			{"wg0", "inet6", "fe80::200:ff:fe00:1%wg0", "-alias"},
		},
		want: []string{"inet6 fd00:3::1/64 flags 0"},
	}, {
		name: "inet6 without a prefix length is /64; prefixlen keyword",
		cmds: [][]string{
			{"wg0", "up"},
			{"wg0", "inet6", "fd00:2::1"},
			{"wg0", "inet6", "fd00:3::1", "prefixlen", "56"},
		},
		want: []string{ll, "inet6 fd00:2::1/64 flags 0", "inet6 fd00:3::1/56 flags 0"},
	}, {
		name: "anycast and deprecated address flags",
		cmds: [][]string{
			{"wg0", "up"},
			{"wg0", "inet6", "fd00:2::1", "anycast"},
			{"wg0", "inet6", "fd00:3::1", "deprecated"},
		},
		want: []string{ll, "inet6 fd00:2::1/64 flags 0x1<ANYCAST>", "inet6 fd00:3::1/64 flags 0x10<DEPRECATED>"},
	}, {
		name: "eui64 takes the interface id of the link-local address",
		cmds: [][]string{
			{"wg0", "up"},
			{"wg0", "inet6", "fd00:2::/64", "eui64"},
		},
		want: []string{ll, "inet6 fd00:2::200:ff:fe00:1/64 flags 0"},
	}, {
		name: "netmask in hexadecimal",
		cmds: [][]string{{"wg0", "inet", "10.2.0.1", "netmask", "0xffffff00"}},
		want: []string{ll, "inet 10.2.0.1/24 flags 0"},
	}, {
		name: "netmask overrides /N",
		cmds: [][]string{{"wg0", "inet", "10.2.0.1/8", "netmask", "255.255.255.128"}},
		want: []string{ll, "inet 10.2.0.1/25 flags 0"},
	}, {
		name: "prefixlen keyword",
		cmds: [][]string{{"wg0", "inet", "10.2.0.1", "prefixlen", "20"}},
		want: []string{ll, "inet 10.2.0.1/20 flags 0"},
	}, {
		name: "/0 means the whole address",
		cmds: [][]string{{"wg0", "inet", "10.2.0.1/0"}},
		want: []string{ll, "inet 10.2.0.1/32 flags 0"},
	}, {
		name: "classful defaults: A, B, C",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1"},
			{"wg0", "inet", "172.16.0.1", "alias"},
			{"wg0", "inet", "192.168.1.1", "alias"},
		},
		want: []string{ll, "inet 10.2.0.1/8 flags 0", "inet 172.16.0.1/16 flags 0", "inet 192.168.1.1/24 flags 0"},
	}, {
		name: "inet_aton forms and a family-less address",
		cmds: [][]string{
			{"wg0", "10.1/16"},
			{"wg0", "0x0a000002", "alias"},
		},
		want: []string{ll, "inet 10.0.0.1/16 flags 0", "inet 10.0.0.2/8 flags 0"},
	}, {
		// parse.c's paddr_match splits the service off before it
		// looks for a prefix length, and falls back on inet_aton(3)
		// whatever getaddrinfo's error, so an IPv4 address takes any
		// service text.  The port is not used.
		name: "services after a comma",
		cmds: [][]string{
			{"wg0", "inet", "10.2.0.1,domain"},
			{"wg0", "inet", "172.16.0.1,nosuch", "alias"},
			{"wg0", "inet6", "fd00::1,+53"},
		},
		want: []string{ll, "inet6 fd00::1/64 flags 0", "inet 10.2.0.1/8 flags 0", "inet 172.16.0.1/16 flags 0"},
	}, {
		name: "a scope by interface name",
		cmds: [][]string{{"wg0", "inet6", "fe80::2%wg0/64", "alias"}},
		want: []string{"inet6 fe80::2%wg0/64 flags 0 scopeid 0x2"},
	}, {
		name: "a scope by number",
		cmds: [][]string{{"wg0", "inet6", "fe80::3%2/64", "alias"}},
		want: []string{"inet6 fe80::3%wg0/64 flags 0 scopeid 0x2"},
	}, {
		name: "a host name with one address",
		cmds: [][]string{{"wg0", "inet", "one.example/28"}},
		want: []string{ll, "inet 192.0.2.7/28 flags 0"},
	}, {
		name: "a destination address is ignored: wg is not point-to-point",
		cmds: [][]string{{"wg0", "inet", "10.2.0.1/24", "10.2.0.2"}},
		want: []string{ll, "inet 10.2.0.1/24 flags 0"},
	}, {
		name: "create with commands, as /etc/ifconfig.wg0 lines do",
		cmds: [][]string{{"wg0", "inet", "10.2.0.1/24", "up"}, {"wg1", "create", "inet6", "fd00:2::1/64", "up"}},
		want: []string{ll, "inet 10.2.0.1/24 flags 0"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			h.must("wg0", "create")
			h.addPeer("wg0", 1)
			if diff := cmp.Diff(tt.want, addrLines(t, h, tt.cmds)); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
		})
	}
}

// The words' actions run in command-line order and the address commit
// last (ifconfig.c's main, af_inetany.c's commit_address).
func TestRequestOrder(t *testing.T) {
	h := newHost(t)
	h.must("wg0", "create", "inet", "10.0.0.1/24", "up", "mtu", "1400")
	want := []string{"SIOCIFCREATE", "SIOCGIFFLAGS", "SIOCSIFFLAGS", "SIOCSIFMTU",
		"SIOCGIFFLAGS", "SIOCGIFADDR", "SIOCAIFADDR"}
	if diff := cmp.Diff(want, h.log); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	h.log = nil
	h.must("wg0", "inet", "10.0.0.2/24")
	want = []string{"SIOCGIFFLAGS", "SIOCGIFADDR", "SIOCDIFADDR", "SIOCAIFADDR"}
	if diff := cmp.Diff(want, h.log); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := h.must("wg0", "inet"); !strings.Contains(got, "mtu 1400\n") || !strings.Contains(got, "\tinet 10.0.0.2/24 flags 0x4<DETACHED>\n") {
		t.Errorf("after create ... mtu 1400:\n%s", got)
	}
}

// Only create may start the emulated kernel.
func TestKernelStart(t *testing.T) {
	h := newHost(t)
	for _, args := range [][]string{{"-a"}, {"wg0"}, {"-l"}, {"-C"}, {"wg0", "up"}, {"wg0", "destroy"}} {
		h.run(args...)
	}
	if h.starts != 0 {
		t.Errorf("%d kernel starts before create", h.starts)
	}
	h.must("wg0", "create")
	if h.starts != 1 {
		t.Errorf("%d kernel starts after create, want 1", h.starts)
	}
}

func TestMiscCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want result
		// after, if set, is the display of wg0 afterwards.
		after string
	}{{
		name:  "mtu",
		args:  []string{"wg0", "mtu", "1280"},
		after: "wg0: flags=0x8000<MULTICAST> mtu 1280\n\tstatus: down\n",
	}, {
		name:  "mtu to the same value",
		args:  []string{"wg0", "mtu", "1420"},
		after: freshDisplay,
	}, {
		// The MTU is a warning only: the exit status stays 0.
		name:  "mtu too small",
		args:  []string{"wg0", "mtu", "67"},
		want:  result{Stderr: "ifconfig: SIOCSIFMTU: Invalid argument\n"},
		after: freshDisplay,
	}, {
		name:  "mtu too large",
		args:  []string{"wg0", "mtu", "65456"},
		want:  result{Stderr: "ifconfig: SIOCSIFMTU: Invalid argument\n"},
		after: freshDisplay,
	}, {
		name:  "mtu bounds",
		args:  []string{"wg0", "mtu", "68", "mtu", "65455"},
		after: "wg0: flags=0x8000<MULTICAST> mtu 65455\n\tstatus: down\n",
	}, {
		name:  "mtu is an int: C truncates",
		args:  []string{"wg0", "mtu", "4294968576"},
		after: "wg0: flags=0x8000<MULTICAST> mtu 1280\n\tstatus: down\n",
	}, {
		name:  "up then down in one command",
		args:  []string{"wg0", "up", "down"},
		after: "wg0: flags=0x8000<MULTICAST> mtu 1420\n\tstatus: down\n\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0x8<DETACHED> scopeid 0x2\n",
	}, {
		name:  "trailers",
		args:  []string{"wg0", "-trailers"},
		want:  result{Stdout: "Note: trailers are no longer sent, but always received\n"},
		after: freshDisplay,
	}, {
		name: "-A is deprecated",
		args: []string{"-A", "wg0"},
		want: result{Stdout: freshDisplay, Stderr: "ifconfig: -A is deprecated\n"},
	}, {
		// The emulated kernel has no metric (nor address
		// preferences, nor linkstr): NetBSD's warnings and errors
		// for a kernel that refuses them.
		name:  "metric",
		args:  []string{"wg0", "metric", "3"},
		want:  result{Stderr: "ifconfig: SIOCSIFMETRIC: Inappropriate ioctl for device\n"},
		after: freshDisplay,
	}, {
		name:  "preference",
		args:  []string{"wg0", "inet", "10.2.0.1/24", "preference", "5"},
		want:  result{Stderr: "ifconfig: SIOCSIFADDRPREF: Inappropriate ioctl for device\n"},
		after: "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n\tstatus: down\n\tinet6 fe80::200:ff:fe00:1%wg0/64 flags 0x8<DETACHED> scopeid 0x2\n\tinet 10.2.0.1/24 flags 0\n",
	}, {
		name: "linkstr: wg(4) has none",
		args: []string{"wg0", "linkstr", "foo"},
		want: result{Stderr: "ifconfig: SIOCSLINKSTR: Inappropriate ioctl for device\n", Code: 1},
	}, {
		name:  "destroy",
		args:  []string{"wg0", "destroy"},
		after: "",
	}, {
		name:  "words after destroy are ignored, as NetBSD ignores them",
		args:  []string{"wg0", "destroy", "up", "10.0.0.1/24"},
		after: "",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			h.must("wg0", "create")
			if diff := cmp.Diff(tt.want, h.run(tt.args...)); diff != "" {
				t.Errorf("ifconfig %q (-want +got):\n%s", tt.args, diff)
			}
			if tt.after == "" && tt.args[1] != "destroy" {
				return
			}
			if diff := cmp.Diff(tt.after, h.run("-a").Stdout); diff != "" {
				t.Errorf("ifconfig -a afterwards (-want +got):\n%s", diff)
			}
		})
	}
}
