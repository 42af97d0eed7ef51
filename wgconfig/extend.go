package main

// nbwg's extensions to NetBSD's wgconfig (wgconfig.8 "NBWG EXTENSIONS"):
// persistent keepalive, changing a peer in place, the interface's own
// public key, byte counters, and output for people (--verbose) and
// scripts (--dump).  NetBSD's seven commands keep their output and exit
// statuses byte for byte: the extensions only add lines where a feature
// NetBSD lacks is in use, or where asked for.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/curve25519"

	"nbwg/internal/b64key"
	"nbwg/internal/inet"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// Options of the extensions.
const (
	optVerbose = "--verbose"
	optDump    = "--dump"
	optNoPSK   = "--no-preshared-key"
)

// now is the time "seconds ago" counts from; tests set it.
var now = time.Now

// parseKeepalive reads --persistent-keepalive's value: 1..65535 seconds,
// or 0 or "off" for none.
func parseKeepalive(v string) (uint16, error) {
	if v == "off" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > 65535 || v == "" || v[0] == '+' {
		return 0, errx("invalid persistent-keepalive: %q (seconds, 1..65535; 0 or off for none)", v)
	}
	return uint16(n), nil
}

func optionKeepalive(v string, o *peerRequest) error {
	n, err := parseKeepalive(v)
	if err != nil {
		return err
	}
	o.d.SetUint16(sys.WGKeyPersistentKeepalive, n)
	return nil
}

// setPeer changes a peer in place (nbwg):
//
//	set peer <name> [--endpoint=<ip>:<port>] [--allowed-ips=<list>]
//	         [--preshared-key=<file> | --no-preshared-key]
//	         [--persistent-keepalive=<seconds>|off]
//
// Only what is given changes, in one request, all or nothing; the peer
// keeps its session and counters.
func (c *wgconfig) setPeer(args []string) error {
	if len(args) < 2 {
		return errUsage
	}
	name := args[0]
	if len(name) > sys.WG_PEER_NAME_MAXLEN {
		return errx("peer name too long")
	}
	d := prop.NewDictionary()
	defer prop.Wipe(d)
	d.SetString(sys.WGKeyName, name)
	o := peerRequest{d: d}
	psk, noPSK := false, false
	for _, arg := range args[1:] {
		if arg == optNoPSK {
			noPSK = true
			continue
		}
		if arg == "--allowed-ips=" {
			// None at all: the whole list goes.
			d.Set(sys.WGKeyAllowedIPs, prop.NewArray())
			continue
		}
		handled := false
		// add peer's options, which set peer takes as well.
		for _, opt := range peerOptions {
			if v, ok := strings.CutPrefix(arg, opt.prefix); ok {
				if err := opt.handle(v, &o); err != nil {
					return err
				}
				psk = psk || strings.HasPrefix(opt.prefix, "--preshared-key")
				handled = true
				break
			}
		}
		if !handled {
			return errx("invalid option: %s", arg)
		}
	}
	if psk && noPSK {
		return errx("--preshared-key and --no-preshared-key exclude each other")
	}
	if noPSK {
		// WireGuard's "no preshared key" is a key of zeros.
		d.SetData(sys.WGKeyPresharedKey, make([]byte, sys.WG_PRESHARED_KEY_LEN))
	}
	err := c.ioctlSetErrno(sys.WG_IOCTL_NBWG_SET_PEER, d)
	var errno sys.Errno
	switch {
	case errors.Is(err, sys.ENOENT):
		return errx("set peer: %s has no peer named %s", c.iface, name)
	case errors.As(err, &errno):
		return errc(err, "ioctl(SIOCSDRVSPEC): cmd=%d", sys.WG_IOCTL_NBWG_SET_PEER)
	case err != nil:
		return err
	}
	if o.keyWarning != "" {
		c.warnx("%s", o.keyWarning)
	}
	return nil
}

// showPublicKey prints the interface's public key (nbwg), for any user:
// a public key is no secret.  Against a kernel that does not report it
// (NetBSD's) it is derived from the private key, which only root reads.
func (c *wgconfig) showPublicKey([]string) error {
	d, err := c.ioctlGet()
	if err != nil {
		return err
	}
	defer prop.Wipe(d)
	return c.printKey("", "public-key: ", d, sys.WGKeyPublicKey)
}

// publicKeyOf returns the interface's public key from a reply: the one
// the kernel reports, else the one its private key gives.
func publicKeyOf(d *prop.Dictionary) (prop.Object, bool) {
	if o, ok := d.Get(sys.WGKeyPublicKey); ok {
		return o, true
	}
	priv, ok := d.GetData(sys.WGKeyPrivateKey)
	if !ok || len(priv) != b64key.KeyLen {
		return nil, false
	}
	pub, err := curve25519.X25519(priv, curve25519.Basepoint)
	if err != nil {
		return nil, false
	}
	return prop.Data(pub), true
}

// printKeepalive prints a peer's persistent keepalive, when it has one.
func (c *wgconfig) printKeepalive(peer *prop.Dictionary, prefix string) {
	if k, ok := peer.GetUint16(sys.WGKeyPersistentKeepalive); ok && k != 0 {
		c.printf("%spersistent-keepalive: every %d seconds\n", prefix, k)
	}
}

