package wg

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"nbwg/kernel/sys"
)

// A device's configuration changes through two doors: NetBSD's ioctls
// (ioctl.go: add, set and delete a peer by name, each all or nothing,
// with NetBSD's errnos) and WireGuard's set operation (Apply: a list of
// changes to peers found by public key, the userspace API's and wg(8)'s
// semantics).  Both change a peer through the same three functions:
// addPeerLocked, changePeerLocked and removePeerLocked.

// Change is one set operation of WireGuard's configuration protocol
// ("set=1", what wg set, wg setconf and wg syncconf send): the device's
// keys, then changes to peers in order.  It holds secrets: Wipe it.
type Change struct {
	// HasPrivateKey sets PrivateKey; all zeros removes the key.
	HasPrivateKey bool
	PrivateKey    [32]byte
	HasListenPort bool
	ListenPort    uint16
	HasFwMark     bool
	FwMark        uint32
	// ReplacePeers removes every peer before Peers are applied.
	ReplacePeers bool
	Peers        []PeerChange
}

// PeerChange changes the peer with PublicKey, creating it unless
// UpdateOnly (or Remove) is set.
type PeerChange struct {
	PublicKey [32]byte
	// Remove deletes the peer; nothing else of the change applies.
	Remove bool
	// UpdateOnly changes the peer only if it exists.
	UpdateOnly bool
	// HasPresharedKey sets PresharedKey; all zeros removes it.
	HasPresharedKey bool
	PresharedKey    [32]byte
	HasEndpoint     bool
	Endpoint        netip.AddrPort
	// EndpointHost is the "host:port" Endpoint was resolved from, or
	// "" (resolve.go looks it up again).
	EndpointHost string
	HasKeepalive bool
	Keepalive    uint16
	// ReplaceAllowedIPs drops the peer's allowed IPs before AllowedIPs
	// are applied.
	ReplaceAllowedIPs bool
	AllowedIPs        []AllowedIPChange
}

// AllowedIPChange adds an allowed IP to a peer, or with Remove takes it
// away (wg set ... allowed-ips -10.0.0.0/24).
type AllowedIPChange struct {
	AllowedIP
	Remove bool
}

// Wipe clears the secrets.
func (c *Change) Wipe() {
	clear(c.PrivateKey[:])
	for i := range c.Peers {
		clear(c.Peers[i].PresharedKey[:])
	}
}

// Apply carries out a set operation as WireGuard's implementations do
// (wireguard-go's device/uapi.go, the Linux driver's netlink.c):
//
//   - a private key of zeros removes the key; a new key removes the peer
//     whose public key is the interface's own;
//   - a peer is found by its public key and created unless UpdateOnly;
//     a peer with the interface's own public key is ignored;
//   - an allowed IP another peer holds moves to the peer being set;
//   - a listen port that cannot be had stops the operation there, with
//     what came before it applied.
//
// A peer created here is named by PeerName, so that NetBSD's ioctls,
// which find peers by name, reach it too.  The error wraps a sys.Errno.
func (d *Device) Apply(c *Change) error {
	if c.HasPrivateKey {
		if c.PrivateKey == ([32]byte{}) {
			d.clearPrivateKey()
		} else {
			if err := d.setPrivateKey(c.PrivateKey[:]); err != nil {
				return fmt.Errorf("set private key: %w", err)
			}
			if pub, ok := d.ownPublicKey(); ok {
				d.removePeerByKey(pub)
			}
		}
	}
	if c.HasListenPort {
		if err := d.bindPort(c.ListenPort); err != nil {
			return fmt.Errorf("set listen port %d: %w", c.ListenPort, err)
		}
	}
	if c.HasFwMark {
		if err := d.setFwMark(c.FwMark); err != nil {
			return fmt.Errorf("set fwmark %d: %w", c.FwMark, err)
		}
	}
	if c.ReplacePeers {
		d.removeAllPeers()
	}
	for i := range c.Peers {
		if err := d.applyPeer(&c.Peers[i]); err != nil {
			return err
		}
	}
	return nil
}

