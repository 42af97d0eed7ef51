// Package wgsysctl is the table of wg(4)'s sysctl variables, net.wg.*:
// their names, types, descriptions, defaults and bounds, as if_wg.c's
// sysctl_net_wg_setup creates them, with nbwg's two additions and its
// lower bounds (see Var.Min).
//
// It is data only, so that its two readers share one table without
// sharing code: the emulated kernel (kernel/wg's Params, which hold the
// live values and serve them through kernel/sysctl) and the sysctl
// command, which must know the names and types before it asks the kernel
// anything, and which answers with the defaults while no kernel runs -
// without linking the kernel to learn them.
//
// The tables are read-only.
package wgsysctl

import (
	"math"

	"nbwg/kernel/sys"
)

// The interior node every variable lies below, and its description
// (sysctl_net_wg_setup's "wg(4)").
const (
	Top  = "net"
	Node = "wg"
	Desc = "wg(4)"
)

// Var is one leaf of net.wg.
type Var struct {
	// Name is the last component of the name, e.g. "rekey_timeout".
	Name string
	Type sys.CtlType
	// Desc is the description NetBSD's kernel gives, which sysctl -d
	// prints, typos included.
	Desc string
	// Default is the value a fresh kernel has; a quad's is the bits of
	// its unsigned value.
	Default int64
	// Min is the least value nbwg takes, compared in the node's type
	// (unsigned for a quad).  NetBSD bounds nothing beyond the C type;
	// nbwg refuses times and counts below 1, which would make the
	// timers spin or every session expire at once.  The type's least
	// value (0 for a quad or a bool, math.MinInt32 for an int) bounds
	// nothing.  The upper bound is the type's.
	Min int64
}

// FullName is the variable's dotted name, e.g. "net.wg.rekey_timeout".
func (v *Var) FullName() string { return Top + "." + Node + "." + v.Name }

// InRange reports whether x, a value of the node's type, is at or
// above Min.
func (v *Var) InRange(x int64) bool {
	if v.Type == sys.CTLTYPE_QUAD {
		return uint64(x) >= uint64(v.Min)
	}
	return x >= v.Min
}

// The variables.  Their defaults are the WireGuard paper's ([W] 6.1),
// which are NetBSD's; kernel/wg's tests check them against the protocol
// constants of kernel/wg/noise.  reject_after_messages and
// reject_after_time are nbwg's additions: NetBSD compiles them in as
// constants.
var (
	RekeyAfterMessages = Var{Name: "rekey_after_messages", Type: sys.CTLTYPE_QUAD,
		Desc: "session liftime by messages", Default: 1 << 60, Min: 1}
	RejectAfterMessages = Var{Name: "reject_after_messages", Type: sys.CTLTYPE_QUAD,
		Desc: "session messages limit", Default: quad(math.MaxUint64 - 1<<13), Min: 1}
	RekeyAfterTime = Var{Name: "rekey_after_time", Type: sys.CTLTYPE_INT,
		Desc: "session liftime", Default: 120, Min: 1}
	RejectAfterTime = Var{Name: "reject_after_time", Type: sys.CTLTYPE_INT,
		Desc: "session time limit", Default: 180, Min: 1}
	RekeyTimeout = Var{Name: "rekey_timeout", Type: sys.CTLTYPE_INT,
		Desc: "session handshake retry time", Default: 5, Min: 1}
	RekeyAttemptTime = Var{Name: "rekey_attempt_time", Type: sys.CTLTYPE_INT,
		Desc: "session handshake timeout", Default: 90, Min: 1}
	KeepaliveTimeout = Var{Name: "keepalive_timeout", Type: sys.CTLTYPE_INT,
		Desc: "keepalive timeout", Default: 10, Min: 1}
	ForceUnderload = Var{Name: "force_underload", Type: sys.CTLTYPE_BOOL,
		Desc: "force to detemine under load", Default: 0, Min: 0}
	// Debug's bits are kernel/wg's DebugLog and friends.
	Debug = Var{Name: "debug", Type: sys.CTLTYPE_INT,
		Desc: "set debug flags 1=log 2=trace 4=dump 8=packet", Default: 0, Min: math.MinInt32}
)

// Vars are net.wg's leaves in the order sysctl lists them.
var Vars = []*Var{
	&RekeyAfterMessages,
	&RejectAfterMessages,
	&RekeyAfterTime,
	&RejectAfterTime,
	&RekeyTimeout,
	&RekeyAttemptTime,
	&KeepaliveTimeout,
	&ForceUnderload,
	&Debug,
}

// quad is a quad's value as Var keeps it.
func quad(v uint64) int64 { return int64(v) }
