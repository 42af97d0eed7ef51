package noise_test

// An independent check of testdata/wireguard-go-vectors.json: every
// recorded message is derived again here from the formulas of the
// WireGuard paper ([W] 5.4.2-5.4.7, 5.4.6 for transport), with nothing
// but x/crypto's BLAKE2s, ChaCha20-Poly1305, XChaCha20-Poly1305 and
// X25519 and the standard library's HMAC.  This file imports no nbwg
// package (it is package noise_test, and TestRederivationImportsNoNbwg
// keeps it so), so the vectors are shown to be the protocol's and not
// only wireguard-go's, whose recorder is not part of nbwg.  The golden
// test (golden_test.go) then holds nbwg's code to the same bytes.

import (
	"bytes"
	"crypto/hmac"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"go/parser"
	"go/token"
	"hash"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/curve25519"
)

// The protocol's constants ([W] 5.4).
const (
	construction = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
	identifier   = "WireGuard v1 zx2c4 Jason@zx2c4.com"
	labelMAC1    = "mac1----"
	labelCookie  = "cookie--"
)

// rederived is the part of a vector this file reads; the field names are
// the file's.
type rederived struct {
	Name                      string `json:"name"`
	InitiatorStaticPrivate    string `json:"initiator_static_private"`
	ResponderStaticPrivate    string `json:"responder_static_private"`
	PresharedKey              string `json:"preshared_key"`
	InitiatorEphemeralPrivate string `json:"initiator_ephemeral_private"`
	ResponderEphemeralPrivate string `json:"responder_ephemeral_private"`
	Timestamp                 string `json:"timestamp"`
	InitiatorIndex            uint32 `json:"initiator_index"`
	ResponderIndex            uint32 `json:"responder_index"`
	Initiation                string `json:"initiation"`
	Response                  string `json:"response"`
	Transport                 []struct {
		From      string `json:"from"`
		Counter   uint64 `json:"counter"`
		Plaintext string `json:"plaintext"`
		Packet    string `json:"packet"`
	} `json:"transport"`
	Cookie *struct {
		Reply                 string `json:"reply"`
		RetryEphemeralPrivate string `json:"retry_initiator_ephemeral_private"`
		RetryTimestamp        string `json:"retry_timestamp"`
		RetryIndex            uint32 `json:"retry_initiator_index"`
		RetryInitiation       string `json:"retry_initiation"`
	} `json:"cookie"`
}

// The paper's primitives.

