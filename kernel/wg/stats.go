package wg

import "sync/atomic"

// deviceStats counts what the receive path drops on purpose, by reason,
// so that a flood shows in numbers (and tests see positive evidence that
// a packet was received and refused, not lost on the way), and which
// batches went to the crypto workers.  Datagrams that are not WireGuard
// messages at all, or name no session, are not counted here.
type deviceStats struct {
	// Handshake messages (receive.go): a mac1 that is wrong ([W] 5.4.4),
	// a mac2 missing under load that earned a cookie reply ([W] 5.3),
	// refused by the per-source limiter, or dropped because the
	// handshake queue was full.
	invalidMAC1        atomic.Uint64
	cookieRepliesSent  atomic.Uint64
	ratelimited        atomic.Uint64
	handshakeQueueFull atomic.Uint64
	// Handshake messages that passed those checks and that the
	// handshake worker refused: an initiation that does not open
	// (another static key, a replayed timestamp), a response that does
	// not (another preshared key), a cookie reply that does not.
	handshakeRefused atomic.Uint64
	// Transport messages under a keypair older than REJECT_AFTER_TIME
	// ([W] 6.1).
	rejectedExpired atomic.Uint64
	// Batches the crypto workers sealed and opened (the others were
	// done by the goroutine that had them: DefaultCryptoWorkers).
	sealedByWorkers atomic.Uint64
	openedByWorkers atomic.Uint64
}
