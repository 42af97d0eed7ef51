package noise

import (
	"fmt"
	"io"
	"time"

	"nbwg/kernel/wg/tai64n"
	"nbwg/kernel/wg/wire"
)

// CreateInitiation starts a handshake with the peer and fills msg with the
// first message ([W] 5.4.2):
//
//	-> e, es, s, ss, {t}
//
// The ephemeral key is read from rand and the timestamp is now, whitened
// (kernel/wg/tai64n). MAC1 and MAC2 are left zero for the caller's
// cookie.Generator, which computes them over the marshaled message. A new
// local index is taken from Upcall.NewIndex; the handshake it replaces, if
// any, is abandoned and its index dropped.
//
// Errors: ErrNoIdentity, ErrLowOrderPoint (the peer's static key is a
// low-order point), ErrInvalidState (the private key changed meanwhile),
// and errors from rand or NewIndex.
func (r *Remote) CreateInitiation(msg *wire.MessageInitiation, now time.Time, rand io.Reader) error {
	id, err := r.local.identity()
	if err != nil {
		return fmt.Errorf("create initiation: %w", err)
	}
	defer id.clear()

	r.hsMu.Lock()
	ss, err := r.staticStaticLocked(&id)
	r.hsMu.Unlock()
	defer clear(ss[:])
	if err != nil {
		return fmt.Errorf("create initiation: ss: %w", err)
	}

	hs := newHandshake(id.gen, &r.static)
	defer hs.clear()
	var key [KeySize]byte
	defer clear(key[:])

	// e
	if hs.e, err = NewPrivateKey(rand); err != nil {
		return fmt.Errorf("create initiation: ephemeral: %w", err)
	}
	ephemeral := hs.e.PublicKey()
	hs.mixEphemeral(&ephemeral)

	// es: Ci, k := KDF2(Ci, DH(Ei_priv, Sr_pub))
	es, err := dh(&hs.e, &r.static)
	if err != nil {
		return fmt.Errorf("create initiation: es: %w", err)
	}
	kdf2(&hs.ck, &key, hs.ck[:], es[:])
	clear(es[:])

	// s: static := AEAD(k, 0, Si_pub, Hi)
	seal(msg.Static[:0], &key, id.public[:], hs.hash[:])
	mixHash(&hs.hash, msg.Static[:])

	// ss: Ci, k := KDF2(Ci, DH(Si_priv, Sr_pub)), precomputed
	kdf2(&hs.ck, &key, hs.ck[:], ss[:])

	// {t}: timestamp := AEAD(k, 0, TAI64N(), Hi)
	ts := tai64n.Stamp(now)
	seal(msg.Timestamp[:0], &key, ts[:], hs.hash[:])
	mixHash(&hs.hash, msg.Timestamp[:])

	idx, err := r.local.upcall.NewIndex(r)
	if err != nil {
		return fmt.Errorf("create initiation: new index: %w", err)
	}
	hs.state = HandshakeInitiationCreated
	hs.localIndex = idx

	r.hsMu.Lock()
	if !r.local.current(&id) {
		r.hsMu.Unlock()
		r.local.upcall.DropIndex(idx)
		return fmt.Errorf("create initiation: %w: local private key changed", ErrInvalidState)
	}
	old, dropOld := r.replaceHandshakeLocked(&hs)
	r.hsMu.Unlock()
	if dropOld {
		r.local.upcall.DropIndex(old)
	}

	msg.Type = wire.TypeInitiation
	msg.Sender = idx
	msg.Ephemeral = ephemeral
	msg.MAC1 = [wire.MACSize]byte{}
	msg.MAC2 = [wire.MACSize]byte{}
	return nil
}

