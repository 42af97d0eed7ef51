package noise

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"nbwg/kernel/wg/wire"
)

// lowOrderKeys are the twelve points of cr.yp.to/ecdh.html#validate that
// NetBSD's tests (tests/net/if_wg/t_basic.sh) configure as peer keys and
// inject as ephemeral keys; no handshake may complete with any of them.
//
// The first seven are low-order points: X25519 gives all zeros whatever
// the private key, and dh refuses them with ErrLowOrderPoint. The last
// five encode the same points plus p or 2p, numbers of 2^255 or more. RFC
// 7748 (section 5) makes X25519 clear bit 255 of its input, as the Linux
// driver, wireguard-go and Go's crypto/ecdh do, and that turns them into
// other, ordinary field elements: the DH result is then a secret like any
// other, known to nobody who lacks the private key, and the handshake
// fails one step later with ErrDecryptFailed. Refusing them outright would
// need a rule that neither RFC 7748 nor the other implementations have.
var lowOrderKeys = []struct {
	b64      string
	lowOrder bool // X25519 maps it to zero
}{
	{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true},  // 0
	{"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true},  // 1
	{"4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=", true},  // order 8
	{"X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEVc=", true},  // order 8
	{"7P///////////////////////////////////////38=", true},  // p-1
	{"7f///////////////////////////////////////38=", true},  // p
	{"7v///////////////////////////////////////38=", true},  // p+1
	{"zet6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuIA=", false}, // p + order 8
	{"TJyVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEdc=", false}, // p + order 8
	{"2f////////////////////////////////////////8=", false}, // 2p-1
	{"2v////////////////////////////////////////8=", false}, // 2p
	{"2/////////////////////////////////////////8=", false}, // 2p+1
}

func decodeKey(t testing.TB, s string) PublicKey {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != KeySize {
		t.Fatalf("bad key %q: %v", s, err)
	}
	return PublicKey(b)
}

func TestLowOrderKeys(t *testing.T) {
	for i, k := range lowOrderKeys {
		bad := decodeKey(t, k.b64)
		want := ErrDecryptFailed
		if k.lowOrder {
			want = ErrLowOrderPoint
		}
		seed := byte(i)
		t.Run(k.b64, func(t *testing.T) {
			t.Run("as the peer's static key", func(t *testing.T) {
				// NetBSD's "bad peer key" case: wgconfig accepts the key.
				a := newDevice(t, 1)
				r := a.addPeer(bad, PresharedKey{})
				var init wire.MessageInitiation
				err := r.CreateInitiation(&init, t0, testRand(seed))
				if k.lowOrder {
					if !errors.Is(err, ErrLowOrderPoint) {
						t.Errorf("CreateInitiation = %v, want ErrLowOrderPoint", err)
					}
					if s := r.HandshakeState(); s != HandshakeZeroed {
						t.Errorf("state %v after failure", s)
					}
					a.checkIndices(t)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				// Nobody holds the private key: a responder claiming the
				// public key cannot open the initiation.
				c := newDevice(t, 3)
				c.addPeer(a.pub(), PresharedKey{})
				c.local.mu.Lock()
				c.local.public = bad
				c.local.mu.Unlock()
				if _, err := c.local.ConsumeInitiation(&init, t0); !errors.Is(err, ErrDecryptFailed) {
					t.Errorf("impostor ConsumeInitiation = %v, want ErrDecryptFailed", err)
				}
			})
			t.Run("as the initiator's claimed static key", func(t *testing.T) {
				// An attacker can encrypt any static key it likes: it
				// only needs DH(e, Sr). b has the bad key configured.
				p := newPair(t, PresharedKey{}, PresharedKey{})
				p.b.addPeer(bad, PresharedKey{})
				p.a.local.mu.Lock()
				p.a.local.public = bad
				p.a.local.mu.Unlock()
				var init wire.MessageInitiation
				if err := p.ab.CreateInitiation(&init, t0, testRand(seed)); err != nil {
					t.Fatal(err)
				}
				r, err := p.b.local.ConsumeInitiation(&init, t0)
				if !errors.Is(err, want) {
					t.Errorf("ConsumeInitiation = %v, want %v", err, want)
				}
				if r == nil || r.HandshakeState() != HandshakeZeroed {
					t.Errorf("ConsumeInitiation returned %p, want the bad-key Remote untouched", r)
				}
			})
			t.Run("as the initiation's ephemeral key", func(t *testing.T) {
				// NetBSD's "bad handshake key" case: the forged initiation
				// is refused and does not wedge the peer.
				p := newPair(t, PresharedKey{}, PresharedKey{})
				var init wire.MessageInitiation
				if err := p.ab.CreateInitiation(&init, t0, testRand(seed)); err != nil {
					t.Fatal(err)
				}
				forged := init
				forged.Ephemeral = bad
				if _, err := p.b.local.ConsumeInitiation(&forged, t0); !errors.Is(err, want) {
					t.Errorf("ConsumeInitiation = %v, want %v", err, want)
				}
				if s := p.ba.HandshakeState(); s != HandshakeZeroed {
					t.Errorf("responder state %v after failure", s)
				}
				p.handshake(t, t0.Add(time.Second))
			})
			t.Run("as the response's ephemeral key", func(t *testing.T) {
				p := newPair(t, PresharedKey{}, PresharedKey{})
				var init wire.MessageInitiation
				if err := p.ab.CreateInitiation(&init, t0, testRand(seed)); err != nil {
					t.Fatal(err)
				}
				r, err := p.b.local.ConsumeInitiation(&init, t0)
				if err != nil {
					t.Fatal(err)
				}
				var resp wire.MessageResponse
				if err := r.CreateResponse(&resp, testRand(seed+1)); err != nil {
					t.Fatal(err)
				}
				forged := resp
				forged.Ephemeral = bad
				if err := p.ab.ConsumeResponse(&forged); !errors.Is(err, want) {
					t.Errorf("ConsumeResponse = %v, want %v", err, want)
				}
				if _, err := p.ab.BeginSession(t0); !errors.Is(err, ErrInvalidState) {
					t.Errorf("BeginSession = %v, want ErrInvalidState", err)
				}
				// The genuine response still completes the handshake.
				if err := p.ab.ConsumeResponse(&resp); err != nil {
					t.Errorf("genuine response after the forgery: %v", err)
				}
			})
		})
	}
}

// TestX25519 checks the DH against RFC 7748 (section 5.2, first vector,
// and the Diffie-Hellman example of section 6.1).
func TestX25519(t *testing.T) {
	h := func(s string) [32]byte {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 {
			t.Fatalf("bad hex %q", s)
		}
		return [32]byte(b)
	}
	scalar := PrivateKey(h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"))
	u := PublicKey(h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
	got, err := dh(&scalar, &u)
	if err != nil || got != h("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552") {
		t.Errorf("RFC 7748 5.2: got %x, %v", got, err)
	}

	alice := PrivateKey(h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
	bob := PrivateKey(h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
	alicePub, bobPub := alice.PublicKey(), bob.PublicKey()
	if alicePub != PublicKey(h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")) {
		t.Errorf("Alice's public key %x", alicePub)
	}
	if bobPub != PublicKey(h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")) {
		t.Errorf("Bob's public key %x", bobPub)
	}
	shared := h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
	k1, err1 := dh(&alice, &bobPub)
	k2, err2 := dh(&bob, &alicePub)
	if err1 != nil || err2 != nil || k1 != shared || k2 != shared {
		t.Errorf("shared secrets %x, %x (%v, %v), want %x", k1, k2, err1, err2, shared)
	}
}

func TestNewPrivateKey(t *testing.T) {
	k, err := NewPrivateKey(bytes.NewReader(bytes.Repeat([]byte{0xff}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if k[0] != 0xf8 || k[31] != 0x7f || k.IsZero() {
		t.Errorf("not clamped: %x", k)
	}
	if _, err := NewPrivateKey(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("short random source accepted")
	}
	pub := k.PublicKey()
	if s := pub.String(); s != base64.StdEncoding.EncodeToString(pub[:]) {
		t.Errorf("String() = %q", s)
	}
}
