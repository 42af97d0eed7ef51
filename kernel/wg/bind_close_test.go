package wg

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"nbwg/kernel/wg/clock"
)

// TestDestroyWhileReceiverReplies: a socket receiver answering a
// handshake with a cookie reply while the sockets close must not hold
// up the close, which holds the sockets' lock while it waits for the
// receivers (it did: destroy hung when the receiver's send waited for
// that lock).  The receiver is held after taking an initiation until
// the close has the lock.
func TestDestroyWhileReceiverReplies(t *testing.T) {
	binds := newTestBinds()
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	a, _ := newPairOver(t, binds, nil, nil, nil, clk)
	a.dev.params.ForceUnderload.Store(true)
	gate := make(chan struct{})
	var opened sync.Once
	open := func() { opened.Do(func() { close(gate) }) }
	t.Cleanup(open) // before the hosts' cleanup, should the test fail early
	binds[0].mu.Lock()
	binds[0].gate = gate
	binds[0].mu.Unlock()

	attacker := netip.MustParseAddrPort("198.51.100.7:5555")
	if !binds[0].inject(junkInitiation(t, a.pub, 1), attacker, nil) {
		t.Fatal("not injected")
	}
	waitFor(t, "A's receiver to take the initiation", func() bool { return binds[0].injectedRead.Load() == 1 })
	destroyed := make(chan struct{})
	go func() {
		defer close(destroyed)
		a.dev.Destroy()
	}()
	waitFor(t, "the close to hold the sockets' lock", func() bool {
		if a.dev.net.mu.TryLock() {
			a.dev.net.mu.Unlock()
			return false
		}
		return true
	})
	open()
	select {
	case <-destroyed:
	case <-time.After(bound):
		// The test cannot clean up after a deadlock: stop here, with
		// the stacks that show it.
		buf := make([]byte, 1<<20)
		panic(fmt.Sprintf("destroy deadlocked with a receiver sending a cookie reply:\n%s", buf[:runtime.Stack(buf, true)]))
	}
	if n := a.dev.stats.cookieRepliesSent.Load(); n != 1 {
		t.Errorf("%d cookie replies, want 1: the receiver did not get to reply", n)
	}
}
