package wg

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"nbwg/kernel/klog"
	"nbwg/kernel/udp"
	"nbwg/kernel/wg/noise"
	"nbwg/kernel/wg/wire"
)

// The receive path, in stages:
//
//  1. Socket readers (one goroutine per socket, sequential): read a batch
//     of datagrams.  Handshake messages pass the cheap checks here (mac1,
//     under load mac2 or a cookie reply, the per-source limiter) and go
//     to the handshake queue (handshake.go), so a flood is dropped before
//     it takes places in the queue that others need.  Transport messages
//     find their peer and keypair by the Receiver index, are dropped if
//     the keypair is past REJECT_AFTER_TIME, and join, batched per
//     keypair, the peer's inbound queue (queue.go), which keeps their
//     order.
//  2. Decryption (parallel): each packet of a batch is authenticated and
//     decrypted in place, by the socket reader itself for a small batch,
//     by the decryption workers (DefaultCryptoWorkers) for a large one.
//  3. Delivery (sequential per peer): whoever decrypted a batch flushes
//     the peer's inbound queue, delivering every decrypted batch at its
//     head: it checks the replay counter (after decryption, [W] 5.4.6),
//     follows the peer's endpoint (roaming), completes the responder's
//     handshake on the first packet of a new session, drops inner packets
//     whose source the peer may not use (cryptokey routing, [W] 2), and
//     writes the rest to the TUN device.

// inBatch is received packets of one peer under one keypair; its mutex
// is locked until they are decrypted.
type inBatch struct {
	batchState
	peer  *Peer
	kp    *noise.Keypair
	pkts  []*packet
	eps   []netip.AddrPort
	bytes int      // the messages' bytes
	out   [][]byte // deliver's scratch, kept with the batch
}

var inBatchPool = sync.Pool{New: func() any { return new(inBatch) }}

func (b *inBatch) free() {
	for _, p := range b.pkts {
		if p != nil {
			p.free()
		}
	}
	clear(b.pkts)
	b.pkts = b.pkts[:0]
	b.eps = b.eps[:0]
	b.peer, b.kp, b.bytes = nil, nil, 0
	b.done.Store(false)
	inBatchPool.Put(b)
}

// hsMessage is a handshake message waiting for the handshake worker.
type hsMessage struct {
	buf [wire.MessageInitiationSize]byte
	n   int
	typ wire.Type
	src netip.AddrPort
}

var hsPool = sync.Pool{New: func() any { return new(hsMessage) }}

func (d *Device) routineReceive(fn udp.ReceiveFunc) {
	defer d.net.receivers.Done()
	n := udp.IdealBatchSize
	own := make([][]byte, n)
	for i := range own {
		own[i] = make([]byte, 65535)
	}
	// fn may point bufs at its own buffers (udp.ReceiveFunc): ours
	// go in again each time.
	bufs := make([][]byte, n)
	sizes := make([]int, n)
	eps := make([]netip.AddrPort, n)
	var batches []*inBatch
	for {
		copy(bufs, own)
		count, err := fn(bufs, sizes, eps)
		if err != nil && count == 0 {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			d.logf(klog.LOG_DEBUG, "receive: %v", err)
			continue
		}
		batches = batches[:0]
		now := d.clock.Now()
		for i := range count {
			msg := bufs[i][:sizes[i]]
			src := netip.AddrPortFrom(eps[i].Addr().Unmap(), eps[i].Port())
			typ, err := wire.PeekType(msg)
			if err != nil {
				continue // not WireGuard: dropped, as wg_handle_packet does
			}
			switch typ {
			case wire.TypeTransport:
				batches = d.receiveTransport(batches, msg, src, now)
			case wire.TypeInitiation, wire.TypeResponse, wire.TypeCookieReply:
				d.receiveHandshake(msg, typ, src)
			}
		}
		for _, b := range batches {
			d.decryptBatch(b)
		}
	}
}

