package wg

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

var (
	root   = sys.Cred{UID: 0}
	nobody = sys.Cred{UID: 65534, GID: 65534}
)

// testKernel is an emulated kernel with one wg0 and no host devices.
func testKernel(t *testing.T) *ifnet.Net {
	t.Helper()
	n := ifnet.New(nil, NewCloner(Env{}))
	t.Cleanup(n.DestroyAll)
	r := sys.Ifreq{}
	copy(r.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCIFCREATE, r.Marshal(), nil); err != nil {
		t.Fatal(err)
	}
	return n
}

func set(n *ifnet.Net, cred sys.Cred, cmd uint64, dict *prop.Dictionary) error {
	xml, err := prop.Externalize(dict)
	if err != nil {
		return err
	}
	ifd := sys.Ifdrv{Cmd: cmd, Len: uint64(len(xml))}
	copy(ifd.Name[:], "wg0")
	_, err = n.Ioctl(cred, sys.SIOCSDRVSPEC, ifd.Marshal(), xml)
	return err
}

func get(t *testing.T, n *ifnet.Net, cred sys.Cred) *prop.Dictionary {
	t.Helper()
	ifd := sys.Ifdrv{Len: 1 << 24}
	copy(ifd.Name[:], "wg0")
	out, err := n.Ioctl(cred, sys.SIOCGDRVSPEC, ifd.Marshal(), nil)
	if err != nil {
		t.Fatalf("SIOCGDRVSPEC: %v", err)
	}
	if len(out) == 0 || out[len(out)-1] != 0 {
		t.Fatalf("reply is not NUL-terminated")
	}
	d, err := prop.Internalize(out)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// externalize returns d's XML, to show in a failure.
func externalize(t *testing.T, d *prop.Dictionary) string {
	t.Helper()
	x, err := prop.Externalize(d)
	if err != nil {
		t.Fatalf("externalize: %v", err)
	}
	return string(x)
}

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func peerDict(name string, pub []byte, allowed ...string) *prop.Dictionary {
	d := prop.NewDictionary()
	if name != "" {
		d.SetString("name", name)
	}
	d.SetData("public_key", pub)
	if len(allowed) > 0 {
		list := prop.NewArray()
		for _, s := range allowed {
			p := netip.MustParsePrefix(s)
			e := prop.NewDictionary()
			fam := uint8(sys.AF_INET)
			if p.Addr().Is6() {
				fam = sys.AF_INET6
			}
			e.SetUint8("family", fam) // wgconfig sends uint8
			e.SetData("ip", p.Addr().AsSlice())
			e.SetUint8("cidr", uint8(p.Bits()))
			list.Add(e)
		}
		d.Set("allowedips", list)
	}
	return d
}

func one(k string, v prop.Object) *prop.Dictionary {
	d := prop.NewDictionary()
	d.Set(k, v)
	return d
}

func TestSetAndGet(t *testing.T) {
	n := testKernel(t)
	if got := get(t, n, root); got.Len() != 0 {
		t.Errorf("fresh interface: %v keys", got.Keys())
	}
	if err := set(n, root, sys.WG_IOCTL_SET_PRIVATE_KEY, one("private_key", prop.Data(key(7)))); err != nil {
		t.Fatal(err)
	}
	if err := set(n, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(1234))); err != nil {
		t.Fatal(err)
	}
	pd := peerDict("B", key(1), "10.2.0.42/32", "fd00:2::42/128")
	pd.SetData("preshared_key", key(9))
	pd.SetData("endpoint", sys.MarshalSockaddr(netip.MustParseAddrPort("192.0.2.123:1234")))
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd); err != nil {
		t.Fatal(err)
	}
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("C", key(2))); err != nil {
		t.Fatal(err)
	}

	// What NetBSD's kernel returns, types included.
	want := prop.NewDictionary()
	want.SetData("private_key", key(7))
	want.SetUint16("listen_port", 1234)
	c := prop.NewDictionary()
	c.SetString("name", "C")
	c.SetData("public_key", key(2))
	c.SetUint64("last_handshake_time_sec", 0)
	c.SetUint32("last_handshake_time_nsec", 0)
	b := prop.NewDictionary()
	b.SetString("name", "B")
	b.SetData("public_key", key(1))
	b.SetData("preshared_key", key(9))
	b.SetData("endpoint", sys.MarshalSockaddr(netip.MustParseAddrPort("192.0.2.123:1234")))
	b.SetUint64("last_handshake_time_sec", 0)
	b.SetUint32("last_handshake_time_nsec", 0)
	a4 := prop.NewDictionary()
	a4.SetInt("family", sys.AF_INET)
	a4.SetUint8("cidr", 32)
	a4.SetData("ip", []byte{10, 2, 0, 42})
	a6 := prop.NewDictionary()
	a6.SetInt("family", sys.AF_INET6)
	a6.SetUint8("cidr", 128)
	a6.SetData("ip", netip.MustParseAddr("fd00:2::42").AsSlice())
	b.Set("allowedips", prop.NewArray(a4, a6))
	want.Set("peers", prop.NewArray(c, b)) // newest first

	got := get(t, n, root)
	if !prop.Equal(want, got) {
		t.Errorf("root's view (-want +got):\n%s", cmp.Diff(externalize(t, want), externalize(t, got)))
	}

	// An unprivileged caller sees everything but the secrets.
	want.Remove("private_key")
	b.Remove("preshared_key")
	if got := get(t, n, nobody); !prop.Equal(want, got) {
		t.Errorf("nobody's view (-want +got):\n%s", cmp.Diff(externalize(t, want), externalize(t, got)))
	}
	if ifp := n.Lookup("wg0"); ifp.LinkState() != sys.LINK_STATE_UP {
		t.Errorf("link state %d after add peer", ifp.LinkState())
	}
}

