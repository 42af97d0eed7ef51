package wg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// configDict is the reference for encodeConfig: the dictionary built as
// an object tree, key by key as wg_ioctl_get fills it, then externalized.
func (d *Device) configDict(privileged, more bool) *prop.Dictionary {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dict := prop.NewDictionary()
	if privileged && d.hasKey {
		dict.SetData(sys.WGKeyPrivateKey, d.privateKey[:])
	}
	if pub, ok := d.local.PublicKey(); ok && d.hasKey && more {
		dict.SetData(sys.WGKeyPublicKey, pub[:])
	}
	if d.listenPort != 0 {
		dict.SetUint16(sys.WGKeyListenPort, d.listenPort)
	}
	if len(d.peers) == 0 {
		return dict
	}
	peers := prop.NewArray()
	for _, p := range slices.Backward(d.peers) {
		peers.Add(p.configDict(privileged, more))
	}
	dict.Set(sys.WGKeyPeers, peers)
	return dict
}

func (p *Peer) configDict(privileged, more bool) *prop.Dictionary {
	pd := prop.NewDictionary()
	if p.name != "" {
		pd.SetString(sys.WGKeyName, p.name)
	}
	pd.SetData(sys.WGKeyPublicKey, p.publicKey[:])
	if psk, ok := p.presharedKey(); ok && privileged {
		pd.SetData(sys.WGKeyPresharedKey, psk[:])
	}
	if ep, ok := p.Endpoint(); ok {
		pd.SetData(sys.WGKeyEndpoint, sys.MarshalSockaddr(ep))
	}
	var sec int64
	var nsec int
	if t, ok := p.LastHandshake(); ok {
		sec, nsec = t.Unix(), t.Nanosecond()
	}
	pd.SetUint64(sys.WGKeyLastHandshakeTimeSec, uint64(sec))
	pd.SetUint32(sys.WGKeyLastHandshakeNsec, uint32(nsec))
	if more {
		if k := p.keepalive.Load(); k != 0 {
			pd.SetUint16(sys.WGKeyPersistentKeepalive, uint16(k))
		}
		pd.SetUint64(sys.WGKeyRxBytes, p.rxBytes.Load())
		pd.SetUint64(sys.WGKeyTxBytes, p.txBytes.Load())
	}
	if len(p.allowed) > 0 {
		list := prop.NewArray()
		for _, a := range p.allowed {
			e := prop.NewDictionary()
			e.SetInt(sys.WGKeyFamily, a.Family())
			e.SetUint8(sys.WGKeyCIDR, uint8(a.CIDR))
			e.SetData(sys.WGKeyIP, a.Addr.AsSlice())
			list.Add(e)
		}
		pd.Set(sys.WGKeyAllowedIPs, list)
	}
	return pd
}

// testKernelDevice is testKernel that also returns wg0's Device.
func testKernelDevice(t *testing.T) (*ifnet.Net, *Device) {
	t.Helper()
	return testKernelDeviceEnv(t, Env{})
}

// testKernelDeviceEnv is testKernelDevice with the devices' Env.
func testKernelDeviceEnv(t *testing.T, env Env) (*ifnet.Net, *Device) {
	t.Helper()
	var dev *Device
	c := NewCloner(env)
	create := c.Create
	c.Create = func(ifp *ifnet.Interface) (ifnet.Driver, error) {
		drv, err := create(ifp)
		if err == nil {
			dev = drv.(*Device)
		}
		return drv, err
	}
	n := ifnet.New(nil, c)
	t.Cleanup(n.DestroyAll)
	r := sys.Ifreq{}
	copy(r.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCIFCREATE, r.Marshal(), nil); err != nil {
		t.Fatal(err)
	}
	return n, dev
}

