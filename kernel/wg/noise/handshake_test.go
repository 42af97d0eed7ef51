package noise

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/wire"
)

func TestHandshake(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})

	var init wire.MessageInitiation
	if err := p.ab.CreateInitiation(&init, t0, testRand(10)); err != nil {
		t.Fatal(err)
	}
	if s := p.ab.HandshakeState(); s != HandshakeInitiationCreated {
		t.Fatalf("initiator state %v, want %v", s, HandshakeInitiationCreated)
	}
	if init.Type != wire.TypeInitiation || p.a.remoteByIndex(init.Sender) != p.ab {
		t.Fatalf("initiation header %v/%#x not registered", init.Type, init.Sender)
	}
	r, err := p.b.local.ConsumeInitiation(viaWireInit(t, &init), t0)
	if err != nil || r != p.ba {
		t.Fatalf("ConsumeInitiation = %p, %v; want %p", r, err, p.ba)
	}
	if s := r.HandshakeState(); s != HandshakeInitiationConsumed {
		t.Fatalf("responder state %v, want %v", s, HandshakeInitiationConsumed)
	}
	var resp wire.MessageResponse
	if err := r.CreateResponse(&resp, testRand(11)); err != nil {
		t.Fatal(err)
	}
	if s := r.HandshakeState(); s != HandshakeResponseCreated {
		t.Fatalf("responder state %v, want %v", s, HandshakeResponseCreated)
	}
	if resp.Receiver != init.Sender {
		t.Errorf("response Receiver %#x, want the initiation's Sender %#x", resp.Receiver, init.Sender)
	}
	kpB, err := r.BeginSession(t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ab.ConsumeResponse(viaWireResp(t, &resp)); err != nil {
		t.Fatal(err)
	}
	if s := p.ab.HandshakeState(); s != HandshakeResponseConsumed {
		t.Fatalf("initiator state %v, want %v", s, HandshakeResponseConsumed)
	}
	kpA, err := p.ab.BeginSession(t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Remote{p.ab, p.ba} {
		if s := r.HandshakeState(); s != HandshakeZeroed {
			t.Errorf("state after BeginSession %v, want zeroed", s)
		}
	}

	type kpView struct {
		Local, Remote uint32
		Initiator     bool
		Created       time.Time
	}
	view := func(kp *Keypair) kpView {
		return kpView{kp.LocalIndex(), kp.RemoteIndex(), kp.IsInitiator(), kp.Created()}
	}
	want := []kpView{{init.Sender, resp.Sender, true, t0}, {resp.Sender, init.Sender, false, t0}}
	if diff := cmp.Diff(want, []kpView{view(kpA), view(kpB)}); diff != "" {
		t.Errorf("keypairs (-want +got):\n%s", diff)
	}
	if kpA.Remote() != p.ab || kpB.Remote() != p.ba {
		t.Error("Keypair.Remote is wrong")
	}

	// Slots: the initiator sends at once; the responder waits.
	if p.ab.Current() != kpA {
		t.Error("initiator's keypair is not current")
	}
	if next, cur, _ := p.ba.Keypairs(); next != kpB || cur != nil {
		t.Errorf("responder slots next=%p current=%p, want next=%p current=nil", next, cur, kpB)
	}

	// Transport both ways; the first message confirms the responder's keypair.
	msg := []byte("ping from a")
	pt, confirmed, err := p.b.openTransport(sealTransport(t, kpA, msg))
	if err != nil {
		t.Fatalf("a→b: %v", err)
	}
	if !bytes.Equal(pt[:len(msg)], msg) || len(pt) != 16 {
		t.Errorf("a→b plaintext %q, want %q padded to 16", pt, msg)
	}
	if !confirmed || p.ba.Current() != kpB {
		t.Error("responder keypair not promoted by the first transport message")
	}
	pt, confirmed, err = p.a.openTransport(sealTransport(t, kpB, []byte("pong")))
	if err != nil || !bytes.HasPrefix(pt, []byte("pong")) || confirmed {
		t.Errorf("b→a = %q, %v, %v", pt, confirmed, err)
	}
	// Keepalive: empty plaintext.
	if pt, _, err := p.b.openTransport(sealTransport(t, kpA, nil)); err != nil || len(pt) != 0 {
		t.Errorf("keepalive = %q, %v", pt, err)
	}
	p.a.checkIndices(t)
	p.b.checkIndices(t)
}

func TestPresharedKey(t *testing.T) {
	k1, k2 := PresharedKey{1: 1}, PresharedKey{1: 2}
	tests := []struct {
		name       string
		pskA, pskB PresharedKey
		wantErr    error // from the initiator's ConsumeResponse
	}{
		{"none", PresharedKey{}, PresharedKey{}, nil},
		{"same", k1, k1, nil},
		{"initiator only", k1, PresharedKey{}, ErrDecryptFailed},
		{"responder only", PresharedKey{}, k1, ErrDecryptFailed},
		{"different", k1, k2, ErrDecryptFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, tt.pskA, tt.pskB)
			var init wire.MessageInitiation
			if err := p.ab.CreateInitiation(&init, t0, testRand(10)); err != nil {
				t.Fatal(err)
			}
			// The psk is mixed in only at the response: the initiation
			// always passes.
			r, err := p.b.local.ConsumeInitiation(&init, t0)
			if err != nil {
				t.Fatal(err)
			}
			var resp wire.MessageResponse
			if err := r.CreateResponse(&resp, testRand(11)); err != nil {
				t.Fatal(err)
			}
			err = p.ab.ConsumeResponse(&resp)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ConsumeResponse = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if s := p.ab.HandshakeState(); s != HandshakeInitiationCreated {
					t.Errorf("failed response changed state to %v", s)
				}
				if _, err := p.ab.BeginSession(t0); !errors.Is(err, ErrInvalidState) {
					t.Errorf("BeginSession after failure = %v, want ErrInvalidState", err)
				}
			}
		})
	}
}

