package wg

import (
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/klog"
	"nbwg/kernel/sys"
	"nbwg/kernel/tun"
	"nbwg/kernel/udp"
	"nbwg/kernel/wg/allowedips"
	"nbwg/kernel/wg/clock"
	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/noise"
	"nbwg/kernel/wg/ratelimiter"
)

// Env is what a Device needs from its host: how to make its tunnel device
// and its UDP sockets, the kernel's log and tunables, a clock and a
// source of randomness.  Zero fields get defaults (no TUN, no sockets,
// default parameters, the real clock, crypto/rand).
type Env struct {
	OpenTUN func(name string, mtu int) (tun.Device, error)
	NewBind func() udp.Bind
	Log     *klog.Logger
	Params  *Params
	Clock   clock.Clock
	Rand    io.Reader
	// Resolve looks up endpoints' host names again (resolve.go); nil is
	// the system's resolver.
	Resolve Resolver
	// CryptoWorkers is how many crypto workers run each way: 0 picks
	// DefaultCryptoWorkers for the machine, a negative number none (every
	// batch is sealed or opened by the goroutine that has it).
	CryptoWorkers int
	// busy, when set, is the counter the device keeps its work in
	// (Device.busy); tests give two devices one, with the work on the
	// wire between them, to know when everything has settled.
	busy *atomic.Int64
	// parallelMin, when set, replaces parallelMinBytes; tests set 1 to
	// send every batch to the workers.
	parallelMin int
}

// DefaultCryptoWorkers is the number of crypto workers each way for a
// machine of ncpu CPUs: one per CPU, or none on a machine of one or two.
// There a worker only takes a CPU from the stages that cannot be spread
// (the TUN and socket readers, the host's network stack and the
// application): with one TCP stream through two hosts sharing two CPUs,
// sealing and opening on the readers carried 12-15 % more Gbit/s and
// 25 % more Gbit per CPU-second than handing large batches to workers
// (5 alternating rounds of 5 s: 2.06-2.23 Gbit/s against 1.49-1.97,
// 1.26-1.35 Gbit per CPU-second against 0.86-1.14); the handoff's wakeups
// and the copy that lets a worker outlive the socket reader's buffer
// are gone.
func DefaultCryptoWorkers(ncpu int) int {
	if ncpu <= 2 {
		return 0
	}
	return ncpu
}

// Queue sizes.  The crypto queues hold batches (up to one TUN or socket
// read each); the handshake queue holds messages, and a backlog of an
// eighth of it puts the device under load ([W] 5.3), as wireguard-go
// judges it.
const (
	cryptoQueueLen    = 128
	handshakeQueueLen = 1024
	underLoadLength   = handshakeQueueLen / 8
	underLoadAfter    = time.Second
)

