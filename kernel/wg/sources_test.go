package wg

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"nbwg/kernel/klog"
	"nbwg/kernel/sys"
)

// Protocol code takes the time and its random numbers from the device's
// Env, never from time.Now or crypto/rand directly, so that tests (and
// wgconfig's latest-handshake) see the clock the device was given.

// TestLatestHandshakeFromDeviceClock: the time a session was established
// is read from the device's clock, here a fake one set years away from
// the real time.
func TestLatestHandshakeFromDeviceClock(t *testing.T) {
	a, b, clk := fakePair(t, nil)
	established(t, a, b)
	for _, h := range []struct {
		name string
		p    *Peer
	}{{"initiator B", b.peer(a)}, {"responder A", a.peer(b)}} {
		got, ok := h.p.LastHandshake()
		if !ok {
			t.Fatalf("%s: no latest handshake", h.name)
		}
		if !got.Equal(clk.Now()) {
			t.Errorf("%s: latest handshake %v, want the device clock's %v", h.name, got, clk.Now())
		}
	}
}

// TestIndexFromDeviceRand: session indices ([W] 5.4.2, "randomly
// generated") come from the device's random source; an index in use is
// drawn again.
func TestIndexFromDeviceRand(t *testing.T) {
	le := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	// Two draws of the same index, then another.
	src := bytes.NewReader(bytes.Join([][]byte{le(0x5a5a0001), le(0x5a5a0001), le(0x5a5a0002)}, nil))
	n, dev := testKernelDeviceEnv(t, Env{Rand: src})
	if err := set(n, root, sys.WG_IOCTL_ADD_PEER, peerDict("P", key(1))); err != nil {
		t.Fatal(err)
	}
	remote := dev.peerByKey([32]byte(key(1))).remote
	for i, want := range []uint32{0x5a5a0001, 0x5a5a0002} {
		idx, err := dev.index.NewIndex(remote)
		if err != nil {
			t.Fatalf("index %d: %v", i, err)
		}
		if idx != want {
			t.Errorf("index %d = %#x, want %#x from the device's random source", i, idx, want)
		}
	}
	// The source is spent: the error says so instead of an index.
	if idx, err := dev.index.NewIndex(remote); err == nil {
		t.Errorf("index %#x from an exhausted random source", idx)
	}
}

// TestLogLimitFollowsDeviceClock: the per-call-site limit on debug
// messages is timed by the device's clock, as everything else is: a
// burst, then nothing until the interval has passed on that clock
// (it read the system clock, so a flood that took more than 5 s of real
// time logged a second burst).
func TestLogLimitFollowsDeviceClock(t *testing.T) {
	a, _, clk := fakePair(t, nil)
	a.dev.params.Debug.Store(DebugLog)
	count := func() int {
		n := 0
		for _, m := range a.dev.log.Messages() {
			if strings.Contains(m, "a message from a packet") {
				n++
			}
		}
		return n
	}
	for i := range 3 * klog.DefaultBurst {
		a.dev.logf(klog.LOG_DEBUG, "a message from a packet, %d", i)
	}
	if n := count(); n != klog.DefaultBurst {
		t.Fatalf("%d messages logged, want a burst of %d", n, klog.DefaultBurst)
	}
	clk.Advance(klog.DefaultInterval)
	a.dev.logf(klog.LOG_DEBUG, "a message from a packet, %d", 3*klog.DefaultBurst)
	if n := count(); n != klog.DefaultBurst+1 {
		t.Errorf("%d messages logged after the device clock moved %v, want %d", n, klog.DefaultInterval, klog.DefaultBurst+1)
	}
}