func TestPresharedKeyAccessors(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	k := PresharedKey{7: 7}
	p.ab.SetPresharedKey(k)
	if got := p.ab.PresharedKey(); got != k || got.IsZero() {
		t.Errorf("PresharedKey = %x, want %x", got, k)
	}
	// Changing the key on both sides mid-way still completes.
	p.ba.SetPresharedKey(k)
	p.handshake(t, t0)
}

func TestWrongStaticKey(t *testing.T) {
	t.Run("initiator has a wrong key for the responder", func(t *testing.T) {
		a, b := newDevice(t, 1), newDevice(t, 2)
		c := newDevice(t, 3)
		ab := a.addPeer(c.pub(), PresharedKey{}) // thinks b is c
		b.addPeer(a.pub(), PresharedKey{})
		var init wire.MessageInitiation
		if err := ab.CreateInitiation(&init, t0, testRand(10)); err != nil {
			t.Fatal(err)
		}
		if r, err := b.local.ConsumeInitiation(&init, t0); !errors.Is(err, ErrDecryptFailed) || r != nil {
			t.Errorf("ConsumeInitiation = %p, %v; want nil, ErrDecryptFailed", r, err)
		}
	})
	t.Run("responder does not know the initiator", func(t *testing.T) {
		a, b := newDevice(t, 1), newDevice(t, 2)
		ab := a.addPeer(b.pub(), PresharedKey{})
		b.addPeer(newDevice(t, 3).pub(), PresharedKey{})
		var init wire.MessageInitiation
		if err := ab.CreateInitiation(&init, t0, testRand(10)); err != nil {
			t.Fatal(err)
		}
		if r, err := b.local.ConsumeInitiation(&init, t0); !errors.Is(err, ErrUnknownPeer) || r != nil {
			t.Errorf("ConsumeInitiation = %p, %v; want nil, ErrUnknownPeer", r, err)
		}
	})
	t.Run("response from a responder with another key", func(t *testing.T) {
		// c answers a's initiation to b, having stolen the initiation's
		// ephemeral state but not b's key: it can only guess.
		p := newPair(t, PresharedKey{}, PresharedKey{})
		c := newDevice(t, 3)
		ca := c.addPeer(p.a.pub(), PresharedKey{})
		var init wire.MessageInitiation
		if err := p.ab.CreateInitiation(&init, t0, testRand(10)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.local.ConsumeInitiation(&init, t0); !errors.Is(err, ErrDecryptFailed) {
			t.Fatalf("c consumed an initiation for b: %v", err)
		}
		// Forge a response state on c as if it had consumed it.
		ca.hsMu.Lock()
		ca.hs = handshake{state: HandshakeInitiationConsumed, gen: c.local.gen.Load(), remoteIndex: init.Sender, remoteE: init.Ephemeral,
			ck: initialChainKey, hash: initialHash}
		ca.hsMu.Unlock()
		var resp wire.MessageResponse
		if err := ca.CreateResponse(&resp, testRand(11)); err != nil {
			t.Fatal(err)
		}
		if err := p.ab.ConsumeResponse(&resp); !errors.Is(err, ErrDecryptFailed) {
			t.Errorf("ConsumeResponse = %v, want ErrDecryptFailed", err)
		}
	})
	t.Run("tampered fields", func(t *testing.T) {
		for _, field := range []string{"ephemeral", "static", "timestamp"} {
			p := newPair(t, PresharedKey{}, PresharedKey{})
			var init wire.MessageInitiation
			if err := p.ab.CreateInitiation(&init, t0, testRand(10)); err != nil {
				t.Fatal(err)
			}
			switch field {
			case "ephemeral":
				init.Ephemeral[5] ^= 1
			case "static":
				init.Static[5] ^= 1
			case "timestamp":
				init.Timestamp[5] ^= 1
			}
			if _, err := p.b.local.ConsumeInitiation(&init, t0); !errors.Is(err, ErrDecryptFailed) {
				t.Errorf("%s tampered: ConsumeInitiation = %v, want ErrDecryptFailed", field, err)
			}
		}
	})
}

func TestResponseMismatch(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	var init wire.MessageInitiation
	if err := p.ab.CreateInitiation(&init, t0, testRand(10)); err != nil {
		t.Fatal(err)
	}
	r, err := p.b.local.ConsumeInitiation(&init, t0)
	if err != nil {
		t.Fatal(err)
	}
	var resp wire.MessageResponse
	if err := r.CreateResponse(&resp, testRand(11)); err != nil {
		t.Fatal(err)
	}
	bad := resp
	bad.Receiver ^= 1
	if err := p.ab.ConsumeResponse(&bad); !errors.Is(err, ErrIndexMismatch) {
		t.Errorf("wrong receiver: %v, want ErrIndexMismatch", err)
	}
	bad = resp
	bad.Empty[0] ^= 1
	if err := p.ab.ConsumeResponse(&bad); !errors.Is(err, ErrDecryptFailed) {
		t.Errorf("tampered empty: %v, want ErrDecryptFailed", err)
	}
	bad = resp
	bad.Ephemeral[0] ^= 1
	if err := p.ab.ConsumeResponse(&bad); !errors.Is(err, ErrDecryptFailed) {
		t.Errorf("tampered ephemeral: %v, want ErrDecryptFailed", err)
	}
	if err := p.ab.ConsumeResponse(&resp); err != nil {
		t.Fatalf("genuine response after forgeries: %v", err)
	}
	if err := p.ab.ConsumeResponse(&resp); !errors.Is(err, ErrInvalidState) {
		t.Errorf("response consumed twice: %v, want ErrInvalidState", err)
	}
	// A new initiation abandons the old one: its response is refused.
	if _, err := p.ab.BeginSession(t0); err != nil {
		t.Fatal(err)
	}
	var init2 wire.MessageInitiation
	if err := p.ab.CreateInitiation(&init2, t0.Add(time.Second), testRand(12)); err != nil {
		t.Fatal(err)
	}
	if err := p.ab.ConsumeResponse(&resp); !errors.Is(err, ErrIndexMismatch) {
		t.Errorf("stale response: %v, want ErrIndexMismatch", err)
	}
	p.a.checkIndices(t)
	p.b.checkIndices(t)
}

func TestReplayAndFlood(t *testing.T) {
	// t0 has zero nanoseconds; 17 ms is past the first whitening step
	// (16.78 ms) and inside the flood interval (20 ms).
	const step = 17 * time.Millisecond
	p := newPair(t, PresharedKey{}, PresharedKey{})
	mk := func(at time.Time, seed byte) *wire.MessageInitiation {
		var m wire.MessageInitiation
		if err := p.ab.CreateInitiation(&m, at, testRand(seed)); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	first := mk(t0, 1)
	sameStamp := mk(t0.Add(time.Millisecond), 2) // same whitened timestamp
	soon := mk(t0.Add(step), 3)
	later := mk(t0.Add(time.Second), 4)
	older := mk(t0.Add(-time.Second), 5)

	tests := []struct {
		name string
		msg  *wire.MessageInitiation
		at   time.Time
		want error
	}{
		{"first", first, t0, nil},
		{"exact replay", first, t0.Add(time.Second), ErrReplayedTimestamp},
		{"same whitened timestamp", sameStamp, t0.Add(time.Second), ErrReplayedTimestamp},
		{"newer but too soon", soon, t0.Add(step), ErrFlood},
		{"newer, rate respected", soon, t0.Add(HandshakeInitiationRate), nil},
		{"older", older, t0.Add(2 * time.Second), ErrReplayedTimestamp},
		{"later", later, t0.Add(2 * time.Second), nil},
		{"replay of the later one", later, t0.Add(3 * time.Second), ErrReplayedTimestamp},
	}
	for _, tt := range tests {
		r, err := p.b.local.ConsumeInitiation(tt.msg, tt.at)
		if !errors.Is(err, tt.want) {
			t.Fatalf("%s: ConsumeInitiation = %v, want %v", tt.name, err, tt.want)
		}
		if r != p.ba {
			t.Errorf("%s: returned Remote %p, want %p (known sender)", tt.name, r, p.ba)
		}
	}
	// Clear keeps the replay state.
	p.ba.Clear()
	if _, err := p.b.local.ConsumeInitiation(later, t0.Add(4*time.Second)); !errors.Is(err, ErrReplayedTimestamp) {
		t.Errorf("replay after Clear: %v, want ErrReplayedTimestamp", err)
	}
	p.a.checkIndices(t)
	p.b.checkIndices(t)
}

// TestCookieUnderLoad is the exchange of [W] 5.3 around a real handshake:
// the responder under load demands mac2, the initiator takes the cookie
// reply, and the retried initiation passes.
func TestCookieUnderLoad(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	var gen cookie.Generator // a's, for b
	gen.Init(p.b.pub())
	var chk cookie.Checker // b's
	chk.Init(p.b.pub())
	src := mustAddrPort("198.51.100.7:40000")

	send := func(at time.Time, seed byte) []byte {
		var m wire.MessageInitiation
		if err := p.ab.CreateInitiation(&m, at, testRand(seed)); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, wire.MessageInitiationSize)
		if err := m.Marshal(b); err != nil {
			t.Fatal(err)
		}
		if err := gen.AddMACs(b, at); err != nil {
			t.Fatal(err)
		}
		return b
	}

	// First attempt: mac1 fine, no mac2 → cookie reply, message dropped.
	pkt := send(t0, 1)
	if err := chk.CheckMAC1(pkt); err != nil {
		t.Fatal(err)
	}
	if err := chk.CheckMAC2(pkt, src, t0); err == nil {
		t.Fatal("mac2 passed without a cookie")
	}
	var reply wire.MessageCookieReply
	if err := chk.CreateReply(&reply, pkt, src, t0, testRand(2)); err != nil {
		t.Fatal(err)
	}
	// a routes the reply by its Receiver, which is a's handshake index.
	if p.a.remoteByIndex(reply.Receiver) != p.ab {
		t.Fatalf("cookie reply receiver %#x is not a's handshake", reply.Receiver)
	}
	at := t0.Add(RekeyTimeout)
	if err := gen.ConsumeReply(&reply, at); err != nil {
		t.Fatal(err)
	}

	// Retry after REKEY-TIMEOUT: both MACs pass and the handshake completes.
	pkt = send(at, 3)
	if err := chk.CheckMAC1(pkt); err != nil {
		t.Fatal(err)
	}
	if err := chk.CheckMAC2(pkt, src, at); err != nil {
		t.Fatalf("retried initiation: %v", err)
	}
	var init wire.MessageInitiation
	if err := init.Unmarshal(pkt); err != nil {
		t.Fatal(err)
	}
	r, err := p.b.local.ConsumeInitiation(&init, at)
	if err != nil {
		t.Fatal(err)
	}
	var resp wire.MessageResponse
	if err := r.CreateResponse(&resp, testRand(4)); err != nil {
		t.Fatal(err)
	}
	if err := p.ab.ConsumeResponse(&resp); err != nil {
		t.Fatal(err)
	}
}

func TestNoIdentity(t *testing.T) {
	d := &device{t: t, peers: map[PublicKey]*Remote{}, indices: map[uint32]*Remote{}}
	l := NewLocal(d)
	if _, ok := l.PublicKey(); ok {
		t.Error("PublicKey reports a key before SetPrivateKey")
	}
	r := l.NewRemote(PublicKey{9: 9}, PresharedKey{})
	var init wire.MessageInitiation
	if err := r.CreateInitiation(&init, t0, testRand(1)); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("CreateInitiation = %v, want ErrNoIdentity", err)
	}
	if _, err := l.ConsumeInitiation(&wire.MessageInitiation{Type: wire.TypeInitiation}, t0); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("ConsumeInitiation = %v, want ErrNoIdentity", err)
	}
	if _, err := l.ConsumeInitiation(&wire.MessageInitiation{}, t0); !errors.Is(err, wire.ErrMessageType) {
		t.Errorf("ConsumeInitiation of an untyped message = %v, want wire.ErrMessageType", err)
	}
}

