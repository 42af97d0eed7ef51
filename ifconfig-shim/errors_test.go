package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/sys"
)

// usageText is sbin/ifconfig's usage with its modules' lines.
const usageText = "usage: ifconfig [-h] [-m] [-v] [-z] [-L] interface\n" +
	"\t[ af [ address [ dest_addr ] ] [ netmask mask ] [ prefixlen n ]\n" +
	"\t\t[ alias | -alias ] ]\n" +
	"\t[ up ] [ down ] [ metric n ] [ mtu n ]\n" +
	"\t[ advbase n ] [ advskew n ] [ carpdev iface ] [ pass passphrase ] [ state state ] [ vhid n ]\n" +
	"\t[ maxupd n ] [ syncdev iface ] [syncpeer peer_addr]\n" +
	"\t[ anycast | -anycast ] [ deprecated | -deprecated ]\n" +
	"\t[ pltime n ] [ vltime n ] [ eui64 ]\n" +
	"\t[ nwid network_id ] [ nwkey network_key | -nwkey ]\n" +
	"\t[ list scan ]\n" +
	"\t[ powersave | -powersave ] [ powersavesleep duration ]\n" +
	"\t[ hidessid | -hidessid ] [ apbridge | -apbridge ]\n" +
	"\t[ media type ] [ mediaopt opts ] [ -mediaopt opts ] [ instance minst ]\n" +
	"\t[ [ af ] tunnel src_addr dest_addr ] [ deletetunnel ]\n" +
	"\t[ vlan n vlanif i ] [ -vlanif i ]\n" +
	"\t[ agrport i ] [ -agrport i ]\n" +
	"\t[ session local-session-id remote-session-id ]\n" +
	"\t[ cookie local-cookie-length local-cookie remote-cookie-length remote-cookie ]\n" +
	"\t[ laggproto p ]\n" +
	"\t[ laggport i [ pri n ] ] [ -laggport i ]\n" +
	"\t[ laggportpri i [ pri n]]\n" +
	"\t[ lagglacp [ dumpdu | -dumpdu ] [ stopdu | -stopdu ]\n" +
	"\t\t[ maxports n | -maxports ] [ optimistic | -optimistic ] ]\n" +
	"\t[ laggfailover] [ rx-all | -rx-all ]\n" +
	"\t[ arp | -arp ]\n" +
	"\t[ preference n ]\n" +
	"\t[ link0 | -link0 ] [ link1 | -link1 ] [ link2 | -link2 ]\n" +
	"\t[ linkstr str | -linkstr ]\n" +
	"\t[ unnumbered | -unnumbered ]\n" +
	"\t[ description str | descr str | -description | -descr ]\n" +
	"       ifconfig -a [-b] [-d] [-h] [-m] [-u] [-v] [-z] [ af ]\n" +
	"       ifconfig -l [-b] [-d] [-s] [-u]\n" +
	"       ifconfig -C\n" +
	"       ifconfig -w n\n" +
	"       ifconfig interface create\n" +
	"       ifconfig interface destroy\n"

var usage = result{Stderr: usageText, Code: 1}

