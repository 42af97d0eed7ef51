package noise

import (
	"crypto/cipher"
	"crypto/hmac"
	"hash"

	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/chacha20poly1305"
)

// The symmetric primitives of [W] 5.4: HASH is BLAKE2s-256, HMAC is
// HMAC-BLAKE2s, KDFn is HKDF (RFC 5869) over HMAC with an empty info, and
// AEAD is ChaCha20-Poly1305. Every handshake AEAD uses a zero nonce: each
// key encrypts exactly one message.

// initialChainKey is C0 = HASH(Construction) and initialHash is
// H0 = HASH(C0 ‖ Identifier), the same for every handshake.
var initialChainKey, initialHash = func() ([blake2s.Size]byte, [blake2s.Size]byte) {
	ck := blake2s.Sum256([]byte(Construction))
	h := ck
	mixHash(&h, []byte(Identifier))
	return ck, h
}()

var zeroNonce [chacha20poly1305.NonceSize]byte

func newBlake2s() hash.Hash {
	h, _ := blake2s.New256(nil) // unkeyed: cannot fail
	return h
}

// mixHash sets h = HASH(h ‖ data).
func mixHash(h *[blake2s.Size]byte, data []byte) {
	d := newBlake2s()
	d.Write(h[:])
	d.Write(data)
	d.Sum(h[:0])
}

// hmacInto sets out = HMAC(key, parts...).
func hmacInto(out *[blake2s.Size]byte, key []byte, parts ...[]byte) {
	m := hmac.New(newBlake2s, key)
	for _, p := range parts {
		m.Write(p)
	}
	m.Sum(out[:0])
}

// kdf1 sets t0 = KDF1(key, input). out may alias key.
func kdf1(t0 *[blake2s.Size]byte, key, input []byte) {
	var prk [blake2s.Size]byte
	hmacInto(&prk, key, input)
	hmacInto(t0, prk[:], []byte{1})
	clear(prk[:])
}

// kdf2 sets t0, t1 = KDF2(key, input). The outputs may alias key: key is
// read in full before either is written.
func kdf2(t0, t1 *[blake2s.Size]byte, key, input []byte) {
	var prk [blake2s.Size]byte
	hmacInto(&prk, key, input)
	hmacInto(t0, prk[:], []byte{1})
	hmacInto(t1, prk[:], t0[:], []byte{2})
	clear(prk[:])
}

// kdf3 sets t0, t1, t2 = KDF3(key, input); outputs may alias key.
func kdf3(t0, t1, t2 *[blake2s.Size]byte, key, input []byte) {
	var prk [blake2s.Size]byte
	hmacInto(&prk, key, input)
	hmacInto(t0, prk[:], []byte{1})
	hmacInto(t1, prk[:], t0[:], []byte{2})
	hmacInto(t2, prk[:], t1[:], []byte{3})
	clear(prk[:])
}

// newAEAD returns ChaCha20-Poly1305 keyed with key, for the handshake's
// AEADs and the transport keys.
func newAEAD(key *[KeySize]byte) cipher.AEAD {
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		panic("noise: chacha20poly1305 key: " + err.Error()) // fixed 32-byte key
	}
	return aead
}

// seal appends AEAD(key, 0, plaintext, ad) to dst.
func seal(dst []byte, key *[KeySize]byte, plaintext, ad []byte) {
	newAEAD(key).Seal(dst, zeroNonce[:], plaintext, ad)
}

// open appends the decryption of AEAD(key, 0, ciphertext, ad) to dst, or
// fails with ErrDecryptFailed.
func open(dst []byte, key *[KeySize]byte, ciphertext, ad []byte) error {
	if _, err := newAEAD(key).Open(dst, zeroNonce[:], ciphertext, ad); err != nil {
		return ErrDecryptFailed
	}
	return nil
}
