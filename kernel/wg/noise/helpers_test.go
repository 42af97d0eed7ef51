package noise

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	"nbwg/kernel/wg/wire"
)

// testRand returns a deterministic random source.
func testRand(seed byte) io.Reader {
	return rand.NewChaCha8([32]byte{0: seed, 31: 0x5a})
}

// t0 is the test clock's origin; its nanoseconds are zero, so whitened
// timestamps step exactly every 2^24 ns from here.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// device is the device side of the tests: a peer table keyed by public key
// and an index table, implementing Upcall. It checks the Upcall contract:
// every index is dropped exactly once.
type device struct {
	t     testing.TB
	local *Local
	rng   *rand.Rand

	mu      sync.Mutex
	peers   map[PublicKey]*Remote
	indices map[uint32]*Remote
	// forced, when not empty, supplies the next indices (golden vectors).
	forced []uint32
}

var _ Upcall = (*device)(nil)

func newDevice(t testing.TB, seed byte) *device {
	d := &device{
		t:       t,
		rng:     rand.New(rand.NewPCG(uint64(seed), 1)),
		peers:   map[PublicKey]*Remote{},
		indices: map[uint32]*Remote{},
	}
	d.local = NewLocal(d)
	k, err := NewPrivateKey(testRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	d.local.SetPrivateKey(k)
	return d
}

func (d *device) pub() PublicKey {
	pub, ok := d.local.PublicKey()
	if !ok {
		d.t.Fatal("device has no key")
	}
	return pub
}

// addPeer makes a Remote for pub and registers it.
func (d *device) addPeer(pub PublicKey, psk PresharedKey) *Remote {
	r := d.local.NewRemote(pub, psk)
	d.mu.Lock()
	d.peers[pub] = r
	d.mu.Unlock()
	return r
}

func (d *device) LookupRemote(pub PublicKey) *Remote {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.peers[pub]
}

func (d *device) NewIndex(r *Remote) (uint32, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.forced) > 0 {
		i := d.forced[0]
		d.forced = d.forced[1:]
		if _, taken := d.indices[i]; taken {
			return 0, fmt.Errorf("forced index %#x in use", i)
		}
		d.indices[i] = r
		return i, nil
	}
	for {
		i := d.rng.Uint32()
		if _, taken := d.indices[i]; !taken {
			d.indices[i] = r
			return i, nil
		}
	}
}

func (d *device) DropIndex(i uint32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.indices[i]; !ok {
		d.t.Errorf("DropIndex(%#x): not allocated or dropped twice", i)
	}
	delete(d.indices, i)
}

// remoteByIndex is the index table lookup of the receive path.
func (d *device) remoteByIndex(i uint32) *Remote {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.indices[i]
}

// checkIndices verifies that the index table holds exactly the indices
// owned by the device's handshakes and keypairs.
func (d *device) checkIndices(t testing.TB) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	want := map[uint32]bool{}
	for _, r := range d.peers {
		r.hsMu.RLock()
		if r.hs.state.ownsIndex() {
			want[r.hs.localIndex] = true
		}
		r.hsMu.RUnlock()
		for _, kp := range []*Keypair{r.next.Load(), r.current.Load(), r.previous.Load()} {
			if kp != nil {
				want[kp.localIndex] = true
			}
		}
	}
	for i, r := range d.indices {
		if !want[i] {
			t.Errorf("index %#x (peer %v) allocated but owned by nothing", i, r.PublicKey())
		}
	}
	for i := range want {
		if _, ok := d.indices[i]; !ok {
			t.Errorf("index %#x owned but not allocated", i)
		}
	}
}

// pair is two devices that know each other.
type pair struct {
	a, b   *device
	ab, ba *Remote // a's Remote for b, b's Remote for a
}

func newPair(t testing.TB, pskA, pskB PresharedKey) *pair {
	a, b := newDevice(t, 1), newDevice(t, 2)
	return &pair{a: a, b: b, ab: a.addPeer(b.pub(), pskA), ba: b.addPeer(a.pub(), pskB)}
}

// marshalInit and friends send a message through its wire form, as the
// device would.
func viaWireInit(t testing.TB, m *wire.MessageInitiation) *wire.MessageInitiation {
	t.Helper()
	b := make([]byte, wire.MessageInitiationSize)
	if err := m.Marshal(b); err != nil {
		t.Fatal(err)
	}
	var out wire.MessageInitiation
	if err := out.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	return &out
}

