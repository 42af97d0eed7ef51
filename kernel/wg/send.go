package wg

import (
	"errors"
	"net"
	"sync"
	"time"

	"nbwg/kernel/klog"
	"nbwg/kernel/wg/noise"
	"nbwg/kernel/wg/wire"
)

// The send path ([W] 5.4.6), in stages:
//
//  1. TUN reader (one goroutine, sequential): reads a batch of packets,
//     finds each packet's peer by its destination (cryptokey routing)
//     and hands the peer its packets, in order.  Packets for no peer are
//     answered with ICMP unreachable, as if_wg's wg_output fails with
//     EHOSTUNREACH.
//  2. Per peer, under Peer.sendMu (sequential): packets join the staged
//     queue; if the peer has a usable session they get consecutive
//     counters and go, as one batch, both to the peer's outbound queue
//     (order) and to the device's encryption queue (work).  Without a
//     session, they wait there for a handshake, which starts now.
//  3. Encryption workers (one per CPU, parallel): pad and seal each
//     packet of a batch in place, then unlock the batch.
//  4. Per-peer sender (one goroutine per peer, sequential): waits for
//     each batch in queue order and sends it to the peer's endpoint.
//
// So packets of one peer leave in the order they were read while
// encryption runs on every core.

// packet is one packet in flight, in a pooled buffer: the payload lives
// at buf[headroom:], behind room for the transport header.
type packet struct {
	buf     *[]byte
	data    []byte // the plaintext; after encryption the whole message
	counter uint64
	ok      bool // receive path: decrypted and authenticated
}

var packetPool = sync.Pool{New: func() any { return new(packet) }}

func newPacket(buf *[]byte, n int) *packet {
	p := packetPool.Get().(*packet)
	p.buf = buf
	p.data = (*buf)[headroom : headroom+n]
	return p
}

func (p *packet) free() {
	putBuffer(p.buf)
	*p = packet{}
	packetPool.Put(p)
}

// outBatch is packets of one peer, under one keypair, that travel
// together; its mutex is locked until they are encrypted.
type outBatch struct {
	mu   sync.Mutex
	peer *Peer
	kp   *noise.Keypair
	pkts []*packet
}

var outBatchPool = sync.Pool{New: func() any { return new(outBatch) }}

func (b *outBatch) free() {
	for _, p := range b.pkts {
		p.free()
	}
	clear(b.pkts)
	b.pkts = b.pkts[:0]
	b.peer, b.kp = nil, nil
	outBatchPool.Put(b)
}

func (d *Device) routineReadTUN() {
	defer d.readers.Done()
	n := d.tun.BatchSize()
	bufs := make([]*[]byte, n)
	views := make([][]byte, n)
	sizes := make([]int, n)
	var groups []peerPackets
	for {
		mtu := d.ifp.MTU()
		for i := range bufs {
			if bufs[i] == nil || (mtu > smallPayload && cap(*bufs[i]) == smallSize) {
				if bufs[i] != nil {
					putBuffer(bufs[i])
				}
				bufs[i] = getBuffer(mtu)
			}
			views[i] = *bufs[i]
		}
		count, err := d.tun.Read(views, sizes, headroom)
		if err != nil && count == 0 {
			if errors.Is(err, net.ErrClosed) {
				for _, b := range bufs {
					putBuffer(b)
				}
				return
			}
			d.logf(klog.LOG_DEBUG, "read from %s: %v", d.tun.Name(), err)
			continue
		}
		groups = groups[:0]
		for i := range count {
			pkt := views[i][headroom : headroom+sizes[i]]
			peer := d.route(pkt)
			if peer == nil {
				d.ifp.Oerrors.Add(1)
				d.unreachable(pkt)
				continue
			}
			groups = appendPacket(groups, peer, newPacket(bufs[i], sizes[i]))
			bufs[i] = nil
		}
		for _, g := range groups {
			g.peer.send(g.pkts)
		}
	}
}

// peerPackets collects one read's packets for one peer.
type peerPackets struct {
	peer *Peer
	pkts []*packet
}

func appendPacket(groups []peerPackets, p *Peer, pkt *packet) []peerPackets {
	for i := range groups {
		if groups[i].peer == p {
			groups[i].pkts = append(groups[i].pkts, pkt)
			return groups
		}
	}
	return append(groups, peerPackets{peer: p, pkts: []*packet{pkt}})
}