func fails(stderr string) result { return result{Stderr: stderr, Code: 1} }

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-h"},                    // -h humanizes; no interface follows
		{"-v"},                    // an interface is needed
		{"-a", "wg0"},             // -a takes a family only
		{"-a", "inet", "up"},      // and nothing after it
		{"-l", "wg0"},             // -l takes nothing
		{"-l", "-a"},              // -l stands alone
		{"-l", "-v"},              //
		{"-C", "-l"},              //
		{"-C", "-z"},              //
		{"-w", "1", "-L"},         //
		{"-C", "wg0"},             //
		{"-w", "1", "wg0"},        //
		{"-L", "wg0", "up"},       // -L, -m, -z only display
		{"-z", "wg0", "mtu", "1"}, //
		{"wg0", "bogus"},          // no keyword, no address, no host
		{"wg0", "up", "inet6"},    // a family word only comes first
		{"wg0", "mtu"},            // missing argument
		{"wg0", "mtu", "14x"},     //
		{"wg0", "metric", "x"},    //
		{"wg0", "prefixlen"},      //
		{"wg0", "netmask"},        //
		{"wg0", "inet", "10.0.0.1/24x"},
		{"wg0", "inet", "10.0.0.1/-1"},
		{"wg0", "inet", "10.0.0.1/255"},
		{"wg0", "inet", "10.0.0.256"},
		{"wg0", "inet", "fd00::1"},
		{"wg0", "inet6", "10.0.0.1"},
		{"wg0", "inet", "two.example"},     // a name with two addresses
		{"wg0", "inet6", "fd00::1,nosuch"}, // an unknown service (no inet_aton fallback for inet6)
		{"wg0", "inet6", "fd00::1,"},       // an empty service
		{"wg0", "inet6", "fe80::1%wg9"},    // an unknown scope
		{"wg0", "alias", "alias"},          // alias once
		{"wg0", "10.0.0.1", "delete", "alias"},
		{"wg0", "preference", "1"}, // preference needs an address
		{"wg0", "inet", "10.0.0.1", "preference", "32768"},
		{"wg0", "media", "a", "media", "b"},
		{"wg0", "vlan"},
		{"wg0", "vlanif", "re0"}, // vlanif needs a tag first
		{"wg0", "tunnel", "10.0.0.1"},
		{"wg12345678901234567"}, // longer than IFNAMSIZ
		{"wg0", "create", "destroy"},
	} {
		h := newHost(t)
		h.must("wg0", "create")
		if diff := cmp.Diff(usage, h.run(args...)); diff != "" {
			t.Errorf("ifconfig %q (-want +got):\n%s", args, diff)
		}
	}
	// 32 words fit the 32 matches sbin/ifconfig keeps; 33 do not.
	h := newHost(t)
	h.must("wg0", "create")
	args := []string{"wg0"}
	for range 31 {
		args = append(args, "up")
	}
	h.must(args...)
	if diff := cmp.Diff(usage, h.run(append(args, "up")...)); diff != "" {
		t.Errorf("33 words (-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		cred sys.Cred
		args []string
		want result
	}{
		// Options.
		{name: "unknown option", args: []string{"-x", "wg0"}, want: fails("ifconfig: unknown option -- x\n" + usageText)},
		{name: "missing option argument", args: []string{"-w"}, want: fails("ifconfig: option requires an argument -- w\n" + usageText)},
		{name: "-w not a number", args: []string{"-w", "5s"}, want: fails("ifconfig: 5s: not a number\n")},
		{name: "-w negative", args: []string{"-w-1"}, want: fails("ifconfig: -1: not a number\n")},
		{name: "-W not a number", args: []string{"-W", "x", "wg0"}, want: fails("ifconfig: x: not a number\n")},

		// Interfaces.
		{name: "create twice", args: []string{"wg0", "create"},
			want: fails("ifconfig: clone_command: File exists\nifconfig: exec_matches: File exists\n")},
		{name: "destroy unknown", args: []string{"wg5", "destroy"},
			want: fails("ifconfig: clone_command: Device not configured\nifconfig: exec_matches: Device not configured\n")},
		// if_clone_lookup: a unit that reaches INT_MAX/10 with a
		// digit to come is no cloner's (kernel/ifnet TestCloneUnits).
		{name: "create a bad unit", args: []string{"wg99999999999", "create"},
			want: fails("ifconfig: clone_command: Invalid argument\nifconfig: exec_matches: Invalid argument\n")},
		{name: "destroy a bad unit", args: []string{"wg2147483648", "destroy"},
			want: fails("ifconfig: clone_command: Invalid argument\nifconfig: exec_matches: Invalid argument\n")},
		{name: "unknown interface", args: []string{"wg9"},
			want: fails("ifconfig: SIOCGIFFLAGS wg9: Device not configured\n")},
		{name: "unknown interface, family", args: []string{"wg9", "inet6"},
			want: fails("ifconfig: SIOCGIFFLAGS wg9: Device not configured\n")},
		{name: "unknown interface, up", args: []string{"wg9", "up"},
			want: fails("ifconfig: exec_matches: Device not configured\n")},
		{name: "unknown interface, address", args: []string{"wg9", "inet", "10.0.0.1/24"},
			want: fails("ifconfig: commit_address: getifflags: Device not configured\n")},
		{name: "unknown interface, destination", args: []string{"wg9", "10.0.0.1", "10.0.0.2"},
			want: fails("ifconfig: setifdstormask: getifflags: Device not configured\n")},
		{name: "name of IFNAMSIZ characters", args: []string{"wg12345678901234"},
			want: fails("ifconfig: Cannot copy string; 16 chars needed 16 provided: File name too long\n")},

		// Addresses.
		{name: "prefix length too long", args: []string{"wg0", "inet", "10.0.0.1/33"},
			want: fails("ifconfig: paddr_match: prefixlen_to_mask(2, 33): Invalid argument\n")},
		{name: "inet6 prefix length too long", args: []string{"wg0", "inet6", "fd00::1/129"},
			want: fails("ifconfig: paddr_match: prefixlen_to_mask(24, 129): Invalid argument\n")},
		{name: "IPv6 prefix length without inet6", args: []string{"wg0", "fd00::1/64"},
			want: fails("ifconfig: prefixlen_to_mask: Invalid argument\n")},
		{name: "prefixlen keyword too long", args: []string{"wg0", "inet", "10.0.0.1", "prefixlen", "33"},
			want: fails("ifconfig: prefixlen_to_mask: Invalid argument\n")},
		{name: "delete a missing address", args: []string{"wg0", "inet", "10.9.9.9", "delete"},
			want: fails("ifconfig: SIOCDIFADDR: Can't assign requested address\n")},
		{name: "delete a missing IPv6 address", args: []string{"wg0", "inet6", "fd00::9", "-alias"},
			want: fails("ifconfig: SIOCDIFADDR_IN6: Can't assign requested address\n")},
		{name: "-alias without an IPv4 address", args: []string{"wg0", "-alias"},
			want: fails("ifconfig: SIOCGIFADDR: Can't assign requested address\n")},
		{name: "-alias without an address, inet6", args: []string{"wg0", "inet6", "delete"},
			want: fails("ifconfig: SIOCGIFADDR_IN6: Can't assign requested address\n")},
		{name: "broadcast address", args: []string{"wg0", "10.0.0.1", "10.0.0.2", "10.0.0.255"},
			want: fails("ifconfig: not a broadcast interface\n")},
		{name: "broadcast keyword", args: []string{"wg0", "inet", "10.0.0.1", "broadcast", "10.0.0.255"},
			want: fails("ifconfig: not a broadcast interface\n")},
		{name: "a link-local address in another prefix", args: []string{"wg0", "inet6", "fe80::1/48"},
			want: fails("ifconfig: SIOCAIFADDR_IN6: Invalid argument\n")},
		{name: "eui64 on a filled address", args: []string{"wg0", "inet6", "fd00::1", "eui64"},
			want: fails("ifconfig: interface index is already filled, ::%0 | fd00::1%0\n")},
		{name: "eui64 without a link-local address", args: []string{"wg0", "inet6", "fd00::", "eui64"},
			want: fails("ifconfig: could not determine link local address\n")},

		// Privilege.
		{name: "non-root create", cred: nobody, args: []string{"wg1", "create"},
			want: fails("ifconfig: clone_command: Operation not permitted\nifconfig: exec_matches: Operation not permitted\n")},
		{name: "non-root destroy", cred: nobody, args: []string{"wg0", "destroy"},
			want: fails("ifconfig: clone_command: Operation not permitted\nifconfig: exec_matches: Operation not permitted\n")},
		{name: "non-root up", cred: nobody, args: []string{"wg0", "up"},
			want: fails("ifconfig: exec_matches: Operation not permitted\n")},
		{name: "non-root down", cred: nobody, args: []string{"wg0", "down"},
			want: fails("ifconfig: exec_matches: Operation not permitted\n")},
		{name: "non-root mtu: a warning, status 0", cred: nobody, args: []string{"wg0", "mtu", "1400"},
			want: result{Stderr: "ifconfig: SIOCSIFMTU: Operation not permitted\n"}},
		{name: "non-root inet", cred: nobody, args: []string{"wg0", "inet", "10.0.0.1/24"},
			want: fails("ifconfig: SIOCAIFADDR: Operation not permitted\n")},
		{name: "non-root inet6", cred: nobody, args: []string{"wg0", "inet6", "fd00::1/64"},
			want: fails("ifconfig: SIOCAIFADDR_IN6: Operation not permitted\n")},
		{name: "non-root description", cred: nobody, args: []string{"wg0", "description", "to B"},
			want: fails("ifconfig: SIOCSIFDESCR: Operation not permitted\n")},
		{name: "non-root -description", cred: nobody, args: []string{"wg0", "-description"},
			want: fails("ifconfig: SIOCSIFDESCR: Operation not permitted\n")},
		{name: "non-root -z", cred: nobody, args: []string{"-z", "wg0"},
			want: result{Stdout: freshDisplay, Stderr: "ifconfig: SIOCZIFDATA: Operation not permitted\n", Code: 1}},

		// Not wg.
		{name: "eth0", args: []string{"eth0"},
			want: fails("ifconfig: eth0: not a wg interface: this ifconfig only manages nbwg's emulated wg(4) interfaces\n")},
		{name: "lo up", args: []string{"lo", "up"},
			want: fails("ifconfig: lo: not a wg interface: this ifconfig only manages nbwg's emulated wg(4) interfaces\n")},
		{name: "lo0 create", args: []string{"lo0", "create"},
			want: fails("ifconfig: lo0: not a wg interface: this ifconfig only manages nbwg's emulated wg(4) interfaces\n")},
		{name: "-s eth0", args: []string{"-s", "eth0"},
			want: fails("ifconfig: eth0: not a wg interface: this ifconfig only manages nbwg's emulated wg(4) interfaces\n")},
		{name: "wg alone", args: []string{"wg"},
			want: fails("ifconfig: wg: not a wg interface: this ifconfig only manages nbwg's emulated wg(4) interfaces\n")},

		// What wg(4) does not have.
		{name: "media", args: []string{"wg0", "media", "autoselect"}, want: fails("ifconfig: media: not supported for wg(4) interfaces\n")},
		{name: "mediaopt", args: []string{"wg0", "up", "mediaopt", "full-duplex"}, want: fails("ifconfig: mediaopt: not supported for wg(4) interfaces\n")},
		{name: "vlan", args: []string{"wg0", "vlan", "5", "vlanif", "re0"}, want: fails("ifconfig: vlan: not supported for wg(4) interfaces\n")},
		{name: "tunnel", args: []string{"wg0", "tunnel", "192.0.2.1", "192.0.2.2"}, want: fails("ifconfig: tunnel: not supported for wg(4) interfaces\n")},
		{name: "carp", args: []string{"wg0", "vhid", "1", "pass", "x"}, want: fails("ifconfig: vhid: not supported for wg(4) interfaces\n")},
		{name: "lagg", args: []string{"wg0", "laggport", "re0", "pri", "3"}, want: fails("ifconfig: laggport: not supported for wg(4) interfaces\n")},
		{name: "802.11", args: []string{"wg0", "ssid", "net"}, want: fails("ifconfig: ssid: not supported for wg(4) interfaces\n")},
		{name: "capabilities", args: []string{"wg0", "-tso4"}, want: fails("ifconfig: -tso4: not supported for wg(4) interfaces\n")},
		{name: "link-level address", args: []string{"wg0", "link", "02:00:00:00:00:01"}, want: fails("ifconfig: link: not supported for wg(4) interfaces\n")},
		// Refused before anything is done: wg1 is not created.
		{name: "refused with create", args: []string{"wg1", "create", "media", "auto"}, want: fails("ifconfig: media: not supported for wg(4) interfaces\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			h.must("wg0", "create")
			if diff := cmp.Diff(tt.want, h.runAs(tt.cred, tt.args...)); diff != "" {
				t.Errorf("ifconfig %q (-want +got):\n%s", tt.args, diff)
			}
			if got := h.run("-l").Stdout; got != "wg0\n" && tt.args[1] != "destroy" {
				t.Errorf("interfaces afterwards: %q", got)
			}
		})
	}
}
