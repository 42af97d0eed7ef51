package noise

import (
	"sync"
	"sync/atomic"
)

// Upcall is how the noise code reaches the device, in the manner of
// OpenBSD's struct noise_upcall (sys/net/wg_noise.h): the noise code never
// holds a peer table or an index table of its own.
//
// The noise code calls these methods with none of its locks held, so an
// implementation may take its own locks and may call back into this
// package.
type Upcall interface {
	// LookupRemote returns the peer whose static public key is pub, or nil
	// when there is none. It is called by Local.ConsumeInitiation once
	// the initiator's static key has been decrypted.
	LookupRemote(pub PublicKey) *Remote
	// NewIndex reserves a random 32-bit local index that is not in use and
	// associates it with r, so that responses, cookie replies and
	// transport messages that carry it as their receiver find r again. The
	// index belongs first to a handshake and then, after BeginSession, to
	// the keypair made from it (Keypair.LocalIndex).
	NewIndex(r *Remote) (uint32, error)
	// DropIndex releases an index obtained from NewIndex, when its
	// handshake is abandoned or its keypair is dropped. Each index is
	// dropped exactly once.
	DropIndex(index uint32)
}

// A Local is our side of the protocol: the static key pair and the upcalls
// into the device. One device has one Local; its Remotes are made with
// [Local.NewRemote].
type Local struct {
	upcall Upcall

	// gen counts private-key changes. Remotes cache DH(Spriv, Spub_peer)
	// by generation, and handshake commits check it, so a handshake that
	// raced with SetPrivateKey is refused instead of completed under the
	// old key. Written under mu, readable without it.
	gen atomic.Uint64

	mu         sync.RWMutex // the identity lock; guards the fields below
	hasPrivate bool
	private    PrivateKey
	public     PublicKey
}

// NewLocal returns a Local without a private key that calls u.
func NewLocal(u Upcall) *Local {
	return &Local{upcall: u}
}

// SetPrivateKey sets our static private key and recomputes the public key
// from it. The precomputed static-static DH of every Remote is recomputed
// lazily on its next handshake. Handshakes begun under the old key fail
// with ErrInvalidState at their next step; keypairs already made are not
// touched: clearing them (Remote.Clear) is the device's decision, as in
// OpenBSD's wg_ioctl_set.
func (l *Local) SetPrivateKey(k PrivateKey) PublicKey {
	pub := k.PublicKey()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.private = k
	l.public = pub
	l.hasPrivate = true
	l.gen.Add(1)
	return pub
}

// ClearPrivateKey forgets our static key pair, as WireGuard's set
// operation does when given a private key of zeros: handshakes fail with
// ErrNoIdentity until a key is set again, and those under way fail at
// their next step as after SetPrivateKey.
func (l *Local) ClearPrivateKey() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.private[:])
	l.public = PublicKey{}
	l.hasPrivate = false
	l.gen.Add(1)
}

// PublicKey returns our static public key, and false when no private key
// has been set.
func (l *Local) PublicKey() (PublicKey, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.public, l.hasPrivate
}

// PrivateKey returns our static private key, and false when none has been
// set. The device needs it to answer NetBSD's WG_IOCTL_GET for root.
func (l *Local) PrivateKey() (PrivateKey, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.private, l.hasPrivate
}

// identity is a copy of the static key pair, taken under the identity lock
// so that the crypto can run without it.
type identity struct {
	gen     uint64
	private PrivateKey
	public  PublicKey
}

func (l *Local) identity() (identity, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if !l.hasPrivate {
		return identity{}, ErrNoIdentity
	}
	return identity{gen: l.gen.Load(), private: l.private, public: l.public}, nil
}

func (id *identity) clear() { clear(id.private[:]) }

// current reports whether id is still our identity.
func (l *Local) current(id *identity) bool { return l.gen.Load() == id.gen }
