package ifnet

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"nbwg/kernel/sys"
)

// Driver is what a cloned interface's driver (if_wg) provides.
type Driver interface {
	// Handler takes the requests ifioctl does not (SIOCSDRVSPEC,
	// SIOCGDRVSPEC); it returns sys.ENOTTY for those it does not know.
	sys.Handler
	// Init is if_init: the interface is up and about to be running.
	Init() error
	// Stop is if_stop: the interface went down.
	Stop()
	// SetMTU tells the data plane the new MTU.
	SetMTU(mtu int)
	// Destroy releases everything the driver holds; the interface is
	// gone from the table when it is called.
	Destroy()
}

// Cloner creates interfaces named Name followed by a unit number.
type Cloner struct {
	Name string
	// Flags and MTU are what a fresh interface starts with.
	Flags int
	MTU   int
	// Create attaches a driver to ifp; the host device must exist when
	// it returns, since the interface is attached to it next.
	Create func(ifp *Interface) (Driver, error)
}

// Host mirrors emulated interfaces onto the host's devices of the same
// name.  A nil Host (tests) mirrors nothing.
type Host interface {
	// Attach prepares the host device and returns its index, which is
	// the interface's index and IPv6 scope id.
	Attach(name string) (index int, err error)
	SetMTU(name string, mtu int) error
	SetUp(name string, up bool) error
	AddAddr(index int, p netip.Prefix) error
	DelAddr(index int, p netip.Prefix) error
	// LinkLocalID returns the 64-bit interface identifier for IPv6
	// link-local addresses, as in6_ifattach derives one from another
	// interface's hardware address.
	LinkLocalID() [8]byte
}

// Addr is one address of an interface.
type Addr struct {
	Prefix netip.Prefix // address and prefix length, host bits kept
	Dst    netip.Addr   // destination (point-to-point) or broadcast, if any
	Flags  int          // IN6_IFF_* for IPv6
	// Lifetimes of an IPv6 address; infinite when zero.
	Vltime, Pltime uint32
}

// Interface is one network interface.
type Interface struct {
	name  string
	index int
	drv   Driver

	flags     atomic.Int32
	mtu       atomic.Int32
	linkState atomic.Int32
	// detached is set when the interface starts being destroyed,
	// before the watchers hear of it (EventDetach).
	detached atomic.Bool
	// Counters the data plane bumps; SIOCGIFDATA reports them.
	Ipackets, Ierrors, Opackets, Oerrors, Ibytes, Obytes, Iqdrops, Noproto atomic.Uint64

	// snapshot is a copy of addrs for the data plane, which must not
	// take Net.mu; it is republished after every change.
	snapshot atomic.Pointer[[]Addr]

	// Guarded by Net.mu.
	addrs      []Addr
	lastChange time.Time
	net        *Net
	// descr is the description (IFDESCRSIZE bytes, NUL-padded), nil
	// when there is none.
	descr []byte
}

// Name is the interface's name, e.g. "wg0".
func (ifp *Interface) Name() string { return ifp.name }

// Index is the interface index (the IPv6 scope id).
func (ifp *Interface) Index() int { return ifp.index }

// Flags returns the IFF_* flags.
func (ifp *Interface) Flags() int { return int(ifp.flags.Load()) }

// MTU returns the interface MTU.
func (ifp *Interface) MTU() int { return int(ifp.mtu.Load()) }

// Up reports whether the interface is up and running.
func (ifp *Interface) Up() bool {
	return ifp.Flags()&(sys.IFF_UP|sys.IFF_RUNNING) == sys.IFF_UP|sys.IFF_RUNNING
}

// Detached reports whether the interface is being (or has been)
// destroyed.
func (ifp *Interface) Detached() bool { return ifp.detached.Load() }

// LinkState returns the LINK_STATE_* value.
func (ifp *Interface) LinkState() int { return int(ifp.linkState.Load()) }

// SetLinkState is if_link_state_change: drivers call it from their Ioctl
// (wg: a peer was added, the last peer was deleted).  As in NetBSD, a link
// going down detaches the interface's addresses, and a link coming up on a
// running interface attaches them again.
func (ifp *Interface) SetLinkState(state int) {
	if int(ifp.linkState.Swap(int32(state))) == state {
		return
	}
	ifp.lastChange = ifp.net.now()
	switch {
	case state == sys.LINK_STATE_DOWN:
		ifp.detachAddrs()
	case ifp.Up():
		ifp.attachAddrs()
	}
	ifp.publish()
}