// applyPeer carries out one peer's part of Apply.
func (d *Device) applyPeer(c *PeerChange) error {
	if own, ok := d.ownPublicKey(); ok && own == c.PublicKey {
		// As wireguard-go and Linux: silently not a peer.
		return nil
	}
	if c.Remove {
		d.removePeerByKey(c.PublicKey)
		return nil
	}
	d.mu.Lock()
	p := d.byKey[c.PublicKey]
	if p == nil && c.UpdateOnly {
		d.mu.Unlock()
		return nil
	}
	if p == nil {
		p, err := d.addPeerLocked(d.uniqueNameLocked(c.PublicKey), c, true)
		d.mu.Unlock()
		if err != nil {
			return fmt.Errorf("add peer %s: %w", p.displayName(), err)
		}
		d.peerAdded(p)
		return nil
	}
	err := d.changePeerLocked(p, c, true)
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("peer %s: %w", p.displayName(), err)
	}
	if c.HasKeepalive {
		p.keepaliveChanged()
	}
	return nil
}

// addPeerLocked makes a peer named name from c, puts its allowed IPs in
// the table and the peer in the lists; d.mu is held.  steal chooses the
// userspace API's rule for a prefix another peer holds (it moves) over
// NetBSD's (EEXIST, and nothing changes).  The caller starts the peer
// with peerAdded once the lock is released.  The peer is returned even
// on failure, for the error message.
func (d *Device) addPeerLocked(name string, c *PeerChange, steal bool) (*Peer, error) {
	p := d.newPeer(name, c.PublicKey, c.PresharedKey)
	if err := d.changePeerLocked(p, c, steal); err != nil {
		p.remote.Clear()
		return p, err
	}
	d.peers = append(d.peers, p) // O(1): inserting first would make n adds O(n²)
	d.byKey[c.PublicKey] = p
	if name != "" {
		d.byName[name] = p
	}
	return p, nil
}

// peerAdded runs a peer addPeerLocked made; no lock is held.  As in
// NetBSD, an interface with a peer has its link up.
func (d *Device) peerAdded(p *Peer) {
	p.start()
	d.ifp.SetLinkState(sys.LINK_STATE_UP)
	if p.keepalive.Load() != 0 {
		p.keepaliveChanged()
	}
}

// changePeerLocked applies c to p, a peer in the lists or one
// addPeerLocked is making; d.mu is held.  The allowed IPs are changed
// first, in one step of the table (so traffic to a prefix the peer keeps
// is never dropped), and a refusal there changes nothing.  The rest
// keeps the peer's session and counters.  The caller calls
// p.keepaliveChanged once the lock is released, if c.HasKeepalive.
func (d *Device) changePeerLocked(p *Peer, c *PeerChange, steal bool) error {
	if c.ReplaceAllowedIPs || len(c.AllowedIPs) > 0 {
		list := newAllowedList(p.allowed, c, steal)
		prefixes := make([]netip.Prefix, len(list))
		for i, a := range list {
			prefixes[i] = a.Prefix()
		}
		if steal {
			losers, err := d.allowed.AssignPeer(p, prefixes)
			if err != nil {
				return sys.ErrnoOf(err, sys.EINVAL)
			}
			for _, q := range losers {
				q.allowed = slices.DeleteFunc(q.allowed, func(a AllowedIP) bool {
					owner, ok := d.allowed.LookupPrefix(a.Prefix())
					return !ok || owner != q
				})
			}
		} else if err := d.allowed.ReplacePeer(p, prefixes); err != nil {
			// A prefix of another peer, or one repeated, is EEXIST
			// as the radix code's refusal.
			return sys.ErrnoOf(err, sys.EINVAL)
		}
		p.allowed = list
	}
	if c.HasEndpoint {
		p.SetEndpoint(c.Endpoint)
		p.setEndpointHost(c.EndpointHost)
	}
	if c.HasPresharedKey {
		p.remote.SetPresharedKey(c.PresharedKey)
	}
	if c.HasKeepalive {
		p.keepalive.Store(uint32(c.Keepalive))
	}
	return nil
}

