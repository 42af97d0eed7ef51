package cookie

import (
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"net/netip"
	"time"

	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/chacha20poly1305"

	"nbwg/kernel/wg/wire"
)

// Labels that separate the two key derivations from the static key
// ([W] 5.4.4).
const (
	LabelMAC1   = "mac1----"
	LabelCookie = "cookie--"
)

// SecretMaxAge is how long a responder uses one cookie secret before it
// draws a new one, and so how long a cookie stays valid: the paper's
// "Rm changes every 2 minutes" ([W] 5.4.7), Linux's COOKIE_SECRET_MAX_AGE,
// NetBSD's WG_RANDVAL_TIME and wireguard-go's CookieRefreshTime.
const SecretMaxAge = 120 * time.Second

// SecretLatency is subtracted from [SecretMaxAge] on the initiator side: a
// cookie received just before the responder's secret turned over would
// otherwise be used for up to two more minutes against a secret that no
// longer exists. Linux's COOKIE_SECRET_LATENCY.
const SecretLatency = 5 * time.Second

// Errors. A check that fails returns one of these (possibly wrapped), so
// the device can count drops by reason with errors.Is.
var (
	// ErrInvalidMAC1 means mac1 does not match: the sender does not know
	// our public key, or the message was altered.
	ErrInvalidMAC1 = errors.New("cookie: invalid mac1")
	// ErrInvalidMAC2 means mac2 does not match the cookie for the source
	// address under the current secret (which includes "no cookie sent").
	ErrInvalidMAC2 = errors.New("cookie: invalid mac2")
	// ErrSecretExpired means mac2 cannot be checked because no cookie
	// secret younger than SecretMaxAge exists; every cookie is stale.
	ErrSecretExpired = errors.New("cookie: cookie secret expired")
	// ErrUnexpectedReply means a cookie reply arrived although no message
	// with a mac1 is outstanding, or the reply was already consumed.
	ErrUnexpectedReply = errors.New("cookie: unexpected cookie reply")
	// ErrDecryptFailed means a cookie reply did not authenticate: it was
	// not made by the peer for the last message we sent.
	ErrDecryptFailed = errors.New("cookie: cannot decrypt cookie reply")
)

// keys are the two keys derived from one static public key: the Checker's
// from ours, a Generator's from its peer's.
type keys struct {
	mac1   [blake2s.Size]byte // HASH(LABEL_MAC1 ‖ Spub), keys mac1 ([W] 5.4.4)
	cookie [blake2s.Size]byte // HASH(LABEL_COOKIE ‖ Spub), encrypts cookies ([W] 5.4.7)
}

// deriveKeys returns the keys of the static public key pub.
func deriveKeys(pub *[32]byte) keys {
	return keys{mac1: deriveKey(LabelMAC1, pub), cookie: deriveKey(LabelCookie, pub)}
}

// cookieAEAD returns the XChaCha20-Poly1305 instance under k.cookie that
// seals and opens cookie replies.
func (k *keys) cookieAEAD() cipher.AEAD {
	aead, err := chacha20poly1305.NewX(k.cookie[:])
	if err != nil {
		panic("cookie: xchacha20poly1305 key: " + err.Error()) // fixed 32-byte key
	}
	return aead
}

// deriveKey returns HASH(label ‖ pub).
func deriveKey(label string, pub *[32]byte) [blake2s.Size]byte {
	h, _ := blake2s.New256(nil) // cannot fail without a key
	h.Write([]byte(label))
	h.Write(pub[:])
	var k [blake2s.Size]byte
	h.Sum(k[:0])
	return k
}

// mac computes MAC(key, parts...) = keyed BLAKE2s-128 into out.
func mac(out *[wire.MACSize]byte, key []byte, parts ...[]byte) {
	h, err := blake2s.New128(key)
	if err != nil {
		// Keys here are 16 or 32 bytes, always valid for BLAKE2s.
		panic("cookie: blake2s key: " + err.Error())
	}
	for _, p := range parts {
		h.Write(p)
	}
	h.Sum(out[:0])
}

// macOffsets returns where mac1 and mac2 start in msg, which must be a
// marshaled initiation or response: the two MACs are the last 32 bytes.
func macOffsets(msg []byte) (mac1, mac2 int, err error) {
	switch len(msg) {
	case wire.MessageInitiationSize, wire.MessageResponseSize:
	default:
		return 0, 0, wire.ErrMessageLength
	}
	return len(msg) - 2*wire.MACSize, len(msg) - wire.MACSize, nil
}

// sourceBytes encodes a source address for the cookie: the IP address in
// its 4- or 16-byte form followed by the port in network byte order, as the
// Linux driver does. Only the responder ever computes a cookie from it, so
// the encoding is ours to choose; an IPv4-mapped IPv6 address is unmapped
// so that a dual-stack socket and a v4 socket give the same cookie.
func sourceBytes(src netip.AddrPort) ([18]byte, int) {
	var b [18]byte
	a := src.Addr().Unmap()
	n := copy(b[:], a.AsSlice())
	b[n] = byte(src.Port() >> 8)
	b[n+1] = byte(src.Port())
	return b, n + 2
}

// equal compares two MACs in constant time.
func equal(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}
