package main

import (
	"net/netip"
	"testing"
	"time"

	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// kPeer is a peer as if_wg holds it, for kernelReply.
type kPeer struct {
	name     string
	pub      string // base64
	psk      string // base64, "" for none
	endpoint []byte // raw sockaddr, nil for none
	sec      uint64
	nsec     uint32
	aips     []kAIP
}

type kAIP struct {
	family int
	ip     []byte
	cidr   uint8
}

func aip(prefix string) kAIP {
	p := netip.MustParsePrefix(prefix)
	if p.Addr().Is4() {
		b := p.Addr().As4()
		return kAIP{sys.AF_INET, b[:], uint8(p.Bits())}
	}
	b := p.Addr().As16()
	return kAIP{sys.AF_INET6, b[:], uint8(p.Bits())}
}

func sin(ap string) []byte {
	a := netip.MustParseAddrPort(ap)
	s := sys.SockaddrInFrom(a.Addr(), a.Port())
	return s.Marshal()
}

func sin6(ap string, scope uint32) []byte {
	a := netip.MustParseAddrPort(ap)
	s := sys.SockaddrIn6From(a.Addr(), a.Port(), scope)
	return s.Marshal()
}

// kernelReply builds the SIOCGDRVSPEC document the way if_wg's
// wg_ioctl_get does: secrets only for root (the private key even when
// unset), the port only when set, peers in the kernel's order, each with
// its name and preshared key only when set, the handshake time always,
// and the allowed IPs only when there are some; the family signed, the
// other numbers unsigned.
func kernelReply(t testing.TB, root bool, priv string, port uint16, peers ...kPeer) []byte {
	t.Helper()
	d := prop.NewDictionary()
	if root {
		k := make([]byte, 32)
		if priv != "" {
			k = key(t, priv)
		}
		d.SetData(sys.WGKeyPrivateKey, k)
	}
	if port != 0 {
		d.SetUint16(sys.WGKeyListenPort, port)
	}
	if len(peers) > 0 {
		list := prop.NewArray()
		for _, p := range peers {
			pd := prop.NewDictionary()
			if p.name != "" {
				pd.SetString(sys.WGKeyName, p.name)
			}
			pd.SetData(sys.WGKeyPublicKey, key(t, p.pub))
			if p.psk != "" && root {
				pd.SetData(sys.WGKeyPresharedKey, key(t, p.psk))
			}
			if p.endpoint != nil {
				pd.SetData(sys.WGKeyEndpoint, p.endpoint)
			}
			pd.SetUint64(sys.WGKeyLastHandshakeTimeSec, p.sec)
			pd.SetUint32(sys.WGKeyLastHandshakeNsec, p.nsec)
			if len(p.aips) > 0 {
				al := prop.NewArray()
				for _, a := range p.aips {
					ad := prop.NewDictionary()
					ad.SetInt(sys.WGKeyFamily, a.family)
					ad.SetUint8(sys.WGKeyCIDR, a.cidr)
					ad.SetData(sys.WGKeyIP, a.ip)
					al.Add(ad)
				}
				pd.Set(sys.WGKeyAllowedIPs, al)
			}
			list.Add(pd)
		}
		d.Set(sys.WGKeyPeers, list)
	}
	return mustExternalize(t, d)
}

var handshake = uint64(time.Date(2026, 11, 25, 14, 37, 20, 0, time.UTC).Unix())

// The peers of the show tests.
var (
	peerB = kPeer{
		name: "B", pub: pubB, psk: pskAB,
		endpoint: sin("198.51.100.45:5678"),
		sec:      handshake, nsec: 123456789,
		aips: []kAIP{aip("10.2.0.42/32"), aip("fd00:2::42/128")},
	}
	peerC = kPeer{
		name: "peer-c", pub: pubC,
		endpoint: sin6("[2001:db8::9]:1234", 0),
		aips:     []kAIP{aip("0.0.0.0/0"), aip("::/0")},
	}
	peerBare = kPeer{pub: pubA, sec: 1}
)

func TestShowAll(t *testing.T) {
	tests := []struct {
		name  string
		reply []byte
		want  string
	}{
		{
			name:  "no key, no port, no peers",
			reply: kernelReply(t, true, "", 0),
			want:  "interface: wg0\n\tprivate-key: (hidden)\n\tlisten-port: (none)\n",
		},
		{
			name:  "not root",
			reply: kernelReply(t, false, privA, 51820),
			want:  "interface: wg0\n\tprivate-key: (hidden)\n\tlisten-port: 51820\n",
		},
		{
			name:  "one peer",
			reply: kernelReply(t, true, privA, 1234, peerB),
			want: "interface: wg0\n" +
				"\tprivate-key: (hidden)\n" +
				"\tlisten-port: 1234\n" +
				"\tpeer: B\n" +
				"\t\tpublic-key: " + pubB + "\n" +
				"\t\tendpoint: 198.51.100.45:5678\n" +
				"\t\tpreshared-key: (hidden)\n" +
				"\t\tallowed-ips: 10.2.0.42/32,fd00:2::42/128\n" +
				"\t\tlatest-handshake: Wed Nov 25 14:37:20 2026\n",
		},
		{
			name:  "several peers",
			reply: kernelReply(t, true, privA, 1234, peerC, peerBare, peerB),
			want: "interface: wg0\n" +
				"\tprivate-key: (hidden)\n" +
				"\tlisten-port: 1234\n" +
				"\tpeer: peer-c\n" +
				"\t\tpublic-key: " + pubC + "\n" +
				"\t\tendpoint: 2001:db8::9:1234\n" +
				"\t\tpreshared-key: (hidden)\n" +
				"\t\tallowed-ips: 0.0.0.0/0,::/0\n" +
				"\t\tlatest-handshake: (never)\n" +
				"\tpeer: (none)\n" +
				"\t\tpublic-key: " + pubA + "\n" +
				"\t\tendpoint: (none)\n" +
				"\t\tpreshared-key: (hidden)\n" +
				"\t\tlatest-handshake: Thu Jan  1 00:00:01 1970\n" +
				"\tpeer: B\n" +
				"\t\tpublic-key: " + pubB + "\n" +
				"\t\tendpoint: 198.51.100.45:5678\n" +
				"\t\tpreshared-key: (hidden)\n" +
				"\t\tallowed-ips: 10.2.0.42/32,fd00:2::42/128\n" +
				"\t\tlatest-handshake: Wed Nov 25 14:37:20 2026\n",
		},
		{
			name:  "several peers, not root",
			reply: kernelReply(t, false, privA, 0, peerB, peerBare),
			want: "interface: wg0\n" +
				"\tprivate-key: (hidden)\n" +
				"\tlisten-port: (none)\n" +
				"\tpeer: B\n" +
				"\t\tpublic-key: " + pubB + "\n" +
				"\t\tendpoint: 198.51.100.45:5678\n" +
				"\t\tpreshared-key: (hidden)\n" +
				"\t\tallowed-ips: 10.2.0.42/32,fd00:2::42/128\n" +
				"\t\tlatest-handshake: Wed Nov 25 14:37:20 2026\n" +
				"\tpeer: (none)\n" +
				"\t\tpublic-key: " + pubA + "\n" +
				"\t\tendpoint: (none)\n" +
				"\t\tpreshared-key: (hidden)\n" +
				"\t\tlatest-handshake: Thu Jan  1 00:00:01 1970\n",
		},
		{
			// A document as NetBSD's libprop writes it, tabs,
			// hex and all.
			name: "literal NetBSD document",
			reply: []byte(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>listen_port</key>
	<integer>0xca6c</integer>
	<key>peers</key>
	<array>
		<dict>
			<key>allowedips</key>
			<array>
				<dict>
					<key>cidr</key>
					<integer>0x20</integer>
					<key>family</key>
					<integer>2</integer>
					<key>ip</key>
					<data>CgAAAg==</data>
				</dict>
			</array>
			<key>endpoint</key>
			<data>HBjKbAAAAAD8AAAAAAAAAAAAAAAAAAACAAAAAA==</data>
			<key>last_handshake_time_nsec</key>
			<integer>0x0</integer>
			<key>last_handshake_time_sec</key>
			<integer>0x0</integer>
			<key>name</key>
			<string>peer0</string>
			<key>public_key</key>
			<data>0qqR7Z9K5SABuENaSd7MIBb+y6BReMJUE9L2qBz2rWk=</data>
		</dict>
	</array>
	<key>private_key</key>
	<data>uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=</data>
</dict>
</plist>
`),
			want: "interface: wg0\n" +
				"\tprivate-key: (hidden)\n" +
				"\tlisten-port: 51820\n" +
				"\tpeer: peer0\n" +
				"\t\tpublic-key: " + pubB + "\n" +
				"\t\tendpoint: fc00::2:51820\n" +
				"\t\tpreshared-key: (hidden)\n" +
				"\t\tallowed-ips: 10.0.0.2/32\n" +
				"\t\tlatest-handshake: (never)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, args := range [][]string{{"wgconfig", "wg0"}, {"wgconfig", "wg0", "show", "all"}} {
				k := &fakeKernel{t: t, reply: tt.reply}
				got := runWith(t, k, args...)
				diffResult(t, args, result{0, tt.want, ""}, got)
				if len(k.sets) != 0 {
					t.Errorf("show sent %d SIOCSDRVSPEC", len(k.sets))
				}
			}
		})
	}
}

func TestShowPeer(t *testing.T) {
	root := kernelReply(t, true, privA, 1234, peerC, peerBare, peerB)
	user := kernelReply(t, false, privA, 1234, peerC, peerBare, peerB)
	blockB := func(psk string) string {
		return "peer: B\n" +
			"\tpublic-key: " + pubB + "\n" +
			"\tendpoint: 198.51.100.45:5678\n" +
			"\tpreshared-key: " + psk + "\n" +
			"\tallowed-ips: 10.2.0.42/32,fd00:2::42/128\n" +
			"\tlatest-handshake: Wed Nov 25 14:37:20 2026\n"
	}
	blockC := func(psk string) string {
		return "peer: peer-c\n" +
			"\tpublic-key: " + pubC + "\n" +
			"\tendpoint: 2001:db8::9:1234\n" +
			"\tpreshared-key: " + psk + "\n" +
			"\tallowed-ips: 0.0.0.0/0,::/0\n" +
			"\tlatest-handshake: (never)\n"
	}
	tests := []struct {
		name  string
		reply []byte
		args  []string
		want  result
	}{
		{"hidden", root, []string{"B"}, result{0, blockB("(hidden)"), ""}},
		{"shown to root", root, []string{"B", "--show-preshared-key"}, result{0, blockB(pskAB), ""}},
		{"option matched by prefix", root, []string{"B", "--show-preshared-keys-please"}, result{0, blockB(pskAB), ""}},
		{"left out for others", user, []string{"B", "--show-preshared-key"}, result{0, blockB("(none)"), ""}},
		{"peer without psk", root, []string{"peer-c", "--show-preshared-key"}, result{0, blockC("(none)"), ""}},
		{"peer without psk, hidden", root, []string{"peer-c"}, result{0, blockC("(hidden)"), ""}},
		{"no such peer", root, []string{"D"}, result{1, "", ""}},
		{"unnamed peers cannot be shown", root, []string{""}, result{1, "", ""}},
		{"no peers at all", kernelReply(t, true, privA, 1234), []string{"D"}, result{0, "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"wgconfig", "wg0", "show", "peer"}, tt.args...)
			got := runWith(t, &fakeKernel{t: t, reply: tt.reply}, args...)
			diffResult(t, args, tt.want, got)
		})
	}
}

func TestShowPrivateKey(t *testing.T) {
	tests := []struct {
		name  string
		reply []byte
		want  string
	}{
		{"root", kernelReply(t, true, privA, 0, peerB), "private-key: " + privA + "\n"},
		{"root, no key set", kernelReply(t, true, "", 0), "private-key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"},
		{"not root", kernelReply(t, false, privA, 0, peerB), "private-key: (none)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Arguments after the command are ignored, as in NetBSD.
			for _, args := range [][]string{
				{"wgconfig", "wg0", "show", "private-key"},
				{"wgconfig", "wg0", "show", "private-key", "extra"},
			} {
				got := runWith(t, &fakeKernel{t: t, reply: tt.reply}, args...)
				diffResult(t, args, result{0, tt.want, ""}, got)
			}
		})
	}
}

// TestMalformedReplies feeds replies no NetBSD kernel sends, to check
// that wgconfig's diagnostics are NetBSD's.
func TestMalformedReplies(t *testing.T) {
	fakeResolver(t) // index 2 names vio0, 3 nothing
	peer := func(mod func(d *prop.Dictionary)) []byte {
		d := prop.NewDictionary()
		pd := prop.NewDictionary()
		pd.SetString("name", "p")
		pd.SetData("public_key", key(t, pubB))
		pd.SetUint64("last_handshake_time_sec", 0)
		mod(pd)
		d.Set("peers", prop.NewArray(pd))
		return mustExternalize(t, d)
	}
	allowed := func(entries ...prop.Object) []byte {
		return peer(func(d *prop.Dictionary) { d.Set("allowedips", prop.NewArray(entries...)) })
	}
	entry := func(family, cidr prop.Object, ip []byte) *prop.Dictionary {
		d := prop.NewDictionary()
		if family != nil {
			d.Set("family", family)
		}
		if cidr != nil {
			d.Set("cidr", cidr)
		}
		if ip != nil {
			d.SetData("ip", ip)
		}
		return d
	}
	v4 := []byte{10, 0, 0, 1}
	head := "peer: p\n\tpublic-key: " + pubB + "\n\tendpoint: (none)\n\tpreshared-key: (hidden)\n"
	// The first cases run show all, the others show peer p.
	showAll := map[string]bool{"not a document": true, "peers not an array": true, "peer not a dictionary": true}
	header := "interface: wg0\n\tprivate-key: (hidden)\n\tlisten-port: (none)\n"
	tests := []struct {
		name  string
		reply []byte
		want  result
	}{
		{"not a document", []byte("<plist>"), result{1, "", "wgconfig: prop_dictionary_internalize failed\n"}},
		{"peers not an array", func() []byte {
			d := prop.NewDictionary()
			d.SetString("peers", "x")
			return mustExternalize(t, d)
		}(), result{1, header, "wgconfig: invalid peers\n"}},
		{"peer not a dictionary", func() []byte {
			d := prop.NewDictionary()
			d.Set("peers", prop.NewArray(prop.String("x")))
			return mustExternalize(t, d)
		}(), result{1, header, "wgconfig: invalid peer\n"}},
		{"no public key", peer(func(d *prop.Dictionary) { d.Remove("public_key") }),
			result{0, "peer: p\n", "wgconfig: peer without public-key\n"}},
		{"public key not data", peer(func(d *prop.Dictionary) { d.SetString("public_key", "k") }),
			result{1, "peer: p\n", "wgconfig: invalid key\n"}},
		{"public key too short", peer(func(d *prop.Dictionary) { d.SetData("public_key", v4) }),
			result{1, "peer: p\n", "wgconfig: invalid key len: 4\n"}},
		{"endpoint not data", peer(func(d *prop.Dictionary) { d.SetUint8("endpoint", 1) }),
			result{1, "peer: p\n\tpublic-key: " + pubB + "\n", "wgconfig: invalid endpoint\n"}},
		{"endpoint of another family", peer(func(d *prop.Dictionary) { d.SetData("endpoint", append([]byte{16, 1}, make([]byte, 14)...)) }),
			result{1, "peer: p\n\tpublic-key: " + pubB + "\n", "wgconfig: sockaddr_snprintf failed: Address family not supported by protocol family\n"}},
		{"endpoint with a wrong sa_len", peer(func(d *prop.Dictionary) { d.SetData("endpoint", append([]byte{28, 2}, make([]byte, 14)...)) }),
			result{1, "peer: p\n\tpublic-key: " + pubB + "\n", "wgconfig: sockaddr_snprintf failed: Undefined error: 0\n"}},
		{"endpoint AF_UNSPEC", peer(func(d *prop.Dictionary) { d.SetData("endpoint", make([]byte, 16)) }),
			result{0, "peer: p\n\tpublic-key: " + pubB + "\n\tendpoint: \n\tpreshared-key: (hidden)\n\tlatest-handshake: (never)\n", ""}},
		{"endpoint with a scope", peer(func(d *prop.Dictionary) { d.SetData("endpoint", sin6("[fe80::1]:51820", 3)) }),
			result{0, "peer: p\n\tpublic-key: " + pubB + "\n\tendpoint: fe80::1%3:51820\n\tpreshared-key: (hidden)\n\tlatest-handshake: (never)\n", ""}},
		// getnameinfo names a link-local scope after its interface
		// (ip6_sa2str), and numbers any other scope.
		{"endpoint with a named scope", peer(func(d *prop.Dictionary) { d.SetData("endpoint", sin6("[fe80::1]:51820", 2)) }),
			result{0, "peer: p\n\tpublic-key: " + pubB + "\n\tendpoint: fe80::1%vio0:51820\n\tpreshared-key: (hidden)\n\tlatest-handshake: (never)\n", ""}},
		{"link-local multicast endpoint", peer(func(d *prop.Dictionary) { d.SetData("endpoint", sin6("[ff12::1]:51820", 2)) }),
			result{0, "peer: p\n\tpublic-key: " + pubB + "\n\tendpoint: ff12::1%vio0:51820\n\tpreshared-key: (hidden)\n\tlatest-handshake: (never)\n", ""}},
		{"global endpoint with a scope", peer(func(d *prop.Dictionary) { d.SetData("endpoint", sin6("[fd00::1]:51820", 2)) }),
			result{0, "peer: p\n\tpublic-key: " + pubB + "\n\tendpoint: fd00::1%2:51820\n\tpreshared-key: (hidden)\n\tlatest-handshake: (never)\n", ""}},
		{"endpoint cut to INET6_ADDRSTRLEN", peer(func(d *prop.Dictionary) {
			d.SetData("endpoint", sin6("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535", 4000000000))
		}), result{0, "peer: p\n\tpublic-key: " + pubB + "\n\tendpoint: ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe%40000\n\tpreshared-key: (hidden)\n\tlatest-handshake: (never)\n", ""}},
		{"handshake time missing", peer(func(d *prop.Dictionary) { d.Remove("last_handshake_time_sec") }),
			result{0, head + "\tlatest-handshake: (none)\n", ""}},
		{"handshake time beyond int64", peer(func(d *prop.Dictionary) { d.SetUint64("last_handshake_time_sec", 1<<63) }),
			result{0, head + "\tlatest-handshake: (none)\n", ""}},
		{"handshake time negative", peer(func(d *prop.Dictionary) { d.SetInt64("last_handshake_time_sec", -5) }),
			result{0, head + "\tlatest-handshake: (never)\n", ""}},
		{"allowedips not an array", peer(func(d *prop.Dictionary) { d.SetString("allowedips", "x") }),
			result{1, head, "wgconfig: invalid allowedips\n"}},
		{"allowedips empty", allowed(), result{0, head + "\tallowed-ips: (none)\n\tlatest-handshake: (never)\n", ""}},
		{"allowedip entries skipped", allowed(
			prop.String("x"),
			entry(nil, prop.Unsigned(8), v4),
			entry(prop.Signed(2), nil, v4),
			entry(prop.Signed(2), prop.Unsigned(8), nil),
			entry(prop.Signed(2), prop.Unsigned(300), v4),
			entry(prop.Signed(7), prop.Unsigned(8), v4),
			entry(prop.Signed(24), prop.Unsigned(8), v4),
			entry(prop.Signed(2), prop.Unsigned(8), v4),
			entry(prop.Unsigned(24), prop.Unsigned(64), []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}),
		), result{0, head + "\tallowed-ips: 10.0.0.1/8,2001:db8::102:304/64\n\tlatest-handshake: (never)\n",
			"wgconfig: invalid allowedip\n" +
				"wgconfig: allowed-ip without family\n" +
				"wgconfig: allowed-ip without cidr\n" +
				"wgconfig: allowed-ip without ip\n" +
				"wgconfig: allowed-ip without cidr\n" +
				"wgconfig: unknown family 7\n" +
				"wgconfig: allowed-ip bad ip length\n"}},
		{"no usable allowedip", allowed(entry(prop.Signed(7), prop.Unsigned(8), v4)),
			result{0, head + "\tallowed-ips: (none)\n\tlatest-handshake: (never)\n", "wgconfig: unknown family 7\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"wgconfig", "wg0", "show", "peer", "p"}
			if showAll[tt.name] {
				args = []string{"wgconfig", "wg0"}
			}
			got := runWith(t, &fakeKernel{t: t, reply: tt.reply}, args...)
			diffResult(t, args, tt.want, got)
		})
	}
}
