package noise

import (
	"crypto/cipher"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"nbwg/kernel/wg/replay"
)

// A Keypair is the pair of transport keys that one handshake produced
// ([W] 5.4.5), with the counters that go with them.
//
// Concurrency: Encrypt and Decrypt may run on many goroutines at once on
// the same Keypair (the device encrypts and decrypts in parallel, one
// worker per core). NextCounter hands out send counters with an atomic
// add. ValidateCounter, which must follow a successful Decrypt, takes a
// small mutex of its own around the replay filter.
//
// Secrets: the transport keys exist only inside the two cached AEAD
// instances; the copies used to create them are wiped at once. Go gives no
// way to wipe the key schedule inside a cipher.AEAD (wireguard-go notes the
// same limitation in device/keypair.go), so a dropped Keypair's keys live
// until the garbage collector reuses the memory; the AEADs are never
// shared and never reachable from anything but the Keypair.
type Keypair struct {
	// sendCounter is the next counter to send with.
	sendCounter atomic.Uint64
	// dropped is set once the Keypair has left its Remote's slots; it then
	// neither sends nor receives.
	dropped atomic.Bool

	send cipher.AEAD // keyed with T_send; immutable
	recv cipher.AEAD // keyed with T_recv; immutable

	replayMu sync.Mutex // guards replay
	replay   replay.Filter

	remote      *Remote
	created     time.Time
	localIndex  uint32
	remoteIndex uint32
	initiator   bool
}

// newKeypair builds a Keypair from the two transport keys and wipes them.
func newKeypair(r *Remote, sendKey, recvKey *[KeySize]byte, h *handshake, initiator bool, now time.Time) *Keypair {
	kp := &Keypair{
		send:        newAEAD(sendKey),
		recv:        newAEAD(recvKey),
		remote:      r,
		created:     now,
		localIndex:  h.localIndex,
		remoteIndex: h.remoteIndex,
		initiator:   initiator,
	}
	clear(sendKey[:])
	clear(recvKey[:])
	return kp
}

// Remote returns the peer the Keypair belongs to.
func (kp *Keypair) Remote() *Remote { return kp.remote }

// LocalIndex is the index the peer puts in the Receiver field of transport
// messages it sends us with this Keypair.
func (kp *Keypair) LocalIndex() uint32 { return kp.localIndex }

// RemoteIndex is the index we put in the Receiver field of transport
// messages we send with this Keypair.
func (kp *Keypair) RemoteIndex() uint32 { return kp.remoteIndex }

// Created is when BeginSession made the Keypair. The device measures the
// Keypair's age from it against REKEY-AFTER-TIME and REJECT-AFTER-TIME
// ([W] 6.1, 6.2), which it may tune (NetBSD's net.wg sysctls), so the
// age rules are the device's, not this package's.
func (kp *Keypair) Created() time.Time { return kp.created }

// IsInitiator reports whether we initiated the handshake that made the
// Keypair; only the initiator rekeys on time ([W] 6.2).
func (kp *Keypair) IsInitiator() bool { return kp.initiator }

// NextCounter reserves the counter for the next message sent with the
// Keypair. It fails with ErrRejectAfterMessages when the counters are used
// up ([W] 6.1) and ErrKeypairExpired when the Keypair has been dropped.
// It does not check the keypair's age; see Created.
func (kp *Keypair) NextCounter() (uint64, error) {
	if kp.dropped.Load() {
		return 0, ErrKeypairExpired
	}
	c := kp.sendCounter.Add(1) - 1
	if c >= RejectAfterMessages {
		// Pin the counter so that further calls cannot wrap it around to
		// zero and reuse a nonce.
		kp.sendCounter.Store(RejectAfterMessages)
		return 0, ErrRejectAfterMessages
	}
	return c, nil
}

// Encrypt appends the encryption of plaintext under counter to dst and
// returns the result: ChaCha20-Poly1305 with T_send, the nonce 0^32 ‖
// LE64(counter), and no associated data ([W] 5.4.6). The output is
// len(plaintext)+16 bytes; the caller pads plaintext first
// (wire.PaddedSize).
//
// To encrypt in place, put the plaintext right after the 16-byte header
// in the packet buffer and call Encrypt(buf[:16], buf[16:16+n], c): the
// ciphertext then overwrites the plaintext, as cipher.AEAD allows. With
// enough capacity in dst, Encrypt does not allocate.
func (kp *Keypair) Encrypt(dst, plaintext []byte, counter uint64) []byte {
	n := getNonce(counter)
	out := kp.send.Seal(dst, n[:], plaintext, nil)
	nonces.Put(n)
	return out
}

// Decrypt authenticates and decrypts ciphertext (with its tag) sent under
// counter, appends the plaintext to dst and returns the result. Pass
// ciphertext[:0] as dst to decrypt in place. It fails with
// ErrDecryptFailed, ErrRejectAfterMessages (a counter no sender may use)
// or ErrKeypairExpired (dropped).
//
// Decrypt does not consult the replay filter: the device calls
// ValidateCounter afterwards, once the counter is known to be genuine.
func (kp *Keypair) Decrypt(dst, ciphertext []byte, counter uint64) ([]byte, error) {
	if kp.dropped.Load() {
		return nil, ErrKeypairExpired
	}
	if counter >= RejectAfterMessages {
		return nil, ErrRejectAfterMessages
	}
	n := getNonce(counter)
	out, err := kp.recv.Open(dst, n[:], ciphertext, nil)
	nonces.Put(n)
	if err != nil {
		return nil, ErrDecryptFailed
	}
	return out, nil
}

// ValidateCounter records counter, from a message that Decrypt has just
// authenticated, in the replay window, and fails with ErrReplayedCounter
// when it was seen before or is too old to tell (kernel/wg/replay), or
// ErrRejectAfterMessages.
func (kp *Keypair) ValidateCounter(counter uint64) error {
	if counter >= RejectAfterMessages {
		return ErrRejectAfterMessages
	}
	kp.replayMu.Lock()
	ok := kp.replay.ValidateCounter(counter, RejectAfterMessages)
	kp.replayMu.Unlock()
	if !ok {
		return ErrReplayedCounter
	}
	return nil
}

// drop retires the Keypair; its index is dropped by the caller.
func (kp *Keypair) drop() { kp.dropped.Store(true) }

// nonces holds scratch nonces. A nonce passed to a cipher.AEAD method
// escapes (the compiler cannot see through the interface), so a nonce on
// the stack would cost an allocation per packet; a pooled one costs none
// and is per-P, so parallel workers do not contend.
var nonces = sync.Pool{New: func() any { return new([chacha20poly1305.NonceSize]byte) }}

func getNonce(counter uint64) *[chacha20poly1305.NonceSize]byte {
	n := nonces.Get().(*[chacha20poly1305.NonceSize]byte)
	// The first four bytes are always zero: they are never written.
	binary.LittleEndian.PutUint64(n[4:], counter)
	return n
}