// route finds the peer a packet goes to by its destination address.
func (d *Device) route(pkt []byte) *Peer {
	if len(pkt) < 1 {
		return nil
	}
	switch pkt[0] >> 4 {
	case 4:
		if len(pkt) < 20 {
			return nil
		}
		p, _ := d.allowed.LookupV4(pkt[16:20])
		return p
	case 6:
		if len(pkt) < 40 {
			return nil
		}
		p, _ := d.allowed.LookupV6(pkt[24:40])
		return p
	}
	return nil
}

// send queues packets for the peer and sends what it can.
func (p *Peer) send(pkts []*packet) {
	if !p.running.Load() {
		for _, pkt := range pkts {
			pkt.free()
		}
		return
	}
	p.sendMu.Lock()
	p.staged = append(p.staged, pkts...)
	if over := len(p.staged) - maxStaged; over > 0 {
		// Keep the newest, as the Linux driver does.
		for _, pkt := range p.staged[:over] {
			pkt.free()
		}
		p.staged = append(p.staged[:0], p.staged[over:]...)
	}
	p.sendMu.Unlock()
	p.sendStaged()
}

// sendKeepalive sends an empty packet ([W] 6.5) unless packets are
// waiting anyway.
func (p *Peer) sendKeepalive() {
	if !p.running.Load() {
		return
	}
	p.sendMu.Lock()
	if len(p.staged) == 0 {
		p.staged = append(p.staged, newPacket(getBuffer(0), 0))
	}
	p.sendMu.Unlock()
	p.sendStaged()
}

// dropStaged discards the waiting packets (a handshake gave up).
func (p *Peer) dropStaged() {
	p.sendMu.Lock()
	for _, pkt := range p.staged {
		pkt.free()
	}
	p.staged = p.staged[:0]
	p.sendMu.Unlock()
}

// usable reports whether kp may still send at now ([W] 6.1, 6.2).
func (d *Device) usable(kp *noise.Keypair, now time.Time) bool {
	return kp != nil && now.Sub(kp.Created()) < d.params.RejectAfterTime()
}

// sendStaged sends the staged packets with the current session, or
// starts a handshake if there is none ([W] 6.2, 6.3).
func (p *Peer) sendStaged() {
	d := p.dev
	now := d.clock.Now()
	kp := p.remote.Current()
	if !d.usable(kp, now) {
		p.sendInitiation(false)
		return
	}
	p.sendMu.Lock()
	if len(p.staged) == 0 {
		p.sendMu.Unlock()
		return
	}
	b := outBatchPool.Get().(*outBatch)
	b.peer, b.kp = p, kp
	var rekey bool
	n := 0
	rejectAfter, rekeyAfter := d.params.RejectAfterMessages.Load(), d.params.RekeyAfterMessages.Load()
	for _, pkt := range p.staged {
		c, err := kp.NextCounter()
		if err != nil || c >= rejectAfter {
			rekey = true
			break
		}
		pkt.counter = c
		n++
		if c >= rekeyAfter {
			rekey = true
		}
	}
	b.pkts = append(b.pkts, p.staged[:n]...)
	p.staged = append(p.staged[:0], p.staged[n:]...)
	if kp.IsInitiator() && now.Sub(kp.Created()) >= d.params.RekeyAfterTime() {
		rekey = true
	}
	if n > 0 {
		b.mu.Lock()
		if !d.queueBatch(p, b) {
			b.mu.Unlock()
			b.free()
		}
	} else {
		outBatchPool.Put(b)
	}
	p.sendMu.Unlock()
	if rekey {
		p.sendInitiation(false)
	}
}

// queueBatch puts a locked batch on the peer's queue and the encryption
// queue; it reports false if the batch was not taken.  A stopped peer
// takes nothing: Peer.stop frees what its queues hold once no producer
// can add more (the running flag is read under queueMu).
func (d *Device) queueBatch(p *Peer, b *outBatch) bool {
	d.queueMu.RLock()
	defer d.queueMu.RUnlock()
	if d.queuesClosed || !p.running.Load() {
		return false
	}
	d.busy.Add(1)
	select {
	case p.outQueue <- b:
	default:
		d.busy.Add(-1)
		d.ifp.Oerrors.Add(uint64(len(b.pkts)))
		return false
	}
	d.encryptQueue <- b
	return true
}

