package noise

import (
	"math"
	"time"
)

// Protocol strings ([W] 5.4). The construction name seeds the chaining key
// and the identifier the hash, so a peer using other strings derives
// other keys and no handshake completes.
const (
	Construction = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
	Identifier   = "WireGuard v1 zx2c4 Jason@zx2c4.com"
)

/* Specification constants ([W] 6.1) */

const (
	// RekeyAfterMessages: after sending this many messages with a
	// keypair, the initiator starts a new handshake.
	RekeyAfterMessages uint64 = 1 << 60
	// RejectAfterMessages: a keypair never sends or accepts a counter at or
	// above this. The paper writes 2^64 − 2^13 − 1; NetBSD's
	// WG_REJECT_AFTER_MESSAGES, UINT64_MAX − (1<<13), is the same number,
	// and so is wireguard-go's. (The Linux driver and OpenBSD subtract
	// their window size instead, 8128, which changes nothing in practice.)
	// The 2^13 leaves room for the replay window above the last counter.
	RejectAfterMessages uint64 = math.MaxUint64 - 1<<13

	RekeyAfterTime   = 120 * time.Second
	RejectAfterTime  = 180 * time.Second
	RekeyAttemptTime = 90 * time.Second
	RekeyTimeout     = 5 * time.Second
	KeepaliveTimeout = 10 * time.Second
)

/* Implementation constants */

const (
	// HandshakeInitiationRate is the shortest interval between two
	// initiations accepted from one peer: 50 per second, the Linux
	// driver's INITIATIONS_PER_SECOND and wireguard-go's
	// HandshakeInitationRate. An attacker who replays a fresh initiation
	// quickly (before the genuine one) cannot make the responder do the
	// handshake work more often than this.
	HandshakeInitiationRate = time.Second / 50
)
