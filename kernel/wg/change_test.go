package wg

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
	"nbwg/kernel/wg/noise"
)

// device returns wg0's driver.
func device(t *testing.T, n *ifnet.Net) *Device {
	t.Helper()
	return n.Lookup("wg0").Driver().(*Device)
}

func k32(b byte) [32]byte { return [32]byte(key(b)) }

func allowed(ss ...string) []AllowedIPChange {
	var out []AllowedIPChange
	for _, s := range ss {
		rm := s[0] == '-'
		if rm {
			s = s[1:]
		}
		p := netip.MustParsePrefix(s)
		out = append(out, AllowedIPChange{AllowedIP: AllowedIP{Addr: p.Addr(), CIDR: p.Bits()}, Remove: rm})
	}
	return out
}

// peerView is what a test compares of a peer.
type peerView struct {
	Name      string
	Endpoint  string
	PSK       bool
	Keepalive uint16
	Allowed   []string
}

func view(c *Config) map[[32]byte]peerView {
	out := map[[32]byte]peerView{}
	for _, p := range c.Peers {
		v := peerView{Name: p.Name, PSK: p.PresharedKey != [32]byte{}, Keepalive: p.Keepalive}
		if p.Endpoint.IsValid() {
			v.Endpoint = p.Endpoint.String()
		}
		for _, a := range p.AllowedIPs {
			v.Allowed = append(v.Allowed, netip.PrefixFrom(a.Addr, a.CIDR).String())
		}
		out[p.PublicKey] = v
	}
	return out
}

// TestApplyOneInterface: a peer made by the set operation is a NetBSD
// peer too, with a generated name, and a NetBSD peer is changed in place
// by the set operation: one interface through both doors.
func TestApplyOneInterface(t *testing.T) {
	n := testKernel(t)
	d := device(t, n)
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("netbsd", key(1), "10.1.0.0/16", "10.9.0.0/16")); err != nil {
		t.Fatal(err)
	}
	c := &Change{Peers: []PeerChange{
		{
			PublicKey: k32(2), HasEndpoint: true, Endpoint: netip.MustParseAddrPort("192.0.2.2:51820"),
			HasPresharedKey: true, PresharedKey: k32(9), HasKeepalive: true, Keepalive: 25,
			AllowedIPs: allowed("10.2.0.1/24", "10.9.0.0/16"), // the second is netbsd's: it moves
		},
		{PublicKey: k32(1), HasEndpoint: true, Endpoint: netip.MustParseAddrPort("[2001:db8::1]:1")},
	}}
	if err := d.Apply(c); err != nil {
		t.Fatal(err)
	}
	name2 := base64.StdEncoding.EncodeToString(key(2))[:8]
	want := map[[32]byte]peerView{
		k32(1): {Name: "netbsd", Endpoint: "[2001:db8::1]:1", Allowed: []string{"10.1.0.0/16"}},
		k32(2): {Name: name2, Endpoint: "192.0.2.2:51820", PSK: true, Keepalive: 25, Allowed: []string{"10.2.0.1/24", "10.9.0.0/16"}},
	}
	if diff := cmp.Diff(want, view(d.Config())); diff != "" {
		t.Errorf("after Apply (-want +got):\n%s", diff)
	}
	// NetBSD's view: the new peer by its name, newest first.
	got := get(t, n, root)
	peers, _ := got.GetArray("peers")
	if peers.Len() != 2 {
		t.Fatalf("%d peers in SIOCGDRVSPEC", peers.Len())
	}
	if name, _ := peers.Items()[0].(*prop.Dictionary).GetString("name"); name != name2 {
		t.Errorf("newest peer's name %q, want %q", name, name2)
	}
	// And wgconfig's delete peer by that name removes it.
	if err := set(n, root, sys.WG_IOCTL_DELETE_PEER, one("name", prop.String(name2))); err != nil {
		t.Fatalf("delete the generated name: %v", err)
	}
	if _, ok := d.allowed.Lookup(netip.MustParseAddr("10.9.0.1")); ok {
		t.Error("the deleted peer's allowed IP still routes")
	}
}