// receiveTransport files a transport message under its keypair's batch.
func (d *Device) receiveTransport(batches []*inBatch, msg []byte, src netip.AddrPort, now time.Time) []*inBatch {
	if len(msg) < wire.MessageTransportMinSize {
		return batches
	}
	receiver := binary.LittleEndian.Uint32(msg[4:])
	peer := d.index.lookup(receiver)
	if peer == nil {
		return batches
	}
	kp := peer.remote.Keypair(receiver)
	if kp == nil {
		return batches
	}
	if reject := d.params.RejectAfterTime(); now.Sub(kp.Created()) >= reject {
		// [W] 6.1: after REJECT_AFTER_TIME a keypair may no longer
		// be used, to receive as to send; its keys live on until
		// they are erased at three times that.
		d.stats.rejectedExpired.Add(1)
		if d.debug() {
			d.logf(klog.LOG_DEBUG, "peer %s: transport message from %v on a session older than %v, dropped",
				peer.displayName(), src, reject)
		}
		return batches
	}
	// Borrowed from the buffer it was received in (the reader's, or
	// the socket's with UDP GRO), which stays untouched until
	// decryptBatch returns: a batch decrypted at once is decrypted
	// from there into a buffer of its own, without a copy first.
	pkt := packetPool.Get().(*packet)
	pkt.data = msg
	pkt.counter = binary.LittleEndian.Uint64(msg[8:])
	for _, b := range batches {
		if b.kp == kp {
			b.pkts = append(b.pkts, pkt)
			b.eps = append(b.eps, src)
			b.bytes += len(msg)
			return batches
		}
	}
	b := inBatchPool.Get().(*inBatch)
	b.peer, b.kp = peer, kp
	b.pkts = append(b.pkts, pkt)
	b.eps = append(b.eps, src)
	b.bytes = len(msg)
	return append(batches, b)
}

// receiveHandshake does the cheap checks on a handshake message and
// queues it for the handshake worker, in the order of wireguard-go's
// handshake routine and the Linux driver's: mac1 ([W] 5.4.4: "must
// always reject messages with an invalid msg.mac1"); under load ([W]
// 5.3) a valid mac2, or else a cookie reply and the message is dropped;
// then the per-source limiter.  Doing them here, before the queue, keeps
// a flood from one source from filling the queue: what the limiter
// refuses never takes a place in it.  Unlike wireguard-go and Linux,
// which consult a limiter only under load and send cookie replies
// without one, nbwg always does: a source gets the same share whether
// or not others are flooding.
func (d *Device) receiveHandshake(msg []byte, typ wire.Type, src netip.AddrPort) {
	var want int
	switch typ {
	case wire.TypeInitiation:
		want = wire.MessageInitiationSize
	case wire.TypeResponse:
		want = wire.MessageResponseSize
	case wire.TypeCookieReply:
		want = wire.MessageCookieReplySize
	}
	if len(msg) != want {
		return
	}
	switch typ {
	case wire.TypeInitiation, wire.TypeResponse:
		if err := d.checker.CheckMAC1(msg); err != nil {
			d.stats.invalidMAC1.Add(1)
			d.logf(klog.LOG_DEBUG, "%v from %v: %v", typ, src, err)
			return
		}
		if d.underLoad() {
			now := d.clock.Now()
			if err := d.checker.CheckMAC2(msg, src, now); err != nil {
				// A cookie reply is cheap and smaller than what it
				// answers, but it is still work and traffic that
				// anyone can ask for, from any address: a limiter
				// of its own bounds it per source.
				if !d.cookieLimiter.Allow(src.Addr()) {
					d.stats.ratelimited.Add(1)
					d.logf(klog.LOG_DEBUG, "%v from %v: rate limited, no cookie reply", typ, src)
					return
				}
				d.sendCookieReply(msg, src, now)
				return
			}
		}
	case wire.TypeCookieReply:
		// A cookie reply must answer one of our handshakes: one that
		// names no index of ours is dropped here, without a place in
		// the queue.
		if d.index.lookup(binary.LittleEndian.Uint32(msg[4:])) == nil {
			return
		}
	}
	if !d.hsLimiter.Allow(src.Addr()) {
		d.stats.ratelimited.Add(1)
		d.logf(klog.LOG_DEBUG, "%v from %v: rate limited", typ, src)
		return
	}
	m := hsPool.Get().(*hsMessage)
	m.n = copy(m.buf[:], msg)
	m.typ, m.src = typ, src
	queued, full := false, false
	d.queueMu.RLock()
	if !d.queuesClosed {
		d.busy.Add(1)
		select {
		case d.hsQueue <- m:
			queued = true
		default:
			d.busy.Add(-1)
			full = true
		}
	}
	d.queueMu.RUnlock()
	if queued {
		return
	}
	hsPool.Put(m)
	if full {
		// Many sources at once (the limiter holds each one back):
		// the device is under load, and the sender retries after
		// REKEY_TIMEOUT, with a cookie by then.
		d.stats.handshakeQueueFull.Add(1)
		d.logf(klog.LOG_DEBUG, "%v from %v: handshake queue full, dropped", typ, src)
	}
}

