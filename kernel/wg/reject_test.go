package wg

import (
	"testing"
	"time"

	"nbwg/kernel/wg/noise"
)

// TestRejectAfterTimeOnReceive: [W] 6.1, a keypair older than
// REJECT_AFTER_TIME (net.wg.reject_after_time) must not be used to
// receive either.  Two transport messages are sealed by B right after
// the handshake, as an attacker could capture them from the wire; the
// first, delivered to A a second before the limit, reaches A's tunnel;
// the second, a second after it, is received, counted and dropped.
func TestRejectAfterTimeOnReceive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params *Params
	}{
		{"default", nil},
		{"net.wg.reject_after_time=50", func() *Params {
			p := NewParams()
			p.SetTimes(40, 50, 90, 5, 10)
			return p
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, clk := fakePair(t, tc.params)
			established(t, a, b)
			reject := a.dev.params.RejectAfterTime()
			if tc.params == nil && reject != noise.RejectAfterTime {
				t.Fatalf("REJECT_AFTER_TIME is %v", reject)
			}
			kpB := b.peer(a).remote.Current()
			var sealed [2][]byte
			for i := range sealed {
				sealed[i] = sealTransport(t, kpB, ping)
			}
			kpA := a.peer(b).remote.Current()
			if kpA == nil || kpA.LocalIndex() != kpB.RemoteIndex() {
				t.Fatal("A has no keypair for B's messages")
			}
			deliver := func(msg []byte) {
				if err := b.wire.Send([][]byte{msg}, a.bind.Endpoint(false)); err != nil {
					t.Fatal(err)
				}
			}
			st := &a.dev.stats

			advance(t, a, clk, kpA.Created().Add(reject-time.Second).Sub(clk.Now()))
			deliver(sealed[0])
			expect(t, a.tun, ping)
			if n := st.rejectedExpired.Load(); n != 0 {
				t.Fatalf("%d messages rejected as expired before REJECT_AFTER_TIME", n)
			}

			advance(t, a, clk, 2*time.Second)
			if age := clk.Now().Sub(kpA.Created()); age <= reject {
				t.Fatalf("keypair only %v old", age)
			}
			deliver(sealed[1])
			waitFor(t, "A to reject the message", func() bool { return st.rejectedExpired.Load() == 1 })
			nothingDelivered(t, a)
			if a.peer(b).remote.Keypair(kpA.LocalIndex()) != kpA {
				t.Error("A no longer holds the keypair: the test shows nothing")
			}
		})
	}
}

// sealTransport makes the transport message B's device would send for
// pkt with kp's next counter.
func sealTransport(t *testing.T, kp *noise.Keypair, pkt []byte) []byte {
	t.Helper()
	c, err := kp.NextCounter()
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, headroom+len(pkt)+32)
	n := copy(msg[headroom:], pkt)
	padded := (n + 15) &^ 15
	msg[0] = 4
	putLE32(msg[4:], kp.RemoteIndex())
	putLE64(msg[8:], c)
	return kp.Encrypt(msg[:headroom], msg[headroom:headroom+padded], c)
}
