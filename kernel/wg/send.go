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
//     counters and go, as one batch, on the peer's outbound queue
//     (queue.go), which keeps their order.  Without a session, they wait
//     there for a handshake, which starts now.
//  3. Encryption (parallel): each packet of the batch is padded and sealed
//     in place.  A small batch is sealed at once by the goroutine that
//     made it, as handing it to another core costs more than the crypto;
//     a large one goes to the encryption workers (one per CPU on a
//     machine of three or more, none on one of two: DefaultCryptoWorkers).
//  4. Transmission (sequential per peer): whoever sealed a batch flushes
//     the peer's outbound queue, sending every sealed batch at its head
//     to the peer's endpoint, one sendmmsg (with UDP GSO) per batch.
//
// So packets of one peer leave in the order they were read, a small
// batch goes from TUN to socket on one goroutine, and large batches are
// encrypted on every core.

// packet is one packet in flight, in a pooled buffer: the payload lives
// at buf[headroom:], behind room for the transport header.  A received
// message may borrow the socket reader's buffer (buf nil) until it is
// decrypted (receive.go).
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
	if p.buf != nil { // a received message may borrow its bytes
		putBuffer(p.buf)
	}
	*p = packet{}
	packetPool.Put(p)
}

// outBatch is packets of one peer, under one keypair, that travel
// together.
type outBatch struct {
	batchState
	peer  *Peer
	kp    *noise.Keypair
	pkts  []*packet
	bytes int      // the packets' plaintext bytes
	msgs  [][]byte // transmit's scratch, kept with the batch
}

var outBatchPool = sync.Pool{New: func() any { return new(outBatch) }}

func (b *outBatch) free() {
	for _, p := range b.pkts {
		p.free()
	}
	clear(b.pkts)
	b.pkts = b.pkts[:0]
	b.peer, b.kp, b.bytes = nil, nil, 0
	b.done.Store(false)
	outBatchPool.Put(b)
}

// parallelMinBytes is the smallest batch, in plaintext bytes, that goes
// to the crypto workers; a smaller one is done by the goroutine that has
// it.  Waking a worker on another core costs some microseconds, as much
// as sealing a few kilobytes, and on a busy machine the worker may not
// run for longer; a 64 KiB TCP superpacket, cut into some forty
// packets, gains from being spread over the cores, where there are
// cores to spare (DefaultCryptoWorkers).
const parallelMinBytes = 16 << 10

// parallel reports whether a batch of n bytes goes to the workers.
func (d *Device) parallel(n int) bool { return n >= d.parallelMin && d.cryptoWorkers > 0 }

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
	for _, pkt := range b.pkts {
		b.bytes += len(pkt.data)
	}
	p.staged = append(p.staged[:0], p.staged[n:]...)
	if kp.IsInitiator() && now.Sub(kp.Created()) >= d.params.RekeyAfterTime() {
		rekey = true
	}
	queued := false
	switch {
	case n == 0:
		outBatchPool.Put(b)
	case p.out.push(b):
		// In the queue under sendMu, so in counter order; counted
		// busy until transmit is done with it.
		d.busy.Add(1)
		queued = true
	default:
		d.ifp.Oerrors.Add(uint64(n))
		b.free()
	}
	p.sendMu.Unlock()
	if queued {
		d.encryptBatch(b)
	}
	if rekey {
		p.sendInitiation(false)
	}
}

// encryptBatch has a queued batch sealed and sent: at once, or by the
// workers when it is large.
func (d *Device) encryptBatch(b *outBatch) {
	if d.parallel(b.bytes) {
		d.queueMu.RLock()
		if !d.queuesClosed {
			d.encryptQueue <- b
			d.queueMu.RUnlock()
			return
		}
		d.queueMu.RUnlock()
	}
	// Once sealed, the batch may be sent and freed by another
	// goroutine's flush: b is not touched after seal.
	p := b.peer
	d.seal(b)
	p.out.flush(p.transmit)
}

func (d *Device) routineEncrypt() {
	defer d.workers.Done()
	for b := range d.encryptQueue {
		p := b.peer
		d.stats.sealedByWorkers.Add(1)
		d.seal(b)
		p.out.flush(p.transmit)
	}
}

// seal encrypts the batch's packets in place and marks it ready; from
// then on the batch belongs to the peer's outbound queue.
func (d *Device) seal(b *outBatch) {
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
	b.markReady()
}

// transmit sends a sealed batch to the peer's endpoint (the outbound
// queue's delivery, in order); a stopped peer's batches are dropped.
func (p *Peer) transmit(b *outBatch) {
	d := p.dev
	defer d.busy.Add(-1)
	defer b.free()
	if !p.running.Load() {
		return
	}
	ep, ok := p.Endpoint()
	if !ok {
		d.logf(klog.LOG_DEBUG, "peer %s: no endpoint available", p.displayName())
		return
	}
	msgs := b.msgs[:0]
	data := false
	var bytes uint64
	for _, pkt := range b.pkts {
		msgs = append(msgs, pkt.data)
		if len(pkt.data) > wire.MessageKeepaliveSize {
			data = true
		}
		bytes += uint64(len(pkt.data))
	}
	b.msgs = msgs
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
	clear(msgs)
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
