package noise

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"nbwg/kernel/wg/replay"
	"nbwg/kernel/wg/wire"
)

func TestTransportCounters(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	kpA, _ := p.handshake(t, t0)

	pkts := make([][]byte, 0, 12)
	for i := range 12 {
		pkts = append(pkts, sealTransport(t, kpA, []byte{byte(i)}))
	}
	clone := func(b []byte) []byte { return append([]byte(nil), b...) }
	recv := func(pkt []byte) error {
		_, _, err := p.b.openTransport(clone(pkt))
		return err
	}
	steps := []struct {
		name string
		pkt  []byte
		want error
	}{
		{"0", pkts[0], nil},
		{"2 before 1", pkts[2], nil},
		{"1 late, inside the window", pkts[1], nil},
		{"0 again", pkts[0], ErrReplayedCounter},
		{"2 again", pkts[2], ErrReplayedCounter},
		{"11", pkts[11], nil},
		{"5 late", pkts[5], nil},
		{"5 again", pkts[5], ErrReplayedCounter},
	}
	for _, s := range steps {
		if err := recv(s.pkt); !errors.Is(err, s.want) {
			t.Errorf("%s: %v, want %v", s.name, err, s.want)
		}
	}

	// Authentication failures leave the replay window alone: a packet with
	// a forged counter must not advance it.
	forged := clone(pkts[6])
	forged[8] = 0xff // counter byte: the nonce changes, the tag fails
	if err := recv(forged); !errors.Is(err, ErrDecryptFailed) {
		t.Errorf("forged counter: %v, want ErrDecryptFailed", err)
	}
	tampered := clone(pkts[6])
	tampered[20] ^= 1
	if err := recv(tampered); !errors.Is(err, ErrDecryptFailed) {
		t.Errorf("tampered ciphertext: %v, want ErrDecryptFailed", err)
	}
	if err := recv(pkts[6]); err != nil {
		t.Errorf("genuine 6 after forgeries: %v", err)
	}

	// Far ahead, then a packet that fell off the window.
	far := sealTransportAt(t, kpA, []byte("far"), replay.WindowSize+20)
	if err := recv(far); err != nil {
		t.Fatal(err)
	}
	if err := recv(pkts[7]); !errors.Is(err, ErrReplayedCounter) {
		t.Errorf("packet below the window: %v, want ErrReplayedCounter", err)
	}
	inside := sealTransportAt(t, kpA, []byte("in"), 25)
	if err := recv(inside); err != nil {
		t.Errorf("packet just inside the window: %v", err)
	}

	// Counters no sender may use.
	if _, err := kpA.remote.Keypair(kpA.localIndex).Decrypt(nil, make([]byte, 16), RejectAfterMessages); !errors.Is(err, ErrRejectAfterMessages) {
		t.Errorf("Decrypt at RejectAfterMessages: %v", err)
	}
	if err := kpA.ValidateCounter(RejectAfterMessages); !errors.Is(err, ErrRejectAfterMessages) {
		t.Errorf("ValidateCounter at RejectAfterMessages: %v", err)
	}
}

func TestNextCounterExhaustion(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	kpA, _ := p.handshake(t, t0)
	if c, err := kpA.NextCounter(); c != 0 || err != nil {
		t.Fatalf("first counter %d, %v", c, err)
	}
	kpA.sendCounter.Store(RejectAfterMessages - 1)
	if c, err := kpA.NextCounter(); c != RejectAfterMessages-1 || err != nil {
		t.Fatalf("last counter %d, %v", c, err)
	}
	for range 3 {
		if _, err := kpA.NextCounter(); !errors.Is(err, ErrRejectAfterMessages) {
			t.Fatalf("past the limit: %v", err)
		}
	}
	if c := kpA.sendCounter.Load(); c != RejectAfterMessages {
		t.Errorf("counter not pinned: %d", c)
	}
}

