package noise

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/blake2s"

	"nbwg/kernel/wg/tai64n"
)

// A Remote is one peer as the noise protocol sees it: its static public
// key, the preshared key, the handshake in progress, the replay and flood
// state for its initiations, and its three keypair slots.
//
// All methods are safe for concurrent use. Locks, in the order they may be
// taken: Local.mu, then Remote.hsMu, then Remote.kpMu. No lock is held
// while an Upcall runs.
type Remote struct {
	local  *Local
	static PublicKey // the peer's static public key; never changes

	hsMu sync.RWMutex // the handshake lock; guards the fields below
	hs   handshake
	// hsEpoch increases on every change of hs. An operation that copied
	// hs, computed without the lock and wants to store its result checks
	// that hsEpoch has not moved: "copy, compute, then commit".
	hsEpoch uint64
	psk     PresharedKey
	// ss caches DH(Spriv_local, Spub_remote) ([W] 5.4.2 "ss") for the
	// local identity of generation ssGen (0: not computed); ssLowOrder
	// records that the peer's key is a low-order point.
	ss         [KeySize]byte
	ssGen      uint64
	ssLowOrder bool
	// lastTimestamp is the greatest initiation timestamp accepted from
	// the peer ([W] 5.1), lastInitiation when that initiation was
	// consumed (flood protection). Neither is reset by Clear: replay
	// protection must outlive sessions.
	lastTimestamp  tai64n.Timestamp
	lastInitiation time.Time

	// The keypair slots of [W] 5.4.6 / Linux's noise_keypairs. They are
	// atomic so that the data path reads them without a lock; they are
	// written only with kpMu held.
	kpMu     sync.Mutex
	next     atomic.Pointer[Keypair] // responder's keypair awaiting its first transport message
	current  atomic.Pointer[Keypair] // the keypair to send with
	previous atomic.Pointer[Keypair] // the last current, kept for late packets
}

// handshake is the state of one handshake in progress, named as in the
// paper: Ci is ck, Hi is hash.
type handshake struct {
	state HandshakeState
	// gen is the Local identity generation the handshake was begun under;
	// it may only finish under the same one.
	gen         uint64
	localIndex  uint32 // valid when state.ownsIndex()
	remoteIndex uint32 // the peer's Sender, once known
	e           PrivateKey
	remoteE     PublicKey
	hash        [blake2s.Size]byte
	ck          [blake2s.Size]byte
}

// newHandshake begins the transcript as both sides do ([W] 5.4.2):
// C := C0 and H := HASH(H0 ‖ Sr_pub), with responder the responder's
// static public key; gen is the identity generation the handshake is
// begun under.
func newHandshake(gen uint64, responder *PublicKey) handshake {
	h := handshake{gen: gen, ck: initialChainKey, hash: initialHash}
	mixHash(&h.hash, responder[:])
	return h
}

// mixEphemeral runs the e step on an ephemeral public key, sent or
// received ([W] 5.4.2, 5.4.3): C := KDF1(C, E_pub); H := HASH(H ‖ E_pub).
func (h *handshake) mixEphemeral(pub *PublicKey) {
	kdf1(&h.ck, h.ck[:], pub[:])
	mixHash(&h.hash, pub[:])
}

// clear zeroes every secret and returns the handshake to HandshakeZeroed.
func (h *handshake) clear() {
	clear(h.e[:])
	clear(h.remoteE[:])
	clear(h.hash[:])
	clear(h.ck[:])
	*h = handshake{}
}

// NewRemote returns the Remote for the peer with static key pub and
// preshared key psk (zero for none). A low-order pub is accepted here, as
// NetBSD's wgconfig accepts it; every handshake with it fails with
// ErrLowOrderPoint.
func (l *Local) NewRemote(pub PublicKey, psk PresharedKey) *Remote {
	return &Remote{local: l, static: pub, psk: psk}
}

// PublicKey returns the peer's static public key.
func (r *Remote) PublicKey() PublicKey { return r.static }

// SetPresharedKey replaces the preshared key; zero means none. The psk
// step runs in CreateResponse and ConsumeResponse, which read the key when
// they run, so a handshake in progress that has not reached it uses the
// new key.
func (r *Remote) SetPresharedKey(psk PresharedKey) {
	r.hsMu.Lock()
	defer r.hsMu.Unlock()
	r.psk = psk
}

// PresharedKey returns the preshared key (zero for none).
func (r *Remote) PresharedKey() PresharedKey {
	r.hsMu.RLock()
	defer r.hsMu.RUnlock()
	return r.psk
}

// HandshakeState returns the state of the handshake in progress.
func (r *Remote) HandshakeState() HandshakeState {
	r.hsMu.RLock()
	defer r.hsMu.RUnlock()
	return r.hs.state
}

// staticStaticLocked returns DH(Spriv, Spub_remote) for identity id,
// computing it when id is newer than the cached value. r.hsMu must be held
// for writing.
func (r *Remote) staticStaticLocked(id *identity) ([KeySize]byte, error) {
	if r.ssGen != id.gen {
		ss, err := dh(&id.private, &r.static)
		r.ss, r.ssGen, r.ssLowOrder = ss, id.gen, err != nil
	}
	if r.ssLowOrder {
		return [KeySize]byte{}, ErrLowOrderPoint
	}
	return r.ss, nil
}

// replaceHandshakeLocked installs h as the handshake in progress and
// returns the local index of the handshake it replaces, if that one owned
// an index, for the caller to drop once r.hsMu is released.
func (r *Remote) replaceHandshakeLocked(h *handshake) (dropIndex uint32, drop bool) {
	if r.hs.state.ownsIndex() {
		dropIndex, drop = r.hs.localIndex, true
	}
	r.hs.clear()
	r.hs = *h
	r.hsEpoch++
	return dropIndex, drop
}
