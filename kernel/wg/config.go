package wg

import (
	"net/netip"
	"slices"
	"time"
)

// Config is a device's configuration and state at one moment, as both of
// the interface's configuration doors report it: NetBSD's SIOCGDRVSPEC
// (ioctl.go) and WireGuard's cross-platform userspace API (kernel/uapi).
// It holds secrets: Wipe it when done.
type Config struct {
	HasPrivateKey bool
	PrivateKey    [32]byte
	PublicKey     [32]byte // valid with HasPrivateKey
	// ListenPort is the port as configured, 0 when none; BoundPort the
	// port the sockets are bound to, configured or chosen by the kernel
	// when the first packet went out, 0 while there are none.
	ListenPort uint16
	BoundPort  uint16
	// FwMark marks the device's UDP packets (SO_MARK); 0 is none.
	FwMark uint32
	// Peers are in NetBSD's order: the most recently added first.
	Peers []PeerConfig
}

// PeerConfig is one peer of a Config.
type PeerConfig struct {
	// Name is the peer's NetBSD name; a peer added through the
	// userspace API gets one made from its public key (PeerName).
	Name         string
	PublicKey    [32]byte
	PresharedKey [32]byte // all zeros: none
	// Endpoint is invalid while the peer's address is unknown.
	Endpoint      netip.AddrPort
	LastHandshake time.Time // zero: never
	// Keepalive is the persistent keepalive interval in seconds, 0 for
	// none.
	Keepalive        uint16
	RxBytes, TxBytes uint64
	// AllowedIPs are as configured (host bits kept, as NetBSD reports
	// them), in the order they were given.
	AllowedIPs []AllowedIP
}

// Wipe clears the secrets.
func (c *Config) Wipe() {
	clear(c.PrivateKey[:])
	for i := range c.Peers {
		clear(c.Peers[i].PresharedKey[:])
	}
}

// Config returns a snapshot of the configuration.  The device's lock is
// held while it is copied, so the snapshot is consistent; what the
// caller then does with it (externalize a dictionary, write the text
// protocol to a slow reader) holds nothing.
func (d *Device) Config() *Config {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c := &Config{
		HasPrivateKey: d.hasKey,
		ListenPort:    d.listenPort,
		FwMark:        d.fwmark,
		Peers:         make([]PeerConfig, 0, len(d.peers)),
	}
	if d.hasKey {
		c.PrivateKey = d.privateKey
		c.PublicKey = d.publicKey
	}
	c.BoundPort = d.boundPort()
	// Newest first, as NetBSD lists them.
	for _, p := range slices.Backward(d.peers) {
		c.Peers = append(c.Peers, p.config())
	}
	return c
}

// config copies a peer's configuration; the device's lock is held.
func (p *Peer) config() PeerConfig {
	pc := PeerConfig{
		Name:       p.name,
		PublicKey:  p.publicKey,
		Keepalive:  uint16(p.keepalive.Load()),
		RxBytes:    p.rxBytes.Load(),
		TxBytes:    p.txBytes.Load(),
		AllowedIPs: slices.Clone(p.allowed),
	}
	if psk, ok := p.presharedKey(); ok {
		pc.PresharedKey = psk
		clear(psk[:])
	}
	pc.Endpoint, _ = p.Endpoint()
	pc.LastHandshake, _ = p.LastHandshake()
	return pc
}

// boundPort is the port the sockets are bound to, 0 when they are not.
func (d *Device) boundPort() uint16 {
	d.net.mu.Lock()
	defer d.net.mu.Unlock()
	if !d.net.open {
		return 0
	}
	return d.net.port
}
