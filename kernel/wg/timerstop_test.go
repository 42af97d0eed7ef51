package wg

import (
	"sync/atomic"
	"testing"
	"time"

	"nbwg/kernel/wg/noise"
)

// TestStoppedPeerArmsNoTimer: once a peer is stopped, no event arms one
// of its timers, whoever reports it: the guard is in the timer itself.
// The retransmit timer's function giving up on a handshake is the
// caller that used to skip the guard (it re-armed zeroKeyMaterial).
func TestStoppedPeerArmsNoTimer(t *testing.T) {
	a, b, clk := fakePair(t, nil)
	p := b.peer(a)
	ts := &p.timers
	p.stop()
	before := clk.Pending()

	ts.dataSent()
	ts.dataReceived()
	ts.handshakeInitiated()
	ts.sessionDerived()
	// A timer function that was already running when the peer stopped:
	// the retransmit timer giving up after REKEY_ATTEMPT_TIME, and the
	// keepalive timer asked for another keepalive.
	p.hsMu.Lock()
	p.attemptStart = clk.Now().Add(-noise.RekeyAttemptTime - time.Second)
	p.hsMu.Unlock()
	ts.expiredRetransmitHandshake()
	ts.mu.Lock()
	ts.needAnotherKeepalive = true
	ts.mu.Unlock()
	ts.expiredSendKeepalive()

	for name, tm := range map[string]*peerTimer{
		"retransmitHandshake": &ts.retransmitHandshake,
		"sendKeepalive":       &ts.sendKeepalive,
		"newHandshake":        &ts.newHandshake,
		"zeroKeyMaterial":     &ts.zeroKeyMaterial,
	} {
		if tm.isPending() {
			t.Errorf("%s armed on a stopped peer", name)
		}
	}
	if n := clk.Pending(); n != before {
		t.Errorf("%d clock timers pending, %d before the events", n, before)
	}
}

// TestStopWaitsForTimerFunction: stopping a peer waits for a timer
// function of that peer that is running, so that nothing of the peer
// runs after stop returns.
func TestStopWaitsForTimerFunction(t *testing.T) {
	a, b, clk := fakePair(t, nil)
	p := b.peer(a)
	entered, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	p.timers.sendKeepalive.fire = func() {
		close(entered)
		<-release
		finished.Store(true)
	}
	p.timers.sendKeepalive.mod(time.Second)
	advanced := make(chan struct{})
	go func() {
		defer close(advanced)
		clk.Advance(2 * time.Second)
	}()
	select {
	case <-entered:
	case <-time.After(bound):
		t.Fatal("the timer did not fire")
	}
	stopped := make(chan bool)
	go func() {
		p.stop()
		stopped <- finished.Load()
	}()
	// Stop cannot return while the timer function is held; give it
	// the chance to, so that a stop that did not wait is caught.
	select {
	case <-stopped:
		close(release)
		t.Fatal("stop returned while a timer function of the peer was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if done := <-stopped; !done {
		t.Error("stop returned before the timer function finished")
	}
	<-advanced
}