// TestApplyPeerKeys: remove, update_only, replace_allowed_ips, removal of
// one allowed IP, a preshared key of zeros, replace_peers.
func TestApplyPeerKeys(t *testing.T) {
	n := testKernel(t)
	d := device(t, n)
	must := func(c *Change) {
		t.Helper()
		if err := d.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	must(&Change{Peers: []PeerChange{
		{PublicKey: k32(1), HasPresharedKey: true, PresharedKey: k32(5), AllowedIPs: allowed("10.1.0.0/24", "fd00:1::/64", "10.1.1.0/24")},
		{PublicKey: k32(2), AllowedIPs: allowed("10.2.0.0/24")},
	}})
	must(&Change{Peers: []PeerChange{
		{PublicKey: k32(1), HasPresharedKey: true, AllowedIPs: allowed("-fd00:1::/64", "10.1.0.9/24")},
		{PublicKey: k32(2), Remove: true},
		{PublicKey: k32(3), UpdateOnly: true, AllowedIPs: allowed("10.3.0.0/24")},
	}})
	want := map[[32]byte]peerView{
		k32(1): {Name: base64.StdEncoding.EncodeToString(key(1))[:8], Allowed: []string{"10.1.1.0/24", "10.1.0.9/24"}},
	}
	if diff := cmp.Diff(want, view(d.Config())); diff != "" {
		t.Errorf("after remove and update_only (-want +got):\n%s", diff)
	}
	must(&Change{Peers: []PeerChange{{PublicKey: k32(1), ReplaceAllowedIPs: true, AllowedIPs: allowed("10.7.0.0/16")}}})
	if got := view(d.Config())[k32(1)].Allowed; !cmp.Equal(got, []string{"10.7.0.0/16"}) {
		t.Errorf("after replace_allowed_ips: %v", got)
	}
	if _, ok := d.allowed.Lookup(netip.MustParseAddr("10.1.1.1")); ok {
		t.Error("a replaced allowed IP still routes")
	}
	must(&Change{ReplacePeers: true, Peers: []PeerChange{{PublicKey: k32(4)}}})
	if got := view(d.Config()); len(got) != 1 || got[k32(4)].Name == "" {
		t.Errorf("after replace_peers: %v", got)
	}
	if d.allowed.Len() != 0 {
		t.Errorf("%d allowed IPs after replace_peers", d.allowed.Len())
	}
	if n.Lookup("wg0").LinkState() != sys.LINK_STATE_UP {
		t.Error("link down with a peer")
	}
	must(&Change{Peers: []PeerChange{{PublicKey: k32(4), Remove: true}}})
	if n.Lookup("wg0").LinkState() != sys.LINK_STATE_DOWN {
		t.Error("link up without peers")
	}
}

// TestApplyPrivateKey: a key of zeros removes the key; a peer with the
// interface's own public key is ignored, and setting a key removes one.
func TestApplyPrivateKey(t *testing.T) {
	n := testKernel(t)
	d := device(t, n)
	priv := noise.PrivateKey(k32(7))
	pub := [32]byte(priv.PublicKey())
	if err := d.Apply(&Change{Peers: []PeerChange{{PublicKey: pub}}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Apply(&Change{HasPrivateKey: true, PrivateKey: k32(7), Peers: []PeerChange{{PublicKey: pub}}}); err != nil {
		t.Fatal(err)
	}
	c := d.Config()
	if !c.HasPrivateKey || c.PublicKey != pub || len(c.Peers) != 0 {
		t.Errorf("after setting the key: has %v, public %x, %d peers", c.HasPrivateKey, c.PublicKey, len(c.Peers))
	}
	if err := d.Apply(&Change{HasPrivateKey: true}); err != nil {
		t.Fatal(err)
	}
	if c := d.Config(); c.HasPrivateKey {
		t.Error("a private key of zeros left a key")
	}
	if _, ok := get(t, n, root).GetData("private_key"); ok {
		t.Error("SIOCGDRVSPEC reports a removed key")
	}
}

// TestPeerName: the generated name is 8 characters of the public key,
// longer when taken, and never longer than NetBSD allows.
func TestPeerName(t *testing.T) {
	pub := k32(0xfb) // base64 "+/v7+/v7+/v7..."
	b64 := base64.StdEncoding.EncodeToString(pub[:])
	taken := map[string]bool{}
	isTaken := func(s string) bool { return taken[s] }
	if got := PeerName(pub, isTaken); got != b64[:8] {
		t.Errorf("PeerName = %q, want %q", got, b64[:8])
	}
	taken[b64[:8]] = true
	if got := PeerName(pub, isTaken); got != b64[:9] {
		t.Errorf("PeerName with the 8 taken = %q, want %q", got, b64[:9])
	}
	for n := 8; n <= sys.WG_PEER_NAME_MAXLEN; n++ {
		taken[b64[:n]] = true
	}
	got := PeerName(pub, isTaken)
	if got != b64[:8]+"-1" || len(got) > sys.WG_PEER_NAME_MAXLEN {
		t.Errorf("PeerName with every prefix taken = %q", got)
	}
}

// TestApplyNetBSDNameTaken: a generated name that a NetBSD peer has
// already is made longer.
func TestApplyNetBSDNameTaken(t *testing.T) {
	n := testKernel(t)
	d := device(t, n)
	b64 := base64.StdEncoding.EncodeToString(key(2))
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict(b64[:8], key(1))); err != nil {
		t.Fatal(err)
	}
	if err := d.Apply(&Change{Peers: []PeerChange{{PublicKey: k32(2)}}}); err != nil {
		t.Fatal(err)
	}
	if got := view(d.Config())[k32(2)].Name; got != b64[:9] {
		t.Errorf("name %q, want %q", got, b64[:9])
	}
}

// TestSetPeerStillNetBSD: NetBSD's set peer keeps its rule against
// another peer's prefix (EEXIST, nothing changes) after the rework that
// made it share changePeerLocked with Apply.
func TestSetPeerStillNetBSD(t *testing.T) {
	n := testKernel(t)
	d := device(t, n)
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("A", key(1), "10.1.0.0/16")); err != nil {
		t.Fatal(err)
	}
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("B", key(2), "10.2.0.0/16")); err != nil {
		t.Fatal(err)
	}
	before := view(d.Config())
	req := peerDict("A", nil, "10.3.0.0/16", "10.2.0.0/16")
	req.Remove("public_key")
	err := set(n, root, sys.WG_IOCTL_NBWG_SET_PEER, req)
	if !errors.Is(err, sys.EEXIST) {
		t.Errorf("set peer with B's prefix: %v, want EEXIST", err)
	}
	if diff := cmp.Diff(before, view(d.Config())); diff != "" {
		t.Errorf("a refused set peer changed (-before +after):\n%s", diff)
	}
}