func TestSetErrors(t *testing.T) {
	n := testKernel(t)
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("B", key(1), "10.2.0.0/24")); err != nil {
		t.Fatal(err)
	}
	before := get(t, n, root)

	withPSK := func(psk []byte) *prop.Dictionary {
		d := peerDict("X", key(5))
		d.SetData("preshared_key", psk)
		return d
	}
	withEndpoint := func(raw []byte) *prop.Dictionary {
		d := peerDict("X", key(5))
		d.SetData("endpoint", raw)
		return d
	}
	badFamily := peerDict("X", key(5))
	e := prop.NewDictionary()
	e.SetInt("family", 7)
	e.SetData("ip", []byte{1, 2, 3, 4})
	e.SetUint8("cidr", 8)
	badFamily.Set("allowedips", prop.NewArray(e))

	for _, tc := range []struct {
		name string
		cred sys.Cred
		cmd  uint64
		dict *prop.Dictionary
		want sys.Errno
	}{
		{"unprivileged", nobody, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(1)), sys.EPERM},
		{"unprivileged bad cmd", nobody, 99, prop.NewDictionary(), sys.EPERM},
		{"unknown sub-command", root, 99, prop.NewDictionary(), sys.EINVAL},
		{"short private key", root, sys.WG_IOCTL_SET_PRIVATE_KEY, one("private_key", prop.Data(key(1)[:31])), sys.EINVAL},
		{"no private key", root, sys.WG_IOCTL_SET_PRIVATE_KEY, prop.NewDictionary(), sys.EINVAL},
		{"port too big", root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(65536)), sys.EINVAL},
		{"port as string", root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.String("1")), sys.EINVAL},
		{"name too long", root, sys.WG_IOCTL_ADD_PEER, peerDict("abcdefghijklmnopq", key(5)), sys.EINVAL},
		{"no public key", root, sys.WG_IOCTL_ADD_PEER, one("name", prop.String("X")), sys.EINVAL},
		{"short public key", root, sys.WG_IOCTL_ADD_PEER, peerDict("X", key(5)[:31]), sys.EINVAL},
		{"short psk", root, sys.WG_IOCTL_ADD_PEER, withPSK(key(3)[:16]), sys.EINVAL},
		{"endpoint too short", root, sys.WG_IOCTL_ADD_PEER, withEndpoint(make([]byte, 15)), sys.EINVAL},
		{"endpoint family", root, sys.WG_IOCTL_ADD_PEER, withEndpoint(append([]byte{16, 99}, make([]byte, 14)...)), sys.EPFNOSUPPORT},
		{"endpoint length", root, sys.WG_IOCTL_ADD_PEER, withEndpoint(append([]byte{28, sys.AF_INET}, make([]byte, 26)...)), sys.EINVAL},
		{"allowed-ip family", root, sys.WG_IOCTL_ADD_PEER, badFamily, sys.EINVAL},
		{"valid allowed-ip (control)", root, sys.WG_IOCTL_ADD_PEER, peerDict("X", key(5), "10.9.0.0/24"), 0},
		{"duplicate name", root, sys.WG_IOCTL_ADD_PEER, peerDict("B", key(6)), sys.EEXIST},
		{"duplicate key", root, sys.WG_IOCTL_ADD_PEER, peerDict("Y", key(1)), sys.EEXIST},
		{"prefix taken", root, sys.WG_IOCTL_ADD_PEER, peerDict("Y", key(6), "10.3.0.0/16", "10.2.0.0/24"), sys.EEXIST},
		{"prefix twice", root, sys.WG_IOCTL_ADD_PEER, peerDict("Y", key(6), "10.4.0.0/16", "10.4.1.1/16"), sys.EEXIST},
		{"delete unknown", root, sys.WG_IOCTL_DELETE_PEER, one("name", prop.String("nope")), sys.ENOENT},
		{"delete without name", root, sys.WG_IOCTL_DELETE_PEER, prop.NewDictionary(), sys.EINVAL},
		{"delete long name", root, sys.WG_IOCTL_DELETE_PEER, one("name", prop.String("abcdefghijklmnopq")), sys.EINVAL},
	} {
		err := set(n, tc.cred, tc.cmd, tc.dict)
		if tc.want == 0 {
			// The control case: it works, then is undone.
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			if err := set(n, root, sys.WG_IOCTL_DELETE_PEER, one("name", prop.String("X"))); err != nil {
				t.Fatalf("%s: undoing: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if after := get(t, n, root); !prop.Equal(before, after) {
			t.Errorf("%s: configuration changed", tc.name)
		}
	}

	// Garbage and oversized documents.
	ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_ADD_PEER, Len: 5}
	copy(ifd.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCSDRVSPEC, ifd.Marshal(), []byte("<oops")); !errors.Is(err, sys.EINVAL) {
		t.Errorf("garbage: %v", err)
	}
	ifd.Len = sys.WG_MAX_PROPLEN
	if _, err := n.Ioctl(root, sys.SIOCSDRVSPEC, ifd.Marshal(), make([]byte, sys.WG_MAX_PROPLEN)); !errors.Is(err, sys.E2BIG) {
		t.Errorf("oversized: %v", err)
	}
	// A reply buffer too small.
	ifd = sys.Ifdrv{Len: 10}
	copy(ifd.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCGDRVSPEC, ifd.Marshal(), nil); !errors.Is(err, sys.ENOMEM) {
		t.Errorf("small buffer: %v", err)
	}

	// The frame around the document: struct ifdrv of the wrong size
	// (NetBSD's ioctl(2) refuses an argument whose size is not the
	// command's IOCPARM_LEN), a request the driver does not serve, and
	// a document shorter than the ifd_len announced (copyin of bytes
	// that are not there: EFAULT).
	doc, err := prop.Externalize(one("listen_port", prop.Unsigned(4321)))
	if err != nil {
		t.Fatal(err)
	}
	frame := func(cmd, length uint64) []byte {
		f := sys.Ifdrv{Cmd: cmd, Len: length}
		copy(f.Name[:], "wg0")
		return f.Marshal()
	}
	port := frame(sys.WG_IOCTL_SET_LISTEN_PORT, uint64(len(doc)))
	for _, tc := range []struct {
		name string
		cred sys.Cred
		cmd  uint32
		arg  []byte
		in   []byte
		want sys.Errno
	}{
		{"short ifdrv, SET", root, sys.SIOCSDRVSPEC, port[:sys.SizeofIfdrv-1], doc, sys.EINVAL},
		{"short ifdrv, SET, unprivileged", nobody, sys.SIOCSDRVSPEC, port[:sys.SizeofIfdrv-1], doc, sys.EINVAL},
		{"long ifdrv, SET", root, sys.SIOCSDRVSPEC, append(slices.Clone(port), 0), doc, sys.EINVAL},
		{"short ifdrv, GET", root, sys.SIOCGDRVSPEC, frame(0, 1<<20)[:sys.SizeofIfdrv-1], nil, sys.EINVAL},
		{"short ifdrv, GET, unprivileged", nobody, sys.SIOCGDRVSPEC, frame(0, 1<<20)[:sys.SizeofIfdrv-1], nil, sys.EINVAL},
		{"long ifdrv, GET", root, sys.SIOCGDRVSPEC, append(frame(0, 1<<20), 0), nil, sys.EINVAL},
		{"unknown request", root, 0xc0286999, port, doc, sys.ENOTTY},
		{"document shorter than ifd_len", root, sys.SIOCSDRVSPEC, frame(sys.WG_IOCTL_SET_LISTEN_PORT, uint64(len(doc)+1)), doc, sys.EFAULT},
		{"no document", root, sys.SIOCSDRVSPEC, port, nil, sys.EFAULT},
		{"document cut by ifd_len", root, sys.SIOCSDRVSPEC, frame(sys.WG_IOCTL_SET_LISTEN_PORT, uint64(len(doc)-10)), doc, sys.EINVAL},
	} {
		if _, err := n.Ioctl(tc.cred, tc.cmd, tc.arg, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if after := get(t, n, root); !prop.Equal(before, after) {
			t.Errorf("%s: configuration changed", tc.name)
		}
	}
	// The control: the same frame and document work, and bytes past
	// ifd_len are not read.
	if _, err := n.Ioctl(root, sys.SIOCSDRVSPEC, port, append(slices.Clone(doc), "<junk"...)); err != nil {
		t.Errorf("set listen-port with bytes past ifd_len: %v", err)
	}
	if p, _ := get(t, n, root).GetUint16("listen_port"); p != 4321 {
		t.Errorf("listen_port %d after the control request, want 4321", p)
	}
}

// TestPropLenBoundary: wg_alloc_prop_buf refuses ifd_len >=
// WG_MAX_PROPLEN (E2BIG) and takes one byte less.  The document is padded
// with white space after </plist>, which libprop ignores.
func TestPropLenBoundary(t *testing.T) {
	n := testKernel(t)
	doc, err := prop.Externalize(one("private_key", prop.Data(key(7))))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		length int
		want   sys.Errno
	}{
		{sys.WG_MAX_PROPLEN, sys.E2BIG},
		{sys.WG_MAX_PROPLEN - 1, 0},
	} {
		padded := append(slices.Clone(doc), bytes.Repeat([]byte{'\n'}, tc.length-len(doc))...)
		ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_SET_PRIVATE_KEY, Len: uint64(len(padded))}
		copy(ifd.Name[:], "wg0")
		_, err := n.Ioctl(root, sys.SIOCSDRVSPEC, ifd.Marshal(), padded)
		if got := sys.ErrnoOf(err, sys.EINVAL); got != tc.want {
			t.Errorf("ifd_len %d: err = %v, want %v", tc.length, err, tc.want)
		}
		k, ok := get(t, n, root).GetData("private_key")
		if set := ok && bytes.Equal(k, key(7)); set != (tc.want == 0) {
			t.Errorf("ifd_len %d: private key set = %v", tc.length, set)
		}
	}
}

