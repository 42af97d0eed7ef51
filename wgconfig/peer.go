package main

import (
	"errors"
	"net"
	"strings"

	"nbwg/internal/addrinfo"
	"nbwg/internal/b64key"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// addPeer adds a peer (wgconfig.c: cmd_add_peer):
//
//	add peer <name> <base64 public key> [options]
func (c *wgconfig) addPeer(args []string) error {
	if len(args) < 2 {
		return errUsage
	}
	name, pub := args[0], args[1]
	if len(name) > sys.WG_PEER_NAME_MAXLEN {
		return errx("peer name too long")
	}
	if len(pub) != b64key.Base64Len {
		return errx("invalid public-key length: %d", len(pub))
	}
	var key [b64key.KeyLen]byte
	if _, err := b64key.Decode(key[:], []byte(pub)); err != nil {
		return errx("b64_pton failed")
	}
	d := prop.NewDictionary()
	defer prop.Wipe(d)
	d.SetString(sys.WGKeyName, name)
	d.SetData(sys.WGKeyPublicKey, key[:])
	var o peerRequest
	o.d = d
	for _, arg := range args[2:] {
		if err := o.handleOption(arg); err != nil {
			return err
		}
	}
	if err := c.ioctlSet(sys.WG_IOCTL_ADD_PEER, d); err != nil {
		return err
	}
	if o.keyWarning != "" {
		c.warnx("%s", o.keyWarning)
	}
	return nil
}

// peerRequest is an add peer request being built from the options.
type peerRequest struct {
	d *prop.Dictionary
	// keyWarning is what to say, once the peer is added, about the
	// preshared key's file (see keyFileWarning).
	keyWarning string
}

// peerOptions are add peer's options, matched by prefix in this order
// (wgconfig.c: options).
var peerOptions = []struct {
	prefix string
	handle func(value string, o *peerRequest) error
}{
	{"--endpoint=", func(v string, o *peerRequest) error { return optionEndpoint(v, o.d) }},
	{"--allowed-ips=", func(v string, o *peerRequest) error { return optionAllowedIPs(v, o.d) }},
	{"--preshared-key=", optionPresharedKey},
	// nbwg's own spelling: NetBSD's wgconfig and its manual know only
	// --preshared-key= and refuse this one as an invalid option.
	{"--preshared-key-file=", optionPresharedKey},
	// nbwg's: NetBSD's wg(4) has no persistent keepalive.
	{"--persistent-keepalive=", optionKeepalive},
}

// handleOption applies one add peer option to the request.
func (o *peerRequest) handleOption(arg string) error {
	for _, opt := range peerOptions {
		if value, ok := strings.CutPrefix(arg, opt.prefix); ok {
			return opt.handle(value, o)
		}
	}
	return errx("invalid option: %s", arg)
}

// resolver is getaddrinfo's and getnameinfo's view of the host: its
// name service, and the interfaces of wgconfig's network namespace,
// where the kernel's sockets send to a scoped endpoint (on NetBSD, the
// kernel's own).  Tests replace it.
var resolver = addrinfo.System()

// gaiError is the code and errno of a failed Getaddrinfo.
func gaiError(err error) *addrinfo.Error {
	var e *addrinfo.Error
	if errors.As(err, &e) {
		return e
	}
	return &addrinfo.Error{Code: addrinfo.EAI_FAIL}
}

// optionEndpoint handles --endpoint=<ip>:<port> (wgconfig.c:
// handle_option_endpoint): "[addr]:port", or "addr:port" split at the
// last colon when there are several (so fc00::2:51820 is fc00::2 port
// 51820).  The address travels as the sockaddr getaddrinfo(3) returns.
func optionEndpoint(value string, d *prop.Dictionary) error {
	host, port, err := splitEndpoint(value)
	if err != nil {
		return err
	}
	// wgconfig.c rev 1.7 no longer sets AI_NUMERICHOST here: host
	// names are looked up, and a link-local scope may name an
	// interface.
	res, err := resolver.Getaddrinfo(&host, &port, &addrinfo.Hints{Family: sys.AF_UNSPEC})
	if err != nil {
		return errx("getaddrinfo: %s:%s (%s)", host, port, addrinfo.Strerror(gaiError(err).Code))
	}
	d.SetData(sys.WGKeyEndpoint, res[0].Sockaddr())
	// nbwg: a name goes to the kernel too, which resolves it again when
	// the peer stops answering (wg(4) NBWG EXTENSIONS).  NetBSD's
	// kernel ignores the key.
	if _, err := resolver.Getaddrinfo(&host, &port, &addrinfo.Hints{Family: sys.AF_UNSPEC, Flags: addrinfo.AI_NUMERICHOST}); err != nil {
		d.SetString(sys.WGKeyEndpointHost, net.JoinHostPort(host, port))
	}
	return nil
}

// splitEndpoint separates an endpoint's address and port.
func splitEndpoint(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		// [<ipv6>]:<port>, and [<ipv4>]:<port> too.
		if len(s) < len("[::]:0") {
			return "", "", errx("invalid endpoint format")
		}
		inner := s[1:]
		i := strings.IndexByte(inner, ']')
		if i < 0 || !strings.HasPrefix(inner[i+1:], ":") {
			return "", "", errx("invalid endpoint format")
		}
		return inner[:i], inner[i+2:], nil
	}
	if !strings.Contains(s, ":") {
		return "", "", errx("no ':' found in endpoint")
	}
	// One colon: <ipv4>:<port>; more: <ipv6>:<port>, the last colon
	// separating the port.
	i := strings.LastIndexByte(s, ':')
	return s[:i], s[i+1:], nil
}