// TestRotation follows the slot rules of BeginSession and ReceivedWith
// through a series of handshakes in both directions.
func TestRotation(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	// The pair in the other direction shares the devices and Remotes.
	rev := &pair{a: p.b, b: p.a, ab: p.ba, ba: p.ab}
	now := t0
	tick := func() time.Time { now = now.Add(time.Second); return now }
	slots := func(r *Remote) [3]*Keypair {
		n, c, pr := r.Keypairs()
		return [3]*Keypair{n, c, pr}
	}
	check := func(step string, r *Remote, want [3]*Keypair) {
		t.Helper()
		if got := slots(r); got != want {
			t.Fatalf("%s: slots (next, current, previous) = %p, want %p", step, got, want)
		}
		p.a.checkIndices(t)
		p.b.checkIndices(t)
	}

	a1, b1 := p.handshake(t, tick())
	check("1 a", p.ab, [3]*Keypair{nil, a1, nil})
	check("1 b", p.ba, [3]*Keypair{b1, nil, nil})
	if _, ok, err := p.b.openTransport(sealTransport(t, a1, nil)); !ok || err != nil {
		t.Fatal("b1 not confirmed", err)
	}
	check("1 b confirmed", p.ba, [3]*Keypair{nil, b1, nil})

	// a rekeys: the initiator's new keypair is current at once.
	a2, b2 := p.handshake(t, tick())
	check("2 a", p.ab, [3]*Keypair{nil, a2, a1})
	check("2 b", p.ba, [3]*Keypair{b2, b1, nil})
	// A late packet under the old keypair still decrypts on b.
	if _, ok, err := p.b.openTransport(sealTransport(t, a1, nil)); ok || err != nil {
		t.Fatalf("late packet under a1: confirmed=%v err=%v", ok, err)
	}

	// Before b2 is confirmed, a rekeys again: b's waiting next is replaced.
	a3, b3 := p.handshake(t, tick())
	check("3 a", p.ab, [3]*Keypair{nil, a3, a2})
	check("3 b", p.ba, [3]*Keypair{b3, b1, nil})
	if !b2.dropped.Load() {
		t.Error("replaced next keypair not retired")
	}
	if _, _, err := p.b.openTransport(sealTransport(t, a2, nil)); err == nil {
		t.Error("packet under a dropped keypair accepted")
	}
	if _, ok, err := p.b.openTransport(sealTransport(t, a3, nil)); err != nil || !ok {
		t.Fatalf("b3 not confirmed: %v", err)
	}
	check("3 b confirmed", p.ba, [3]*Keypair{nil, b3, b1})

	// Now b initiates, while a has nothing waiting.
	b4, a4 := rev.handshake(t, tick())
	check("4 b", p.ba, [3]*Keypair{nil, b4, b3})
	check("4 a", p.ab, [3]*Keypair{a4, a3, nil})
	if !a2.dropped.Load() || !b1.dropped.Load() {
		t.Error("keypairs pushed out of previous not retired")
	}

	// a initiates while its own responder keypair a4 still waits in next:
	// a4 becomes previous and the old current a3 is dropped.
	a5, b5 := p.handshake(t, tick())
	check("5 a", p.ab, [3]*Keypair{nil, a5, a4})
	check("5 b", p.ba, [3]*Keypair{b5, b4, nil})
	if !a3.dropped.Load() {
		t.Error("a3 not retired")
	}

	// ReceivedWith on anything but next changes nothing.
	if p.ab.ReceivedWith(a5) || p.ab.ReceivedWith(nil) {
		t.Error("ReceivedWith promoted a keypair that was not next")
	}

	// Clear drops everything and every index.
	p.ab.Clear()
	p.ba.Clear()
	check("cleared a", p.ab, [3]*Keypair{})
	check("cleared b", p.ba, [3]*Keypair{})
	for _, kp := range []*Keypair{a4, a5, b4, b5} {
		if !kp.dropped.Load() {
			t.Errorf("keypair %#x not retired by Clear", kp.LocalIndex())
		}
		if _, err := kp.NextCounter(); !errors.Is(err, ErrKeypairExpired) {
			t.Errorf("NextCounter after Clear: %v", err)
		}
		if _, err := kp.Decrypt(nil, make([]byte, 16), 0); !errors.Is(err, ErrKeypairExpired) {
			t.Errorf("Decrypt after Clear: %v", err)
		}
	}
	if len(p.a.indices) != 0 || len(p.b.indices) != 0 {
		t.Errorf("indices left after Clear: %v %v", p.a.indices, p.b.indices)
	}
}

func TestClearDuringHandshake(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	var init wire.MessageInitiation
	if err := p.ab.CreateInitiation(&init, t0, testRand(1)); err != nil {
		t.Fatal(err)
	}
	p.ab.Clear()
	if s := p.ab.HandshakeState(); s != HandshakeZeroed {
		t.Errorf("state %v after Clear", s)
	}
	p.a.checkIndices(t)
	if len(p.a.indices) != 0 {
		t.Errorf("handshake index not dropped: %v", p.a.indices)
	}
}

func TestExpireKeypairs(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	kpA, kpB := p.handshake(t, t0)
	p.ab.ExpireKeypairs()
	p.ba.ExpireKeypairs()
	for _, kp := range []*Keypair{kpA, kpB} {
		if _, err := kp.NextCounter(); !errors.Is(err, ErrRejectAfterMessages) {
			t.Errorf("NextCounter after ExpireKeypairs: %v", err)
		}
	}
	// Receiving still works.
	if _, _, err := p.b.openTransport(sealTransportAt(t, kpA, []byte("x"), 0)); err != nil {
		t.Errorf("receive after ExpireKeypairs: %v", err)
	}
}