// TestGetBufferBoundary: the reply is the XML and its NUL, so a buffer of
// len(xml)+1 bytes holds it and one of len(xml) does not.  NetBSD's
// wg_ioctl_get answers EINVAL there; nbwg ENOMEM (divergences row 12), so
// that wgconfig can tell "grow the buffer" from a bad request.
func TestGetBufferBoundary(t *testing.T) {
	n := testKernel(t)
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("B", key(1), "10.2.0.0/24")); err != nil {
		t.Fatal(err)
	}
	ask := func(length int) ([]byte, error) {
		ifd := sys.Ifdrv{Len: uint64(length)}
		copy(ifd.Name[:], "wg0")
		return n.Ioctl(root, sys.SIOCGDRVSPEC, ifd.Marshal(), nil)
	}
	full, err := ask(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	xml := bytes.TrimSuffix(full, []byte{0})
	if len(xml) != len(full)-1 || bytes.IndexByte(xml, 0) >= 0 {
		t.Fatalf("reply of %d bytes is not the XML and one NUL", len(full))
	}
	if out, err := ask(len(xml) + 1); err != nil || !bytes.Equal(out, full) {
		t.Errorf("buffer of len(xml)+1 = %d: %d bytes, %v; want the whole reply", len(xml)+1, len(out), err)
	}
	if out, err := ask(len(xml)); !errors.Is(err, sys.ENOMEM) || out != nil {
		t.Errorf("buffer of len(xml) = %d: %d bytes, %v; want ENOMEM", len(xml), len(out), err)
	}
}