// TestEncodeConfigMatchesTree: the document written straight from the
// device is the one the dictionary built object by object externalizes
// to, for every kind of caller, with peers of every shape: with and
// without name, preshared key, endpoint (IPv4 and IPv6), handshake,
// keepalive, counters and allowed IPs of both families.
func TestEncodeConfigMatchesTree(t *testing.T) {
	n, d := testKernelDevice(t)
	check := func(stage string) {
		t.Helper()
		for _, privileged := range []bool{false, true} {
			for _, more := range []bool{false, true} {
				want, err := prop.Externalize(d.configDict(privileged, more))
				if err != nil {
					t.Fatal(err)
				}
				got, err := d.encodeConfig(privileged, more)
				if err != nil {
					t.Fatalf("%s: encodeConfig: %v", stage, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s, privileged %v, more %v:\n got %s\nwant %s", stage, privileged, more, got, want)
				}
			}
		}
	}
	check("no key, no peers")
	if err := set(n, root, sys.WG_IOCTL_SET_PRIVATE_KEY, one("private_key", prop.Data(key(9)))); err != nil {
		t.Fatal(err)
	}
	if err := set(n, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(51820))); err != nil {
		t.Fatal(err)
	}
	check("key and port")
	add := func(pd *prop.Dictionary) {
		t.Helper()
		if err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd); err != nil {
			t.Fatal(err)
		}
	}
	add(peerDict("", key(1)))
	a := peerDict("A<&>", key(2), "10.0.0.1/32", "fd00::/64", "192.0.2.7/24")
	a.SetData("preshared_key", key(3))
	a.SetData("endpoint", sys.MarshalSockaddr(netip.MustParseAddrPort("192.0.2.1:51820")))
	a.SetUint16(sys.WGKeyPersistentKeepalive, 25)
	add(a)
	b := peerDict("B", key(4), "10.0.0.2/32")
	b.SetData("endpoint", sys.MarshalSockaddr(netip.MustParseAddrPort("[fe80::1%1]:1234")))
	add(b)
	for _, p := range d.peers {
		p.rxBytes.Store(12345)
		p.txBytes.Store(1 << 40)
	}
	d.peers[0].lastHandshake.Store(time.Date(2026, 5, 22, 1, 2, 3, 456789, time.UTC).UnixNano())
	check("peers")
}

// getMore asks for the configuration with WG_IOCTL_NBWG_GET_MORE and a
// buffer of length bytes; it returns what was copied out and the
// ifd_len the kernel left.
func getMore(t *testing.T, n *ifnet.Net, length uint64) ([]byte, uint64, error) {
	t.Helper()
	ifd := sys.Ifdrv{Cmd: sys.WG_IOCTL_NBWG_GET_MORE, Len: length}
	copy(ifd.Name[:], "wg0")
	arg := ifd.Marshal()
	out, err := n.Ioctl(root, sys.SIOCGDRVSPEC, arg, nil)
	back, uerr := sys.UnmarshalIfdrv(arg)
	if uerr != nil {
		t.Fatal(uerr)
	}
	return out, back.Len, err
}

// TestGetMoreTellsSize: with WG_IOCTL_NBWG_GET_MORE a buffer too small is
// a success that copies nothing and leaves in ifd_len a size that holds
// the document: sizeBounds' upper bound for a buffer under the lower one
// (the document is not written to learn its size), else the exact size.
// A request with the size told then gets the document, and so does one
// of the exact size.  Without the bit the kernel keeps NetBSD's semantics
// (TestGetBufferBoundary).
func TestGetMoreTellsSize(t *testing.T) {
	n, d := testKernelDevice(t)
	for i := range 200 {
		pd := peerDict(fmt.Sprintf("p%d", i), key(byte(i+1)), fmt.Sprintf("10.1.%d.0/24", i))
		if err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd); err != nil {
			t.Fatal(err)
		}
		if i != 2 && i != 199 {
			continue // 3 peers: some 2 KB; 200: some 120 KB
		}
		whole, _, err := getMore(t, n, 1<<24)
		if err != nil {
			t.Fatal(err)
		}
		exact := uint64(len(whole))
		least, most := d.sizeBounds()
		if least > exact || most < exact {
			t.Fatalf("%d peers: document of %d bytes, bounds %d and %d", i+1, exact, least, most)
		}
		for _, c := range []struct{ offered, told uint64 }{
			{1, most}, {least - 1, most}, {least, exact}, {exact - 1, exact},
		} {
			out, told, err := getMore(t, n, c.offered)
			if err != nil || out != nil || told != c.told {
				t.Errorf("%d peers, %d bytes offered: %d bytes out, ifd_len %d, %v; want none, %d, no error", i+1, c.offered, len(out), told, err, c.told)
			}
		}
		for _, offered := range []uint64{exact, most} {
			out, left, err := getMore(t, n, offered)
			if err != nil || uint64(len(out)) != exact || out[len(out)-1] != 0 {
				t.Fatalf("%d peers, %d bytes offered: %d bytes out, %v; want the document (%d) and its NUL", i+1, offered, len(out), err, exact)
			}
			if left != offered {
				t.Errorf("ifd_len %d after a request that fit, want it unchanged (%d)", left, offered)
			}
			d, err := prop.Internalize(out)
			if err != nil {
				t.Fatal(err)
			}
			if peers, _ := d.GetArray("peers"); peers.Len() != i+1 {
				t.Errorf("%d peers in the document, want %d", peers.Len(), i+1)
			}
		}
	}
	// Without the bit: ENOMEM, as before.
	ifd := sys.Ifdrv{Len: 4096}
	copy(ifd.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCGDRVSPEC, ifd.Marshal(), nil); !errors.Is(err, sys.ENOMEM) {
		t.Errorf("without GET_MORE: %v, want ENOMEM", err)
	}
}