func viaWireResp(t testing.TB, m *wire.MessageResponse) *wire.MessageResponse {
	t.Helper()
	b := make([]byte, wire.MessageResponseSize)
	if err := m.Marshal(b); err != nil {
		t.Fatal(err)
	}
	var out wire.MessageResponse
	if err := out.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	return &out
}

// handshake runs a complete handshake from p.a to p.b at now and returns
// the two keypairs (initiator's, responder's).
func (p *pair) handshake(t testing.TB, now time.Time) (*Keypair, *Keypair) {
	t.Helper()
	var init wire.MessageInitiation
	if err := p.ab.CreateInitiation(&init, now, testRand(10)); err != nil {
		t.Fatalf("CreateInitiation: %v", err)
	}
	r, err := p.b.local.ConsumeInitiation(viaWireInit(t, &init), now)
	if err != nil {
		t.Fatalf("ConsumeInitiation: %v", err)
	}
	if r != p.ba {
		t.Fatalf("ConsumeInitiation found %p, want %p", r, p.ba)
	}
	var resp wire.MessageResponse
	if err := r.CreateResponse(&resp, testRand(11)); err != nil {
		t.Fatalf("CreateResponse: %v", err)
	}
	kpB, err := r.BeginSession(now)
	if err != nil {
		t.Fatalf("responder BeginSession: %v", err)
	}
	got := viaWireResp(t, &resp)
	ri := p.a.remoteByIndex(got.Receiver)
	if ri != p.ab {
		t.Fatalf("response receiver %#x maps to %p, want %p", got.Receiver, ri, p.ab)
	}
	if err := ri.ConsumeResponse(got); err != nil {
		t.Fatalf("ConsumeResponse: %v", err)
	}
	kpA, err := ri.BeginSession(now)
	if err != nil {
		t.Fatalf("initiator BeginSession: %v", err)
	}
	return kpA, kpB
}

// seal encrypts payload as a transport message with kp, through the wire
// format, padding it as the device does.
func sealTransport(t testing.TB, kp *Keypair, payload []byte) []byte {
	t.Helper()
	c, err := kp.NextCounter()
	if err != nil {
		t.Fatalf("NextCounter: %v", err)
	}
	return sealTransportAt(t, kp, payload, c)
}

func sealTransportAt(t testing.TB, kp *Keypair, payload []byte, c uint64) []byte {
	t.Helper()
	padded := wire.PaddedSize(len(payload), 1420)
	pkt := make([]byte, wire.MessageTransportHeaderSize+padded+wire.TagSize)
	copy(pkt[wire.MessageTransportHeaderSize:], payload)
	hdr := wire.MessageTransport{Type: wire.TypeTransport, Receiver: kp.RemoteIndex(), Counter: c}
	if err := hdr.MarshalHeader(pkt); err != nil {
		t.Fatal(err)
	}
	out := kp.Encrypt(pkt[:wire.MessageTransportHeaderSize], pkt[wire.MessageTransportHeaderSize:wire.MessageTransportHeaderSize+padded], c)
	if len(out) != len(pkt) || &out[0] != &pkt[0] {
		t.Fatalf("Encrypt did not seal in place")
	}
	return pkt
}

// open runs the receive path on pkt at d: index lookup, Decrypt,
// ValidateCounter, ReceivedWith. It returns the padded plaintext.
func (d *device) openTransport(pkt []byte) ([]byte, bool, error) {
	var m wire.MessageTransport
	if err := m.Unmarshal(pkt); err != nil {
		return nil, false, err
	}
	r := d.remoteByIndex(m.Receiver)
	if r == nil {
		return nil, false, fmt.Errorf("no index %#x", m.Receiver)
	}
	kp := r.Keypair(m.Receiver)
	if kp == nil {
		return nil, false, fmt.Errorf("index %#x has no keypair", m.Receiver)
	}
	pt, err := kp.Decrypt(m.Content[:0], m.Content, m.Counter)
	if err != nil {
		return nil, false, err
	}
	if err := kp.ValidateCounter(m.Counter); err != nil {
		return nil, false, err
	}
	return pt, r.ReceivedWith(kp), nil
}

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
