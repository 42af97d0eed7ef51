package prop

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Documents written the way NetBSD writes them.  Tabs are literal.

// wgconfigAddPeer is what wgconfig(8) (usr.sbin/wgconfig/wgconfig.c,
// cmd_add_peer) sends with WG_IOCTL_ADD_PEER for
//
//	wgconfig wg0 add peer peer0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= \
//	    --preshared-key=psk --endpoint=192.0.2.1:51820 \
//	    --allowed-ips=10.0.0.2/32,fd00::2/128
//
// name set_string, public_key/preshared_key set_data, endpoint set_data of
// the getaddrinfo sockaddr_in, allowedips an array of {family set_uint8,
// ip set_data, cidr set_uint16}: all numbers unsigned, hence hex.
const wgconfigAddPeer = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>allowedips</key>
	<array>
		<dict>
			<key>cidr</key>
			<integer>0x20</integer>
			<key>family</key>
			<integer>0x2</integer>
			<key>ip</key>
			<data>CgAAAg==</data>
		</dict>
		<dict>
			<key>cidr</key>
			<integer>0x80</integer>
			<key>family</key>
			<integer>0x18</integer>
			<key>ip</key>
			<data>/QAAAAAAAAAAAAAAAAAAAg==</data>
		</dict>
	</array>
	<key>endpoint</key>
	<data>EALKbMAAAgEAAAAAAAAAAA==</data>
	<key>name</key>
	<string>peer0</string>
	<key>preshared_key</key>
	<data>ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=</data>
	<key>public_key</key>
	<data>AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=</data>
</dict>
</plist>
`

// kernelGet is what if_wg (sys/net/if_wg.c, wg_ioctl_get) returns for
// SIOCGDRVSPEC to root, minus the NUL: private_key set_data, listen_port
// set_uint16, peers an array of {name set_string, public_key and
// preshared_key set_data, endpoint set_data (here a sockaddr_in6),
// last_handshake_time_sec set_uint64, last_handshake_time_nsec set_uint32,
// allowedips an array of {family set_int, cidr set_uint8, ip set_data}}.
// family is the one signed number, so it is written in decimal.  The
// second peer is unnamed, has no preshared key, no endpoint, no
// allowed-ips and never completed a handshake.
const kernelGet = `<?xml version="1.0" encoding="UTF-8"?>
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
				<dict>
					<key>cidr</key>
					<integer>0x10</integer>
					<key>family</key>
					<integer>2</integer>
					<key>ip</key>
					<data>CgEAAA==</data>
				</dict>
				<dict>
					<key>cidr</key>
					<integer>0x80</integer>
					<key>family</key>
					<integer>24</integer>
					<key>ip</key>
					<data>/QAAAAAAAAAAAAAAAAAAAg==</data>
				</dict>
			</array>
			<key>endpoint</key>
			<data>HBjKbQAAAAAgAQ24AAAAAAAAAAAAAAABAAAAAA==</data>
			<key>last_handshake_time_nsec</key>
			<integer>0x75bcd15</integer>
			<key>last_handshake_time_sec</key>
			<integer>0x673c3900</integer>
			<key>name</key>
			<string>peer0</string>
			<key>preshared_key</key>
			<data>ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=</data>
			<key>public_key</key>
			<data>AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=</data>
		</dict>
		<dict>
			<key>last_handshake_time_nsec</key>
			<integer>0x0</integer>
			<key>last_handshake_time_sec</key>
			<integer>0x0</integer>
			<key>public_key</key>
			<data>//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=</data>
		</dict>
	</array>
	<key>private_key</key>
	<data>QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=</data>
