package wg

import (
	"net/netip"

	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// Ioctl serves if_wg's driver-specific requests (wg_ioctl).
func (d *Device) Ioctl(cred sys.Cred, cmd uint32, arg []byte, in []byte) ([]byte, error) {
	switch cmd {
	case sys.SIOCSDRVSPEC:
		ifd, err := sys.UnmarshalIfdrv(arg)
		if err != nil {
			return nil, sys.EINVAL
		}
		// wg_is_authorized: checked before the sub-command, so even
		// an unknown one is EPERM for an unprivileged caller.
		if !cred.Privileged() {
			return nil, sys.EPERM
		}
		dict, err := internalizeRequest(ifd, in)
		if err != nil {
			return nil, err
		}
		defer prop.Wipe(dict)
		switch ifd.Cmd {
		case sys.WG_IOCTL_SET_PRIVATE_KEY:
			return nil, d.ioctlSetPrivateKey(dict)
		case sys.WG_IOCTL_SET_LISTEN_PORT:
			return nil, d.ioctlSetListenPort(dict)
		case sys.WG_IOCTL_ADD_PEER:
			return nil, d.ioctlAddPeer(dict)
		case sys.WG_IOCTL_DELETE_PEER:
			return nil, d.ioctlDeletePeer(dict)
		case sys.WG_IOCTL_NBWG_SET_PEER:
			return nil, d.ioctlSetPeer(dict)
		}
		return nil, sys.EINVAL
	case sys.SIOCGDRVSPEC:
		ifd, err := sys.UnmarshalIfdrv(arg)
		if err != nil {
			return nil, sys.EINVAL
		}
		return d.ioctlGet(arg, ifd, cred.Privileged(), ifd.Cmd&sys.WG_IOCTL_NBWG_GET_MORE != 0)
	}
	return nil, sys.ENOTTY
}

// internalizeRequest is wg_alloc_prop_buf and prop_dictionary_internalize:
// the document must be shorter than WG_MAX_PROPLEN, ifd_len bytes long,
// and a dictionary.
func internalizeRequest(ifd *sys.Ifdrv, in []byte) (*prop.Dictionary, error) {
	if ifd.Len >= sys.WG_MAX_PROPLEN {
		return nil, sys.E2BIG
	}
	if uint64(len(in)) < ifd.Len {
		return nil, sys.EFAULT
	}
	dict, err := prop.Internalize(in[:ifd.Len])
	if err != nil {
		return nil, sys.EINVAL
	}
	return dict, nil
}

func (d *Device) ioctlSetPrivateKey(dict *prop.Dictionary) error {
	key, ok := dict.GetData(sys.WGKeyPrivateKey)
	if !ok || len(key) != sys.WG_STATIC_KEY_LEN {
		return sys.EINVAL
	}
	defer clear(key)
	return d.setPrivateKey(key)
}

func (d *Device) ioctlSetListenPort(dict *prop.Dictionary) error {
	port, ok := dict.GetUint16(sys.WGKeyListenPort)
	if !ok {
		return sys.EINVAL
	}
	return d.bindPort(port)
}

// peerRequest is a peer as an add or set peer request gives it: its
// name, and the change to make, the part of it NetBSD's keys can say.
type peerRequest struct {
	name   string
	hasPub bool
	PeerChange
}

func (r *peerRequest) clear() { clear(r.PresharedKey[:]) }

// parsePeer reads a peer's keys as wg_handle_prop_peer does, in its order
// and with its errnos, and nbwg's extensions after them.
func parsePeer(dict *prop.Dictionary) (*peerRequest, error) {
	r := &peerRequest{}
	if s, ok := dict.GetString(sys.WGKeyName); ok {
		if len(s) > sys.WG_PEER_NAME_MAXLEN {
			return nil, sys.EINVAL
		}
		r.name = s
	}
	if key, ok := dict.GetData(sys.WGKeyPublicKey); ok {
		if len(key) != sys.WG_STATIC_KEY_LEN {
			return nil, sys.EINVAL
		}
		copy(r.PublicKey[:], key)
		r.hasPub = true
	}
	if key, ok := dict.GetData(sys.WGKeyPresharedKey); ok {
		if len(key) != sys.WG_PRESHARED_KEY_LEN {
			return nil, sys.EINVAL
		}
		copy(r.PresharedKey[:], key)
		clear(key)
		r.HasPresharedKey = true
	}
	if raw, ok := dict.GetData(sys.WGKeyEndpoint); ok {
		ep, err := sys.ParseSockaddr(raw)
		if err != nil {
			return nil, err
		}
		r.Endpoint, r.HasEndpoint = ep, true
		if host, ok := dict.GetString(sys.WGKeyEndpointHost); ok && len(host) <= 255 {
			r.EndpointHost = host
		}
	}
	if list, ok := dict.GetArray(sys.WGKeyAllowedIPs); ok {
		a, err := parseAllowedIPs(list)
		if err != nil {
			return nil, err
		}
		// NetBSD's list is the peer's whole list.
		r.ReplaceAllowedIPs = true
		r.AllowedIPs = make([]AllowedIPChange, len(a))
		for i := range a {
			r.AllowedIPs[i].AllowedIP = a[i]
		}
	}
	if _, ok := dict.Get(sys.WGKeyPersistentKeepalive); ok {
		v, ok := dict.GetUint16(sys.WGKeyPersistentKeepalive)
		if !ok {
			return nil, sys.EINVAL
		}
		r.Keepalive, r.HasKeepalive = v, true
	}
	return r, nil
}

// ioctlAddPeer is wg_ioctl_add_peer and wg_handle_prop_peer.  Checks and
// errnos are NetBSD's, in NetBSD's order; nbwg adds the checks later
// NetBSD revisions make (public key and cidr lengths) and, unlike NetBSD,
// changes nothing when any check fails.
func (d *Device) ioctlAddPeer(dict *prop.Dictionary) error {
	r, err := parsePeer(dict)
	if err != nil {
		return err
	}
	defer r.clear()
	if !r.hasPub {
		return sys.EINVAL
	}

	d.mu.Lock()
	if _, dup := d.byKey[r.PublicKey]; dup {
		d.mu.Unlock()
		return sys.EEXIST
	}
	if _, dup := d.byName[r.name]; dup && r.name != "" {
		d.mu.Unlock()
		return sys.EEXIST
	}
	p, err := d.addPeerLocked(r.name, &r.PeerChange, false)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	d.peerAdded(p)
	return nil
}

// ioctlSetPeer is nbwg's WG_IOCTL_NBWG_SET_PEER: the named peer takes the
// keys given (endpoint, allowed IPs, preshared key, persistent
// keepalive) and keeps the rest, its session and its counters.  Every
// check comes first, so a refusal changes nothing.  A preshared key of
// 32 zero bytes removes it, as in WireGuard, where that is no key.
func (d *Device) ioctlSetPeer(dict *prop.Dictionary) error {
	name, ok := dict.GetString(sys.WGKeyName)
	if !ok || name == "" || len(name) > sys.WG_PEER_NAME_MAXLEN {
		return sys.EINVAL
	}
	r, err := parsePeer(dict)
	if err != nil {
		return err
	}
	defer r.clear()
	if r.hasPub {
		// A peer is its key: another key is another peer.
		return sys.EINVAL
	}
	d.mu.Lock()
	p, ok := d.byName[name]
	if !ok {
		d.mu.Unlock()
		return sys.ENOENT
	}
	// A prefix of another peer is EEXIST and changes nothing.
	err = d.changePeerLocked(p, &r.PeerChange, false)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if r.HasKeepalive {
		p.keepaliveChanged()
	}
	return nil
}

// parseAllowedIPs reads the allowedips array.  As in NetBSD, an entry
// missing one of its keys is skipped silently, while a bad family or an
// address of the wrong length is EINVAL; a cidr longer than the address
// is EINVAL too (NetBSD 10.0 passes it to the radix code unchecked).
func parseAllowedIPs(list *prop.Array) ([]AllowedIP, error) {
	var out []AllowedIP
	for _, item := range list.Items() {
		entry, ok := item.(*prop.Dictionary)
		if !ok {
			continue
		}
		family, ok1 := entry.GetInt(sys.WGKeyFamily)
		ip, ok2 := entry.GetData(sys.WGKeyIP)
		cidr, ok3 := entry.GetUint8(sys.WGKeyCIDR)
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		var addr netip.Addr
		switch family {
		case sys.AF_INET:
			if len(ip) != 4 || cidr > 32 {
				return nil, sys.EINVAL
			}
			addr = netip.AddrFrom4([4]byte(ip))
		case sys.AF_INET6:
			if len(ip) != 16 || cidr > 128 {
				return nil, sys.EINVAL
			}
			addr = netip.AddrFrom16([16]byte(ip))
		default:
			return nil, sys.EINVAL
		}
		out = append(out, AllowedIP{Addr: addr, CIDR: int(cidr)})
	}
	return out, nil
}

// ioctlDeletePeer is wg_ioctl_delete_peer: peers are deleted by name.
func (d *Device) ioctlDeletePeer(dict *prop.Dictionary) error {
	name, ok := dict.GetString(sys.WGKeyName)
	if !ok || len(name) > sys.WG_PEER_NAME_MAXLEN {
		return sys.EINVAL
	}
	d.mu.Lock()
	p, ok := d.byName[name]
	if !ok || name == "" {
		d.mu.Unlock()
		return sys.ENOENT
	}
	d.removePeerLocked(p)
	last := len(d.peers) == 0
	d.mu.Unlock()
	d.peerRemoved(p, last)
	return nil
}