// hashOf is HASH(parts...) = BLAKE2s-256 of their concatenation.
func hashOf(parts ...[]byte) []byte {
	h, _ := blake2s.New256(nil)
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// macOf is MAC(key, data) = keyed BLAKE2s with a 16-byte output.
func macOf(t *testing.T, key, data []byte) []byte {
	t.Helper()
	h, err := blake2s.New128(key)
	if err != nil {
		t.Fatal(err)
	}
	h.Write(data)
	return h.Sum(nil)
}

// hmacOf is HMAC(key, data) with BLAKE2s-256 ([W] 5.4: "HMAC-BLAKE2s").
func hmacOf(key, data []byte) []byte {
	m := hmac.New(func() hash.Hash { h, _ := blake2s.New256(nil); return h }, key)
	m.Write(data)
	return m.Sum(nil)
}

// kdf is KDF_n(key, input): τ0 = HMAC(key, input), τ1 = HMAC(τ0, 0x1),
// τi = HMAC(τ0, τi-1 ‖ i).
func kdf(n int, key, input []byte) [][]byte {
	t0 := hmacOf(key, input)
	out := make([][]byte, n)
	prev := []byte{}
	for i := 1; i <= n; i++ {
		prev = hmacOf(t0, append(append([]byte{}, prev...), byte(i)))
		out[i-1] = prev
	}
	return out
}

// aead is AEAD(key, counter, plain, auth): ChaCha20-Poly1305 with the
// nonce 32 zero bits then the 64-bit little-endian counter.
func aead(t *testing.T, key []byte, counter uint64, plain, auth []byte) []byte {
	t.Helper()
	c, err := chacha20poly1305.New(key)
	if err != nil {
		t.Fatal(err)
	}
	var nonce [12]byte
	binary.LittleEndian.PutUint64(nonce[4:], counter)
	return c.Seal(nil, nonce[:], plain, auth)
}

// dh is DH(private, public) = X25519.
func dh(t *testing.T, priv, pub []byte) []byte {
	t.Helper()
	out, err := curve25519.X25519(priv, pub)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// public is DH-Pubkey(private).
func public(t *testing.T, priv []byte) []byte {
	t.Helper()
	return dh(t, priv, curve25519.Basepoint)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func decode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// addMACs appends mac1 and mac2 to msg, the message up to mac1, sent to
// the holder of receiverPub ([W] 5.4.4): mac1 = MAC(HASH(LABEL_MAC1 ‖
// Spub_m'), msg_α), mac2 = MAC(cookie, msg_β), or zeros without a cookie.
func addMACs(t *testing.T, msg, receiverPub, cookie []byte) []byte {
	t.Helper()
	msg = append(msg, macOf(t, hashOf([]byte(labelMAC1), receiverPub), msg)...)
	if cookie == nil {
		return append(msg, make([]byte, 16)...)
	}
	return append(msg, macOf(t, cookie, msg)...)
}

// initiation builds the first handshake message ([W] 5.4.2) and returns
// it with the chaining key and hash it leaves.
func initiation(t *testing.T, sPrivI, sPubR, ePrivI, timestamp []byte, sender uint32, cookie []byte) (msg, c, h []byte) {
	t.Helper()
	c = hashOf([]byte(construction))
	h = hashOf(c, []byte(identifier))
	h = hashOf(h, sPubR)
	ePubI := public(t, ePrivI)
	c = kdf(1, c, ePubI)[0]
	h = hashOf(h, ePubI)
	ck := kdf(2, c, dh(t, ePrivI, sPubR))
	c, key := ck[0], ck[1]
	static := aead(t, key, 0, public(t, sPrivI), h)
	h = hashOf(h, static)
	ck = kdf(2, c, dh(t, sPrivI, sPubR))
	c, key = ck[0], ck[1]
	stamp := aead(t, key, 0, timestamp, h)
	h = hashOf(h, stamp)

	msg = append([]byte{1, 0, 0, 0}, le32(sender)...)
	msg = append(msg, ePubI...)
	msg = append(msg, static...)
	msg = append(msg, stamp...)
	return addMACs(t, msg, sPubR, cookie), c, h
}

func TestVectorsRederived(t *testing.T) {
	raw, err := os.ReadFile("testdata/wireguard-go-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []rederived `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range f.Vectors {
		t.Run(v.Name, func(t *testing.T) { rederive(t, &v) })
	}
}

func rederive(t *testing.T, v *rederived) {
	sPrivI, sPrivR := decode(t, v.InitiatorStaticPrivate), decode(t, v.ResponderStaticPrivate)
	sPubI, sPubR := public(t, sPrivI), public(t, sPrivR)
	psk := decode(t, v.PresharedKey)
	ePrivI, ePrivR := decode(t, v.InitiatorEphemeralPrivate), decode(t, v.ResponderEphemeralPrivate)

	// Initiation: type 1, sender, ephemeral, static, timestamp, MACs.
	init, c, h := initiation(t, sPrivI, sPubR, ePrivI, decode(t, v.Timestamp), v.InitiatorIndex, nil)
	if want := decode(t, v.Initiation); !bytes.Equal(init, want) {
		t.Fatalf("initiation from the paper\n got %x\nwant %x", init, want)
	}

	// Response ([W] 5.4.3): type 2, sender, receiver, ephemeral, empty.
	ePubR := public(t, ePrivR)
	c = kdf(1, c, ePubR)[0]
	h = hashOf(h, ePubR)
	c = kdf(1, c, dh(t, ePrivR, public(t, ePrivI)))[0]
	c = kdf(1, c, dh(t, ePrivR, sPubI))[0]
	ctk := kdf(3, c, psk)
	c, tau, key := ctk[0], ctk[1], ctk[2]
	h = hashOf(h, tau)
	empty := aead(t, key, 0, nil, h)
	resp := append([]byte{2, 0, 0, 0}, le32(v.ResponderIndex)...)
	resp = append(resp, le32(v.InitiatorIndex)...)
	resp = append(resp, ePubR...)
	resp = append(resp, empty...)
	resp = addMACs(t, resp, sPubI, nil)
	if want := decode(t, v.Response); !bytes.Equal(resp, want) {
		t.Fatalf("response from the paper\n got %x\nwant %x", resp, want)
	}

	// Transport keys ([W] 5.4.5): (T_i^send = T_r^recv, T_i^recv =
	// T_r^send) = KDF2(C, ε); messages ([W] 5.4.6): type 4, receiver,
	// counter, AEAD(T^send, counter, P, ε).  The vectors hold P as sealed
	// (no padding: that is the sender's data path).
	keys := kdf(2, c, nil)
	for _, tr := range v.Transport {
		key, receiver := keys[0], v.ResponderIndex
		if tr.From == "responder" {
			key, receiver = keys[1], v.InitiatorIndex
		}
		pkt := append([]byte{4, 0, 0, 0}, le32(receiver)...)
		pkt = binary.LittleEndian.AppendUint64(pkt, tr.Counter)
		pkt = append(pkt, aead(t, key, tr.Counter, decode(t, tr.Plaintext), nil)...)
		if want := decode(t, tr.Packet); !bytes.Equal(pkt, want) {
			t.Errorf("%s counter %d from the paper\n got %x\nwant %x", tr.From, tr.Counter, pkt, want)
		}
	}

	if v.Cookie == nil {
		return
	}
	// Cookie reply ([W] 5.4.7): type 3, receiver = the initiation's
	// sender, nonce, XAEAD(HASH(LABEL_COOKIE ‖ Spub_r), nonce, cookie,
	// mac1 of the initiation).  The cookie is MAC(Rm, Am) under the
	// responder's secret, which the recording does not keep, so it is
	// taken out of the reply; the retried initiation's mac2 then shows it
	// is the cookie.
	reply := decode(t, v.Cookie.Reply)
	if len(reply) != 64 || !bytes.Equal(reply[:8], append([]byte{3, 0, 0, 0}, le32(v.InitiatorIndex)...)) {
		t.Fatalf("cookie reply header % x, want type 3 and receiver %#x in 64 bytes", reply[:8], v.InitiatorIndex)
	}
	x, err := chacha20poly1305.NewX(hashOf([]byte(labelCookie), sPubR))
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := x.Open(nil, reply[8:32], reply[32:], init[116:132])
	if err != nil {
		t.Fatalf("cookie reply does not open under the responder's cookie key with the initiation's mac1: %v", err)
	}
	retry, _, _ := initiation(t, sPrivI, sPubR, decode(t, v.Cookie.RetryEphemeralPrivate),
		decode(t, v.Cookie.RetryTimestamp), v.Cookie.RetryIndex, cookie)
	if want := decode(t, v.Cookie.RetryInitiation); !bytes.Equal(retry, want) {
		t.Fatalf("retried initiation (with mac2) from the paper\n got %x\nwant %x", retry, want)
	}
}

// TestRederivationImportsNoNbwg keeps this file independent of the code
// it checks: it may import the standard library and x/crypto only.
func TestRederivationImportsNoNbwg(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "rederive_test.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if strings.Contains(path, ".") && !strings.HasPrefix(path, "golang.org/x/crypto/") {
			t.Errorf("rederive_test.go imports %s: only the standard library and x/crypto", path)
		}
		if path == "nbwg" || strings.HasPrefix(path, "nbwg/") {
			t.Errorf("rederive_test.go imports %s, a package of nbwg", path)
		}
	}
}
