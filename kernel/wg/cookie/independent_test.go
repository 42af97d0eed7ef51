package cookie_test

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/chacha20poly1305"

	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/wire"
)

// The cookie reply nbwg issues, checked from the outside: the bytes on
// the wire are taken apart by the offsets of [W] 5.4.7 and opened with
// x/crypto's XChaCha20-Poly1305 under a key derived here from the paper's
// formulas, not with this package's code.  wireguard-go's cookie replies
// are fed to nbwg by the golden test (kernel/wg/noise); this is the other
// direction, which tests/dataplane's TestInteropCookie runs against
// wireguard-go itself.

// independentHash is HASH(label ‖ pub) = BLAKE2s-256 ([W] 5.4.4, 5.4.7).
func independentHash(label string, pub [32]byte) [32]byte {
	return blake2s.Sum256(append([]byte(label), pub[:]...))
}

// independentMAC is MAC(key, data) = keyed BLAKE2s-128.
func independentMAC(t *testing.T, key, data []byte) []byte {
	t.Helper()
	h, err := blake2s.New128(key)
	if err != nil {
		t.Fatal(err)
	}
	h.Write(data)
	return h.Sum(nil)
}

func TestReplyOpensIndependently(t *testing.T) {
	var pub, otherPub [32]byte
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range pub {
		pub[i], otherPub[i] = byte(rng.Uint32()), byte(rng.Uint32())
	}
	src := netip.MustParseAddrPort("192.0.2.2:51821")
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

	for _, tt := range []struct {
		name string
		size int // the message's size; mac1 and mac2 are its last 32 bytes
		typ  byte
	}{
		{"initiation", wire.MessageInitiationSize, 1},
		{"response", wire.MessageResponseSize, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// A handshake message for us: type, 3 zero bytes, sender
			// index, a body (opaque here), then mac1 as the paper says:
			// MAC(HASH(LABEL_MAC1 ‖ Spub), msg up to mac1); no mac2.
			msg := make([]byte, tt.size)
			for i := 8; i < tt.size-32; i++ {
				msg[i] = byte(rng.Uint32())
			}
			msg[0] = tt.typ
			const sender = 0x1234abcd
			binary.LittleEndian.PutUint32(msg[4:8], sender)
			off1, off2 := tt.size-32, tt.size-16
			mac1Key := independentHash("mac1----", pub)
			copy(msg[off1:off2], independentMAC(t, mac1Key[:], msg[:off1]))

			var c cookie.Checker
			c.Init(pub)
			if err := c.CheckMAC1(msg); err != nil {
				t.Fatalf("CheckMAC1 of a mac1 made from the paper: %v", err)
			}
			if err := c.CheckMAC2(msg, src, now); err == nil {
				t.Fatal("CheckMAC2 accepted a message without mac2")
			}
			var reply wire.MessageCookieReply
			if err := c.CreateReply(&reply, msg, src, now, rand.NewChaCha8([32]byte{7})); err != nil {
				t.Fatal(err)
			}
			b := make([]byte, wire.MessageCookieReplySize)
			if err := reply.Marshal(b); err != nil {
				t.Fatal(err)
			}

			// [W] 5.4.7: type 3, three zero bytes, receiver = the
			// message's sender, a 24-byte nonce, the 16-byte cookie
			// sealed with its 16-byte tag.
			if len(b) != 64 || b[0] != 3 || b[1]|b[2]|b[3] != 0 {
				t.Fatalf("cookie reply header % x, want 03 00 00 00 in 64 bytes", b[:4])
			}
			if r := binary.LittleEndian.Uint32(b[4:8]); r != sender {
				t.Errorf("receiver %#x, want the message's sender %#x", r, sender)
			}
			nonce, sealed := b[8:32], b[32:64]

			// The cookie: XChaCha20-Poly1305 under HASH(LABEL_COOKIE ‖
			// Spub of the responder), the message's mac1 as AD.
			key := independentHash("cookie--", pub)
			aead, err := chacha20poly1305.NewX(key[:])
			if err != nil {
				t.Fatal(err)
			}
			got, err := aead.Open(nil, nonce, sealed, msg[off1:off2])
			if err != nil {
				t.Fatalf("x/crypto cannot open nbwg's cookie reply: %v", err)
			}
			if len(got) != 16 {
				t.Fatalf("cookie of %d bytes, want 16", len(got))
			}
			// The binding: another mac1, or another responder's key,
			// does not open it.
			wrongAD := append([]byte(nil), msg[off1:off2]...)
			wrongAD[0] ^= 1
			if _, err := aead.Open(nil, nonce, sealed, wrongAD); err == nil {
				t.Error("the reply opens with another mac1 as AD")
			}
			otherKey := independentHash("cookie--", otherPub)
			other, _ := chacha20poly1305.NewX(otherKey[:])
			if _, err := other.Open(nil, nonce, sealed, msg[off1:off2]); err == nil {
				t.Error("the reply opens under another responder's key")
			}

			// The cookie is the one the responder wants: mac2 =
			// MAC(cookie, msg up to mac2) now passes, from src only.
			copy(msg[off2:], independentMAC(t, got, msg[:off2]))
			if err := c.CheckMAC2(msg, src, now); err != nil {
				t.Errorf("mac2 from the opened cookie refused: %v", err)
			}
			if err := c.CheckMAC2(msg, netip.MustParseAddrPort("192.0.2.3:51821"), now); err == nil {
				t.Error("mac2 from src's cookie accepted from another address")
			}
		})
	}
}
