package wg

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"nbwg/kernel/sys"
	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/noise"
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

// maxStaged bounds the packets a peer holds while its handshake is under
// way ([W] 6.3: "queue a packet"); NetBSD keeps one, wireguard-go 128.
const maxStaged = 128

// Peer is one configured peer (NetBSD's wg_peer).
type Peer struct {
	dev       *Device
	name      string // may be empty: NetBSD allows unnamed peers
	publicKey [32]byte
	allowed   []AllowedIP

	remote  *noise.Remote
	cookies cookie.Generator
	timers  peerTimers

	endpointMu sync.Mutex
	endpoint   netip.AddrPort // invalid until configured or learnt

	// lastHandshake is the wall-clock time (UnixNano) a session last
	// became established, or 0: what wgconfig shows as latest-handshake.
	lastHandshake atomic.Int64

	// keepalive is the persistent keepalive interval in seconds, 0 for
	// none ([W] 6.5, an nbwg extension to NetBSD's if_wg).
	keepalive atomic.Uint32
	// rxBytes and txBytes count the datagrams' bytes received from and
	// sent to the peer, handshakes included, as wireguard's rx_bytes and
	// tx_bytes.
	rxBytes, txBytes atomic.Uint64
	// endpointHost is the name the endpoint was configured as
	// ("host:port"), or "", and lastResolve when it was last looked up
	// again (resolve.go); guarded by endpointMu.
	endpointHost string
	lastResolve  time.Time

	// hsMu guards the initiation bookkeeping.
	hsMu sync.Mutex
	// lastInitiation is when we last sent an initiation (device clock);
	// attemptStart when the current series of attempts began.
	lastInitiation time.Time
	attemptStart   time.Time
	// lastMinuteRekey notes that the last-minute rekey of [W] 6.2 was
	// asked for already for the current keypair.
	lastMinuteRekey atomic.Pointer[noise.Keypair]

	// sendMu serializes the send path's counter assignment and queueing
	// so packets leave in the order they got their counters.
	sendMu sync.Mutex
	staged []*packet
	// The batches in flight each way (queue.go): they allocate nothing
	// until the peer has traffic.
	out batchQueue[*outBatch]
	in  batchQueue[*inBatch]

	running atomic.Bool
}

// newPeer makes a peer from its configuration; start runs it.
func (d *Device) newPeer(name string, pub, psk [32]byte) *Peer {
	p := &Peer{
		dev:       d,
		name:      name,
		publicKey: pub,
		remote:    d.local.NewRemote(pub, psk),
	}
	p.cookies.Init(pub)
	p.timers.init(p)
	return p
}

// start lets the peer send and receive.
func (p *Peer) start() { p.running.Store(true) }

// stop halts the peer for good and wipes its keys.  The running flag
// goes first: from then on no timer is armed (peerTimer.mod), and once
// stopAll returns no timer function runs.  The batches the peer has in
// flight are dropped: those ready now here, the others by whoever
// finishes their crypto (transmit and deliver drop a stopped peer's).
func (p *Peer) stop() {
	if !p.running.Swap(false) {
		return
	}
	p.timers.stopAll()
	p.out.flush(p.transmit)
	p.in.flush(p.deliver)
	p.remote.Clear()
	p.dropStaged()
	// The preshared key lives in the noise state only.
	p.remote.SetPresharedKey(noise.PresharedKey{})
}

// displayName names the peer in log messages: its name, or its public
// key when it has none (public keys are not secret).
func (p *Peer) displayName() string {
	if p.name != "" {
		return p.name
	}
	return noise.PublicKey(p.publicKey).String()
}

// Endpoint returns the peer's current endpoint, if known.
func (p *Peer) Endpoint() (netip.AddrPort, bool) {
	p.endpointMu.Lock()
	defer p.endpointMu.Unlock()
	return p.endpoint, p.endpoint.IsValid()
}

// SetEndpoint records where the peer is now: configuration (kept as
// given, IPv4-mapped or scoped as it may be, as NetBSD keeps the
// sockaddr), or roaming ([W] 2.1: the endpoint follows the source of
// authenticated packets).
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

// presharedKey returns the configured preshared key and whether there
// is one (an all-zero key is none).
func (p *Peer) presharedKey() (noise.PresharedKey, bool) {
	k := p.remote.PresharedKey()
	return k, !k.IsZero()
}