// publish makes the current address list visible to AddrSnapshot.
func (ifp *Interface) publish() {
	snap := append([]Addr(nil), ifp.addrs...)
	ifp.snapshot.Store(&snap)
}

// AddrSnapshot returns the interface's addresses without locking: the
// data plane uses it to pick a source address for ICMP errors.
func (ifp *Interface) AddrSnapshot() []Addr {
	if p := ifp.snapshot.Load(); p != nil {
		return *p
	}
	return nil
}

// Net is the interface table of one emulated host.
type Net struct {
	mu      sync.Mutex
	host    Host
	cloners []*Cloner
	ifaces  []*Interface // in creation order
	// Changed, if set, is called (with mu held) after an interface is
	// created or destroyed; the daemon uses it to exit when idle.
	Changed func(count int)
	now     func() time.Time
	// watchers hear of interfaces coming up, going down and going
	// away (Watch).
	watchers []func(ifp *Interface, ev Event)
}

// Event is what happened to an interface, for the parts of the kernel
// that keep state about interfaces (the routing table, kernel/route; the
// userspace API's sockets, kernel/uapi).
type Event int

// Events, in the words of NetBSD's if.c.
const (
	// EventUp: the interface is up and running (if_up), and so is its
	// host device.
	EventUp Event = iota + 1
	// EventDown: the interface went down (if_down); what refers to it
	// stays, as NetBSD keeps the routes through a down interface.
	EventDown
	// EventDetach: the interface is being destroyed (if_detach), which
	// removes every route through it (if.c's if_delroute_matcher).
	EventDetach
	// EventAttach: the interface was created (if_attach) and is in the
	// table; its driver and host device are ready.
	EventAttach
)

// Watch registers f to be told of every interface event.  f is called
// with the table locked, so it must not call back into Net; it may read
// the interface (Name, Index, Flags, AddrSnapshot).  Register before the
// kernel serves requests.
func (n *Net) Watch(f func(ifp *Interface, ev Event)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.watchers = append(n.watchers, f)
}

func (n *Net) notify(ifp *Interface, ev Event) {
	for _, f := range n.watchers {
		f(ifp, ev)
	}
}

// Do runs f on the interface called name with the table locked, as an
// ioctl on it would run: the kernel's other doors to a driver (WireGuard's
// userspace API, kernel/uapi) go through Do, so that they are serialized
// with the ioctls.  A name that no interface has is ENXIO.  f must not
// call back into Net.
func (n *Net) Do(name string, f func(ifp *Interface) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	ifp := n.lookup(name)
	if ifp == nil {
		return sys.ENXIO
	}
	defer ifp.publish()
	return f(ifp)
}

// Driver returns the interface's driver (for Do's callers).
func (ifp *Interface) Driver() Driver { return ifp.drv }

// Interfaces returns the interfaces in creation order.
func (n *Net) Interfaces() []*Interface {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*Interface(nil), n.ifaces...)
}

// New returns an empty interface table with the given cloners.
func New(host Host, cloners ...Cloner) *Net {
	n := &Net{host: host, now: time.Now}
	for i := range cloners {
		n.cloners = append(n.cloners, &cloners[i])
	}
	return n
}

// Count returns the number of interfaces.
func (n *Net) Count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.ifaces)
}

// Lookup finds an interface by name.
func (n *Net) Lookup(name string) *Interface {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.lookup(name)
}

func (n *Net) lookup(name string) *Interface {
	for _, ifp := range n.ifaces {
		if ifp.name == name {
			return ifp
		}
	}
	return nil
}

// splitUnit splits "wg12" into its cloner and unit as if_clone_lookup
// (sys/net/if.c) does: the unit is the trailing decimal digits, read
// with leading zeros ("wg01" is unit 1), and refused once the value read
// so far reaches INT_MAX/10 with another digit to come (so
// "wg2147483640" and "wg99999999999" are bogus, "wg1999999999" is not).
func (n *Net) splitUnit(name string) (*Cloner, int, bool) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == 0 || i == len(name) {
		return nil, 0, false
	}
	unit := 0
	for _, d := range name[i:] {
		if unit >= math.MaxInt32/10 {
			return nil, 0, false
		}
		unit = unit*10 + int(d-'0')
	}
	for _, c := range n.cloners {
		if c.Name == name[:i] {
			return c, unit, true
		}
	}
	return nil, 0, false
}