// decryptBatch queues a batch on its peer's inbound queue and has it
// decrypted and delivered: at once, or by the workers when it is large.
// It reports false when the batch was dropped (a stopped peer, a full
// queue).
func (d *Device) decryptBatch(b *inBatch) bool {
	p := b.peer
	// Counted busy until deliver is done with it.
	d.busy.Add(1)
	if !p.running.Load() || !p.in.push(b) {
		d.ifp.Iqdrops.Add(uint64(len(b.pkts)))
		b.free()
		d.busy.Add(-1)
		return false
	}
	if d.parallel(b.bytes) {
		d.queueMu.RLock()
		if !d.queuesClosed {
			// The workers outlive the reader's buffer.
			b.own()
			d.decryptQueue <- b
			d.queueMu.RUnlock()
			return true
		}
		d.queueMu.RUnlock()
	}
	openBatch(b)
	p.in.flush(p.deliver)
	return true
}

// own copies the messages the batch borrows into buffers of its own.
func (b *inBatch) own() {
	for _, pkt := range b.pkts {
		if pkt.buf == nil {
			pkt.buf = getBuffer(len(pkt.data) - headroom)
			pkt.data = (*pkt.buf)[:copy(*pkt.buf, pkt.data)]
		}
	}
}

func (d *Device) routineDecrypt() {
	defer d.workers.Done()
	for b := range d.decryptQueue {
		p := b.peer
		d.stats.openedByWorkers.Add(1)
		openBatch(b)
		p.in.flush(p.deliver)
	}
}

// openBatch authenticates and decrypts the batch's packets in place and
// marks it ready; from then on the batch belongs to the peer's inbound
// queue.
func openBatch(b *inBatch) {
	for _, pkt := range b.pkts {
		content := pkt.data[headroom:]
		dst := content[:0] // in place
		if pkt.buf == nil {
			// Borrowed: the plaintext goes to a buffer of its own,
			// where the message would have been copied to.
			pkt.buf = getBuffer(len(content))
			dst = (*pkt.buf)[headroom:headroom]
		}
		pt, err := b.kp.Decrypt(dst, content, pkt.counter)
		pkt.ok = err == nil
		if pkt.ok {
			pkt.data = pt
		}
	}
	b.markReady()
}

