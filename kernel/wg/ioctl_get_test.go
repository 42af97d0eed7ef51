package wg

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
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
	var dev *Device
	c := NewCloner(Env{})
	create := c.Create
	c.Create = func(ifp *ifnet.Interface) (ifnet.Driver, error) {
		drv, err := create(ifp)
		if err == nil {
			dev = drv.(*Device)
		}
		return drv, err
	}
	n := ifnet.New(nil, c)
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
// a success that copies nothing and leaves the size needed in ifd_len;
// a request with that size then gets the document.  Without the bit the
// kernel keeps NetBSD's semantics (TestGetBufferBoundary).
func TestGetMoreTellsSize(t *testing.T) {
	n := testKernel(t)
	for i := range 100 {
		pd := peerDict(fmt.Sprintf("p%d", i), key(byte(i+1)), fmt.Sprintf("10.1.%d.0/24", i))
		if err := set(n, root, sys.WG_IOCTL_ADD_PEER, pd); err != nil {
			t.Fatal(err)
		}
	}
	out, need, err := getMore(t, n, 4096)
	if err != nil || out != nil {
		t.Fatalf("4096 bytes offered: %d bytes out, %v; want none and no error", len(out), err)
	}
	if need <= 4096 {
		t.Fatalf("ifd_len %d after a buffer too small", need)
	}
	out, left, err := getMore(t, n, need)
	if err != nil || uint64(len(out)) != need || out[len(out)-1] != 0 {
		t.Fatalf("%d bytes offered: %d bytes out, %v; want the document and its NUL", need, len(out), err)
	}
	if left != need {
		t.Errorf("ifd_len %d after a request that fit, want it unchanged (%d)", left, need)
	}
	d, err := prop.Internalize(out)
	if err != nil {
		t.Fatal(err)
	}
	if peers, _ := d.GetArray("peers"); peers.Len() != 100 {
		t.Errorf("%d peers in the document", peers.Len())
	}
	// One byte short: the size again.
	if out, again, err := getMore(t, n, need-1); err != nil || out != nil || again != need {
		t.Errorf("%d bytes offered: %d bytes out, ifd_len %d, %v; want none, %d, no error", need-1, len(out), again, err, need)
	}
	// Without the bit: ENOMEM, as before.
	ifd := sys.Ifdrv{Len: 4096}
	copy(ifd.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCGDRVSPEC, ifd.Marshal(), nil); !errors.Is(err, sys.ENOMEM) {
		t.Errorf("without GET_MORE: %v, want ENOMEM", err)
	}
}
