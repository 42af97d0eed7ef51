package wg

import (
	"encoding/binary"
	"io"
	"sync"
	"time"

	"nbwg/kernel/klog"
	"nbwg/kernel/wg/clock"
)

// The timers of [W] 6, per peer:
//
//   - retransmitHandshake: REKEY_TIMEOUT (+ jitter) after an initiation,
//     send another, until REKEY_ATTEMPT_TIME has passed since the first
//     ([W] 6.4); then give up.
//   - sendKeepalive: KEEPALIVE_TIMEOUT after data arrived, if we sent
//     nothing back, send an empty packet ([W] 6.5, passive keepalive).
//   - newHandshake: KEEPALIVE_TIMEOUT + REKEY_TIMEOUT after we sent data,
//     if nothing came back, start a new handshake ([W] 6.5).
//   - zeroKeyMaterial: REJECT_AFTER_TIME × 3 after the last session was
//     made, erase every key ([W] 6.3).
//   - persistentKeepalive: when the peer has a persistent keepalive
//     interval (an nbwg extension to NetBSD's if_wg), that long after we
//     last sent it anything, send an empty packet ([W] 6.5), so that a
//     NAT or stateful firewall on the way keeps its mapping open.  It
//     counts outgoing silence only (the Linux driver and wireguard-go
//     count traffic either way): a mapping that only outgoing packets
//     refresh stays open too.
//
// The rest of the package reports events (dataSent, ...); the timers
// decide.  Times come from the device's Params at each event, so
// net.wg.* changes apply at once.  Every event of a packet we send is
// reported before the packet leaves (wireguard-go and the Linux driver
// do so for "any authenticated packet sent", but report "handshake
// initiated" and "data sent" after): its answer may arrive, and the
// answer's events run, before the send returns, and an event reported
// after them would undo theirs: a retransmission armed after the
// handshake had completed, the keepalive that answers data deleted.
//
// A stopped peer's timers stay stopped, whoever reports an event: mod
// checks, under the timer's lock, that the peer still runs, and
// Peer.stop clears that flag before it deletes the timers, so a mod
// either comes before the delete (and is undone by it) or sees the flag.
// And stopAll is synchronous: timer functions run with peerTimers.firing
// held for reading, and stopAll takes it for writing once the timers are
// deleted, so when it returns no timer function of the peer runs or
// will run (a clock that had already decided to fire finds the timer
// deleted).

// peerTimer is one timer with a pending flag.
type peerTimer struct {
	ts *peerTimers
	mu sync.Mutex
	// t is made when the timer is first armed: most peers of a large
	// configuration never have traffic, and a clock timer costs memory
	// (issue 13: an idle peer in at most 4 KiB).
	t       clock.Timer
	pending bool
	fire    func()
}

// mod (re)arms the timer to fire d from now, unless the peer has stopped.
func (t *peerTimer) mod(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ts.active() {
		return
	}
	t.pending = true
	if t.t == nil {
		t.t = t.ts.peer.dev.clock.AfterFunc(d, func() { t.ts.run(t) })
		return
	}
	t.t.Reset(d)
}

func (t *peerTimer) del() {
	t.mu.Lock()
	t.pending = false
	if t.t != nil {
		t.t.Stop()
	}
	t.mu.Unlock()
}

func (t *peerTimer) isPending() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pending
}

// expired marks the timer fired; it reports false when the timer was
// deleted or re-armed after the clock decided to fire it.
func (t *peerTimer) expired() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := t.pending
	t.pending = false
	return was
}

type peerTimers struct {
	peer                *Peer
	retransmitHandshake peerTimer
	sendKeepalive       peerTimer
	newHandshake        peerTimer
	zeroKeyMaterial     peerTimer
	persistentKeepalive peerTimer
	// firing is held for reading while a timer function runs, and for
	// writing by stopAll to wait for those that run.
	firing sync.RWMutex
	// needAnotherKeepalive is set when data arrives while a keepalive
	// is already pending, so one more follows it.
	needAnotherKeepalive bool
	mu                   sync.Mutex
}

func (ts *peerTimers) init(p *Peer) {
	ts.peer = p
	for _, x := range []struct {
		t *peerTimer
		f func()
	}{
		{&ts.retransmitHandshake, ts.expiredRetransmitHandshake},
		{&ts.sendKeepalive, ts.expiredSendKeepalive},
		{&ts.newHandshake, ts.expiredNewHandshake},
		{&ts.zeroKeyMaterial, ts.expiredZeroKeyMaterial},
		{&ts.persistentKeepalive, ts.expiredPersistentKeepalive},
	} {
		x.t.ts, x.t.fire = ts, x.f
	}
}

// run is what the clock calls when t falls due.
func (ts *peerTimers) run(t *peerTimer) {
	ts.firing.RLock()
	defer ts.firing.RUnlock()
	if t.expired() {
		t.fire()
	}
}

// stopAll deletes the timers and waits for timer functions that are
// running; the peer has stopped (Peer.stop), so none is armed again.
// It must not be called from a timer function.
func (ts *peerTimers) stopAll() {
	ts.retransmitHandshake.del()
	ts.sendKeepalive.del()
	ts.newHandshake.del()
	ts.zeroKeyMaterial.del()
	ts.persistentKeepalive.del()
	// An empty critical section: waiting for the readers is the point.
	ts.firing.Lock()
	ts.firing.Unlock()
}