// deliver takes a decrypted batch in (the inbound queue's delivery, in
// order); a stopped peer's batches are dropped.
func (p *Peer) deliver(b *inBatch) {
	d := p.dev
	// Released last: what the batch causes (a staged packet sent) is
	// counted before.
	defer d.busy.Add(-1)
	defer b.free()
	if !p.running.Load() {
		return
	}
	out := b.out[:0]
	var bytes uint64
	established := false
	// The timers and the endpoint are updated once per batch, with the
	// same outcome as per packet: the events are idempotent but for
	// dataReceived, whose second call asks for one more keepalive; the
	// endpoint ends up where the last authenticated packet came from.
	authenticated, data := 0, 0
	var rx uint64 // the messages' bytes, as they came
	var from netip.AddrPort
	for i, pkt := range b.pkts {
		if !pkt.ok {
			d.ifp.Ierrors.Add(1)
			continue
		}
		if err := b.kp.ValidateCounter(pkt.counter); err != nil {
			d.ifp.Ierrors.Add(1)
			continue
		}
		authenticated++
		rx += uint64(len(pkt.data)) + transportOverhead
		from = b.eps[i]
		if p.remote.ReceivedWith(b.kp) {
			// The initiator has used the new session: as
			// responder, the handshake is complete.
			p.timers.handshakeComplete()
			d.logf(klog.LOG_DEBUG, "peer %s: session established (responder)", p.displayName())
			established = true
		}
		if len(pkt.data) == 0 {
			continue // a keepalive
		}
		n, ok := p.checkInner(pkt.data)
		if !ok {
			d.ifp.Ierrors.Add(1)
			continue
		}
		data++
		out = append(out, (*pkt.buf)[:headroom+n])
		bytes += uint64(n)
	}
	if authenticated > 0 {
		p.rxBytes.Add(rx)
		// Authenticated: the peer is where it sent this from.
		if ep, _ := p.Endpoint(); ep != from {
			p.SetEndpoint(from)
		}
		p.timers.anyAuthenticatedPacketReceived()
	}
	for range min(data, 2) {
		p.timers.dataReceived()
	}
	if len(out) > 0 {
		if _, err := d.tun.Write(out, headroom); err != nil {
			d.logf(klog.LOG_DEBUG, "write to %s: %v", d.tun.Name(), err)
		}
		d.ifp.Ipackets.Add(uint64(len(out)))
		d.ifp.Ibytes.Add(bytes)
	}
	clear(out)
	b.out = out
	p.rekeyOnReceive(b.kp)
	if established {
		// Packets that waited for the session can go now.
		p.sendStaged()
	}
}

// checkInner checks a decrypted inner packet: an IPv4 or IPv6 header,
// a length that fits (the rest is padding), and a source address that
// the allowed-IPs table gives to this peer.  It returns the packet's
// length without padding.
func (p *Peer) checkInner(pkt []byte) (int, bool) {
	var n int
	var src *Peer
	switch pkt[0] >> 4 {
	case 4:
		if len(pkt) < 20 {
			return 0, false
		}
		n = int(binary.BigEndian.Uint16(pkt[2:4]))
		src, _ = p.dev.allowed.LookupV4(pkt[12:16])
	case 6:
		if len(pkt) < 40 {
			return 0, false
		}
		n = 40 + int(binary.BigEndian.Uint16(pkt[4:6]))
		src, _ = p.dev.allowed.LookupV6(pkt[8:24])
	default:
		return 0, false
	}
	if n > len(pkt) || n < 20 || src != p {
		return 0, false
	}
	return n, true
}

// rekeyOnReceive is the last-minute rekey of [W] 6.2: an initiator whose
// session is about to expire and that is still receiving on it starts a
// handshake, once per keypair.
func (p *Peer) rekeyOnReceive(kp *noise.Keypair) {
	d := p.dev
	cur := p.remote.Current()
	if cur == nil || cur != kp || !cur.IsInitiator() {
		return
	}
	limit := d.params.RejectAfterTime() - d.params.KeepaliveTimeout() - d.params.RekeyTimeout()
	if d.clock.Now().Sub(cur.Created()) < limit || p.lastMinuteRekey.Load() == cur {
		return
	}
	p.lastMinuteRekey.Store(cur)
	p.sendInitiation(false)
}
