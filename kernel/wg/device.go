package wg

import (
	"fmt"
	"sync"

	"golang.org/x/crypto/curve25519"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/klog"
	"nbwg/kernel/sys"
	"nbwg/kernel/tun"
	"nbwg/kernel/udp"
	"nbwg/kernel/wg/allowedips"
)

// Env is what a Device needs from the host: how to make its tunnel
// device and its UDP sockets, the kernel's log, and the net.wg.* tunables.
type Env struct {
	OpenTUN func(name string, mtu int) (tun.Device, error)
	NewBind func() udp.Bind
	Log     *klog.Logger
}

// Device is one wg interface (NetBSD's wg_softc).
type Device struct {
	ifp *ifnet.Interface
	env Env
	log *klog.Logger
	tun tun.Device

	mu         sync.Mutex
	hasKey     bool
	privateKey [32]byte
	publicKey  [32]byte
	listenPort uint16 // as configured; 0 when none
	bind       udp.Bind
	boundPort  uint16  // the port the sockets hold, configured or not
	peers      []*Peer // most recently added first, as NetBSD lists them
	byName     map[string]*Peer
	byKey      map[[32]byte]*Peer

	allowed allowedips.Table[*Peer]
}

// NewCloner returns the "wg" interface cloner.
func NewCloner(env Env) ifnet.Cloner {
	return ifnet.Cloner{
		Name:  "wg",
		Flags: sys.IFF_MULTICAST,
		MTU:   sys.WG_MTU,
		Create: func(ifp *ifnet.Interface) (ifnet.Driver, error) {
			return newDevice(ifp, env)
		},
	}
}

func newDevice(ifp *ifnet.Interface, env Env) (*Device, error) {
	d := &Device{
		ifp:    ifp,
		env:    env,
		log:    env.Log,
		byName: make(map[string]*Peer),
		byKey:  make(map[[32]byte]*Peer),
	}
	if env.OpenTUN != nil {
		t, err := env.OpenTUN(ifp.Name(), ifp.MTU())
		if err != nil {
			return nil, fmt.Errorf("open tunnel device: %w", err)
		}
		d.tun = t
	}
	if env.NewBind != nil {
		d.bind = env.NewBind()
	}
	return d, nil
}

// Init is if_init: the interface came up.
func (d *Device) Init() error { return nil }

// Stop is if_stop: the interface went down.
func (d *Device) Stop() {}

// SetMTU takes note of a new MTU.
func (d *Device) SetMTU(mtu int) {}

// Destroy releases the tunnel device and sockets; every peer goes with
// its keys.
func (d *Device) Destroy() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.peers {
		d.destroyPeer(p)
	}
	d.peers = nil
	clear(d.byName)
	clear(d.byKey)
	clear(d.privateKey[:])
	if d.bind != nil {
		d.bind.Close()
	}
	if d.tun != nil {
		d.tun.Close()
	}
}

// setPrivateKey installs the interface's static key; the public key is
// derived at once, as wg_calc_pubkey does.
func (d *Device) setPrivateKey(key []byte) error {
	pub, err := curve25519.X25519(key, curve25519.Basepoint)
	if err != nil {
		// Only a key whose public key is the all-zero point fails;
		// NetBSD would accept it and fail every handshake.
		return sys.EINVAL
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	copy(d.privateKey[:], key)
	copy(d.publicKey[:], pub)
	d.hasKey = true
	return nil
}

// setListenPort binds the interface's sockets to port, as wg_bind_port
// does: the same port again is a no-op.  Unlike NetBSD, whose sockets
// cannot be rebound, a new port replaces the old one; if the new port
// cannot be had, the old binding stays.
func (d *Device) setListenPort(port uint16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if port != 0 && port == d.listenPort {
		return nil
	}
	if d.bind == nil {
		d.listenPort = port
		return nil
	}
	old := d.boundPort
	d.bind.Close()
	actual, err := d.openBind(port)
	if err != nil {
		if old != 0 {
			d.openBind(old)
		}
		return err
	}
	d.boundPort = actual
	d.listenPort = port
	return nil
}

// openBind opens the sockets on port; the data plane starts its
// receivers here.
func (d *Device) openBind(port uint16) (uint16, error) {
	_, actual, err := d.bind.Open(port)
	if err != nil {
		return 0, err
	}
	d.boundPort = actual
	return actual, nil
}

// destroyPeer forgets p's routes and zeroes its secrets; d.mu is held.
func (d *Device) destroyPeer(p *Peer) {
	d.allowed.RemoveByPeer(p)
	clear(p.psk[:])
}
