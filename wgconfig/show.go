package main

import (
	"strconv"
	"strings"

	"nbwg/internal/inet"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// showAll prints the interface and all its peers (wgconfig.c:
// cmd_show_all).  Arguments after "show all" are ignored, as NetBSD does,
// but for nbwg's --verbose and --dump.
func (c *wgconfig) showAll(args []string) error {
	verbose, dump := false, false
	for _, a := range args {
		verbose = verbose || a == optVerbose
		dump = dump || a == optDump
	}
	d, err := c.ioctlGet()
	if err != nil {
		return err
	}
	defer prop.Wipe(d)
	if dump {
		return c.showDump(d)
	}
	c.printf("interface: %s\n", c.iface)
	if verbose {
		o, ok := publicKeyOf(d)
		line := append(make([]byte, 0, 64), "\tpublic-key: "...)
		if line, err = appendKey(line, o, ok); err != nil {
			return err
		}
		c.out.Write(append(line, '\n'))
	}
	// NetBSD compiles out the line that would print the key.
	c.printf("\tprivate-key: (hidden)\n")
	if port, ok := d.GetUint16(sys.WGKeyListenPort); ok {
		c.printf("\tlisten-port: %d\n", port)
	} else {
		c.printf("\tlisten-port: (none)\n")
	}
	peers, ok, err := peerList(d)
	if err != nil || !ok {
		return err
	}
	// Some 200 bytes a peer.
	c.out.Grow(peers.Len() * 200)
	for i := range peers.Len() {
		peer, ok := peers.Get(i).(*prop.Dictionary)
		if !ok {
			return errx("invalid peer")
		}
		if name, ok := peer.GetString(sys.WGKeyName); ok {
			c.print("\tpeer: ", name, "\n")
		} else {
			c.print("\tpeer: (none)\n")
		}
		if err := c.printPeer(peer, "\t\t", false, verbose); err != nil {
			return err
		}
	}
	return nil
}

// peerList returns the reply's peers array; ok is false when there is
// none (the kernel leaves the key out when no peer exists).
func peerList(d *prop.Dictionary) (*prop.Array, bool, error) {
	o, ok := d.Get(sys.WGKeyPeers)
	if !ok {
		return nil, false, nil
	}
	peers, ok := o.(*prop.Array)
	if !ok {
		return nil, false, errx("invalid peers")
	}
	return peers, true, nil
}

// showPeerOption makes show peer print the preshared key; like NetBSD,
// any argument beginning with it will do.
const showPeerOption = "--show-preshared-key"

// showPeer prints the peer of the given name (wgconfig.c:
// cmd_show_peer).  As in NetBSD, an interface without peers gives no
// output and exit status 0, one whose peers all have other names exit
// status 1, silently.
func (c *wgconfig) showPeer(args []string) error {
	if len(args) < 1 || len(args) > 3 {
		return errUsage
	}
	target := args[0]
	showPSK, verbose := false, false
	for _, a := range args[1:] {
		switch {
		case a == optVerbose && !verbose:
			verbose = true // nbwg's
		case strings.HasPrefix(a, showPeerOption) && !showPSK:
			showPSK = true
		default:
			return errUsage
		}
	}
	d, err := c.ioctlGet()
	if err != nil {
		return err
	}
	defer prop.Wipe(d)
	peers, ok, err := peerList(d)
	if err != nil || !ok {
		return err
	}
	for _, o := range peers.Items() {
		peer, ok := o.(*prop.Dictionary)
		if !ok {
			return errx("invalid peer")
		}
		name, ok := peer.GetString(sys.WGKeyName)
		if !ok || name != target {
			continue
		}
		c.printf("peer: %s\n", name)
		return c.printPeer(peer, "\t", showPSK, verbose)
	}
	return errSilent
}

// showPrivateKey prints the interface's private key (wgconfig.c:
// cmd_show_private_key): "(none)" when the reply has none, which is also
// what a caller who is not root gets, the kernel leaving secrets out.
func (c *wgconfig) showPrivateKey([]string) error {
	d, err := c.ioctlGet()
	if err != nil {
		return err
	}
	defer prop.Wipe(d)
	return c.printKey("", "private-key: ", d, sys.WGKeyPrivateKey)
}

// printKey prints a line holding the key under name in d, after prefix
// and label.
func (c *wgconfig) printKey(prefix, label string, d *prop.Dictionary, name string) error {
	o, present := d.Get(name)
	line := append(append(make([]byte, 0, 128), prefix...), label...)
	line, err := appendKey(line, o, present)
	defer clear(line)
	if err != nil {
		return err
	}
	c.out.Write(append(line, '\n'))
	return nil
}

// printPeer prints a peer's lines, each after prefix (wgconfig.c:
// show_peer), and nbwg's: the persistent keepalive when one is set, and
// with verbose the handshake's age and the bytes moved.
func (c *wgconfig) printPeer(peer *prop.Dictionary, prefix string, showPSK, verbose bool) error {
	if _, ok := peer.Get(sys.WGKeyPublicKey); !ok {
		c.warnx("peer without public-key")
		return nil
	}
	if err := c.printKey(prefix, "public-key: ", peer, sys.WGKeyPublicKey); err != nil {
		return err
	}
	if o, ok := peer.Get(sys.WGKeyEndpoint); ok {
		line := append(append(make([]byte, 0, 128), prefix...), "endpoint: "...)
		line, err := appendEndpoint(line, o)
		if err != nil {
			return err
		}
		c.out.Write(append(line, '\n'))
	} else {
		c.print(prefix, "endpoint: (none)\n")
	}
	if showPSK {
		if err := c.printKey(prefix, "preshared-key: ", peer, sys.WGKeyPresharedKey); err != nil {
			return err
		}
	} else {
		c.print(prefix, "preshared-key: (hidden)\n")
	}
	if err := c.printAllowedIPs(peer, prefix); err != nil {
		return err
	}
	c.printKeepalive(peer, prefix)
	if sec, ok := peer.GetInt64(sys.WGKeyLastHandshakeTimeSec); ok {
		switch {
		case sec > 0 && verbose:
			c.printf("%slatest-handshake: %s%s\n", prefix, strings.TrimSuffix(ctime(sec), "\n"), handshakeAge(sec))
		case sec > 0:
			c.print(prefix, "latest-handshake: ", ctime(sec))
		default:
			c.print(prefix, "latest-handshake: (never)\n")
		}
	} else {
		c.print(prefix, "latest-handshake: (none)\n")
	}
	if verbose {
		c.printTransfer(peer, prefix)
	}
	return nil
}

// printAllowedIPs prints a peer's allowed IPs on one line, comma
// separated, in the kernel's order (wgconfig.c: handle_allowed_ips).
// There is no line at all when the peer has no allowedips array, and
// "(none)" when no entry of it is usable.
func (c *wgconfig) printAllowedIPs(peer *prop.Dictionary, prefix string) error {
	o, ok := peer.Get(sys.WGKeyAllowedIPs)
	if !ok {
		return nil
	}
	list, ok := o.(*prop.Array)
	if !ok {
		return errx("invalid allowedips")
	}
	c.print(prefix, "allowed-ips: ")
	first := true
	// Each entry is appended to the output at once, as it was printed
	// with its separator: a warning between two flushes the line so far.
	var buf [64]byte
	for i := range list.Len() {
		aip, ok := list.Get(i).(*prop.Dictionary)
		if !ok {
			c.warnx("invalid allowedip")
			continue
		}
		family, ok := aip.GetUint8(sys.WGKeyFamily)
		if !ok {
			c.warnx("allowed-ip without family")
			continue
		}
		cidr, ok := aip.GetUint8(sys.WGKeyCIDR)
		if !ok {
			c.warnx("allowed-ip without cidr")
			continue
		}
		ip, ok := aip.GetData(sys.WGKeyIP)
		if !ok {
			c.warnx("allowed-ip without ip")
			continue
		}
		text := buf[:0]
		if !first {
			text = append(text, ',')
		}
		switch family {
		case sys.AF_INET:
			if len(ip) != 4 {
				c.warnx("allowed-ip bad ip length")
				continue
			}
			text = inet.AppendNtop4(text, [4]byte(ip))
		case sys.AF_INET6:
			if len(ip) != 16 {
				c.warnx("allowed-ip bad ip length")
				continue
			}
			text = inet.AppendNtop6(text, [16]byte(ip))
		default:
			c.warnx("unknown family %d", family)
			continue
		}
		text = append(text, '/')
		c.out.Write(strconv.AppendUint(text, uint64(cidr), 10))
		first = false
	}
	if first {
		c.print("(none)\n")
	} else {
		c.print("\n")
	}
	return nil
}
