package wg

import (
	"net/netip"
	"time"

	"nbwg/kernel/klog"
	"nbwg/kernel/wg/wire"
)

// The handshake worker handles initiations, responses and cookie replies
// one at a time: they are rare, each costs a few Curve25519 operations,
// and doing them in order keeps a peer's handshake state simple.  What
// reaches it has passed the socket reader's checks (receive.go): a valid
// mac1, a valid mac2 when the device was under load ([W] 5.3, 5.4.4), and
// the per-source rate limit.

func (d *Device) routineHandshake() {
	defer d.workers.Done()
	for m := range d.hsQueue {
		d.handleHandshake(m)
		hsPool.Put(m)
		d.busy.Add(-1)
	}
}

func (d *Device) handleHandshake(m *hsMessage) {
	msg := m.buf[:m.n]
	now := d.clock.Now()
	switch m.typ {
	case wire.TypeInitiation:
		d.consumeInitiation(msg, m.src, now)
	case wire.TypeResponse:
		d.consumeResponse(msg, m.src, now)
	case wire.TypeCookieReply:
		d.consumeCookieReply(msg, now)
	}
}

// sendCookieReply answers a handshake message with a cookie for its
// source ([W] 5.4.7).  A socket receiver calls it: it sends with
// sendReply, never waiting for the sockets' lock.
func (d *Device) sendCookieReply(msg []byte, src netip.AddrPort, now time.Time) {
	var reply wire.MessageCookieReply
	if err := d.checker.CreateReply(&reply, msg, src, now, d.rand); err != nil {
		d.logf(klog.LOG_DEBUG, "cookie reply to %v: %v", src, err)
		return
	}
	buf := make([]byte, wire.MessageCookieReplySize)
	reply.Marshal(buf)
	d.stats.cookieRepliesSent.Add(1)
	d.logf(klog.LOG_DEBUG, "under load: sending cookie reply to %v", src)
	d.sendReply([][]byte{buf}, src)
}

// consumeInitiation is the responder's side ([W] 5.4.2, 5.4.3): consume
// the initiation, answer it, and keep the new session in "next" until
// the initiator uses it.
func (d *Device) consumeInitiation(msg []byte, src netip.AddrPort, now time.Time) {
	var init wire.MessageInitiation
	if err := init.Unmarshal(msg); err != nil {
		return
	}
	remote, err := d.local.ConsumeInitiation(&init, now)
	if err != nil {
		d.stats.handshakeRefused.Add(1)
		d.logf(klog.LOG_DEBUG, "handshake initiation from %v refused: %v", src, err)
		return
	}
	p := d.peerByKey(remote.PublicKey())
	if p == nil || !p.running.Load() {
		return
	}
	p.SetEndpoint(src)
	p.rxBytes.Add(uint64(len(msg)))
	var resp wire.MessageResponse
	if err := remote.CreateResponse(&resp, d.rand); err != nil {
		d.logf(klog.LOG_DEBUG, "peer %s: cannot create handshake response: %v", p.displayName(), err)
		return
	}
	if _, err := remote.BeginSession(now); err != nil {
		d.logf(klog.LOG_DEBUG, "peer %s: %v", p.displayName(), err)
		return
	}
	p.timers.sessionDerived()
	buf := make([]byte, wire.MessageResponseSize)
	resp.Marshal(buf)
	p.cookies.AddMACs(buf, now)
	d.logf(klog.LOG_DEBUG, "peer %s: sending handshake response to %v", p.displayName(), src)
	// The timers hear of both messages before the response leaves
	// (timers.go): the initiator's first data may arrive, and arm the
	// keepalive timer, before send returns.
	p.timers.anyAuthenticatedPacketReceived()
	p.timers.anyAuthenticatedPacketSent()
	if d.send([][]byte{buf}, src) == nil {
		p.txBytes.Add(uint64(len(buf)))
	}
}

// consumeResponse is the initiator's side ([W] 5.4.3): the session is
// established at once, and what waited for it is sent; if nothing did,
// a keepalive tells the responder the session is confirmed.
func (d *Device) consumeResponse(msg []byte, src netip.AddrPort, now time.Time) {
	var resp wire.MessageResponse
	if err := resp.Unmarshal(msg); err != nil {
		return
	}
	p := d.index.lookup(resp.Receiver)
	if p == nil || !p.running.Load() {
		return
	}
	if err := p.remote.ConsumeResponse(&resp); err != nil {
		d.stats.handshakeRefused.Add(1)
		d.logf(klog.LOG_DEBUG, "peer %s: handshake response from %v refused: %v", p.displayName(), src, err)
		return
	}
	if _, err := p.remote.BeginSession(now); err != nil {
		d.logf(klog.LOG_DEBUG, "peer %s: %v", p.displayName(), err)
		return
	}
	p.SetEndpoint(src)
	p.rxBytes.Add(uint64(len(msg)))
	p.timers.sessionDerived()
	p.timers.handshakeComplete()
	p.timers.anyAuthenticatedPacketReceived()
	d.logf(klog.LOG_DEBUG, "peer %s: session established (initiator)", p.displayName())
	// sendKeepalive adds the keepalive only when nothing is staged.
	p.sendKeepalive()
}

// consumeCookieReply takes the cookie a loaded responder sent us; the
// next initiation carries mac2 ([W] 5.4.7).
func (d *Device) consumeCookieReply(msg []byte, now time.Time) {
	var reply wire.MessageCookieReply
	if err := reply.Unmarshal(msg); err != nil {
		return
	}
	p := d.index.lookup(reply.Receiver)
	if p == nil {
		return
	}
	if err := p.cookies.ConsumeReply(&reply, now); err != nil {
		d.stats.handshakeRefused.Add(1)
		d.logf(klog.LOG_DEBUG, "peer %s: cookie reply refused: %v", p.displayName(), err)
		return
	}
	d.logf(klog.LOG_DEBUG, "peer %s: got a cookie", p.displayName())
}