// create is if_clone_create.  The interface is named by its cloner and
// unit, as if_initname names it, so "wg01" creates wg1.  NetBSD checks
// only the name given for a duplicate, and so would make a second wg1
// beside an existing one; nbwg refuses that with EEXIST.
func (n *Net) create(name string) error {
	if len(name) >= sys.IFNAMSIZ || strings.IndexByte(name, 0) >= 0 {
		return sys.EINVAL
	}
	c, unit, ok := n.splitUnit(name)
	if !ok {
		return sys.EINVAL
	}
	return n.createWith(c, c.Name+strconv.Itoa(unit))
}

// CreateNamed creates an interface of the cloner called cloner under
// exactly the name given, which need not be the cloner's name and a
// unit: nbwg-go's interface is the TUN device its user named (wg-quick
// names it after its configuration file).  Such a table is for one
// program's own interfaces; its ioctls still find them by name.
func (n *Net) CreateNamed(cloner, name string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if name == "" || len(name) >= sys.IFNAMSIZ || strings.IndexByte(name, 0) >= 0 {
		return sys.EINVAL
	}
	for _, c := range n.cloners {
		if c.Name == cloner {
			return n.createWith(c, name)
		}
	}
	return sys.EINVAL
}

// NoteMTU records an MTU that the interface's host device was given by
// someone else (nbwg-go's TUN, whose MTU ip(8) sets), and tells the
// driver; nothing is asked of the host.
func (n *Net) NoteMTU(name string, mtu int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	ifp := n.lookup(name)
	if ifp == nil {
		return sys.ENXIO
	}
	if ifp.MTU() != mtu {
		ifp.mtu.Store(int32(mtu))
		ifp.drv.SetMTU(mtu)
	}
	return nil
}

// createWith makes the interface name with cloner c; n.mu is held.
func (n *Net) createWith(c *Cloner, name string) error {
	if n.lookup(name) != nil {
		return sys.EEXIST
	}
	ifp := &Interface{name: name, net: n, lastChange: n.now()}
	ifp.flags.Store(int32(c.Flags))
	ifp.mtu.Store(int32(c.MTU))
	ifp.linkState.Store(sys.LINK_STATE_DOWN)
	drv, err := c.Create(ifp)
	if err != nil {
		return fmt.Errorf("%s: create: %w", name, err)
	}
	ifp.drv = drv
	if n.host != nil {
		idx, err := n.host.Attach(name)
		if err == nil {
			err = n.host.SetMTU(name, c.MTU)
		}
		if err != nil {
			drv.Destroy()
			return fmt.Errorf("%s: attach: %w", name, err)
		}
		ifp.index = idx
	} else {
		ifp.index = n.nextIndex()
	}
	n.ifaces = append(n.ifaces, ifp)
	n.notify(ifp, EventAttach)
	if n.Changed != nil {
		n.Changed(len(n.ifaces))
	}
	return nil
}

// nextIndex numbers interfaces when there is no host to do it: lo0 is 1
// on NetBSD, so emulated interfaces start at 2.
func (n *Net) nextIndex() int {
	idx := 2
	for _, ifp := range n.ifaces {
		idx = max(idx, ifp.index+1)
	}
	return idx
}

// destroy is if_clone_destroy: a name no cloner takes is EINVAL, then
// one that names no interface ENXIO ("wg01" does not name wg1).
func (n *Net) destroy(name string) error {
	if _, _, ok := n.splitUnit(name); !ok {
		return sys.EINVAL
	}
	ifp := n.lookup(name)
	if ifp == nil {
		return sys.ENXIO
	}
	n.detach(ifp)
	return nil
}

// detach takes ifp out of the table and destroys its driver; n.mu is
// held.
func (n *Net) detach(ifp *Interface) {
	if ifp.Flags()&sys.IFF_RUNNING != 0 {
		ifp.drv.Stop()
	}
	ifp.flags.Store(0)
	ifp.detached.Store(true)
	// Before the driver lets go of the host device, so that what the
	// watchers mirrored onto it can still be taken back.
	n.notify(ifp, EventDetach)
	ifp.drv.Destroy()
	for i, x := range n.ifaces {
		if x == ifp {
			n.ifaces = append(n.ifaces[:i], n.ifaces[i+1:]...)
			break
		}
	}
	if n.Changed != nil {
		n.Changed(len(n.ifaces))
	}
}

// DestroyAll destroys every interface, as a halting kernel would,
// whatever their names (CreateNamed's need not parse as a cloner's).
func (n *Net) DestroyAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for len(n.ifaces) > 0 {
		n.detach(n.ifaces[len(n.ifaces)-1])
	}
}
