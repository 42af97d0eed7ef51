//go:build linux

package dataplane

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nbwg/internal/hosts"
	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/wire"
)

// TestHandshakeFlood (issue 8.5): a third host floods PEER's listen port
// with handshake initiations whose mac1 is valid (anyone who knows PEER's
// public key can make them) and whose content is noise, each worth a
// Curve25519 operation to PEER.  Meanwhile LOCAL's first handshake with
// PEER completes as if nothing happened: PEER's per-source limiter drops
// the flood before it reaches the handshake queue, so PEER never goes
// under load and LOCAL is not even asked for a cookie.  PEER's debug log
// shows the flood was received and refused, in a few lines.
func TestHandshakeFlood(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	attacker := hosts.New(t, "X")
	hosts.Link(t, p.peer, "192.168.3.1/24", attacker, "192.168.3.3/24")
	p.peer.MustRun(t, "sysctl -w net.wg.debug=1")
	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p.peer.ReadFile(t, "wg/wg0.pub")))
	if err != nil || len(pub) != 32 {
		t.Fatalf("PEER's public key: %v", err)
	}
	msgs := make([][]byte, 256)
	for i := range msgs {
		msgs[i] = junkInitiation([32]byte(pub), i)
	}

	var sent atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- floodFrom(attacker, netip.MustParseAddrPort("192.168.3.1:51820"), msgs, &sent, stop)
	}()
	stopped := false
	stopFlood := func() error {
		if !stopped {
			stopped = true
			close(stop)
		}
		return <-done
	}
	defer func() {
		if !stopped {
			stopFlood()
		}
	}()
	if err := hosts.Poll(10*time.Second, func() error {
		if n := sent.Load(); n < 2000 {
			return fmt.Errorf("only %d initiations sent", n)
		}
		return nil
	}); err != nil {
		t.Fatalf("the flood did not start: %v", err)
	}
	pingable(t, p.local, "10.0.0.2")
	if sent.Load() >= floodMax {
		t.Log("the flood ended before the handshake completed")
	}
	if err := stopFlood(); err != nil {
		t.Fatal(err)
	}
	n := sent.Load()
	t.Logf("%d initiations sent from 192.168.3.3", n)

	log := p.peer.MustRun(t, `cat "$NBWG_LOGDIR"/nbwgd*.log`)
	var about []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "192.168.3.3") {
			about = append(about, l)
		}
	}
	if !strings.Contains(log, "initiation from 192.168.3.3:") || !strings.Contains(log, ": rate limited") {
		t.Errorf("PEER's log does not show the flood refused:\n%s", log)
	}
	if strings.Contains(log, "sending cookie reply to 192.168.1.1") {
		t.Errorf("PEER went under load and asked LOCAL for a cookie:\n%s", log)
	}
	if int64(len(about)) > n/20 {
		t.Errorf("%d log lines for %d initiations: the log is not rate-limited", len(about), n)
	}
}

// floodMax and floodTime bound the flood; it is paced at about 100
// messages a millisecond at most, well within what PEER's socket reader
// takes in, so that what is measured is the handshake worker's share and
// not the kernel's socket buffer overflowing.
const (
	floodMax  = 300_000
	floodTime = 20 * time.Second
)

// floodFrom sends msgs round-robin to dst from a UDP socket in h's
// network namespace until stop is closed or the bounds are reached.
func floodFrom(h *hosts.Host, dst netip.AddrPort, msgs [][]byte, sent *atomic.Int64, stop <-chan struct{}) error {
	conn, err := udpFrom(h, netip.Addr{}, dst)
	if err != nil {
		return fmt.Errorf("flood from %s: %w", h.Name, err)
	}
	defer conn.Close()
	deadline := time.Now().Add(floodTime)
	for i := 0; i < floodMax; i++ {
		if i%100 == 99 {
			select {
			case <-stop:
				return nil
			default:
			}
			if time.Now().After(deadline) {
				return nil
			}
			time.Sleep(time.Millisecond)
		}
		// Errors (ICMP unreachable reported back, a full buffer) do
		// not stop a flood.
		conn.Write(msgs[i%len(msgs)])
		sent.Add(1)
	}
	return nil
}

// udpFrom is a UDP socket in h's network namespace, bound to local (any
// address when not valid) and connected to dst.
func udpFrom(h *hosts.Host, local netip.Addr, dst netip.AddrPort) (*net.UDPConn, error) {
	// The socket belongs to the namespace of the thread that makes it:
	// this thread enters h's namespace for the moment it takes, then
	// returns to its own.  If it cannot, it stays locked and ends with
	// the goroutine, so no other goroutine ever runs in h's namespace.
	done := make(chan struct{})
	var conn *net.UDPConn
	var err error
	go func() {
		defer close(done)
		runtime.LockOSThread()
		self, e := os.Open("/proc/thread-self/ns/net")
		if e != nil {
			err = e
			return
		}
		defer self.Close()
		ns, e := os.Open("/run/netns/" + h.NS)
		if e != nil {
			err = e
			return
		}
		defer ns.Close()
		if e := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); e != nil {
			err = fmt.Errorf("setns %s: %w", h.NS, e)
			return
		}
		var laddr *net.UDPAddr
		if local.IsValid() {
			laddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
		}
		conn, err = net.DialUDP("udp", laddr, net.UDPAddrFromAddrPort(dst))
		if e := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); e != nil {
			if conn != nil {
				conn.Close()
				conn = nil
			}
			err = fmt.Errorf("setns back: %w", e)
			return
		}
		runtime.UnlockOSThread()
	}()
	<-done
	return conn, err
}

// junkInitiation is an initiation for responderPub with a valid mac1
// and noise for content.
func junkInitiation(responderPub [32]byte, i int) []byte {
	var g cookie.Generator
	g.Init(responderPub)
	msg := make([]byte, wire.MessageInitiationSize)
	binary.LittleEndian.PutUint32(msg, uint32(wire.TypeInitiation))
	binary.LittleEndian.PutUint32(msg[4:], uint32(i))
	for j := 8; j < 8+wire.KeySize; j++ {
		msg[j] = byte(i*31 + j)
	}
	g.AddMACs(msg, time.Now())
	return msg
}