// Device is one wg interface (NetBSD's wg_softc).
type Device struct {
	ifp    *ifnet.Interface
	log    *klog.Logger
	params *Params
	clock  clock.Clock
	rand   io.Reader
	tun    tun.Device
	// cryptoWorkers run each way (0: none), and take batches of at
	// least parallelMin bytes.
	cryptoWorkers int
	parallelMin   int
	// resolve looks up endpoint names again (resolve.go).
	resolve Resolver

	local   *noise.Local
	index   indexTable
	checker cookie.Checker
	// The per-source limits on handshake messages (receive.go): those
	// the handshake worker takes on, and those answered with a cookie
	// reply.  Two tables, so that spoofed sources, which can ask for
	// cookie replies but never prove themselves with mac2, cannot fill
	// the table that sources proven under load are counted in.
	hsLimiter     *ratelimiter.Limiter
	cookieLimiter *ratelimiter.Limiter
	// logLimit keeps packets from flooding the log (logf).
	logLimit *klog.Limit
	stats    deviceStats

	// mu guards the configuration below; the data plane reads it
	// through peerByKey and Peer methods.
	mu         sync.RWMutex
	hasKey     bool
	privateKey [32]byte
	publicKey  [32]byte
	listenPort uint16  // as configured; 0 when none
	fwmark     uint32  // SO_MARK of the sockets; 0 when none
	peers      []*Peer // in the order added; listed newest first, as NetBSD lists them
	byName     map[string]*Peer
	byKey      map[[32]byte]*Peer

	allowed allowedips.Table[*Peer]
	// getSize is the size of the last configuration document, so the
	// next is written without growing its buffer (ioctl_get.go).
	getSize atomic.Int64

	net netState

	// The pipeline's shared queues (send.go, receive.go).  queueMu is
	// held for reading by every producer and for writing when the
	// queues close, so nothing is queued on a closed channel.
	queueMu      sync.RWMutex
	queuesClosed bool
	encryptQueue chan *outBatch
	decryptQueue chan *inBatch
	hsQueue      chan *hsMessage
	// underLoadUntil is when the device stops being under load
	// (UnixNano of the device clock).
	underLoadUntil atomic.Int64
	// busy counts the work in the pipelines: each batch from when it is
	// queued until its peer's sequential routine is done with it, each
	// handshake message until the handshake worker is.  What a stage
	// causes is counted before the stage's own count is released, so
	// zero means that nothing the device took in is still under way (a
	// test waits for it instead of sleeping).  Packets and datagrams not
	// yet read from the TUN device and the sockets are counted by whoever
	// feeds them, in tests.
	busy *atomic.Int64

	destroyOnce sync.Once
	workers     sync.WaitGroup // crypto and handshake workers
	readers     sync.WaitGroup // TUN reader
	icmp        icmpLimiter
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
		ifp:           ifp,
		log:           env.Log,
		params:        env.Params,
		clock:         env.Clock,
		rand:          env.Rand,
		byName:        make(map[string]*Peer),
		byKey:         make(map[[32]byte]*Peer),
		encryptQueue:  make(chan *outBatch, cryptoQueueLen),
		decryptQueue:  make(chan *inBatch, cryptoQueueLen),
		hsQueue:       make(chan *hsMessage, handshakeQueueLen),
		busy:          env.busy,
		cryptoWorkers: env.CryptoWorkers,
		parallelMin:   env.parallelMin,
	}
	switch {
	case d.cryptoWorkers == 0:
		// GOMAXPROCS rather than NumCPU: it is the CPUs the runtime
		// will use, lowered to a container's CPU limit (Go 1.25).
		d.cryptoWorkers = DefaultCryptoWorkers(runtime.GOMAXPROCS(0))
	case d.cryptoWorkers < 0:
		d.cryptoWorkers = 0
	}
	if d.parallelMin <= 0 {
		d.parallelMin = parallelMinBytes
	}
	if d.busy == nil {
		d.busy = new(atomic.Int64)
	}
	if d.params == nil {
		d.params = NewParams()
	}
	if d.clock == nil {
		d.clock = clock.Real
	}
	d.logLimit = klog.NewLimit(0, 0, d.clock.Now)
	// Full tables: a new source's handshake is refused (the table holds
	// 65536 sources, and under load only proven ones get in), while a
	// cookie reply still goes, as it costs little and is smaller than
	// the message it answers: better than locking a genuine peer out.
	d.hsLimiter = ratelimiter.New(d.clock, 0, ratelimiter.RefuseWhenFull)
	d.cookieLimiter = ratelimiter.New(d.clock, 0, ratelimiter.AllowWhenFull)
	if d.rand == nil {
		d.rand = rand.Reader
	}
	d.resolve = env.Resolve
	if d.resolve == nil {
		d.resolve = systemResolver
	}
	d.index = indexTable{dev: d, indices: make(map[uint32]*Peer)}
	d.local = noise.NewLocal(&d.index)
	if env.NewBind != nil {
		d.net.bind = env.NewBind()
	}
	if env.OpenTUN != nil {
		t, err := env.OpenTUN(ifp.Name(), ifp.MTU())
		if err != nil {
			return nil, fmt.Errorf("open tunnel device: %w", err)
		}
		d.tun = t
	}
	d.start()
	return d, nil
}

// start runs the device's goroutines: the crypto workers each way, a
// handshake worker, and the TUN reader.
func (d *Device) start() {
	for range d.cryptoWorkers {
		d.workers.Add(2)
		go d.routineEncrypt()
		go d.routineDecrypt()
	}
	d.workers.Add(1)
	go d.routineHandshake()
	if d.tun != nil {
		d.readers.Add(1)
		go d.routineReadTUN()
	}
}

// Init is if_init: the interface came up.  As in NetBSD, nothing else
// happens: sessions and peers outlive a down/up.
func (d *Device) Init() error { return nil }

// Stop is if_stop: the interface went down.
func (d *Device) Stop() {}

// SetMTU takes note of a new MTU; the data plane reads it from the
// interface when it pads packets.
func (d *Device) SetMTU(mtu int) {}

// Destroy stops the data plane and releases the tunnel device and
// sockets; every peer goes with its keys.  Later calls do nothing.
func (d *Device) Destroy() { d.destroyOnce.Do(d.destroy) }