func TestDeletePeerAndLinkState(t *testing.T) {
	n := testKernel(t)
	ifp := n.Lookup("wg0")
	if ifp.LinkState() != sys.LINK_STATE_DOWN {
		t.Fatalf("fresh link state %d", ifp.LinkState())
	}
	for _, d := range []*prop.Dictionary{peerDict("A", key(1), "10.0.0.1/32"), peerDict("B", key(2), "10.0.0.2/32")} {
		if err := set(n, root, sys.WG_IOCTL_ADD_PEER, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := set(n, root, sys.WG_IOCTL_DELETE_PEER, one("name", prop.String("A"))); err != nil {
		t.Fatal(err)
	}
	if ifp.LinkState() != sys.LINK_STATE_UP {
		t.Errorf("link went down with a peer left")
	}
	// A's prefix and key are free again.
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("A2", key(1), "10.0.0.1/32")); err != nil {
		t.Errorf("re-adding A's key and prefix: %v", err)
	}
	for _, name := range []string{"A2", "B"} {
		if err := set(n, root, sys.WG_IOCTL_DELETE_PEER, one("name", prop.String(name))); err != nil {
			t.Fatalf("delete %s: %v", name, err)
		}
	}
	if ifp.LinkState() != sys.LINK_STATE_DOWN {
		t.Errorf("link state %d after the last peer went", ifp.LinkState())
	}
}

func TestThousandPeers(t *testing.T) {
	n := testKernel(t)
	for i := range 1000 {
		k := make([]byte, 32)
		k[0], k[1] = byte(i), byte(i>>8)
		pd := peerDict(fmt.Sprintf("p%d", i), k, fmt.Sprintf("10.%d.%d.0/24", i>>8, i&0xff))
		if err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd); err != nil {
			t.Fatalf("peer %d: %v", i, err)
		}
	}
	peers, ok := get(t, n, nobody).GetArray("peers")
	if !ok {
		t.Fatal("no peers array")
	}
	if peers.Len() != 1000 {
		t.Errorf("%d peers reported", peers.Len())
	}
}