// TestClearPrivateKey: a cleared identity is no identity, and a key set
// again works.
func TestClearPrivateKey(t *testing.T) {
	d := &device{t: t, peers: map[PublicKey]*Remote{}, indices: map[uint32]*Remote{}}
	l := NewLocal(d)
	l.SetPrivateKey(PrivateKey{1: 1})
	l.ClearPrivateKey()
	if pub, ok := l.PublicKey(); ok || pub != (PublicKey{}) {
		t.Errorf("PublicKey after ClearPrivateKey = %v, %v", pub, ok)
	}
	if priv, ok := l.PrivateKey(); ok || priv != (PrivateKey{}) {
		t.Error("PrivateKey after ClearPrivateKey still reports a key")
	}
	r := l.NewRemote(PublicKey{9: 9}, PresharedKey{})
	var init wire.MessageInitiation
	if err := r.CreateInitiation(&init, t0, testRand(1)); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("CreateInitiation = %v, want ErrNoIdentity", err)
	}
	l.SetPrivateKey(PrivateKey{1: 1})
	if _, ok := l.PublicKey(); !ok {
		t.Error("no key after SetPrivateKey")
	}
}

// TestSetPrivateKey checks the lazy static-static precomputation: after a
// key change, handshakes use the new key.
func TestSetPrivateKey(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	p.handshake(t, t0)
	k, err := NewPrivateKey(testRand(99))
	if err != nil {
		t.Fatal(err)
	}
	pub := p.a.local.SetPrivateKey(k)
	if got, _ := p.a.local.PrivateKey(); got != k {
		t.Error("PrivateKey does not return the key set")
	}
	if pub != k.PublicKey() {
		t.Error("SetPrivateKey returned the wrong public key")
	}
	// b still knows a by the old key: the initiation is refused.
	var init wire.MessageInitiation
	if err := p.ab.CreateInitiation(&init, t0.Add(time.Second), testRand(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.b.local.ConsumeInitiation(&init, t0.Add(time.Second)); !errors.Is(err, ErrUnknownPeer) {
		t.Fatalf("initiation under the new key to a peer that knows the old one: %v", err)
	}
	// Reconfigure b with a's new key; the handshake now completes.
	p.ba = p.b.addPeer(pub, PresharedKey{})
	p.handshake(t, t0.Add(2*time.Second))
}

// TestStaleCommit checks "copy, compute, commit": a handshake that changed
// while a response was being computed is not overwritten.
func TestStaleCommit(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	var init wire.MessageInitiation
	if err := p.ab.CreateInitiation(&init, t0, testRand(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.b.local.ConsumeInitiation(&init, t0); err != nil {
		t.Fatal(err)
	}
	// NewIndex runs between compute and commit; change the handshake there.
	hook := &hookUpcall{device: p.b, onNewIndex: func() {
		var init2 wire.MessageInitiation
		if err := p.ab.CreateInitiation(&init2, t0.Add(time.Second), testRand(2)); err != nil {
			t.Error(err)
		}
		if _, err := p.b.local.ConsumeInitiation(&init2, t0.Add(time.Second)); err != nil {
			t.Error(err)
		}
	}}
	p.b.local.upcall = hook
	var resp wire.MessageResponse
	if err := p.ba.CreateResponse(&resp, testRand(3)); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("CreateResponse across a new initiation = %v, want ErrInvalidState", err)
	}
	p.b.local.upcall = p.b
	if s := p.ba.HandshakeState(); s != HandshakeInitiationConsumed {
		t.Errorf("state %v, want the newer initiation still consumed", s)
	}
	p.b.checkIndices(t)
}

type hookUpcall struct {
	*device
	onNewIndex func()
}

func (h *hookUpcall) NewIndex(r *Remote) (uint32, error) {
	if f := h.onNewIndex; f != nil {
		h.onNewIndex = nil
		f()
	}
	return h.device.NewIndex(r)
}

func TestHandshakeStateString(t *testing.T) {
	got := []string{}
	for s := HandshakeZeroed; s <= HandshakeResponseConsumed+1; s++ {
		got = append(got, s.String())
	}
	want := []string{"zeroed", "initiation-created", "initiation-consumed", "response-created", "response-consumed", "HandshakeState(5)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestKeyChangeMidHandshake checks that a handshake begun under one private
// key cannot finish under another.
func TestKeyChangeMidHandshake(t *testing.T) {
	newKey := func(seed byte) PrivateKey {
		k, err := NewPrivateKey(testRand(seed))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	t.Run("responder", func(t *testing.T) {
		p := newPair(t, PresharedKey{}, PresharedKey{})
		var init wire.MessageInitiation
		if err := p.ab.CreateInitiation(&init, t0, testRand(1)); err != nil {
			t.Fatal(err)
		}
		if _, err := p.b.local.ConsumeInitiation(&init, t0); err != nil {
			t.Fatal(err)
		}
		p.b.local.SetPrivateKey(newKey(50))
		var resp wire.MessageResponse
		if err := p.ba.CreateResponse(&resp, testRand(2)); !errors.Is(err, ErrInvalidState) {
			t.Errorf("CreateResponse after a key change = %v, want ErrInvalidState", err)
		}
		p.b.checkIndices(t)
	})
	t.Run("responder before BeginSession", func(t *testing.T) {
		p := newPair(t, PresharedKey{}, PresharedKey{})
		var init wire.MessageInitiation
		if err := p.ab.CreateInitiation(&init, t0, testRand(1)); err != nil {
			t.Fatal(err)
		}
		if _, err := p.b.local.ConsumeInitiation(&init, t0); err != nil {
			t.Fatal(err)
		}
		var resp wire.MessageResponse
		if err := p.ba.CreateResponse(&resp, testRand(2)); err != nil {
			t.Fatal(err)
		}
		p.b.local.SetPrivateKey(newKey(51))
		if _, err := p.ba.BeginSession(t0); !errors.Is(err, ErrInvalidState) {
			t.Errorf("BeginSession after a key change = %v, want ErrInvalidState", err)
		}
	})
	t.Run("initiator", func(t *testing.T) {
		p := newPair(t, PresharedKey{}, PresharedKey{})
		var init wire.MessageInitiation
		if err := p.ab.CreateInitiation(&init, t0, testRand(1)); err != nil {
			t.Fatal(err)
		}
		r, err := p.b.local.ConsumeInitiation(&init, t0)
		if err != nil {
			t.Fatal(err)
		}
		var resp wire.MessageResponse
		if err := r.CreateResponse(&resp, testRand(2)); err != nil {
			t.Fatal(err)
		}
		p.a.local.SetPrivateKey(newKey(52))
		if err := p.ab.ConsumeResponse(&resp); !errors.Is(err, ErrInvalidState) {
			t.Errorf("ConsumeResponse after a key change = %v, want ErrInvalidState", err)
		}
	})
}
