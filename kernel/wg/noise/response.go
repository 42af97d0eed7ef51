package noise

import (
	"fmt"
	"io"

	"golang.org/x/crypto/blake2s"

	"nbwg/kernel/wg/wire"
)

// CreateResponse answers the initiation consumed by Local.ConsumeInitiation
// and fills msg with the second message ([W] 5.4.3):
//
//	<- e, ee, se, psk, {}
//
// The ephemeral key is read from rand and a new local index is taken from
// Upcall.NewIndex. MAC1 and MAC2 are left zero for the caller's
// cookie.Generator. On success the handshake is in
// HandshakeResponseCreated; call BeginSession to derive the keypair.
//
// Errors: ErrInvalidState (no consumed initiation, or a newer one replaced
// it while this one was computed), ErrLowOrderPoint, and errors from rand
// or NewIndex.
func (r *Remote) CreateResponse(msg *wire.MessageResponse, rand io.Reader) error {
	r.hsMu.RLock()
	if r.hs.state != HandshakeInitiationConsumed {
		state := r.hs.state
		r.hsMu.RUnlock()
		return fmt.Errorf("create response: %w: %v", ErrInvalidState, state)
	}
	hs, epoch, psk := r.hs, r.hsEpoch, r.psk
	r.hsMu.RUnlock()
	defer hs.clear()
	defer clear(psk[:])
	if hs.gen != r.local.gen.Load() {
		return fmt.Errorf("create response: %w: local private key changed", ErrInvalidState)
	}

	var err error
	// e
	if hs.e, err = NewPrivateKey(rand); err != nil {
		return fmt.Errorf("create response: ephemeral: %w", err)
	}
	ephemeral := hs.e.PublicKey()
	hs.mixEphemeral(&ephemeral)

	// ee: Cr := KDF1(Cr, DH(Er_priv, Ei_pub))
	if err := mixDH(&hs.ck, &hs.e, &hs.remoteE); err != nil {
		return fmt.Errorf("create response: ee: %w", err)
	}
	// se: Cr := KDF1(Cr, DH(Er_priv, Si_pub))
	if err := mixDH(&hs.ck, &hs.e, &r.static); err != nil {
		return fmt.Errorf("create response: se: %w", err)
	}
	// The responder's ephemeral key has done its work.
	clear(hs.e[:])

	// psk: Cr, τ, k := KDF3(Cr, Q); Hr := HASH(Hr ‖ τ)
	key := mixPSK(&hs, &psk)
	defer clear(key[:])
	// {}: empty := AEAD(k, 0, ε, Hr)
	seal(msg.Empty[:0], &key, nil, hs.hash[:])
	mixHash(&hs.hash, msg.Empty[:])

	idx, err := r.local.upcall.NewIndex(r)
	if err != nil {
		return fmt.Errorf("create response: new index: %w", err)
	}
	hs.state = HandshakeResponseCreated
	hs.localIndex = idx

	r.hsMu.Lock()
	if r.hsEpoch != epoch {
		r.hsMu.Unlock()
		r.local.upcall.DropIndex(idx)
		return fmt.Errorf("create response: %w: handshake changed meanwhile", ErrInvalidState)
	}
	r.replaceHandshakeLocked(&hs) // an InitiationConsumed handshake owns no index
	r.hsMu.Unlock()

	msg.Type = wire.TypeResponse
	msg.Sender = idx
	msg.Receiver = hs.remoteIndex
	msg.Ephemeral = ephemeral
	msg.MAC1 = [wire.MACSize]byte{}
	msg.MAC2 = [wire.MACSize]byte{}
	return nil
}

// ConsumeResponse processes the peer's response to our initiation
// ([W] 5.4.3). The device finds r from msg.Receiver through its index
// table; the caller has already checked the MACs. On success the
// handshake is in HandshakeResponseConsumed; call BeginSession to derive
// the keypair.
//
// Errors: ErrInvalidState (no initiation outstanding, or the handshake
// changed meanwhile), ErrIndexMismatch (msg.Receiver is not the index of
// the outstanding initiation), ErrLowOrderPoint, ErrDecryptFailed (wrong
// keys or preshared key), ErrNoIdentity.
func (r *Remote) ConsumeResponse(msg *wire.MessageResponse) error {
	if msg.Type != wire.TypeResponse {
		return fmt.Errorf("consume response: %w", wire.ErrMessageType)
	}
	id, err := r.local.identity()
	if err != nil {
		return fmt.Errorf("consume response: %w", err)
	}
	defer id.clear()

	r.hsMu.RLock()
	if r.hs.state != HandshakeInitiationCreated {
		state := r.hs.state
		r.hsMu.RUnlock()
		return fmt.Errorf("consume response: %w: %v", ErrInvalidState, state)
	}
	if r.hs.localIndex != msg.Receiver {
		r.hsMu.RUnlock()
		return fmt.Errorf("consume response: %w: receiver %#x", ErrIndexMismatch, msg.Receiver)
	}
	hs, epoch, psk := r.hs, r.hsEpoch, r.psk
	r.hsMu.RUnlock()
	defer hs.clear()
	defer clear(psk[:])
	if hs.gen != id.gen {
		return fmt.Errorf("consume response: %w: local private key changed", ErrInvalidState)
	}

	// e
	remoteE := PublicKey(msg.Ephemeral)
	hs.mixEphemeral(&remoteE)

	// ee: Ci := KDF1(Ci, DH(Ei_priv, Er_pub))
	if err := mixDH(&hs.ck, &hs.e, &remoteE); err != nil {
		return fmt.Errorf("consume response: ee: %w", err)
	}
	// se: Ci := KDF1(Ci, DH(Si_priv, Er_pub))
	if err := mixDH(&hs.ck, &id.private, &remoteE); err != nil {
		return fmt.Errorf("consume response: se: %w", err)
	}

	// psk: Ci, τ, k := KDF3(Ci, Q); Hi := HASH(Hi ‖ τ)
	key := mixPSK(&hs, &psk)
	defer clear(key[:])
	// {}: the empty plaintext authenticates the whole transcript.
	if err := open(nil, &key, msg.Empty[:], hs.hash[:]); err != nil {
		return fmt.Errorf("consume response: empty: %w", err)
	}
	mixHash(&hs.hash, msg.Empty[:])

	clear(hs.e[:]) // the initiator's ephemeral key has done its work
	hs.state = HandshakeResponseConsumed
	hs.remoteIndex = msg.Sender

	r.hsMu.Lock()
	if r.hsEpoch != epoch || !r.local.current(&id) {
		r.hsMu.Unlock()
		return fmt.Errorf("consume response: %w: handshake changed meanwhile", ErrInvalidState)
	}
	// The index stays with the handshake (and then the keypair): no drop.
	r.replaceHandshakeLocked(&hs)
	r.hsMu.Unlock()
	return nil
}

// mixDH sets ck = KDF1(ck, DH(priv, pub)).
func mixDH(ck *[blake2s.Size]byte, priv *PrivateKey, pub *PublicKey) error {
	s, err := dh(priv, pub)
	if err != nil {
		return err
	}
	kdf1(ck, ck[:], s[:])
	clear(s[:])
	return nil
}

// mixPSK runs the psk step: C, τ, k := KDF3(C, Q); H := HASH(H ‖ τ). It
// returns k, which the caller uses for {} and then wipes.
func mixPSK(hs *handshake, psk *PresharedKey) [KeySize]byte {
	var tau, key [blake2s.Size]byte
	kdf3(&hs.ck, &tau, &key, hs.ck[:], psk[:])
	mixHash(&hs.hash, tau[:])
	clear(tau[:])
	return key
}
