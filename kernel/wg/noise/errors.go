package noise

import "errors"

// Errors returned by the handshake and the keypairs. Functions wrap them
// with the step that failed; test with errors.Is. On the wire every failure
// is a silent drop, but the device counts and logs the reason.
var (
	// ErrNoIdentity: the Local has no private key yet.
	ErrNoIdentity = errors.New("noise: no local private key")
	// ErrUnknownPeer: an initiation decrypted to a static key that the
	// device does not know.
	ErrUnknownPeer = errors.New("noise: unknown peer")
	// ErrDecryptFailed: an AEAD did not authenticate (wrong keys, wrong
	// preshared key, altered message).
	ErrDecryptFailed = errors.New("noise: decryption failed")
	// ErrReplayedTimestamp: an initiation's timestamp is not greater than
	// the greatest one accepted from that peer ([W] 5.1).
	ErrReplayedTimestamp = errors.New("noise: initiation timestamp is not newer than the last accepted")
	// ErrFlood: an initiation arrived less than HandshakeInitiationRate
	// after the last one accepted from that peer.
	ErrFlood = errors.New("noise: initiations from peer too frequent")
	// ErrInvalidState: the handshake is not in the state the operation
	// needs, or it changed while the operation was computing.
	ErrInvalidState = errors.New("noise: invalid handshake state")
	// ErrIndexMismatch: a response names a receiver index that is not the
	// index of our outstanding initiation.
	ErrIndexMismatch = errors.New("noise: response for another handshake")
	// ErrLowOrderPoint: a Diffie-Hellman result was all zeros, which a
	// low-order public key forces whatever our private key.
	ErrLowOrderPoint = errors.New("noise: low-order public key")
	// ErrReplayedCounter: a transport counter was already received or is
	// below the replay window.
	ErrReplayedCounter = errors.New("noise: replayed or too old counter")
	// ErrRejectAfterMessages: the keypair has used up its counters
	// ([W] 6.1).
	ErrRejectAfterMessages = errors.New("noise: keypair counter exhausted")
	// ErrKeypairExpired: the keypair has been dropped or expired and may
	// not be used any more.
	ErrKeypairExpired = errors.New("noise: keypair expired")
)
