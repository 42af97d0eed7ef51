package wg

import (
	"sync/atomic"
	"time"

	"nbwg/kernel/sys"
	"nbwg/kernel/sys/wgsysctl"
	"nbwg/kernel/sysctl"
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

// DebugLog is the bit of net.wg.debug that nbwg reads.  NetBSD's bits
// are 1=log 2=trace 4=dump 8=packet; nbwg logs protocol events at
// LOG_DEBUG when bit 1 is set and never traces, nor dumps keys or
// packets, whatever the other bits say.
const DebugLog = 1

// NewParams returns the defaults of the net.wg table (kernel/sys/wgsysctl),
// which are the WireGuard paper's and NetBSD's.
func NewParams() *Params {
	p := &Params{}
	p.RekeyAfterMessages.Store(uint64(wgsysctl.RekeyAfterMessages.Default))
	p.RejectAfterMessages.Store(uint64(wgsysctl.RejectAfterMessages.Default))
	p.rekeyAfterTime.Store(wgsysctl.RekeyAfterTime.Default)
	p.rejectAfterTime.Store(wgsysctl.RejectAfterTime.Default)
	p.rekeyAttemptTime.Store(wgsysctl.RekeyAttemptTime.Default)
	p.rekeyTimeout.Store(wgsysctl.RekeyTimeout.Default)
	p.keepaliveTimeout.Store(wgsysctl.KeepaliveTimeout.Default)
	p.ForceUnderload.Store(wgsysctl.ForceUnderload.Default != 0)
	p.Debug.Store(wgsysctl.Debug.Default)
	return p
}

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

// Sysctl returns the net.wg nodes over p, in the table's order, with
// the table's names, types and descriptions (kernel/sys/wgsysctl).  Every
// setter refuses a value below the variable's Min with EINVAL.  A node's
// Default is p's value now, the one the kernel starts with: the table's,
// or net.wg.debug's bit 1 for nbwgd -d, so that a kernel still as it
// started may halt when idle.
func (p *Params) Sysctl() []sysctl.Node {
	var nodes []sysctl.Node
	add := func(v *wgsysctl.Var, get func() int64, set func(int64)) {
		nodes = append(nodes, sysctl.Node{
			Name: v.FullName(), Type: v.Type, Desc: v.Desc, Default: get(),
			Get: get,
			Set: func(x int64) error {
				if !v.InRange(x) {
					return sys.EINVAL
				}
				set(x)
				return nil
			},
		})
	}
	messages := func(v *wgsysctl.Var, a *atomic.Uint64) {
		add(v, func() int64 { return int64(a.Load()) }, func(x int64) { a.Store(uint64(x)) })
	}
	seconds := func(v *wgsysctl.Var, a *atomic.Int64) { add(v, a.Load, a.Store) }
	messages(&wgsysctl.RekeyAfterMessages, &p.RekeyAfterMessages)
	messages(&wgsysctl.RejectAfterMessages, &p.RejectAfterMessages)
	seconds(&wgsysctl.RekeyAfterTime, &p.rekeyAfterTime)
	seconds(&wgsysctl.RejectAfterTime, &p.rejectAfterTime)
	seconds(&wgsysctl.RekeyTimeout, &p.rekeyTimeout)
	seconds(&wgsysctl.RekeyAttemptTime, &p.rekeyAttemptTime)
	seconds(&wgsysctl.KeepaliveTimeout, &p.keepaliveTimeout)
	add(&wgsysctl.ForceUnderload,
		func() int64 {
			if p.ForceUnderload.Load() {
				return 1
			}
			return 0
		},
		func(x int64) { p.ForceUnderload.Store(x != 0) })
	add(&wgsysctl.Debug, p.Debug.Load, p.Debug.Store)
	return nodes
}
