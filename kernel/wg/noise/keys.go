package noise

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"

	"golang.org/x/crypto/curve25519"
)

// KeySize is the length of every key here: Curve25519 private and public
// keys, the preshared key, and the symmetric keys.
const KeySize = 32

// A PrivateKey is a Curve25519 private key (a static key, or an ephemeral
// key inside a handshake).
type PrivateKey [KeySize]byte

// A PublicKey is a Curve25519 public key.
type PublicKey [KeySize]byte

// A PresharedKey is the optional symmetric key mixed into the handshake
// ([W] 5.2); all zeros when the peers have none configured.
type PresharedKey [KeySize]byte

// NewPrivateKey reads a private key from rand and clamps it as RFC 7748
// section 5 describes (as wg-keygen does). Clamping does not change the
// public key, since X25519 clamps too, but stores the key in its
// conventional form.
func NewPrivateKey(rand io.Reader) (PrivateKey, error) {
	var k PrivateKey
	if _, err := io.ReadFull(rand, k[:]); err != nil {
		return PrivateKey{}, fmt.Errorf("noise: new private key: %w", err)
	}
	k.clamp()
	return k, nil
}

func (k *PrivateKey) clamp() {
	k[0] &= 248
	k[31] = k[31]&127 | 64
}

// PublicKey returns the public key of k: X25519(k, 9).
func (k *PrivateKey) PublicKey() PublicKey {
	var pub PublicKey
	out, err := curve25519.X25519(k[:], curve25519.Basepoint)
	if err != nil {
		// The base point has prime order; X25519 cannot fail on it.
		panic("noise: X25519 with the base point: " + err.Error())
	}
	copy(pub[:], out)
	clear(out)
	return pub
}

// IsZero reports whether k is all zeros (no key configured).
func (k *PrivateKey) IsZero() bool { return isZero(k[:]) }

// String returns the base64 form that wg-keygen and wgconfig print.
func (k PublicKey) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// IsZero reports whether k is all zeros.
func (k *PresharedKey) IsZero() bool { return isZero(k[:]) }

// dh is the paper's DH(private, public) = X25519. A result of all zeros,
// which every low-order public key produces, is refused with
// ErrLowOrderPoint: the handshake would otherwise mix a value that an
// attacker knows in advance ([W] 5.4.2 relies on the DH results being
// secret). NetBSD's tests feed twelve such keys; none may complete.
func dh(priv *PrivateKey, pub *PublicKey) ([KeySize]byte, error) {
	var ss [KeySize]byte
	out, err := curve25519.X25519(priv[:], pub[:])
	if err != nil {
		// X25519's only failure for 32-byte inputs is the zero result.
		return ss, ErrLowOrderPoint
	}
	copy(ss[:], out)
	clear(out)
	if isZero(ss[:]) { // belt and braces: never mix a zero secret
		return ss, ErrLowOrderPoint
	}
	return ss, nil
}

// isZero reports in constant time whether b is all zeros.
func isZero(b []byte) bool {
	var acc byte
	for _, x := range b {
		acc |= x
	}
	return subtle.ConstantTimeByteEq(acc, 0) == 1
}