// allowedIPEntry is one element of an allowedips array built field by
// field, so that a test can leave a key out or give it the wrong type.
func allowedIPEntry(family, ip, cidr prop.Object) *prop.Dictionary {
	e := prop.NewDictionary()
	if family != nil {
		e.Set("family", family)
	}
	if ip != nil {
		e.Set("ip", ip)
	}
	if cidr != nil {
		e.Set("cidr", cidr)
	}
	return e
}

// TestAllowedIPEntries checks parseAllowedIPs entry by entry against
// wg_handle_prop_peer (if_wg.c 1.85): an element that is not a dictionary,
// or lacks family, ip or cidr, or holds one of them in a type or range its
// getter refuses, is skipped silently (get_int/get_data/get_uint8 fail and
// the loop continues), so the peer is added with the other entries; an ip
// whose length does not match the family is EINVAL and nothing is added.
// cidr > 32 or > 128 is EINVAL in nbwg, where 1.85 passes it unchecked to
// in_len2mask (netbsd-divergences.md row 15, wgconfig.8).
func TestAllowedIPEntries(t *testing.T) {
	n := testKernel(t)
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("B", key(1), "10.2.0.0/24")); err != nil {
		t.Fatal(err)
	}
	before := get(t, n, root)

	u := prop.Unsigned
	v4 := prop.Data([]byte{10, 9, 0, 0})
	v6 := prop.Data(netip.MustParseAddr("fd00:9::").AsSlice())
	// valid is the entry every case sends first; kept is how GET
	// returns it (family set_int, cidr set_uint8).
	valid := allowedIPEntry(u(sys.AF_INET), v4, u(24))
	kept := allowedIPEntry(prop.Signed(sys.AF_INET), v4, u(24))
	for _, tc := range []struct {
		name  string
		entry prop.Object
		want  sys.Errno        // 0: the peer is added
		added *prop.Dictionary // the second entry as GET returns it, if kept
	}{
		// Rejected: nothing is added.
		{name: "ip of 3 bytes, family inet", entry: allowedIPEntry(u(sys.AF_INET), prop.Data([]byte{10, 9, 1}), u(24)), want: sys.EINVAL},
		{name: "ip of 16 bytes, family inet", entry: allowedIPEntry(u(sys.AF_INET), v6, u(24)), want: sys.EINVAL},
		{name: "ip of 4 bytes, family inet6", entry: allowedIPEntry(u(sys.AF_INET6), v4, u(24)), want: sys.EINVAL},
		{name: "cidr 33", entry: allowedIPEntry(u(sys.AF_INET), prop.Data([]byte{10, 9, 1, 0}), u(33)), want: sys.EINVAL},
		{name: "cidr 129", entry: allowedIPEntry(u(sys.AF_INET6), v6, u(129)), want: sys.EINVAL},
		{name: "family 7", entry: allowedIPEntry(u(7), v4, u(24)), want: sys.EINVAL},
		{name: "negative family", entry: allowedIPEntry(prop.Signed(-2), v4, u(24)), want: sys.EINVAL},

		// Skipped silently: the peer gets the valid entry alone.
		{name: "no cidr", entry: allowedIPEntry(u(sys.AF_INET), prop.Data([]byte{10, 9, 1, 0}), nil)},
		{name: "no ip", entry: allowedIPEntry(u(sys.AF_INET), nil, u(24))},
		{name: "no family", entry: allowedIPEntry(nil, prop.Data([]byte{10, 9, 1, 0}), u(24))},
		// wgconfig.c sends cidr with set_uint16; get_uint8 refuses
		// 300, so "--allowed-ips=10.9.1.0/300" adds a peer without it.
		{name: "cidr as uint16 300", entry: allowedIPEntry(u(sys.AF_INET), prop.Data([]byte{10, 9, 1, 0}), u(300))},
		{name: "cidr as string", entry: allowedIPEntry(u(sys.AF_INET), prop.Data([]byte{10, 9, 1, 0}), prop.String("24"))},
		{name: "ip as string", entry: allowedIPEntry(u(sys.AF_INET), prop.String("10.9.1.0"), u(24))},
		// get_int fails for a number an int cannot hold.
		{name: "family beyond int", entry: allowedIPEntry(u(1<<32|sys.AF_INET), prop.Data([]byte{10, 9, 1, 0}), u(24))},
		{name: "string element", entry: prop.String("10.9.1.0/24")},
		{name: "array element", entry: prop.NewArray(valid)},

		// Kept, boundaries included; the signed family GET itself
		// writes is read back too.
		{name: "cidr 32", entry: allowedIPEntry(u(sys.AF_INET), prop.Data([]byte{10, 9, 1, 1}), u(32)),
			added: allowedIPEntry(prop.Signed(sys.AF_INET), prop.Data([]byte{10, 9, 1, 1}), u(32))},
		{name: "cidr 128", entry: allowedIPEntry(u(sys.AF_INET6), v6, u(128)),
			added: allowedIPEntry(prop.Signed(sys.AF_INET6), v6, u(128))},
		{name: "cidr 0, signed family", entry: allowedIPEntry(prop.Signed(sys.AF_INET6), prop.Data(make([]byte, 16)), prop.Signed(0)),
			added: allowedIPEntry(prop.Signed(sys.AF_INET6), prop.Data(make([]byte, 16)), u(0))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pd := peerDict("X", key(5))
			pd.Set("allowedips", prop.NewArray(valid, tc.entry))
			err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd)
			if tc.want != 0 {
				if !errors.Is(err, tc.want) {
					t.Errorf("err = %v, want %v", err, tc.want)
				}
				if after := get(t, n, root); !prop.Equal(before, after) {
					t.Errorf("configuration changed")
				}
				return
			}
			if err != nil {
				t.Fatalf("add peer: %v", err)
			}
			defer func() {
				if err := set(n, root, sys.WG_IOCTL_DELETE_PEER, one("name", prop.String("X"))); err != nil {
					t.Fatalf("delete X: %v", err)
				}
			}()
			want := prop.NewArray(kept)
			if tc.added != nil {
				want.Add(tc.added)
			}
			got, ok := peerByName(t, get(t, n, root), "X").GetArray("allowedips")
			if !ok || !prop.Equal(want, got) {
				wx, _ := prop.Externalize(one("allowedips", want))
				gx, _ := prop.Externalize(one("allowedips", got))
				t.Errorf("X's allowedips (-want +got):\n%s", cmp.Diff(string(wx), string(gx)))
			}
		})
	}
}

// peerByName finds a peer in a GET dictionary.
func peerByName(t *testing.T, d *prop.Dictionary, name string) *prop.Dictionary {
	t.Helper()
	peers, _ := d.GetArray("peers")
	for _, o := range peers.Items() {
		if p, ok := o.(*prop.Dictionary); ok {
			if s, _ := p.GetString("name"); s == name {
				return p
			}
		}
	}
	t.Fatalf("no peer %q", name)
	return nil
}
