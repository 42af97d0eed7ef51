//go:build linux

package tests

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// usageText is wgconfig's usage(), on standard error with exit status 1.
const usageText = "Usage:\n" +
	"\twgconfig <interface> [show all]\n" +
	"\twgconfig <interface> show peer <peer name> [--show-preshared-key]\n" +
	"\twgconfig <interface> show private-key\n" +
	"\twgconfig <interface> set private-key <file path>\n" +
	"\twgconfig <interface> set listen-port <port>\n" +
	"\twgconfig <interface> add peer <peer name> <base64 public key>\n" +
	"\t                     [--preshared-key=<file path>] [--endpoint=<ip>:<port>]\n" +
	"\t                     [--allowed-ips=<ip1>/<cidr1>[,<ip2>/<cidr2>]...]\n" +
	"\twgconfig <interface> delete peer <peer name>\n"

// TestBadInput: each bad command prints NetBSD's diagnostic, exits 1, and
// leaves the interface exactly as it was (secrets included).
func TestBadInput(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	// Key files that are not keys.
	a.WriteFile(t, "wg/short", []byte("c2hvcnQ=\n"), 0o600)
	a.WriteFile(t, "wg/notb64", []byte(strings.Repeat("!", 44)+"\n"), 0o600)
	// Host names resolve from /etc/hosts only, so that the answer does
	// not depend on the machine's DNS.
	a.WriteFile(t, "nsswitch.conf", []byte("hosts: files\n"), 0o644)
	a.WriteFile(t, "hosts", []byte("127.0.0.1 localhost\n"), 0o644)

	c := newKeyPair(t).pub // a key no peer has
	addC := "wgconfig wg0 add peer C " + c + " "
	const (
		add    = "wgconfig: ioctl(SIOCSDRVSPEC): cmd=4: "
		del    = "wgconfig: ioctl(SIOCSDRVSPEC): cmd=8: "
		port   = "wgconfig: ioctl(SIOCSDRVSPEC): cmd=2: "
		enxio  = "Device not configured\n"
		eexist = "File exists\n"
		einval = "Invalid argument\n"
	)
	before := a.state(t)
	for _, tt := range []struct {
		name, script string
		want         hosts.Result
	}{
		// Public keys.
		{"public key too short", "wgconfig wg0 add peer C abc", fails("wgconfig: invalid public-key length: 3\n")},
		{"public key too long", "wgconfig wg0 add peer C " + c + "=", fails("wgconfig: invalid public-key length: 45\n")},
		{"public key not base64", "wgconfig wg0 add peer C " + strings.Repeat("!", 44), fails("wgconfig: b64_pton failed\n")},
		{"duplicate public key", "wgconfig wg0 add peer C " + a.b.pub, fails(add + eexist)},

		// Peer names.
		{"peer name too long", "wgconfig wg0 add peer ABCDEFGHIJKLMNOPQ " + c, fails("wgconfig: peer name too long\n")},
		{"duplicate peer name", "wgconfig wg0 add peer B " + c, fails(add + eexist)},

		// Listen ports.
		{"port 0", "wgconfig wg0 set listen-port 0", fails("wgconfig: port 0 is not allowed\n")},
		{"port not a number", "wgconfig wg0 set listen-port http", fails("wgconfig: strtol: not a number\n")},
		{"port with garbage", "wgconfig wg0 set listen-port 12ab", fails("wgconfig: strtol: trailing garbage\n")},
		{"port 65536", "wgconfig wg0 set listen-port 65536", fails("wgconfig: out of range\n")},
		{"port -1", "wgconfig wg0 set listen-port -1", fails("wgconfig: out of range\n")},
		// strerror(ERANGE) is NetBSD's (sys/errno.h), not glibc's.
		{"port past long", "wgconfig wg0 set listen-port 99999999999999999999", fails("wgconfig: strtol: Result too large or too small\n")},

		// Endpoints.
		{"endpoint without colon", addC + "--endpoint=198.51.100.46", fails("wgconfig: no ':' found in endpoint\n")},
		{"endpoint without bracket", addC + "--endpoint=[fd00::1:1234", fails("wgconfig: invalid endpoint format\n")},
		{"endpoint without colon after bracket", addC + "--endpoint=[fd00::1]1234", fails("wgconfig: invalid endpoint format\n")},
		{"endpoint too short", addC + "--endpoint=[::]", fails("wgconfig: invalid endpoint format\n")},
		{"endpoint unknown host", addC + "--endpoint=nosuchhost:1234", fails("wgconfig: getaddrinfo: nosuchhost:1234 (No address associated with hostname)\n")},
		{"endpoint port 65536", addC + "--endpoint=198.51.100.46:65536", fails("wgconfig: getaddrinfo: 198.51.100.46:65536 (servname not supported for ai_socktype)\n")},
		{"endpoint unknown service", addC + "--endpoint=198.51.100.46:nosuchservice", fails("wgconfig: getaddrinfo: 198.51.100.46:nosuchservice (servname not supported for ai_socktype)\n")},

		// Allowed IPs.
		{"allowed-ip without slash", addC + "--allowed-ips=10.2.0.43", fails("wgconfig: no '/' found in allowed-ip\n")},
		{"allowed-ip second without slash", addC + "--allowed-ips=10.2.0.43/32,10.2.0.44", fails("wgconfig: no '/' found in allowed-ip\n")},
		{"allowed-ip cidr 33", addC + "--allowed-ips=10.2.0.43/33", fails(add + einval)},
		{"allowed-ip cidr 129", addC + "--allowed-ips=fd00:2::43/129", fails(add + einval)},
		{"allowed-ip cidr not a number", addC + "--allowed-ips=10.2.0.43/x", fails("wgconfig: strtol: not a number\n")},
		// NetBSD hands errno (0), not getaddrinfo's code, to gai_strerror.
		// (getaddrinfo reads IPv4 with inet_aton, so 10.2.0/24 would be
		// 10.2.0.0/24; five parts are no address.)
		{"allowed-ip not an address", addC + "--allowed-ips=10.2.0.0.0/24", fails("wgconfig: getaddrinfo: Success\n")},
		{"allowed-ip scope of no interface", addC + "--allowed-ips=fe80::1%vio0/64", fails("wgconfig: getaddrinfo: Success\n")},
		{"endpoint scope of no interface", addC + "--endpoint=[fe80::1%vio0]:1234", fails("wgconfig: getaddrinfo: fe80::1%vio0:1234 (No address associated with hostname)\n")},
		{"allowed-ip host name", addC + "--allowed-ips=localhost/32", fails("wgconfig: getaddrinfo: Success\n")},
		{"allowed-ip of another peer", addC + "--allowed-ips=10.2.0.43/32,10.2.0.42/32", fails(add + eexist)},
		{"allowed-ip6 of another peer", addC + "--allowed-ips=fd00:2::42/128", fails(add + eexist)},
		{"allowed-ip twice", addC + "--allowed-ips=10.2.0.50/32,10.2.0.50/32", fails(add + eexist)},

		// Key files.
		{"missing private key file", "wgconfig wg0 set private-key /etc/wg/missing", fails("wgconfig: fopen: /etc/wg/missing: No such file or directory\n")},
		{"missing preshared key file", addC + "--preshared-key=/etc/wg/missing", fails("wgconfig: fopen: /etc/wg/missing: No such file or directory\n")},
		{"short private key file", "wgconfig wg0 set private-key /etc/wg/short", fails("wgconfig: base64 key len is short: 9\n")},
		{"short preshared key file", addC + "--preshared-key=/etc/wg/short", fails("wgconfig: base64 key len is short: 9\n")},
		{"empty private key file", "wgconfig wg0 set private-key /dev/null", fails("wgconfig: base64 key len is short: 0\n")},
		{"private key file a directory", "wgconfig wg0 set private-key /etc/wg", fails("wgconfig: base64 key len is short: 0\n")},
		{"private key file not base64", "wgconfig wg0 set private-key /etc/wg/notb64", fails("wgconfig: b64_pton failed\n")},
		{"preshared key file not base64", addC + "--preshared-key=/etc/wg/notb64", fails("wgconfig: b64_pton failed\n")},

		// Options and sub-commands.
		// --persistent-keepalive= is nbwg's own now (wgconfig.8 NBWG
		// EXTENSIONS); wg(8)'s spelling is still unknown.
		{"unknown option", addC + "--keepalive=25", fails("wgconfig: invalid option: --keepalive=25\n")},
		{"option without value", addC + "--preshared-key", fails("wgconfig: invalid option: --preshared-key\n")},
		{"unknown sub-command", "wgconfig wg0 set mtu 1400", fails(usageText)},
		{"missing argument", "wgconfig wg0 set listen-port", fails(usageText)},
		{"bad show option", "wgconfig wg0 show peer B --show-private-key", fails(usageText)},

		// Deleting and showing peers that are not there.
		{"delete unknown peer", "wgconfig wg0 delete peer Z", fails(del + "No such file or directory\n")},
		{"delete peer name too long", "wgconfig wg0 delete peer ABCDEFGHIJKLMNOPQ", fails("wgconfig: peer name too long\n")},
		{"show unknown peer", "wgconfig wg0 show peer Z", hosts.Result{Code: 1}}, // silently, as NetBSD

		// Interfaces that are not there.
		{"wgconfig unknown interface", "wgconfig wg9", fails("wgconfig: ioctl(SIOCGDRVSPEC): " + enxio)},
		{"wgconfig unknown interface show peer", "wgconfig wg9 show peer B", fails("wgconfig: ioctl(SIOCGDRVSPEC): " + enxio)},
		{"wgconfig unknown interface set", "wgconfig wg9 set listen-port 1234", fails(port + enxio)},
		{"wgconfig unknown interface add", "wgconfig wg9 add peer C " + c, fails(add + enxio)},
		{"wgconfig interface name too long", "wgconfig abcdefghijklmnopq", fails("wgconfig: interface name too long\n")},
		{"ifconfig unknown interface", "ifconfig wg9", fails("ifconfig: SIOCGIFFLAGS wg9: " + enxio)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			check(t, a.Host, tt.script, tt.want)
			after := a.state(t)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("%s changed wg0 (-before +after):\n%s", tt.script, diff)
			}
			before = after // one failure is reported once

		})
	}

	// Nothing a refused request carried stayed behind: peer C can now
	// have every prefix and the key the refusals named.
	quiet(t, a.Host, addC+"--allowed-ips=10.2.0.43/32,10.2.0.44/32,10.2.0.50/32,fd00:2::43/128 --endpoint=localhost:1234")
	want := peer{name: "C", pub: c, endpoint: "127.0.0.1:1234", allowed: "10.2.0.43/32,10.2.0.44/32,10.2.0.50/32,fd00:2::43/128"}
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", want, a.b)))
}
