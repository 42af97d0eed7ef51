package wg

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"time"

	"nbwg/kernel/klog"
)

// Resolver looks up the addresses of a host name, for endpoints
// configured by name (an nbwg extension: NetBSD's wgconfig resolves a name
// once and hands the kernel the address).
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// systemResolver asks the system's resolver, as seen from the kernel's
// network namespace (its /etc/hosts and resolv.conf).
func systemResolver(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// resolveTimeout bounds one lookup.
const resolveTimeout = 10 * time.Second

// The name of a peer's endpoint is resolved again when a series of
// handshake attempts has failed for reresolveAfter × REKEY_TIMEOUT (15 s
// by default), and at most every reresolveEvery × REKEY_TIMEOUT (30 s):
// a peer behind dynamic DNS that moved is found again within about half
// a minute, and a dead name costs a lookup every half minute.
const (
	reresolveAfter = 3
	reresolveEvery = 6
)

// setEndpointHost remembers the name ep was resolved from ("" for none).
func (p *Peer) setEndpointHost(hostport string) {
	p.endpointMu.Lock()
	p.endpointHost = hostport
	p.endpointMu.Unlock()
}

// maybeReresolve: call when a handshake initiation is sent again because
// the last one went unanswered.  It starts a lookup of the endpoint's
// name when the attempts have failed long enough; the lookup runs on its
// own and the next retransmission goes where it found the peer.
func (p *Peer) maybeReresolve(now, attemptStart time.Time) {
	d := p.dev
	rt := d.params.RekeyTimeout()
	if attemptStart.IsZero() || now.Sub(attemptStart) < reresolveAfter*rt {
		return
	}
	p.endpointMu.Lock()
	hostport := p.endpointHost
	if hostport == "" || (!p.lastResolve.IsZero() && now.Sub(p.lastResolve) < reresolveEvery*rt) {
		p.endpointMu.Unlock()
		return
	}
	p.lastResolve = now
	p.endpointMu.Unlock()
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
		defer cancel()
		addrs, err := d.resolve(ctx, host)
		if err != nil || len(addrs) == 0 {
			d.logf(klog.LOG_DEBUG, "peer %s: cannot resolve %s again: %v", p.displayName(), host, err)
			return
		}
		old, _ := p.Endpoint()
		next := pickAddr(addrs, old.Addr())
		ep := netip.AddrPortFrom(next, uint16(port))
		p.endpointMu.Lock()
		same := p.endpointHost == hostport
		p.endpointMu.Unlock()
		if !same || !p.running.Load() || ep == old {
			return
		}
		p.SetEndpoint(ep)
		d.logf(klog.LOG_INFO, "peer %s: %s now resolves to %v (was %v)", p.displayName(), host, ep, old)
	}()
}

// pickAddr prefers an address of the family the peer was reached by.
func pickAddr(addrs []netip.Addr, old netip.Addr) netip.Addr {
	for _, a := range addrs {
		if a.Unmap().Is4() == old.Unmap().Is4() {
			return a.Unmap()
		}
	}
	return addrs[0].Unmap()
}