func (d *Device) destroy() {
	d.mu.Lock()
	peers := d.peers
	d.peers = nil
	clear(d.byName)
	clear(d.byKey)
	clear(d.privateKey[:])
	d.hasKey = false
	d.mu.Unlock()
	for _, p := range peers {
		p.stop()
	}
	d.allowed.Clear()
	d.local.SetPrivateKey(noise.PrivateKey{})
	// The TUN reader stops when its device closes; the receivers when
	// the sockets close.  Then nothing produces work any more.
	if d.tun != nil {
		d.tun.Close()
	}
	d.readers.Wait()
	d.net.close()
	d.queueMu.Lock()
	d.queuesClosed = true
	close(d.encryptQueue)
	close(d.decryptQueue)
	close(d.hsQueue)
	d.queueMu.Unlock()
	d.workers.Wait()
}

// peerByKey finds a peer by public key.
func (d *Device) peerByKey(pub [32]byte) *Peer {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.byKey[pub]
}

// setPrivateKey installs the interface's static key; the public key is
// derived at once, as wg_calc_pubkey does.  Sessions made under the old
// key may no longer send: the next packet starts a handshake under the
// new one.
func (d *Device) setPrivateKey(key []byte) error {
	var priv noise.PrivateKey
	copy(priv[:], key)
	defer clear(priv[:])
	d.mu.RLock()
	same := d.hasKey && [32]byte(priv) == d.privateKey
	d.mu.RUnlock()
	if same {
		// Setting the key it has (a boot script run again) keeps
		// the sessions made with it.
		return nil
	}
	pub := d.local.SetPrivateKey(priv)
	if pub == (noise.PublicKey{}) {
		// A key whose public key is the all-zero point could never
		// complete a handshake.
		return sys.EINVAL
	}
	d.checker.Init(pub)
	d.mu.Lock()
	copy(d.privateKey[:], key)
	d.publicKey = pub
	d.hasKey = true
	peers := append([]*Peer(nil), d.peers...)
	d.mu.Unlock()
	for _, p := range peers {
		p.remote.ExpireKeypairs()
	}
	return nil
}

// clearPrivateKey forgets the interface's static key (WireGuard's set
// operation with a private key of zeros): no handshake can be made or
// answered until a key is set again, and the sessions made under the old
// key may no longer send.
func (d *Device) clearPrivateKey() {
	d.mu.Lock()
	had := d.hasKey
	clear(d.privateKey[:])
	d.publicKey = [32]byte{}
	d.hasKey = false
	peers := append([]*Peer(nil), d.peers...)
	d.mu.Unlock()
	if !had {
		return
	}
	d.local.ClearPrivateKey()
	for _, p := range peers {
		p.remote.ExpireKeypairs()
	}
}

// setFwMark marks the device's UDP packets with mark (SO_MARK, so that
// policy routing can keep them out of the tunnel, as wg-quick's default
// route does), now and on every socket bound later; 0 unmarks them.  A
// Bind that cannot mark (the tests' in-memory ones) only records it.
func (d *Device) setFwMark(mark uint32) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := &d.net
	n.mu.Lock()
	defer n.mu.Unlock()
	if m, ok := n.bind.(udp.Marker); ok && !n.closed {
		if err := m.SetMark(mark); err != nil {
			return err
		}
	}
	d.fwmark = mark
	return nil
}

// logf logs a protocol event: errors always, the rest at LOG_DEBUG when
// net.wg.debug has its log bit, as NetBSD's WG_DLOG.  Packets cause most
// debug messages, so those are rate-limited per call site (klog.Limit),
// as the Linux driver's net_dbg_ratelimited.  Callers hold none of the
// device's or peers' locks: a slow log must not stall the data plane.
func (d *Device) logf(pri int, format string, args ...any) {
	if pri < klog.LOG_DEBUG {
		d.log.Log(pri, d.ifp.Name()+": "+format, args...)
		return
	}
	if !d.debug() {
		return
	}
	d.log.LogLimited(d.logLimit, pri, d.ifp.Name()+": ", format, args...)
}

// debug reports whether debug messages are logged, so callers can skip
// preparing their arguments.
func (d *Device) debug() bool { return d.params.Debug.Load()&DebugLog != 0 }

// underLoad reports whether handshakes must prove their source address
// with a cookie ([W] 5.3): when the handshake queue backs up (and for a
// second afterwards), or when net.wg.force_underload says so.
func (d *Device) underLoad() bool {
	if d.params.ForceUnderload.Load() {
		return true
	}
	now := d.clock.Now().UnixNano()
	if len(d.hsQueue) >= underLoadLength {
		d.underLoadUntil.Store(now + int64(underLoadAfter))
		return true
	}
	return d.underLoadUntil.Load() > now
}
