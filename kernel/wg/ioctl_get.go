package wg

import (
	"math"
	"net/netip"
	"slices"
	"sync"

	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// ioctlGet is wg_ioctl_get: the configuration as a dictionary, secrets
// only for a privileged caller.  Two departures from NetBSD: the private
// key is left out while none is set (NetBSD hands root 32 zero bytes,
// which wgconfig prints as if they were a key), and a buffer too small
// is ENOMEM rather than EINVAL, so callers can tell it from a bad
// request and grow their buffer.
//
// With more (nbwg's WG_IOCTL_NBWG_GET_MORE) the dictionary also holds
// the extensions' keys: the interface's public key, each peer's
// persistent keepalive and byte counters.  And a buffer too small is
// then no error: the request succeeds, copies nothing out and sets
// ifd_len to a size that holds the document (its NUL included), so the
// caller asks once more with that much; an errno would leave the
// structure in the kernel (ioctl(2) copies it out only on success), and
// the caller could only guess.  OpenBSD's SIOCGWG tells the size the same
// way, with ENOMEM.  Without the bit, NetBSD's callers see what NetBSD's
// if_wg does.
//
// The size told is exact when the document was written to learn it.  A
// buffer under sizeBounds' lower bound cannot hold the document, and
// then the upper bound is told without writing anything, so that a show
// of many peers (10,000: some 6 MB) writes its document once and not
// twice.  A buffer of the exact size or more always gets the document.
//
// The document is written straight from the device's state (prop.Encoder)
// in the order libprop sorts the keys, byte for byte what externalizing
// the dictionary would give.
func (d *Device) ioctlGet(arg []byte, ifd *sys.Ifdrv, privileged, more bool) ([]byte, error) {
	if more {
		if least, most := d.sizeBounds(); ifd.Len < least {
			ifd.Len = most
			copy(arg, ifd.Marshal())
			return nil, nil
		}
	}
	xml, err := d.encodeConfig(privileged, more)
	if err != nil {
		return nil, sys.ENOMEM
	}
	need := uint64(len(xml)) + 1 // NUL-terminated
	if ifd.Len < need {
		sys.ReleaseReply(xml) // wiped: it holds the keys for a privileged caller
		if !more {
			return nil, sys.ENOMEM
		}
		ifd.Len = need
		copy(arg, ifd.Marshal())
		return nil, nil
	}
	// The carrier wipes what it copied out.
	return append(xml, 0), nil
}

// sizeBounds returns bounds of the size of the document encodeConfig
// writes (NUL included) for any caller, counted without writing it: each
// peer counted as the smallest and the largest one with its allowed IPs
// and name could be (no endpoint, key or number beyond those always
// there, numbers at their shortest; or an IPv6 endpoint, every key and
// number there, numbers at their longest), from the sizes docSizes
// measured with the encoder itself.  The upper bound is some 40 % above
// the document for peers with IPv4 addresses and no preshared key.
func (d *Device) sizeBounds() (least, most uint64) {
	lo, hi := docSizes()
	d.mu.RLock()
	defer d.mu.RUnlock()
	least, most = lo.doc, hi.doc
	for _, p := range d.peers {
		least += lo.peer
		most += hi.peer
		if k := uint64(len(p.allowed)); k > 0 {
			least += lo.allowedList + k*lo.allowedIP
			most += hi.allowedList + k*hi.allowedIP
		}
		if p.name != "" {
			name := uint64(prop.EscapedLen(p.name))
			least += lo.name + name
			most += hi.name + name
		}
	}
	return least, most
}

// sizes are the parts of a document sizeBounds adds up.
type sizes struct {
	doc         uint64 // the interface's keys and the peers' array, NUL included
	peer        uint64 // a peer without allowed IPs or name
	allowedList uint64 // the allowedips key and array of a peer that has some
	allowedIP   uint64 // one allowed IP
	name        uint64 // the name key and string around the name's text
}

// docSizes measures the parts by writing documents of the smallest and
// of the largest peers: a part is the difference its addition makes.
var docSizes = sync.OnceValues(func() (least, most sizes) {
	var longest [32]byte
	for i := range longest {
		longest[i] = 0xff
	}
	small := peerShown{}
	large := peerShown{
		publicKey:    longest,
		presharedKey: longest,
		hasPSK:       true,
		endpoint:     netip.AddrPortFrom(netip.IPv6Unspecified(), 65535),
		handshakeSec: -1, // as uint64, the longest
		handshakeNs:  999999999,
		keepalive:    65535,
		rxBytes:      math.MaxUint64,
		txBytes:      math.MaxUint64,
	}
	smallIP := AllowedIP{Addr: netip.IPv4Unspecified(), CIDR: 0}
	largeIP := AllowedIP{Addr: netip.IPv6Unspecified(), CIDR: 128}
	measure := func(v peerShown, ip AllowedIP, all bool) sizes {
		size := func(peers ...peerShown) uint64 {
			e := prop.NewEncoder(nil)
			e.BeginDict()
			if all {
				e.Key(sys.WGKeyListenPort)
				e.Unsigned(math.MaxUint16)
			}
			e.Key(sys.WGKeyPeers)
			e.BeginArray()
			for i := range peers {
				peers[i].encode(e, all, all)
			}
			e.EndArray()
			if all {
				e.Key(sys.WGKeyPrivateKey)
				e.Data(longest[:])
				e.Key(sys.WGKeyPublicKey)
				e.Data(longest[:])
			}
			e.EndDict()
			xml, err := e.Bytes()
			if err != nil {
				panic("wg: the encoder refuses a peer of its own: " + err.Error()) // a bug here, not input
			}
			return uint64(len(xml)) + 1
		}
		one, two := size(v), size(v, v)
		withIP, withIPs, named := v, v, v
		withIP.allowed = []AllowedIP{ip}
		withIPs.allowed = []AllowedIP{ip, ip}
		named.name = "x"
		z := sizes{peer: two - one}
		z.doc = one - z.peer
		z.allowedIP = size(withIPs) - size(withIP)
		z.allowedList = size(withIP) - one - z.allowedIP
		z.name = size(named) - one - 1
		return z
	}
	return measure(small, smallIP, false), measure(large, largeIP, true)
})

// encodeConfig writes the configuration dictionary: the keys of each
// dictionary in byte order, as libprop keeps them.
func (d *Device) encodeConfig(privileged, more bool) ([]byte, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	e := prop.NewEncoder(sys.ReplyBuffer(int(d.getSize.Load()) + 1024))
	e.BeginDict()
	if d.listenPort != 0 {
		e.Key(sys.WGKeyListenPort)
		e.Unsigned(uint64(d.listenPort))
	}
	if len(d.peers) > 0 {
		e.Key(sys.WGKeyPeers)
		e.BeginArray()
		// Newest first, as NetBSD lists them.
		var v peerShown
		for _, p := range slices.Backward(d.peers) {
			p.shown(&v)
			v.encode(e, privileged, more)
		}
		clear(v.presharedKey[:])
		e.EndArray()
	}
	if privileged && d.hasKey {
		e.Key(sys.WGKeyPrivateKey)
		e.Data(d.privateKey[:])
	}
	if pub, ok := d.local.PublicKey(); ok && d.hasKey && more {
		e.Key(sys.WGKeyPublicKey)
		e.Data(pub[:])
	}
	e.EndDict()
	xml, err := e.Bytes()
	d.getSize.Store(int64(len(xml)))
	return xml, err
}

// The keys of a peer's dictionary, written for every peer of a show:
// their elements escaped once (prop.KeyName).
var (
	keyAllowedIPs           = prop.NewKeyName(sys.WGKeyAllowedIPs)
	keyCIDR                 = prop.NewKeyName(sys.WGKeyCIDR)
	keyEndpoint             = prop.NewKeyName(sys.WGKeyEndpoint)
	keyFamily               = prop.NewKeyName(sys.WGKeyFamily)
	keyIP                   = prop.NewKeyName(sys.WGKeyIP)
	keyLastHandshakeNsec    = prop.NewKeyName(sys.WGKeyLastHandshakeNsec)
	keyLastHandshakeTimeSec = prop.NewKeyName(sys.WGKeyLastHandshakeTimeSec)
	keyName                 = prop.NewKeyName(sys.WGKeyName)
	keyPersistentKeepalive  = prop.NewKeyName(sys.WGKeyPersistentKeepalive)
	keyPresharedKey         = prop.NewKeyName(sys.WGKeyPresharedKey)
	keyPublicKey            = prop.NewKeyName(sys.WGKeyPublicKey)
	keyRxBytes              = prop.NewKeyName(sys.WGKeyRxBytes)
	keyTxBytes              = prop.NewKeyName(sys.WGKeyTxBytes)
)

// peerShown is what a peer's dictionary shows, read once from the peer.
type peerShown struct {
	name         string
	publicKey    [32]byte
	presharedKey [32]byte
	hasPSK       bool
	endpoint     netip.AddrPort // invalid when none
	allowed      []AllowedIP
	handshakeSec int64
	handshakeNs  int
	keepalive    uint16
	rxBytes      uint64
	txBytes      uint64
}

// shown reads p into v; the device's lock is held.
func (p *Peer) shown(v *peerShown) {
	v.name = p.name
	v.publicKey = p.publicKey
	psk, ok := p.presharedKey()
	v.presharedKey, v.hasPSK = psk, ok
	clear(psk[:])
	v.endpoint, _ = p.Endpoint()
	v.allowed = p.allowed
	v.handshakeSec, v.handshakeNs = 0, 0
	if t, ok := p.LastHandshake(); ok {
		v.handshakeSec, v.handshakeNs = t.Unix(), t.Nanosecond()
	}
	v.keepalive = uint16(p.keepalive.Load())
	v.rxBytes = p.rxBytes.Load()
	v.txBytes = p.txBytes.Load()
}

// encode writes the peer's dictionary.
func (v *peerShown) encode(e *prop.Encoder, privileged, more bool) {
	e.BeginDict()
	if len(v.allowed) > 0 {
		e.KeyName(keyAllowedIPs)
		e.BeginArray()
		for _, a := range v.allowed {
			e.BeginDict()
			e.KeyName(keyCIDR)
			e.Unsigned(uint64(a.CIDR))
			e.KeyName(keyFamily)
			e.Signed(int64(a.Family()))
			e.KeyName(keyIP)
			if a.Addr.Is4() {
				ip := a.Addr.As4()
				e.Data(ip[:])
			} else {
				ip := a.Addr.As16()
				e.Data(ip[:])
			}
			e.EndDict()
		}
		e.EndArray()
	}
	if v.endpoint.IsValid() {
		e.KeyName(keyEndpoint)
		e.Data(sys.MarshalSockaddr(v.endpoint))
	}
	e.KeyName(keyLastHandshakeNsec)
	e.Unsigned(uint64(uint32(v.handshakeNs)))
	e.KeyName(keyLastHandshakeTimeSec)
	e.Unsigned(uint64(v.handshakeSec))
	if v.name != "" {
		e.KeyName(keyName)
		e.String(v.name)
	}
	if v.keepalive != 0 && more {
		e.KeyName(keyPersistentKeepalive)
		e.Unsigned(uint64(v.keepalive))
	}
	if v.hasPSK && privileged {
		e.KeyName(keyPresharedKey)
		e.Data(v.presharedKey[:])
	}
	e.KeyName(keyPublicKey)
	e.Data(v.publicKey[:])
	if more {
		e.KeyName(keyRxBytes)
		e.Unsigned(v.rxBytes)
		e.KeyName(keyTxBytes)
		e.Unsigned(v.txBytes)
	}
	e.EndDict()
}