// printTransfer prints a peer's byte counters as wg(8) does.
func (c *wgconfig) printTransfer(peer *prop.Dictionary, prefix string) {
	rx, ok1 := peer.GetUint64(sys.WGKeyRxBytes)
	tx, ok2 := peer.GetUint64(sys.WGKeyTxBytes)
	if ok1 && ok2 {
		c.printf("%stransfer: %s received, %s sent\n", prefix, humanBytes(rx), humanBytes(tx))
	}
}

// humanBytes writes a byte count as wg(8) does: bytes below a KiB, then
// KiB, MiB, GiB or TiB with two decimals.
func humanBytes(b uint64) string {
	const unit = 1024
	switch {
	case b < unit:
		return fmt.Sprintf("%d B", b)
	case b < unit*unit:
		return fmt.Sprintf("%.2f KiB", float64(b)/unit)
	case b < unit*unit*unit:
		return fmt.Sprintf("%.2f MiB", float64(b)/(unit*unit))
	case b < unit*unit*unit*unit:
		return fmt.Sprintf("%.2f GiB", float64(b)/(unit*unit*unit))
	}
	return fmt.Sprintf("%.2f TiB", float64(b)/(unit*unit*unit*unit))
}

// handshakeAge is " (N seconds ago)" for a handshake at sec.
func handshakeAge(sec int64) string {
	return fmt.Sprintf(" (%d seconds ago)", max(0, now().Unix()-sec))
}

// showDump prints show all --dump: one tab-separated line for the
// interface and one per peer, for scripts (wgconfig.8 documents the
// columns).  Secrets are there for root, whom the kernel gives them to;
// others see "(hidden)".
func (c *wgconfig) showDump(d *prop.Dictionary) error {
	var line []byte
	defer func() { clear(line) }()
	privileged := c.env.Privileged()
	key := func(o prop.Object, present, secret bool) error {
		if secret && !privileged {
			line = append(line, "(hidden)"...)
			return nil
		}
		var err error
		line, err = appendKey(line, o, present)
		return err
	}
	line = append(line, c.iface...)
	line = append(line, '\t')
	o, ok := d.Get(sys.WGKeyPrivateKey)
	if err := key(o, ok, true); err != nil {
		return err
	}
	line = append(line, '\t')
	o, ok = publicKeyOf(d)
	if err := key(o, ok, false); err != nil {
		return err
	}
	port, _ := d.GetUint16(sys.WGKeyListenPort)
	line = fmt.Appendf(line, "\t%d\n", port)
	peers, ok, err := peerList(d)
	if err != nil {
		return err
	}
	for i := 0; ok && i < peers.Len(); i++ {
		peer, isDict := peers.Get(i).(*prop.Dictionary)
		if !isDict {
			return errx("invalid peer")
		}
		name, named := peer.GetString(sys.WGKeyName)
		if !named {
			name = "(none)"
		}
		line = append(line, name...)
		line = append(line, '\t')
		o, ok := peer.Get(sys.WGKeyPublicKey)
		if err := key(o, ok, false); err != nil {
			return err
		}
		line = append(line, '\t')
		o, ok = peer.Get(sys.WGKeyPresharedKey)
		if err := key(o, ok, true); err != nil {
			return err
		}
		ep := "(none)"
		if o, ok := peer.Get(sys.WGKeyEndpoint); ok {
			if ep, err = formatEndpoint(o); err != nil {
				return err
			}
		}
		line = fmt.Appendf(line, "\t%s\t%s", ep, allowedIPsText(peer))
		sec, _ := peer.GetInt64(sys.WGKeyLastHandshakeTimeSec)
		rx, _ := peer.GetUint64(sys.WGKeyRxBytes)
		tx, _ := peer.GetUint64(sys.WGKeyTxBytes)
		keepalive := "off"
		if k, ok := peer.GetUint16(sys.WGKeyPersistentKeepalive); ok && k != 0 {
			keepalive = strconv.Itoa(int(k))
		}
		line = fmt.Appendf(line, "\t%d\t%d\t%d\t%s\n", max(sec, 0), rx, tx, keepalive)
	}
	c.out.Write(line)
	return nil
}

// allowedIPsText is a peer's allowed IPs, comma separated, or "(none)".
func allowedIPsText(peer *prop.Dictionary) string {
	list, ok := peer.GetArray(sys.WGKeyAllowedIPs)
	if !ok {
		return "(none)"
	}
	var parts []string
	for _, o := range list.Items() {
		aip, ok := o.(*prop.Dictionary)
		if !ok {
			continue
		}
		cidr, ok1 := aip.GetUint8(sys.WGKeyCIDR)
		ip, ok2 := aip.GetData(sys.WGKeyIP)
		if !ok1 || !ok2 {
			continue
		}
		if text, ok := ipText(ip); ok {
			parts = append(parts, fmt.Sprintf("%s/%d", text, cidr))
		}
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ",")
}

// ipText is an allowed IP's address as inet_ntop(3) writes it.
func ipText(ip []byte) (string, bool) {
	switch len(ip) {
	case 4:
		return inet.Ntop4([4]byte(ip)), true
	case 16:
		return inet.Ntop6([16]byte(ip)), true
	}
	return "", false
}