// ConsumeInitiation processes a handshake initiation addressed to us
// ([W] 5.4.2) and returns the peer that sent it, whose handshake is then
// in HandshakeInitiationConsumed and ready for CreateResponse. The caller
// has already checked the MACs (kernel/wg/cookie).
//
// The initiation is refused with ErrReplayedTimestamp unless its timestamp
// is greater than every one accepted before from that peer ([W] 5.1), and
// with ErrFlood when it follows the last accepted one by less than
// HandshakeInitiationRate; now is the time of arrival.
//
// Other errors: ErrNoIdentity, ErrLowOrderPoint, ErrDecryptFailed,
// ErrUnknownPeer, ErrInvalidState (the private key changed meanwhile).
// When the failure comes after the sender was identified (a bad timestamp,
// a replay, a flood), the Remote is returned with the error so that the
// device can attribute the drop; otherwise it is nil.
func (l *Local) ConsumeInitiation(msg *wire.MessageInitiation, now time.Time) (*Remote, error) {
	if msg.Type != wire.TypeInitiation {
		return nil, fmt.Errorf("consume initiation: %w", wire.ErrMessageType)
	}
	id, err := l.identity()
	if err != nil {
		return nil, fmt.Errorf("consume initiation: %w", err)
	}
	defer id.clear()

	hs := newHandshake(id.gen, &id.public)
	defer hs.clear()
	var key [KeySize]byte
	defer clear(key[:])

	// e
	hs.remoteE = msg.Ephemeral
	hs.mixEphemeral(&hs.remoteE)

	// es: Cr, k := KDF2(Cr, DH(Sr_priv, Ei_pub))
	es, err := dh(&id.private, &hs.remoteE)
	if err != nil {
		return nil, fmt.Errorf("consume initiation: es: %w", err)
	}
	kdf2(&hs.ck, &key, hs.ck[:], es[:])
	clear(es[:])

	// s
	var static PublicKey
	if err := open(static[:0], &key, msg.Static[:], hs.hash[:]); err != nil {
		return nil, fmt.Errorf("consume initiation: static: %w", err)
	}
	mixHash(&hs.hash, msg.Static[:])

	r := l.upcall.LookupRemote(static)
	if r == nil || r.local != l {
		return nil, fmt.Errorf("consume initiation: %w %v", ErrUnknownPeer, static)
	}

	// ss: Cr, k := KDF2(Cr, DH(Sr_priv, Si_pub)), precomputed
	r.hsMu.Lock()
	ss, err := r.staticStaticLocked(&id)
	r.hsMu.Unlock()
	defer clear(ss[:])
	if err != nil {
		return r, fmt.Errorf("consume initiation: ss: %w", err)
	}
	kdf2(&hs.ck, &key, hs.ck[:], ss[:])

	// {t}
	var ts tai64n.Timestamp
	if err := open(ts[:0], &key, msg.Timestamp[:], hs.hash[:]); err != nil {
		return r, fmt.Errorf("consume initiation: timestamp: %w", err)
	}
	mixHash(&hs.hash, msg.Timestamp[:])

	hs.state = HandshakeInitiationConsumed
	hs.remoteIndex = msg.Sender

	// Commit. The replay and flood checks run here, under the lock, so
	// that two copies of one initiation consumed in parallel cannot both
	// pass.
	r.hsMu.Lock()
	if err := r.admitInitiationLocked(ts, now); err != nil {
		r.hsMu.Unlock()
		return r, fmt.Errorf("consume initiation: %w", err)
	}
	if !l.current(&id) {
		r.hsMu.Unlock()
		return r, fmt.Errorf("consume initiation: %w: local private key changed", ErrInvalidState)
	}
	r.lastTimestamp = ts
	r.lastInitiation = now
	old, dropOld := r.replaceHandshakeLocked(&hs)
	r.hsMu.Unlock()
	if dropOld {
		l.upcall.DropIndex(old)
	}
	return r, nil
}

// admitInitiationLocked applies the replay and flood rules to an
// authenticated initiation with timestamp ts arriving at now. r.hsMu must
// be held.
func (r *Remote) admitInitiationLocked(ts tai64n.Timestamp, now time.Time) error {
	if !ts.After(r.lastTimestamp) {
		return fmt.Errorf("%w: %v, last %v", ErrReplayedTimestamp, ts, r.lastTimestamp)
	}
	if !r.lastInitiation.IsZero() && now.Sub(r.lastInitiation) < HandshakeInitiationRate {
		return ErrFlood
	}
	return nil
}
