// Package kern assembles nbwg's emulated NetBSD kernel from its parts:
// the interface layer (kernel/ifnet) with the wg cloner (kernel/wg), the
// routing table (kernel/route), the sysctl tree with the net.wg
// variables, and whatever the kernel needs
// of the world around it (host interfaces, tunnel devices, sockets, the
// clock, a random source, a log).  It is the one place a kernel is made:
// nbwgd makes one from Linux's parts, tests from in-memory fakes.
package kern

import (
	"io"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/klog"
	"nbwg/kernel/route"
	"nbwg/kernel/sys"
	"nbwg/kernel/sysctl"
	"nbwg/kernel/tun"
	"nbwg/kernel/udp"
	"nbwg/kernel/wg"
	"nbwg/kernel/wg/clock"
)

// Parts are what a kernel is made of.  Every part may be left out: a
// kernel without a Host mirrors its interfaces nowhere, one without
// OpenTUN or NewBind moves no packets (its configuration still works, as
// the front ends' tests need), and the rest default to the real clock,
// crypto/rand and a log that goes nowhere.
type Parts struct {
	Host ifnet.Host
	// Routes mirrors the routing table into the host's (nil: nowhere).
	Routes  route.Host
	OpenTUN func(name string, mtu int) (tun.Device, error)
	NewBind func() udp.Bind
	Clock   clock.Clock
	Rand    io.Reader
	Log     *klog.Logger
	// Resolve looks up endpoints' host names again; nil is the system's.
	Resolve wg.Resolver
	// Debug starts the kernel with net.wg.debug set (nbwgd -d).
	Debug bool
	// CryptoWorkers is wg.Env's: the crypto workers of each interface
	// each way (0: wg.DefaultCryptoWorkers for the machine; negative:
	// none).
	CryptoWorkers int
}

// Kernel is one emulated NetBSD kernel: one network namespace's, on
// Linux.  It serves ioctl(2) as a sys.Handler.
type Kernel struct {
	Net    *ifnet.Net
	Route  *route.Table
	Sysctl *sysctl.Tree
	Params *wg.Params
}

// New makes a kernel from its parts.
func New(p Parts) *Kernel {
	if p.Log == nil {
		p.Log = klog.New(io.Discard, klog.LOG_DEBUG)
	}
	params := wg.NewParams()
	if p.Debug {
		params.Debug.Store(wg.DebugLog)
	}
	k := &Kernel{Sysctl: &sysctl.Tree{}, Params: params}
	k.Sysctl.Add(params.Sysctl()...)
	k.Net = ifnet.New(p.Host, wg.NewCloner(wg.Env{
		OpenTUN: p.OpenTUN,
		NewBind: p.NewBind,
		Log:     p.Log,
		Params:  params,
		Clock:   p.Clock,
		Rand:    p.Rand,
		Resolve: p.Resolve,

		CryptoWorkers: p.CryptoWorkers,
	}))
	k.Route = route.New(k.Net, p.Routes, p.Log)
	return k
}

var _ sys.Handler = (*Kernel)(nil)

// Ioctl routes a request: sysctl requests to the sysctl tree, routing
// messages to the routing table, the rest through ifioctl.
func (k *Kernel) Ioctl(cred sys.Cred, cmd uint32, arg, in []byte) ([]byte, error) {
	switch cmd {
	case sys.NBWG_SYSCTL:
		return k.Sysctl.Ioctl(cred, cmd, arg, in)
	case sys.NBWG_ROUTE:
		return k.Route.Ioctl(cred, cmd, arg, in)
	}
	return k.Net.Ioctl(cred, cmd, arg, in)
}

// Idle reports whether the kernel may halt: it has no interface, and no
// tunable differs from its default (halting would lose the setting).
func (k *Kernel) Idle() bool { return k.Sysctl.AllDefault() && k.Net.Count() == 0 }

// Halt destroys every interface.
func (k *Kernel) Halt() { k.Net.DestroyAll() }
