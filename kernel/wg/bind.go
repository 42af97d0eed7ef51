package wg

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"nbwg/kernel/klog"
	"nbwg/kernel/udp"
)

// netState is the device's pair of UDP sockets (NetBSD's wg_so4/wg_so6)
// and the goroutines reading them.  NetBSD binds them when a listen port
// is set, or to a port of the kernel's choosing when the first packet
// must go out; so does nbwg.
type netState struct {
	mu        sync.Mutex
	bind      udp.Bind // nil: the device has no sockets (tests of the control plane); set once
	open      bool
	closed    bool   // for good: the device is being destroyed
	port      uint16 // the port bound, configured or chosen
	receivers sync.WaitGroup
	// up is open, for the receivers' sends (sendReply), which must not
	// wait for mu: closing holds mu while it waits for the receivers.
	up atomic.Bool
}

var errNoSockets = errors.New("wg: no sockets")

// openLocked binds the sockets on port and starts a receiver per socket;
// n.mu is held.
func (d *Device) openLocked(port uint16) error {
	n := &d.net
	fns, actual, err := n.bind.Open(port)
	if err != nil {
		return err
	}
	n.open, n.port = true, actual
	n.up.Store(true)
	for _, fn := range fns {
		n.receivers.Add(1)
		go d.routineReceive(fn)
	}
	return nil
}

// closeLocked closes the sockets and waits for the receivers; n.mu is held.
func (d *Device) closeLocked() {
	n := &d.net
	if !n.open {
		return
	}
	n.up.Store(false)
	n.bind.Close()
	n.receivers.Wait()
	n.open, n.port = false, 0
}

// bindPort is wg_bind_port: the same non-zero port again is a no-op.
// Unlike NetBSD, whose sockets cannot be rebound once bound, a new port
// replaces the old one; if it cannot be had, the old binding stays.
func (d *Device) bindPort(port uint16) error {
	old, err := d.bindPortLocked(port)
	if err != nil && old != nil {
		// Logged with no lock held, as every message is.
		d.logf(klog.LOG_ERR, "cannot rebind port %d: %v", old.port, old.err)
	}
	return err
}

// rebindError is the failure to return to the old port after a new one
// could not be had.
type rebindError struct {
	port uint16
	err  error
}

// bindPortLocked does bindPort's work under the device's locks.
func (d *Device) bindPortLocked(port uint16) (*rebindError, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if port != 0 && port == d.listenPort {
		return nil, nil
	}
	n := &d.net
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errNoSockets
	}
	if n.bind == nil {
		d.listenPort = port
		return nil, nil
	}
	old, wasOpen := n.port, n.open
	d.closeLocked()
	if err := d.openLocked(port); err != nil {
		if wasOpen {
			if err2 := d.openLocked(old); err2 != nil {
				return &rebindError{old, err2}, err
			}
		}
		return nil, err
	}
	d.listenPort = port
	return nil, nil
}

// send sends messages to ep, binding the sockets to a port of the
// kernel's choosing first if none is bound yet.
func (d *Device) send(msgs [][]byte, ep netip.AddrPort) error {
	n := &d.net
	n.mu.Lock()
	if n.bind == nil || n.closed {
		n.mu.Unlock()
		return errNoSockets
	}
	if !n.open {
		if err := d.openLocked(0); err != nil {
			n.mu.Unlock()
			return err
		}
	}
	b := n.bind
	n.mu.Unlock()
	return d.sendOn(b, msgs, ep)
}

// sendReply is send for the socket receivers (a cookie reply): it sends
// only while the sockets are open, without taking n.mu, which closing
// holds while it waits for the receivers.
func (d *Device) sendReply(msgs [][]byte, ep netip.AddrPort) error {
	n := &d.net
	if !n.up.Load() {
		return net.ErrClosed
	}
	return d.sendOn(n.bind, msgs, ep)
}

func (d *Device) sendOn(b udp.Bind, msgs [][]byte, ep netip.AddrPort) error {
	err := b.Send(msgs, ep)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		d.logf(klog.LOG_DEBUG, "send to %v: %v", ep, err)
	}
	return err
}

// close releases the sockets for good.
func (n *netState) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	if n.open {
		n.up.Store(false)
		n.bind.Close()
		n.receivers.Wait()
		n.open = false
	}
}