// newAllowedList is a peer's allowed IPs after c: the old ones unless
// replaced, then c's additions and removals in order.  Under the
// userspace API's rules (steal) an entry for a prefix the list has
// already replaces it, as a repeated insert does in WireGuard's table;
// under NetBSD's the list is kept as given, so that the table refuses a
// repeat with EEXIST.
func newAllowedList(old []AllowedIP, c *PeerChange, steal bool) []AllowedIP {
	var list []AllowedIP
	if !c.ReplaceAllowedIPs {
		list = slices.Clone(old)
	}
	if !steal {
		for _, a := range c.AllowedIPs {
			list = append(list, a.AllowedIP)
		}
		return list
	}
	// Where each prefix is in list, so that a list of a hundred thousand
	// entries is made in linear time; removed entries are marked and
	// dropped at the end.
	at := make(map[netip.Prefix]int, len(list)+len(c.AllowedIPs))
	for i, a := range list {
		at[a.Prefix()] = i
	}
	gone := make([]bool, len(list), len(list)+len(c.AllowedIPs))
	for _, a := range c.AllowedIPs {
		masked := a.Prefix()
		if i, ok := at[masked]; ok {
			gone[i] = true
			delete(at, masked)
		}
		if !a.Remove {
			at[masked] = len(list)
			list = append(list, a.AllowedIP)
			gone = append(gone, false)
		}
	}
	kept := list[:0]
	for i, a := range list {
		if !gone[i] {
			kept = append(kept, a)
		}
	}
	return kept
}

// removePeerLocked takes p out of the lists and the table; d.mu is held.
// The caller stops it with peerRemoved once the lock is released.
func (d *Device) removePeerLocked(p *Peer) {
	d.peers = slices.DeleteFunc(d.peers, func(x *Peer) bool { return x == p })
	if p.name != "" {
		delete(d.byName, p.name)
	}
	delete(d.byKey, p.publicKey)
	d.allowed.RemoveByPeer(p)
}

// peerRemoved stops a peer removePeerLocked took out; no lock is held.
// As in NetBSD, the link goes down with the last peer.
func (d *Device) peerRemoved(p *Peer, last bool) {
	p.stop()
	if last {
		d.ifp.SetLinkState(sys.LINK_STATE_DOWN)
	}
}

// removePeerByKey removes the peer with public key pub, if there is one.
func (d *Device) removePeerByKey(pub [32]byte) {
	d.mu.Lock()
	p := d.byKey[pub]
	if p == nil {
		d.mu.Unlock()
		return
	}
	d.removePeerLocked(p)
	last := len(d.peers) == 0
	d.mu.Unlock()
	d.peerRemoved(p, last)
}

// removeAllPeers removes every peer (replace_peers).
func (d *Device) removeAllPeers() {
	d.mu.Lock()
	peers := slices.Clone(d.peers)
	for _, p := range peers {
		d.removePeerLocked(p)
	}
	d.mu.Unlock()
	for i, p := range peers {
		d.peerRemoved(p, i == len(peers)-1)
	}
}

// ownPublicKey returns the interface's public key, if it has a key.
func (d *Device) ownPublicKey() ([32]byte, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.publicKey, d.hasKey
}

// PeerName is the NetBSD name a peer added through the userspace API
// gets: the first n characters of its public key in base64, as wg(8)
// shows it; n is 8 unless a peer of that name exists already, then the
// shortest longer prefix that no peer has, up to the 16 characters of
// WG_PEER_NAME_MAXLEN.  taken reports whether a name is in use.  Should
// every prefix be taken (by names given on purpose), a number is put
// after the first 8 characters instead.
func PeerName(pub [32]byte, taken func(string) bool) string {
	b64 := base64.StdEncoding.EncodeToString(pub[:])
	for n := peerNameLen; n <= sys.WG_PEER_NAME_MAXLEN; n++ {
		if !taken(b64[:n]) {
			return b64[:n]
		}
	}
	for i := 1; ; i++ {
		name := b64[:peerNameLen] + "-" + strconv.Itoa(i)
		if !taken(name) {
			return name
		}
	}
}

// peerNameLen is the length of a generated peer name (PeerName).
const peerNameLen = 8

// uniqueNameLocked names a new peer by PeerName; d.mu is held.
func (d *Device) uniqueNameLocked(pub [32]byte) string {
	return PeerName(pub, func(name string) bool { _, ok := d.byName[name]; return ok })
}