// active reports whether the peer may arm timers.
func (ts *peerTimers) active() bool { return ts.peer.running.Load() }

// jitter returns up to a third of a second, so that peers do not retry
// in lockstep ([W] 6.1: "REKEY_TIMEOUT + jitter"); none if the device's
// random source fails.
func (ts *peerTimers) jitter() time.Duration {
	var b [4]byte
	if _, err := io.ReadFull(ts.peer.dev.rand, b[:]); err != nil {
		return 0
	}
	return time.Duration(binary.LittleEndian.Uint32(b[:])%334) * time.Millisecond
}

// dataSent: a data (non-keepalive) packet is being sent.
func (ts *peerTimers) dataSent() {
	if !ts.newHandshake.isPending() {
		prm := ts.peer.dev.params
		ts.newHandshake.mod(prm.KeepaliveTimeout() + prm.RekeyTimeout() + ts.jitter())
	}
}

// dataReceived: a data (non-keepalive) packet was received.
func (ts *peerTimers) dataReceived() {
	if !ts.sendKeepalive.isPending() {
		ts.sendKeepalive.mod(ts.peer.dev.params.KeepaliveTimeout())
	} else {
		ts.mu.Lock()
		ts.needAnotherKeepalive = true
		ts.mu.Unlock()
	}
}

// anyAuthenticatedPacketSent: an authenticated packet (data, keepalive
// or handshake) is being sent: it counts as the keepalive, and the
// persistent keepalive's silence starts again.
func (ts *peerTimers) anyAuthenticatedPacketSent() {
	ts.sendKeepalive.del()
	ts.persistentKeepaliveChanged()
}

// persistentKeepaliveChanged: the peer's persistent keepalive interval
// was set, or a packet went to it: arm the timer for the interval, or
// delete it when there is none.
func (ts *peerTimers) persistentKeepaliveChanged() {
	if k := ts.peer.keepalive.Load(); k != 0 {
		ts.persistentKeepalive.mod(time.Duration(k) * time.Second)
	} else if ts.persistentKeepalive.isPending() {
		ts.persistentKeepalive.del()
	}
}

// anyAuthenticatedPacketReceived: an authenticated packet was received:
// the peer is alive, no new handshake is needed for silence.
func (ts *peerTimers) anyAuthenticatedPacketReceived() { ts.newHandshake.del() }

// handshakeInitiated: an initiation is being sent.
func (ts *peerTimers) handshakeInitiated() {
	ts.retransmitHandshake.mod(ts.peer.dev.params.RekeyTimeout() + ts.jitter())
}

// handshakeComplete: call when a session is established (initiator: the
// response was consumed; responder: the first transport message came).
func (ts *peerTimers) handshakeComplete() {
	ts.retransmitHandshake.del()
	p := ts.peer
	// The device's clock: wall time, as NetBSD takes
	// wgp_last_handshake_time from getnanotime(9); the fake clock's
	// time in tests.
	p.lastHandshake.Store(p.dev.clock.Now().UnixNano())
	p.hsMu.Lock()
	p.attemptStart = time.Time{}
	p.hsMu.Unlock()
}

// sessionDerived: call when a keypair is made; the keys are erased if no
// newer session replaces them in time.
func (ts *peerTimers) sessionDerived() {
	ts.zeroKeyMaterial.mod(3 * ts.peer.dev.params.RejectAfterTime())
}

func (ts *peerTimers) expiredRetransmitHandshake() {
	p := ts.peer
	d := p.dev
	p.hsMu.Lock()
	started := p.attemptStart
	p.hsMu.Unlock()
	if !started.IsZero() && d.clock.Now().Sub(started) > d.params.RekeyAttemptTime() {
		d.logf(klog.LOG_DEBUG, "peer %s: handshake did not complete after %v, giving up",
			p.displayName(), d.params.RekeyAttemptTime())
		ts.sendKeepalive.del()
		p.dropStaged()
		if !ts.zeroKeyMaterial.isPending() {
			ts.zeroKeyMaterial.mod(3 * d.params.RejectAfterTime())
		}
		return
	}
	d.logf(klog.LOG_DEBUG, "peer %s: no response to handshake initiation, retrying", p.displayName())
	p.sendInitiation(true)
}

func (ts *peerTimers) expiredSendKeepalive() {
	ts.peer.sendKeepalive()
	ts.mu.Lock()
	again := ts.needAnotherKeepalive
	ts.needAnotherKeepalive = false
	ts.mu.Unlock()
	if again {
		ts.sendKeepalive.mod(ts.peer.dev.params.KeepaliveTimeout())
	}
}

func (ts *peerTimers) expiredNewHandshake() {
	p := ts.peer
	p.dev.logf(klog.LOG_DEBUG, "peer %s: nothing heard back, starting a new handshake", p.displayName())
	p.sendInitiation(false)
}

func (ts *peerTimers) expiredPersistentKeepalive() {
	if ts.peer.keepalive.Load() != 0 {
		// Sending it arms the timer again (anyAuthenticatedPacketSent);
		// without a session it starts a handshake, which opens the
		// mapping as well.
		ts.peer.sendKeepalive()
	}
}

func (ts *peerTimers) expiredZeroKeyMaterial() {
	p := ts.peer
	p.dev.logf(klog.LOG_DEBUG, "peer %s: erasing session keys after %v", p.displayName(), 3*p.dev.params.RejectAfterTime())
	p.remote.Clear()
}