func (d *Device) routineEncrypt() {
	defer d.workers.Done()
	for b := range d.encryptQueue {
		mtu := d.ifp.MTU()
		for _, pkt := range b.pkts {
			n := len(pkt.data)
			padded := wire.PaddedSize(n, mtu)
			buf := *pkt.buf
			clear(buf[headroom+n : headroom+padded])
			hdr := wire.MessageTransport{Type: wire.TypeTransport, Receiver: b.kp.RemoteIndex(), Counter: pkt.counter}
			hdr.MarshalHeader(buf)
			// In place: the header stays, the ciphertext overwrites
			// the plaintext and the tag follows it.
			pkt.data = b.kp.Encrypt(buf[:headroom], buf[headroom:headroom+padded], pkt.counter)
		}
		b.mu.Unlock()
	}
}

// routineSequentialSender sends the peer's batches in order.
func (p *Peer) routineSequentialSender() {
	defer p.routines.Done()
	d := p.dev
	var msgs [][]byte
	for {
		var b *outBatch
		select {
		case <-p.stopping:
			return
		case b = <-p.outQueue:
		}
		// Wait for the encryption workers; a pooled batch must be
		// unlocked again.
		b.mu.Lock()
		b.mu.Unlock()
		msgs = p.sendBatch(b, msgs)
		b.free()
		d.busy.Add(-1)
	}
}

// sendBatch sends an encrypted batch to the peer's endpoint; msgs is
// scratch space, returned for reuse.
func (p *Peer) sendBatch(b *outBatch, msgs [][]byte) [][]byte {
	d := p.dev
	ep, ok := p.Endpoint()
	if !ok {
		d.logf(klog.LOG_DEBUG, "peer %s: no endpoint available", p.displayName())
		return msgs
	}
	msgs = msgs[:0]
	data := false
	var bytes uint64
	for _, pkt := range b.pkts {
		msgs = append(msgs, pkt.data)
		if len(pkt.data) > wire.MessageKeepaliveSize {
			data = true
		}
		bytes += uint64(len(pkt.data))
	}
	// The timers hear of the packets before they leave (timers.go).
	p.timers.anyAuthenticatedPacketSent()
	if data {
		p.timers.dataSent()
	}
	if err := d.send(msgs, ep); err != nil {
		d.ifp.Oerrors.Add(uint64(len(msgs)))
	} else {
		d.ifp.Opackets.Add(uint64(len(msgs)))
		d.ifp.Obytes.Add(bytes)
		p.txBytes.Add(bytes)
	}
	return msgs
}

// sendInitiation starts (or, with retry, repeats) a handshake ([W] 5.4.2,
// 6.4).  At most one initiation goes out per REKEY_TIMEOUT unless the
// retransmit timer asks.
func (p *Peer) sendInitiation(retry bool) {
	d := p.dev
	if !p.running.Load() {
		return
	}
	p.hsMu.Lock()
	now := d.clock.Now()
	if !retry {
		// While an initiation waits for its response, the retransmit
		// timer does the retrying ([W] 6.4); a completed handshake
		// lets the next one go at once.
		if !p.attemptStart.IsZero() && now.Sub(p.lastInitiation) < d.params.RekeyTimeout() {
			p.hsMu.Unlock()
			return
		}
		p.attemptStart = now
	} else {
		p.maybeReresolve(now, p.attemptStart)
	}
	ep, ok := p.Endpoint()
	if !ok {
		p.hsMu.Unlock()
		d.logf(klog.LOG_DEBUG, "peer %s: no endpoint available", p.displayName())
		return
	}
	var msg wire.MessageInitiation
	if err := p.remote.CreateInitiation(&msg, now, d.rand); err != nil {
		p.hsMu.Unlock()
		d.logf(klog.LOG_DEBUG, "peer %s: cannot create handshake initiation: %v", p.displayName(), err)
		return
	}
	p.lastInitiation = now
	p.hsMu.Unlock()

	buf := make([]byte, wire.MessageInitiationSize)
	msg.Marshal(buf)
	p.cookies.AddMACs(buf, now)
	d.logf(klog.LOG_DEBUG, "peer %s: sending handshake initiation to %v", p.displayName(), ep)
	// The timers hear of it before it leaves (timers.go): the response
	// may complete the handshake, and delete the retransmit timer,
	// before send returns.
	p.timers.anyAuthenticatedPacketSent()
	p.timers.handshakeInitiated()
	if d.send([][]byte{buf}, ep) == nil {
		p.txBytes.Add(uint64(len(buf)))
	}
}