// TestSizeBoundHolds: sizeBound is never below the document, for any
// caller, over random peers of every shape (names to escape, allowed IPs
// of both families, endpoints of both families or none, preshared keys,
// keepalives, handshakes and counters up to the longest numbers), and not
// far above it for the largest peers.
func TestSizeBoundHolds(t *testing.T) {
	n, d := testKernelDevice(t)
	rng := rand.New(rand.NewPCG(1, 2))
	if err := set(n, root, sys.WG_IOCTL_SET_PRIVATE_KEY, one("private_key", prop.Data(key(9)))); err != nil {
		t.Fatal(err)
	}
	if err := set(n, root, sys.WG_IOCTL_SET_LISTEN_PORT, one("listen_port", prop.Unsigned(65535))); err != nil {
		t.Fatal(err)
	}
	check := func(stage string) {
		t.Helper()
		least, bound := d.sizeBounds()
		for _, privileged := range []bool{false, true} {
			for _, more := range []bool{false, true} {
				xml, err := d.encodeConfig(privileged, more)
				if err != nil {
					t.Fatal(err)
				}
				if size := uint64(len(xml)) + 1; size < least || size > bound {
					t.Fatalf("%s, privileged %v, more %v: document of %d bytes, bounds %d and %d", stage, privileged, more, size, least, bound)
				}
			}
		}
	}
	check("no peers")
	names := []string{"", "p", "a&b", "<<>>", "&&&&&&&&", "name-of-13chr"}
	for i := range 300 {
		var pub [32]byte
		binary.LittleEndian.PutUint32(pub[:], uint32(i+1))
		name := names[rng.IntN(len(names))] + strconv.Itoa(i)
		if rng.IntN(5) == 0 {
			name = ""
		}
		var allowed []string
		for j := range rng.IntN(5) {
			if rng.IntN(2) == 0 {
				allowed = append(allowed, fmt.Sprintf("10.%d.%d.%d/32", i/256, i%256, j))
			} else {
				allowed = append(allowed, fmt.Sprintf("fd00:%x:%x::/64", i, j))
			}
		}
		pd := peerDict(name, pub[:], allowed...)
		switch rng.IntN(3) {
		case 0:
			pd.SetData("endpoint", sys.MarshalSockaddr(netip.MustParseAddrPort("192.0.2.1:65535")))
		case 1:
			pd.SetData("endpoint", sys.MarshalSockaddr(netip.MustParseAddrPort("[fe80::1%1]:1")))
		}
		if rng.IntN(2) == 0 {
			pd.SetData("preshared_key", key(0xff))
		}
		if rng.IntN(2) == 0 {
			pd.SetUint16(sys.WGKeyPersistentKeepalive, uint16(1+rng.IntN(65535)))
		}
		if err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd); err != nil {
			t.Fatalf("peer %d: %v", i, err)
		}
		p := d.peers[len(d.peers)-1]
		if rng.IntN(2) == 0 {
			p.rxBytes.Store(math.MaxUint64)
			p.txBytes.Store(rng.Uint64())
		}
		if rng.IntN(2) == 0 {
			p.lastHandshake.Store(-1 - rng.Int64N(1<<62)) // a negative second: the longest number
		}
		if i%50 == 0 {
			check(fmt.Sprintf("%d peers", i+1))
		}
	}
	check("300 peers")

	// Peers as large as they come: the bound is within 2 % of them.
	n, d = testKernelDevice(t)
	if err := set(n, root, sys.WG_IOCTL_SET_PRIVATE_KEY, one("private_key", prop.Data(key(9)))); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		pub := key(byte(i + 1))
		pd := peerDict(fmt.Sprintf("peer%03d", i), pub, fmt.Sprintf("fd00:ffff:ffff:ffff:ffff:ffff:ffff:ff%02x/128", i))
		pd.SetData("endpoint", sys.MarshalSockaddr(netip.MustParseAddrPort("[fe80::1%1]:65535")))
		pd.SetData("preshared_key", key(0xff))
		pd.SetUint16(sys.WGKeyPersistentKeepalive, 65535)
		if err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd); err != nil {
			t.Fatal(err)
		}
		p := d.peers[len(d.peers)-1]
		p.rxBytes.Store(math.MaxUint64)
		p.txBytes.Store(math.MaxUint64)
		p.lastHandshake.Store(-999999999)
	}
	xml, err := d.encodeConfig(true, true)
	if err != nil {
		t.Fatal(err)
	}
	size := uint64(len(xml)) + 1
	if _, bound := d.sizeBounds(); size > bound || bound > size+size/50 {
		t.Errorf("100 of the largest peers: document of %d bytes, bound %d", size, bound)
	}
}