// TestConcurrentTransport encrypts on several goroutines with one keypair
// and decrypts on several others, in a shuffled order: every packet must
// be accepted exactly once. Run with -race.
func TestConcurrentTransport(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	kpA, kpB := p.handshake(t, t0)
	const workers, perWorker = 4, 500

	var mu sync.Mutex
	var pkts [][]byte
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			payload := bytes.Repeat([]byte{byte(w)}, 100)
			for range perWorker {
				c, err := kpA.NextCounter()
				if err != nil {
					t.Error(err)
					return
				}
				pkt := make([]byte, 16+len(payload)+16)
				copy(pkt[16:], payload)
				hdr := wire.MessageTransport{Type: wire.TypeTransport, Receiver: kpA.RemoteIndex(), Counter: c}
				if err := hdr.MarshalHeader(pkt); err != nil {
					t.Error(err)
					return
				}
				kpA.Encrypt(pkt[:16], pkt[16:16+len(payload)], c)
				mu.Lock()
				pkts = append(pkts, pkt)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(pkts), func(i, j int) { pkts[i], pkts[j] = pkts[j], pkts[i] })
	// Each packet twice: exactly one copy may pass.
	all := append(append([][]byte(nil), pkts...), pkts...)
	var accepted sync.WaitGroup
	var nOK, nReplay int
	work := make(chan []byte)
	for range workers {
		accepted.Go(func() {
			for pkt := range work {
				var m wire.MessageTransport
				if err := m.Unmarshal(pkt); err != nil {
					t.Error(err)
					continue
				}
				ct := append([]byte(nil), m.Content...)
				if _, err := kpB.Decrypt(ct[:0], ct, m.Counter); err != nil {
					t.Error(err)
					continue
				}
				err := kpB.ValidateCounter(m.Counter)
				mu.Lock()
				switch {
				case err == nil:
					nOK++
				case errors.Is(err, ErrReplayedCounter):
					nReplay++
				default:
					t.Error(err)
				}
				mu.Unlock()
			}
		})
	}
	for _, pkt := range all {
		work <- pkt
	}
	close(work)
	accepted.Wait()
	if nOK != workers*perWorker || nReplay != workers*perWorker {
		t.Errorf("accepted %d, replayed %d; want %d each", nOK, nReplay, workers*perWorker)
	}
}

func TestTransportNoAlloc(t *testing.T) {
	p := newPair(t, PresharedKey{}, PresharedKey{})
	kpA, kpB := p.handshake(t, t0)
	pkt := make([]byte, 16+1420+16)
	dst := make([]byte, 0, 1420)
	var c uint64
	allocs := testing.AllocsPerRun(200, func() {
		var err error
		if c, err = kpA.NextCounter(); err != nil {
			t.Fatal(err)
		}
		ct := kpA.Encrypt(pkt[:16], pkt[16:16+1420], c)
		if _, err := kpB.Decrypt(dst[:0], ct[16:], c); err != nil {
			t.Fatal(err)
		}
		if err := kpB.ValidateCounter(c); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("transport path allocates %v times per packet", allocs)
	}
}

func benchKeypairs(b *testing.B) (*Keypair, *Keypair) {
	p := newPair(b, PresharedKey{}, PresharedKey{})
	return p.handshake(b, t0)
}

func BenchmarkEncrypt1420(b *testing.B) {
	kp, _ := benchKeypairs(b)
	pkt := make([]byte, 16+1420+16)
	b.SetBytes(1420)
	b.ReportAllocs()
	for b.Loop() {
		c, err := kp.NextCounter()
		if err != nil {
			b.Fatal(err)
		}
		kp.Encrypt(pkt[:16], pkt[16:16+1420], c)
	}
}

func BenchmarkDecrypt1420(b *testing.B) {
	kpA, kpB := benchKeypairs(b)
	pkt := make([]byte, 16+1420+16)
	ct := kpA.Encrypt(pkt[:16], pkt[16:16+1420], 0)[16:]
	dst := make([]byte, 0, 1420)
	b.SetBytes(1420)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kpB.Decrypt(dst, ct, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncrypt1420Parallel(b *testing.B) {
	kp, _ := benchKeypairs(b)
	b.SetBytes(1420)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		pkt := make([]byte, 16+1420+16)
		for pb.Next() {
			c, err := kp.NextCounter()
			if err != nil {
				b.Error(err)
				return
			}
			kp.Encrypt(pkt[:16], pkt[16:16+1420], c)
		}
	})
}

func BenchmarkDecrypt1420Parallel(b *testing.B) {
	kpA, kpB := benchKeypairs(b)
	b.SetBytes(1420)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		pkt := make([]byte, 16+1420+16)
		c, err := kpA.NextCounter()
		if err != nil {
			b.Error(err)
			return
		}
		ct := kpA.Encrypt(pkt[:16], pkt[16:16+1420], c)[16:]
		dst := make([]byte, 0, 1420)
		for pb.Next() {
			if _, err := kpB.Decrypt(dst, ct, c); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkHandshake(b *testing.B) {
	p := newPair(b, PresharedKey{}, PresharedKey{})
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		p.handshake(b, now)
	}
}
