package cookie

import (
	"errors"
	"io"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/wg/wire"
)

// detRand is a deterministic random source for the tests.
func detRand(seed uint64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	return rand.NewChaCha8(s)
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

var (
	respPub = [32]byte{1: 0xaa, 31: 0x55} // the responder's public key
	otherPb = [32]byte{1: 0xbb}
	src     = netip.MustParseAddrPort("192.0.2.1:51820")
	t0      = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// handshakeMsg returns a marshaled initiation or response whose MAC fields
// are zero and whose Sender is sender.
func handshakeMsg(t *testing.T, typ wire.Type, sender uint32) []byte {
	t.Helper()
	switch typ {
	case wire.TypeInitiation:
		m := wire.MessageInitiation{Type: typ, Sender: sender}
		m.Ephemeral[0] = byte(sender)
		b := make([]byte, wire.MessageInitiationSize)
		if err := m.Marshal(b); err != nil {
			t.Fatal(err)
		}
		return b
	case wire.TypeResponse:
		m := wire.MessageResponse{Type: typ, Sender: sender, Receiver: 9}
		m.Ephemeral[0] = byte(sender)
		b := make([]byte, wire.MessageResponseSize)
		if err := m.Marshal(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Fatalf("bad type %v", typ)
	return nil
}

func newPair() (*Checker, *Generator) {
	var c Checker
	c.Init(respPub)
	var g Generator
	g.Init(respPub)
	return &c, &g
}

func TestMAC1(t *testing.T) {
	for _, typ := range []wire.Type{wire.TypeInitiation, wire.TypeResponse} {
		t.Run(typ.String(), func(t *testing.T) {
			c, g := newPair()
			msg := handshakeMsg(t, typ, 7)
			if err := g.AddMACs(msg, t0); err != nil {
				t.Fatal(err)
			}
			if err := c.CheckMAC1(msg); err != nil {
				t.Fatalf("CheckMAC1 of a good message: %v", err)
			}
			if mac2 := msg[len(msg)-16:]; !cmp.Equal(mac2, make([]byte, 16)) {
				t.Errorf("mac2 without a cookie = %x, want zero", mac2)
			}

			var wrongKey Generator
			wrongKey.Init(otherPb)
			wrong := handshakeMsg(t, typ, 7)
			if err := wrongKey.AddMACs(wrong, t0); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name string
				msg  []byte
				want error
			}{
				{"flipped body byte", flip(msg, 10), ErrInvalidMAC1},
				{"flipped mac1 byte", flip(msg, len(msg)-20), ErrInvalidMAC1},
				{"mac2 not covered", flip(msg, len(msg)-1), nil},
				{"other receiver's key", wrong, ErrInvalidMAC1},
				{"short", msg[:len(msg)-1], wire.ErrMessageLength},
			}
			for _, tt := range tests {
				if err := c.CheckMAC1(tt.msg); !errors.Is(err, tt.want) {
					t.Errorf("%s: CheckMAC1 = %v, want %v", tt.name, err, tt.want)
				}
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

// TestCookieRoundTrip is the under-load exchange of [W] 5.3: the first
// message has no mac2 and earns a cookie reply; the retried message carries
// a mac2 that passes, from the same source only.
func TestCookieRoundTrip(t *testing.T) {
	c, g := newPair()
	rng := detRand(1)

	first := handshakeMsg(t, wire.TypeInitiation, 0x11223344)
	if err := g.AddMACs(first, t0); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckMAC2(first, src, t0); !errors.Is(err, ErrSecretExpired) {
		t.Fatalf("CheckMAC2 before any secret = %v, want ErrSecretExpired", err)
	}
	var reply wire.MessageCookieReply
	if err := c.CreateReply(&reply, first, src, t0, rng); err != nil {
		t.Fatal(err)
	}
	if reply.Receiver != 0x11223344 || reply.Type != wire.TypeCookieReply {
		t.Fatalf("reply header = %v/%#x, want cookie-reply/0x11223344", reply.Type, reply.Receiver)
	}
	if err := c.CheckMAC2(first, src, t0); !errors.Is(err, ErrInvalidMAC2) {
		t.Fatalf("CheckMAC2 of a message without mac2 = %v, want ErrInvalidMAC2", err)
	}

	// Round trip through the wire format.
	b := make([]byte, wire.MessageCookieReplySize)
	if err := reply.Marshal(b); err != nil {
		t.Fatal(err)
	}
	var got wire.MessageCookieReply
	if err := got.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Second)
	if err := g.ConsumeReply(&got, now); err != nil {
		t.Fatalf("ConsumeReply: %v", err)
	}
	if err := g.ConsumeReply(&got, now); !errors.Is(err, ErrUnexpectedReply) {
		t.Errorf("second ConsumeReply of the same reply = %v, want ErrUnexpectedReply", err)
	}

	retry := handshakeMsg(t, wire.TypeInitiation, 0x55667788)
	if err := g.AddMACs(retry, now); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckMAC1(retry); err != nil {
		t.Fatalf("CheckMAC1 of retry: %v", err)
	}
	if err := c.CheckMAC2(retry, src, now); err != nil {
		t.Fatalf("CheckMAC2 of retry: %v", err)
	}
	tests := []struct {
		name string
		from netip.AddrPort
		msg  []byte
		want error
	}{
		{"other port", netip.MustParseAddrPort("192.0.2.1:51821"), retry, ErrInvalidMAC2},
		{"other address", netip.MustParseAddrPort("192.0.2.2:51820"), retry, ErrInvalidMAC2},
		{"mapped form of the same source", netip.MustParseAddrPort("[::ffff:192.0.2.1]:51820"), retry, nil},
		{"altered mac1", src, flip(retry, len(retry)-20), ErrInvalidMAC2},
		{"altered mac2", src, flip(retry, len(retry)-1), ErrInvalidMAC2},
		{"not a handshake message", src, retry[:100], wire.ErrMessageLength},
	}
	for _, tt := range tests {
		if err := c.CheckMAC2(tt.msg, tt.from, now); !errors.Is(err, tt.want) {
			t.Errorf("%s: CheckMAC2 = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCookieLifetimes(t *testing.T) {
	setup := func(t *testing.T) (*Checker, *Generator) {
		c, g := newPair()
		msg := handshakeMsg(t, wire.TypeResponse, 1)
		if err := g.AddMACs(msg, t0); err != nil {
			t.Fatal(err)
		}
		var reply wire.MessageCookieReply
		if err := c.CreateReply(&reply, msg, src, t0, detRand(2)); err != nil {
			t.Fatal(err)
		}
		if err := g.ConsumeReply(&reply, t0); err != nil {
			t.Fatal(err)
		}
		return c, g
	}
	tests := []struct {
		name     string
		age      time.Duration
		wantMAC2 bool  // the generator still uses the cookie
		wantErr  error // what the checker says
	}{
		{"fresh", 0, true, nil},
		{"just inside the initiator's margin", SecretMaxAge - SecretLatency - 1, true, nil},
		{"initiator stops before the secret dies", SecretMaxAge - SecretLatency, false, ErrInvalidMAC2},
		{"secret expired", SecretMaxAge, false, ErrSecretExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, g := setup(t)
			now := t0.Add(tt.age)
			msg := handshakeMsg(t, wire.TypeInitiation, 2)
			if err := g.AddMACs(msg, now); err != nil {
				t.Fatal(err)
			}
			zero := cmp.Equal(msg[len(msg)-16:], make([]byte, 16))
			if zero == tt.wantMAC2 {
				t.Errorf("mac2 present = %v, want %v", !zero, tt.wantMAC2)
			}
			if err := c.CheckMAC2(msg, src, now); !errors.Is(err, tt.wantErr) {
				t.Errorf("CheckMAC2 = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestSecretRotation checks that a reply after SecretMaxAge uses a new
// secret, so that old cookies stop working.
func TestSecretRotation(t *testing.T) {
	c, _ := newPair()
	msg := handshakeMsg(t, wire.TypeInitiation, 3)
	rng := detRand(3)
	var r1, r2, r3 wire.MessageCookieReply
	if err := c.CreateReply(&r1, msg, src, t0, rng); err != nil {
		t.Fatal(err)
	}
	cookie1 := c.cookieFor(src)
	if err := c.CreateReply(&r2, msg, src, t0.Add(SecretMaxAge-time.Nanosecond), rng); err != nil {
		t.Fatal(err)
	}
	if got := c.cookieFor(src); got != cookie1 {
		t.Error("secret changed before SecretMaxAge")
	}
	if err := c.CreateReply(&r3, msg, src, t0.Add(SecretMaxAge), rng); err != nil {
		t.Fatal(err)
	}
	if got := c.cookieFor(src); got == cookie1 {
		t.Error("secret unchanged after SecretMaxAge")
	}
	if r1.Nonce == r2.Nonce {
		t.Error("two replies share a nonce")
	}
}

func TestConsumeReplyErrors(t *testing.T) {
	c, g := newPair()
	var fresh Generator
	fresh.Init(respPub)
	msgA := handshakeMsg(t, wire.TypeInitiation, 4)
	msgB := handshakeMsg(t, wire.TypeInitiation, 5)
	if err := g.AddMACs(msgA, t0); err != nil {
		t.Fatal(err)
	}
	var replyA wire.MessageCookieReply
	if err := c.CreateReply(&replyA, msgA, src, t0, detRand(4)); err != nil {
		t.Fatal(err)
	}
	if err := fresh.ConsumeReply(&replyA, t0); !errors.Is(err, ErrUnexpectedReply) {
		t.Errorf("reply with nothing sent = %v, want ErrUnexpectedReply", err)
	}
	// A newer message was sent: a reply bound to the older mac1 is refused.
	if err := g.AddMACs(msgB, t0); err != nil {
		t.Fatal(err)
	}
	if err := g.ConsumeReply(&replyA, t0); !errors.Is(err, ErrDecryptFailed) {
		t.Errorf("reply to an older message = %v, want ErrDecryptFailed", err)
	}
	// A reply made under another responder key is refused.
	var other Checker
	other.Init(otherPb)
	var replyB wire.MessageCookieReply
	if err := other.CreateReply(&replyB, msgB, src, t0, detRand(5)); err != nil {
		t.Fatal(err)
	}
	if err := g.ConsumeReply(&replyB, t0); !errors.Is(err, ErrDecryptFailed) {
		t.Errorf("reply from another key = %v, want ErrDecryptFailed", err)
	}
	if err := c.CreateReply(&replyB, msgB, src, t0, failReader{}); err == nil {
		t.Error("CreateReply with a failing random source succeeded")
	}
	if err := c.CreateReply(&replyB, msgB[:10], src, t0, detRand(6)); !errors.Is(err, wire.ErrMessageLength) {
		t.Errorf("CreateReply of a short message = %v, want ErrMessageLength", err)
	}
	if err := g.AddMACs(msgB[:10], t0); !errors.Is(err, wire.ErrMessageLength) {
		t.Errorf("AddMACs of a short message = %v, want ErrMessageLength", err)
	}
}

// TestInitForgetsSecret checks that re-keying the checker kills cookies.
func TestInitForgetsSecret(t *testing.T) {
	c, g := newPair()
	msg := handshakeMsg(t, wire.TypeInitiation, 6)
	if err := g.AddMACs(msg, t0); err != nil {
		t.Fatal(err)
	}
	var reply wire.MessageCookieReply
	if err := c.CreateReply(&reply, msg, src, t0, detRand(7)); err != nil {
		t.Fatal(err)
	}
	c.Init(otherPb)
	if err := c.CheckMAC2(msg, src, t0); !errors.Is(err, ErrSecretExpired) {
		t.Errorf("CheckMAC2 after Init = %v, want ErrSecretExpired", err)
	}
}
