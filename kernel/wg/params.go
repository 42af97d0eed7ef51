package wg

import (
	"sync/atomic"
	"time"

	"nbwg/kernel/sys"
	"nbwg/kernel/sysctl"
	"nbwg/kernel/wg/noise"
)

// Params are the protocol's tunables, NetBSD's net.wg.* sysctl variables:
// one set per emulated kernel, read by every wg interface of that host as
// they run, so a change takes effect at the next use.  Times are whole
// seconds, as NetBSD keeps them.
type Params struct {
	RekeyAfterMessages  atomic.Uint64
	RejectAfterMessages atomic.Uint64
	rekeyAfterTime      atomic.Int64
	rejectAfterTime     atomic.Int64
	rekeyAttemptTime    atomic.Int64
	rekeyTimeout        atomic.Int64
	keepaliveTimeout    atomic.Int64
	ForceUnderload      atomic.Bool
	Debug               atomic.Int64
}

// DebugLog and friends are the bits of net.wg.debug: 1=log 2=trace
// 4=dump 8=packet.  nbwg logs protocol events at LOG_DEBUG when bit 1 is
// set and never dumps keys or packets whatever the bits say.
const (
	DebugLog    = 1
	DebugTrace  = 2
	DebugDump   = 4
	DebugPacket = 8
)

// NewParams returns the defaults of the WireGuard paper, which are
// NetBSD's.
func NewParams() *Params {
	p := &Params{}
	p.RekeyAfterMessages.Store(noise.RekeyAfterMessages)
	p.RejectAfterMessages.Store(noise.RejectAfterMessages)
	p.rekeyAfterTime.Store(secs(noise.RekeyAfterTime))
	p.rejectAfterTime.Store(secs(noise.RejectAfterTime))
	p.rekeyAttemptTime.Store(secs(noise.RekeyAttemptTime))
	p.rekeyTimeout.Store(secs(noise.RekeyTimeout))
	p.keepaliveTimeout.Store(secs(noise.KeepaliveTimeout))
	return p
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

// RekeyAfterTime is REKEY_AFTER_TIME.
func (p *Params) RekeyAfterTime() time.Duration {
	return time.Duration(p.rekeyAfterTime.Load()) * time.Second
}

// RejectAfterTime is REJECT_AFTER_TIME.
func (p *Params) RejectAfterTime() time.Duration {
	return time.Duration(p.rejectAfterTime.Load()) * time.Second
}

// RekeyAttemptTime is REKEY_ATTEMPT_TIME.
func (p *Params) RekeyAttemptTime() time.Duration {
	return time.Duration(p.rekeyAttemptTime.Load()) * time.Second
}

// RekeyTimeout is REKEY_TIMEOUT.
func (p *Params) RekeyTimeout() time.Duration {
	return time.Duration(p.rekeyTimeout.Load()) * time.Second
}

// KeepaliveTimeout is KEEPALIVE_TIMEOUT.
func (p *Params) KeepaliveTimeout() time.Duration {
	return time.Duration(p.keepaliveTimeout.Load()) * time.Second
}

// SetTimes sets the five times at once, in seconds; tests use it.
func (p *Params) SetTimes(rekeyAfter, rejectAfter, attempt, timeout, keepalive int64) {
	p.rekeyAfterTime.Store(rekeyAfter)
	p.rejectAfterTime.Store(rejectAfter)
	p.rekeyAttemptTime.Store(attempt)
	p.rekeyTimeout.Store(timeout)
	p.keepaliveTimeout.Store(keepalive)
}

// Sysctl returns the net.wg nodes, with NetBSD's names, types and
// descriptions (typos included, as NetBSD prints them).  NetBSD bounds
// nothing beyond the C type; nbwg refuses times and counts below 1,
// which would make the timers spin or every session expire at once.
// reject_after_messages and reject_after_time are nbwg's additions
// (NetBSD compiles them in as constants).
func (p *Params) Sysctl() []sysctl.Node {
	seconds := func(v *atomic.Int64) (func() int64, func(int64) error) {
		return v.Load, func(x int64) error {
			if x < 1 {
				return sys.EINVAL
			}
			v.Store(x)
			return nil
		}
	}
	messages := func(v *atomic.Uint64) (func() int64, func(int64) error) {
		return func() int64 { return int64(v.Load()) }, func(x int64) error {
			if x == 0 {
				return sys.EINVAL
			}
			v.Store(uint64(x))
			return nil
		}
	}
	var nodes []sysctl.Node
	add := func(name string, typ sysctl.Type, desc string, get func() int64, set func(int64) error) {
		nodes = append(nodes, sysctl.Node{Name: "net.wg." + name, Type: typ, Desc: desc, Get: get, Set: set, Default: get()})
	}
	g, s := messages(&p.RekeyAfterMessages)
	add("rekey_after_messages", sysctl.Quad, "session liftime by messages", g, s)
	g, s = messages(&p.RejectAfterMessages)
	add("reject_after_messages", sysctl.Quad, "session messages limit", g, s)
	g, s = seconds(&p.rekeyAfterTime)
	add("rekey_after_time", sysctl.Int, "session liftime", g, s)
	g, s = seconds(&p.rejectAfterTime)
	add("reject_after_time", sysctl.Int, "session time limit", g, s)
	g, s = seconds(&p.rekeyTimeout)
	add("rekey_timeout", sysctl.Int, "session handshake retry time", g, s)
	g, s = seconds(&p.rekeyAttemptTime)
	add("rekey_attempt_time", sysctl.Int, "session handshake timeout", g, s)
	g, s = seconds(&p.keepaliveTimeout)
	add("keepalive_timeout", sysctl.Int, "keepalive timeout", g, s)
	add("force_underload", sysctl.Bool, "force to detemine under load",
		func() int64 {
			if p.ForceUnderload.Load() {
				return 1
			}
			return 0
		},
		func(x int64) error { p.ForceUnderload.Store(x != 0); return nil })
	add("debug", sysctl.Int, "set debug flags 1=log 2=trace 4=dump 8=packet",
		p.Debug.Load, func(x int64) error { p.Debug.Store(x); return nil })
	return nodes
}
