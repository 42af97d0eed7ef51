package wg

import "nbwg/kernel/wg/wire"

// transportOverhead is what a transport message adds to its plaintext:
// the header and the authenticator, counted in rx_bytes as wireguard
// counts them.
const transportOverhead = wire.MessageTransportMinSize

// keepaliveChanged: call after the peer's persistent keepalive interval
// was set.  wireguard's implementations send one keepalive at once, so
// that a mapping in a NAT between the peers is made now, not after the
// first interval; turned off, the timer goes.
func (p *Peer) keepaliveChanged() {
	if !p.running.Load() {
		return
	}
	if p.keepalive.Load() == 0 {
		p.timers.persistentKeepaliveChanged()
		return
	}
	p.sendKeepalive()
}