</dict>
</plist>
`

func seq(from, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(from + i)
	}
	return b
}

func sockaddrIn(port uint16, a, b, c, d byte) []byte {
	return []byte{16, 2, byte(port >> 8), byte(port), a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0}
}

var (
	testPub  = seq(0, 32)
	testPSK  = seq(32, 32)
	testPriv = seq(64, 32)
	testPub2 = func() []byte {
		b := seq(0, 32)
		for i := range b {
			b[i] = 0xff - b[i]
		}
		return b
	}()
	testIP4     = []byte{10, 0, 0, 2}
	testIP4b    = []byte{10, 1, 0, 0}
	testIP6     = append([]byte{0xfd, 0}, append(make([]byte, 13), 2)...)
	testSin     = sockaddrIn(51820, 192, 0, 2, 1)
	testSin6    = []byte{28, 24, 0xca, 0x6d, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	testNsec    = uint32(123456789)
	testSec     = uint64(1732000000)
	testAFInet6 = 24 // AF_INET6 on NetBSD
)

// buildAddPeer builds the add-peer request with the setters wgconfig.c
// uses, in wgconfig's order.
func buildAddPeer() *Dictionary {
	d := NewDictionary()
	d.SetString("name", "peer0")
	d.SetData("public_key", testPub)
	d.SetData("endpoint", testSin)
	ips := NewArray()
	for _, ip := range []struct {
		family uint8
		addr   []byte
		cidr   uint16
	}{{2, testIP4, 32}, {uint8(testAFInet6), testIP6, 128}} {
		a := NewDictionary()
		a.SetUint8("family", ip.family)
		a.SetData("ip", ip.addr)
		a.SetUint16("cidr", ip.cidr)
		ips.Add(a)
	}
	d.Set("allowedips", ips)
	d.SetData("preshared_key", testPSK)
	return d
}

// buildKernelGet builds the SIOCGDRVSPEC answer with the setters
// wg_ioctl_get uses, in its order.
func buildKernelGet() *Dictionary {
	d := NewDictionary()
	d.SetData("private_key", testPriv)
	d.SetUint16("listen_port", 51820)
	peers := NewArray()

	p := NewDictionary()
	p.SetString("name", "peer0")
	p.SetData("public_key", testPub)
	p.SetData("preshared_key", testPSK)
	p.SetData("endpoint", testSin6)
	p.SetUint64("last_handshake_time_sec", testSec)
	p.SetUint32("last_handshake_time_nsec", testNsec)
	ips := NewArray()
	for _, ip := range []struct {
		family int
		cidr   uint8
		addr   []byte
	}{{2, 32, testIP4}, {2, 16, testIP4b}, {testAFInet6, 128, testIP6}} {
		a := NewDictionary()
		a.SetInt("family", ip.family)
		a.SetUint8("cidr", ip.cidr)
		a.SetData("ip", ip.addr)
		ips.Add(a)
	}
	p.Set("allowedips", ips)
	peers.Add(p)

	p = NewDictionary()
	p.SetData("public_key", testPub2)
	p.SetUint64("last_handshake_time_sec", 0)
	p.SetUint32("last_handshake_time_nsec", 0)
	peers.Add(p)

	d.Set("peers", peers)
	return d
}

func TestExternalizeWGDocuments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func() *Dictionary
		want  string
	}{
		{"wgconfig add peer", buildAddPeer, wgconfigAddPeer},
		{"if_wg SIOCGDRVSPEC", buildKernelGet, kernelGet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Externalize(tc.build())
			if err != nil {
				t.Fatalf("Externalize: %v", err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("Externalize mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInternalizeWGDocuments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		doc   string
		build func() *Dictionary
	}{
		{"wgconfig add peer", wgconfigAddPeer, buildAddPeer},
		{"if_wg SIOCGDRVSPEC", kernelGet, buildKernelGet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The kernel hands libprop a NUL-terminated copy.
			for _, in := range []string{tc.doc, tc.doc + "\x00"} {
				d, err := Internalize([]byte(in))
				if err != nil {
					t.Fatalf("Internalize: %v", err)
				}
				if diff := cmp.Diff(dump(tc.build()), dump(d)); diff != "" {
					t.Errorf("Internalize mismatch (-want +got):\n%s", diff)
				}
				out, err := Externalize(d)
				if err != nil {
					t.Fatalf("Externalize: %v", err)
				}
				if diff := cmp.Diff(tc.doc, string(out)); diff != "" {
					t.Errorf("round trip mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestKernelReadsAddPeer reads the wgconfig request with the getters
// wg_handle_prop_peer uses; family arrives unsigned but is read with
// get_int, cidr arrives as a uint16 but is read with get_uint8.
func TestKernelReadsAddPeer(t *testing.T) {
	d, err := Internalize([]byte(wgconfigAddPeer))
	if err != nil {
		t.Fatal(err)
	}
	type allowedIP struct {
		Family int
		IP     []byte
		CIDR   uint8
	}
	type peer struct {
		Name                     string
		PublicKey, PSK, Endpoint []byte
		AllowedIPs               []allowedIP
	}
	var got peer
	var ok bool
	if got.Name, ok = d.GetString("name"); !ok {
		t.Error("name missing")
	}
	if got.PublicKey, ok = d.GetData("public_key"); !ok {
		t.Error("public_key missing")
	}
	if got.PSK, ok = d.GetData("preshared_key"); !ok {
		t.Error("preshared_key missing")
	}
	if got.Endpoint, ok = d.GetData("endpoint"); !ok {
		t.Error("endpoint missing")
	}
	ips, ok := d.GetArray("allowedips")
	if !ok {
		t.Fatal("allowedips missing")
	}
	for i, o := range ips.Items() {
		a, isDict := o.(*Dictionary)
		if !isDict {
			t.Fatalf("allowedips[%d] is %T", i, o)
		}
		var ip allowedIP
		var ok1, ok2, ok3 bool
		ip.Family, ok1 = a.GetInt("family")
		ip.IP, ok2 = a.GetData("ip")
		ip.CIDR, ok3 = a.GetUint8("cidr")
		if !ok1 || !ok2 || !ok3 {
			t.Errorf("allowedips[%d]: family %v ip %v cidr %v", i, ok1, ok2, ok3)
		}
		got.AllowedIPs = append(got.AllowedIPs, ip)
	}
	want := peer{
		Name: "peer0", PublicKey: testPub, PSK: testPSK, Endpoint: testSin,
		AllowedIPs: []allowedIP{{2, testIP4, 32}, {testAFInet6, testIP6, 128}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kernel view mismatch (-want +got):\n%s", diff)
	}
}

// TestWgconfigReadsKernelGet reads the SIOCGDRVSPEC answer with the
// getters wgconfig.c uses: listen_port get_uint16, family and cidr
// get_uint8 (family is stored signed), last_handshake_time_sec get_int64
// (stored unsigned).
func TestWgconfigReadsKernelGet(t *testing.T) {
	d, err := Internalize([]byte(kernelGet))
	if err != nil {
		t.Fatal(err)
	}
	port, ok := d.GetUint16("listen_port")
	if !ok || port != 51820 {
		t.Errorf("listen_port = %d, %v", port, ok)
	}
	peers, ok := d.GetArray("peers")
	if !ok || peers.Len() != 2 {
		t.Fatalf("peers = %v, %v", peers, ok)
	}
	p := peers.Get(0).(*Dictionary)
	if sec, ok := p.GetInt64("last_handshake_time_sec"); !ok || sec != int64(testSec) {
		t.Errorf("last_handshake_time_sec = %d, %v", sec, ok)
	}
	ips, ok := p.GetArray("allowedips")
	if !ok || ips.Len() != 3 {
		t.Fatalf("allowedips = %v, %v", ips, ok)
	}
	a := ips.Get(2).(*Dictionary)
	fam, ok1 := a.GetUint8("family")
	cidr, ok2 := a.GetUint8("cidr")
	if !ok1 || !ok2 || fam != uint8(testAFInet6) || cidr != 128 {
		t.Errorf("family %d %v, cidr %d %v", fam, ok1, cidr, ok2)
	}
	if _, ok := peers.Get(1).(*Dictionary).GetString("name"); ok {
		t.Error("unnamed peer has a name")
	}
}