// optionAllowedIPs handles --allowed-ips=<ip>/<cidr>[,...] (wgconfig.c:
// handle_option_allowed_ips): each entry becomes a dictionary of family
// (uint8), ip (data) and cidr (uint16); the kernel judges the prefix
// length.
func optionAllowedIPs(value string, d *prop.Dictionary) error {
	list := prop.NewArray()
	for _, item := range strings.Split(value, ",") {
		ip, cidrText, ok := strings.Cut(item, "/")
		if !ok {
			return errx("no '/' found in allowed-ip")
		}
		cidr, err := strtouint16(cidrText)
		if err != nil {
			return err
		}
		res, err := resolver.Getaddrinfo(&ip, nil, &addrinfo.Hints{Flags: addrinfo.AI_NUMERICHOST, Family: sys.AF_UNSPEC})
		if err != nil {
			// NetBSD passes errno, not getaddrinfo's result, to
			// gai_strerror, so the text is that of errno's value.
			return errx("getaddrinfo: %s", addrinfo.Strerror(int(gaiError(err).Errno)))
		}
		a := res[0]
		entry := prop.NewDictionary()
		entry.SetUint8(sys.WGKeyFamily, uint8(a.Family))
		entry.SetData(sys.WGKeyIP, a.Addr.AsSlice())
		entry.SetUint16(sys.WGKeyCIDR, cidr)
		list.Add(entry)
	}
	d.Set(sys.WGKeyAllowedIPs, list)
	return nil
}

// optionPresharedKey handles --preshared-key=<file path> (wgconfig.c:
// handle_option_preshared_key).
func optionPresharedKey(path string, o *peerRequest) error {
	var key [b64key.KeyLen]byte
	defer clear(key[:])
	warning, err := readKey(path, &key)
	if err != nil {
		return err
	}
	// The last of repeated options wins, and with it its warning.
	o.keyWarning = warning
	o.d.SetData(sys.WGKeyPresharedKey, key[:])
	return nil
}

// deletePeer deletes a peer by name (wgconfig.c: cmd_delete_peer).
func (c *wgconfig) deletePeer(args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	name := args[0]
	if len(name) > sys.WG_PEER_NAME_MAXLEN {
		return errx("peer name too long")
	}
	d := prop.NewDictionary()
	d.SetString(sys.WGKeyName, name)
	return c.ioctlSet(sys.WG_IOCTL_DELETE_PEER, d)
}
