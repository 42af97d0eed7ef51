package noise

import (
	"fmt"
	"time"
)

// BeginSession derives the transport keypair from a finished handshake
// ([W] 5.4.5) and files it in the Remote's slots ([W] 5.4.6, as the Linux
// driver's add_new_keypair):
//
//   - As initiator (HandshakeResponseConsumed): T_send, T_recv :=
//     KDF2(C, ε). The new keypair becomes current at once, since the
//     initiator knows the responder has it. The old current becomes
//     previous, or, when a responder keypair was waiting in next, that one
//     becomes previous and the old current is dropped.
//   - As responder (HandshakeResponseCreated): T_recv, T_send :=
//     KDF2(C, ε). The new keypair goes to next, replacing any keypair
//     there, and previous is dropped: the responder must not send with it
//     until the initiator has shown, with a first transport message, that
//     it has the keys too (see ReceivedWith).
//
// The handshake returns to HandshakeZeroed and its secrets are wiped; its
// local index now belongs to the keypair. Keypairs pushed out of the slots
// are retired and their indices dropped. now becomes Keypair.Created.
// The only error is ErrInvalidState: no finished handshake, or one begun
// under a private key that has since been replaced.
func (r *Remote) BeginSession(now time.Time) (*Keypair, error) {
	var dropped [3]*Keypair

	r.hsMu.Lock()
	if r.hs.gen != r.local.gen.Load() && r.hs.state != HandshakeZeroed {
		r.hsMu.Unlock()
		return nil, fmt.Errorf("begin session: %w: local private key changed", ErrInvalidState)
	}
	var sendKey, recvKey [KeySize]byte
	var initiator bool
	switch r.hs.state {
	case HandshakeResponseConsumed:
		kdf2(&sendKey, &recvKey, r.hs.ck[:], nil)
		initiator = true
	case HandshakeResponseCreated:
		kdf2(&recvKey, &sendKey, r.hs.ck[:], nil)
	case HandshakeZeroed, HandshakeInitiationCreated, HandshakeInitiationConsumed:
		state := r.hs.state
		r.hsMu.Unlock()
		return nil, fmt.Errorf("begin session: %w: %v", ErrInvalidState, state)
	default:
		panic(fmt.Sprintf("noise: impossible handshake state %d", uint8(r.hs.state)))
	}
	kp := newKeypair(r, &sendKey, &recvKey, &r.hs, initiator, now)
	r.hs.clear() // the index moves to kp: not dropped
	r.hsEpoch++

	// Rotate while still holding hsMu (lock order hsMu → kpMu), so that
	// two sessions finishing back to back are filed in the order they
	// were made.
	r.kpMu.Lock()
	next, current, previous := r.next.Load(), r.current.Load(), r.previous.Load()
	if initiator {
		if next != nil {
			r.next.Store(nil)
			r.previous.Store(next)
			dropped[0] = current
		} else {
			r.previous.Store(current)
		}
		dropped[1] = previous
		r.current.Store(kp)
	} else {
		r.next.Store(kp)
		dropped[0] = next
		r.previous.Store(nil)
		dropped[1] = previous
	}
	r.kpMu.Unlock()
	r.hsMu.Unlock()

	r.dropKeypairs(dropped[:])
	return kp, nil
}

// ReceivedWith is called after a transport message has been decrypted and
// its counter validated with kp. When kp is the responder's keypair
// waiting in next, this is the initiator's confirmation: kp becomes
// current, the old current becomes previous, and the old previous is
// dropped. It reports whether that happened, which for the responder is
// the moment the handshake completes (NetBSD sets the peer's
// last-handshake time then). The common case, kp not in next, costs one
// atomic load.
func (r *Remote) ReceivedWith(kp *Keypair) bool {
	if kp == nil || r.next.Load() != kp {
		return false
	}
	r.kpMu.Lock()
	if r.next.Load() != kp {
		r.kpMu.Unlock()
		return false
	}
	old := r.previous.Load()
	r.previous.Store(r.current.Load())
	r.current.Store(kp)
	r.next.Store(nil)
	r.kpMu.Unlock()
	r.dropKeypairs([]*Keypair{old})
	return true
}

// Current returns the keypair to send with, or nil. The caller still
// checks its age and counter against the rekey and reject limits
// ([W] 6.1, 6.2).
func (r *Remote) Current() *Keypair { return r.current.Load() }

// Keypairs returns the three slots, for inspection and tests.
func (r *Remote) Keypairs() (next, current, previous *Keypair) {
	return r.next.Load(), r.current.Load(), r.previous.Load()
}

// Keypair returns the keypair in any slot whose local index is index, or
// nil: how the receive path finds the keys for a transport message's
// Receiver field when its index table maps indices to Remotes (as
// OpenBSD's noise_remote_decrypt does).
func (r *Remote) Keypair(index uint32) *Keypair {
	for _, p := range [...]*Keypair{r.current.Load(), r.next.Load(), r.previous.Load()} {
		if p != nil && p.localIndex == index {
			return p
		}
	}
	return nil
}

// ExpireKeypairs makes the current and next keypairs unusable for
// sending (NextCounter fails with ErrRejectAfterMessages), so the next
// packet triggers a new handshake; they can still receive. The device uses
// it when the local private key changes, as wireguard-go's
// ExpireCurrentKeypairs.
func (r *Remote) ExpireKeypairs() {
	r.kpMu.Lock()
	defer r.kpMu.Unlock()
	for _, p := range [...]*Keypair{r.current.Load(), r.next.Load()} {
		if p != nil {
			p.sendCounter.Store(RejectAfterMessages)
		}
	}
}

// Clear abandons the handshake in progress and drops every keypair,
// dropping their indices: for a peer being removed, or when the device
// goes down. The replay and flood state of initiations is kept, so an old
// initiation cannot be replayed after a Clear.
func (r *Remote) Clear() {
	r.hsMu.Lock()
	dropIdx, drop := r.replaceHandshakeLocked(&handshake{})
	r.kpMu.Lock()
	kps := [...]*Keypair{r.next.Swap(nil), r.current.Swap(nil), r.previous.Swap(nil)}
	r.kpMu.Unlock()
	r.hsMu.Unlock()

	if drop {
		r.local.upcall.DropIndex(dropIdx)
	}
	r.dropKeypairs(kps[:])
}

// dropKeypairs retires the non-nil keypairs and drops their indices. It is
// called with no lock held.
func (r *Remote) dropKeypairs(kps []*Keypair) {
	for _, kp := range kps {
		if kp != nil {
			kp.drop()
			r.local.upcall.DropIndex(kp.localIndex)
		}
	}
}
