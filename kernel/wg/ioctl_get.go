package wg

import (
	"slices"

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
// ifd_len to the size the document needs (its NUL included), so the
// caller asks once more with that much; an errno would leave the
// structure in the kernel (ioctl(2) copies it out only on success), and
// the caller could only guess.  OpenBSD's SIOCGWG tells the size the same
// way, with ENOMEM.  Without the bit, NetBSD's callers see what NetBSD's
// if_wg does.
//
// The document is written straight from the device's state (prop.Encoder)
// in the order libprop sorts the keys, byte for byte what externalizing
// the dictionary would give.
func (d *Device) ioctlGet(arg []byte, ifd *sys.Ifdrv, privileged, more bool) ([]byte, error) {
	xml, err := d.encodeConfig(privileged, more)
	if err != nil {
		return nil, sys.ENOMEM
	}
	need := uint64(len(xml)) + 1 // NUL-terminated
	if ifd.Len < need {
		clear(xml) // it holds the keys for a privileged caller
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

// encodeConfig writes the configuration dictionary: the keys of each
// dictionary in byte order, as libprop keeps them.
func (d *Device) encodeConfig(privileged, more bool) ([]byte, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	e := prop.NewEncoder(make([]byte, 0, d.getSize.Load()+1024))
	e.BeginDict()
	if d.listenPort != 0 {
		e.Key(sys.WGKeyListenPort)
		e.Unsigned(uint64(d.listenPort))
	}
	if len(d.peers) > 0 {
		e.Key(sys.WGKeyPeers)
		e.BeginArray()
		// Newest first, as NetBSD lists them.
		for _, p := range slices.Backward(d.peers) {
			p.encodeConfig(e, privileged, more)
		}
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

// encodeConfig writes the peer's dictionary.
func (p *Peer) encodeConfig(e *prop.Encoder, privileged, more bool) {
	e.BeginDict()
	if len(p.allowed) > 0 {
		e.Key(sys.WGKeyAllowedIPs)
		e.BeginArray()
		for _, a := range p.allowed {
			e.BeginDict()
			e.Key(sys.WGKeyCIDR)
			e.Unsigned(uint64(a.CIDR))
			e.Key(sys.WGKeyFamily)
			e.Signed(int64(a.Family()))
			e.Key(sys.WGKeyIP)
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
	if ep, ok := p.Endpoint(); ok {
		e.Key(sys.WGKeyEndpoint)
		e.Data(sys.MarshalSockaddr(ep))
	}
	var sec int64
	var nsec int
	if t, ok := p.LastHandshake(); ok {
		sec, nsec = t.Unix(), t.Nanosecond()
	}
	e.Key(sys.WGKeyLastHandshakeNsec)
	e.Unsigned(uint64(uint32(nsec)))
	e.Key(sys.WGKeyLastHandshakeTimeSec)
	e.Unsigned(uint64(sec))
	if p.name != "" {
		e.Key(sys.WGKeyName)
		e.String(p.name)
	}
	if k := p.keepalive.Load(); k != 0 && more {
		e.Key(sys.WGKeyPersistentKeepalive)
		e.Unsigned(uint64(uint16(k)))
	}
	if psk, ok := p.presharedKey(); ok && privileged {
		e.Key(sys.WGKeyPresharedKey)
		e.Data(psk[:])
		clear(psk[:])
	}
	e.Key(sys.WGKeyPublicKey)
	e.Data(p.publicKey[:])
	if more {
		e.Key(sys.WGKeyRxBytes)
		e.Unsigned(p.rxBytes.Load())
		e.Key(sys.WGKeyTxBytes)
		e.Unsigned(p.txBytes.Load())
	}
	e.EndDict()
}
