package wg

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"nbwg/kernel/sys"
)

// AllowedIP is one allowed-IPs entry as configured: NetBSD reports the
// address exactly as it was given (host bits included), with its prefix
// length; the table itself holds the masked prefix.
type AllowedIP struct {
	Addr netip.Addr
	CIDR int
}

// Prefix returns the masked prefix the routing table holds.
func (a AllowedIP) Prefix() netip.Prefix {
	p, _ := a.Addr.Prefix(a.CIDR)
	return p
}

// Family returns the entry's NetBSD address family.
func (a AllowedIP) Family() int {
	if a.Addr.Is4() {
		return sys.AF_INET
	}
	return sys.AF_INET6
}

// Peer is one configured peer (NetBSD's wg_peer).
type Peer struct {
	dev       *Device
	name      string // may be empty: NetBSD allows unnamed peers
	publicKey [32]byte
	psk       [32]byte // all zero when none
	allowed   []AllowedIP

	endpointMu sync.Mutex
	endpoint   netip.AddrPort // invalid until configured or learnt

	// lastHandshake is the wall-clock time (UnixNano) a session last
	// became established, or 0: what wgconfig shows as latest-handshake.
	lastHandshake atomic.Int64
}

// Name returns the peer's name.
func (p *Peer) Name() string { return p.name }

// Endpoint returns the peer's current endpoint, if known.
func (p *Peer) Endpoint() (netip.AddrPort, bool) {
	p.endpointMu.Lock()
	defer p.endpointMu.Unlock()
	return p.endpoint, p.endpoint.IsValid()
}

// SetEndpoint records where the peer is now (configuration or roaming).
func (p *Peer) SetEndpoint(ep netip.AddrPort) {
	p.endpointMu.Lock()
	p.endpoint = ep
	p.endpointMu.Unlock()
}

// LastHandshake returns when a session with the peer was last established.
func (p *Peer) LastHandshake() (time.Time, bool) {
	ns := p.lastHandshake.Load()
	if ns == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// hasPSK reports whether a preshared key is configured.
func (p *Peer) hasPSK() bool { return p.psk != [32]byte{} }
