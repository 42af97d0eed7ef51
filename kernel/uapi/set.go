package uapi

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"syscall"

	"nbwg/kernel/wg"
)

// Error is a failure the protocol reports: errno=N with Errno's number
// (negative after a set, as wireguard-go sends it; see Server).
type Error struct {
	Errno syscall.Errno
	Err   error
}

func (e *Error) Error() string { return fmt.Sprintf("%v (%s)", e.Err, e.Errno) }
func (e *Error) Unwrap() error { return e.Err }

func errorf(errno syscall.Errno, format string, args ...any) *Error {
	return &Error{Errno: errno, Err: fmt.Errorf(format, args...)}
}

// ReadChange reads the lines of a set operation after "set=1", up to and
// including the blank line that ends it (or the end of the input, as
// wireguard-go accepts), and returns the change they describe.  The whole
// request is read even when a line is bad, so that the connection stays
// in step; the first bad line's error is returned, an *Error with
// wireguard-go's errno for it (EPROTO for a line without '=', EINVAL for
// an unknown key or a bad value), and then no change.  A line longer than
// maxLine is EPROTO and leaves the connection out of step: close it.
func ReadChange(lr *LineReader) (*wg.Change, error) {
	c := &wg.Change{}
	var peer *wg.PeerChange
	var first error
	fail := func(err *Error) {
		if first == nil {
			first = err
		}
	}
	for {
		line, err := lr.ReadLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			c.Wipe()
			return nil, err
		}
		if len(line) == 0 {
			break
		}
		if first != nil {
			continue // read to the end, keep the first error
		}
		k, v, ok := bytes.Cut(line, []byte{'='})
		if !ok {
			fail(errorf(syscall.EPROTO, "line without '=': %q", truncate(line)))
			continue
		}
		key := string(k)
		if key == "public_key" {
			c.Peers = append(c.Peers, wg.PeerChange{})
			peer = &c.Peers[len(c.Peers)-1]
			if err := parseKey(&peer.PublicKey, v); err != nil {
				fail(errorf(syscall.EINVAL, "public_key: %v", err))
			}
			continue
		}
		var perr *Error
		if peer == nil {
			perr = deviceLine(c, key, v)
		} else {
			perr = peerLine(peer, key, v)
		}
		if perr != nil {
			fail(perr)
		}
	}
	if first != nil {
		c.Wipe()
		return nil, first
	}
	return c, nil
}

// deviceLine reads a line that comes before the first peer.
func deviceLine(c *wg.Change, key string, v []byte) *Error {
	switch key {
	case "private_key":
		if err := parseKey(&c.PrivateKey, v); err != nil {
			return errorf(syscall.EINVAL, "private_key: %v", err)
		}
		c.HasPrivateKey = true
	case "listen_port":
		n, err := strconv.ParseUint(string(v), 10, 16)
		if err != nil {
			return errorf(syscall.EINVAL, "listen_port: %v", err)
		}
		c.ListenPort, c.HasListenPort = uint16(n), true
	case "fwmark":
		n, err := strconv.ParseUint(string(v), 10, 32)
		if err != nil {
			return errorf(syscall.EINVAL, "fwmark: %v", err)
		}
		c.FwMark, c.HasFwMark = uint32(n), true
	case "replace_peers":
		if string(v) != "true" {
			return errorf(syscall.EINVAL, "replace_peers=%q: only true is valid", truncate(v))
		}
		c.ReplacePeers = true
	default:
		return errorf(syscall.EINVAL, "invalid device key %q", truncate([]byte(key)))
	}
	return nil
}

// peerLine reads a line of the peer p.
func peerLine(p *wg.PeerChange, key string, v []byte) *Error {
	isTrue := func() *Error {
		if string(v) != "true" {
			return errorf(syscall.EINVAL, "%s=%q: only true is valid", key, truncate(v))
		}
		return nil
	}
	switch key {
	case "remove":
		if err := isTrue(); err != nil {
			return err
		}
		p.Remove = true
	case "update_only":
		if err := isTrue(); err != nil {
			return err
		}
		p.UpdateOnly = true
	case "preshared_key":
		if err := parseKey(&p.PresharedKey, v); err != nil {
			return errorf(syscall.EINVAL, "preshared_key: %v", err)
		}
		p.HasPresharedKey = true
	case "endpoint":
		// Numeric, as wireguard-go takes it: wg(8) resolves names.
		ep, err := netip.ParseAddrPort(string(v))
		if err != nil {
			return errorf(syscall.EINVAL, "endpoint: %v", err)
		}
		p.Endpoint, p.HasEndpoint, p.EndpointHost = ep, true, ""
	case "persistent_keepalive_interval":
		n, err := strconv.ParseUint(string(v), 10, 16)
		if err != nil {
			return errorf(syscall.EINVAL, "persistent_keepalive_interval: %v", err)
		}
		p.Keepalive, p.HasKeepalive = uint16(n), true
	case "replace_allowed_ips":
		if err := isTrue(); err != nil {
			return err
		}
		// It drops what the request added before it too, as
		// wireguard-go, which applies lines one by one, does.
		p.ReplaceAllowedIPs, p.AllowedIPs = true, nil
	case "allowed_ip":
		remove := len(v) > 0 && v[0] == '-'
		if remove {
			v = v[1:]
		}
		pfx, err := netip.ParsePrefix(string(v))
		if err != nil {
			return errorf(syscall.EINVAL, "allowed_ip: %v", err)
		}
		p.AllowedIPs = append(p.AllowedIPs, wg.AllowedIPChange{
			AllowedIP: wg.AllowedIP{Addr: pfx.Addr(), CIDR: pfx.Bits()},
			Remove:    remove,
		})
	case "protocol_version":
		if string(v) != "1" {
			return errorf(syscall.EINVAL, "protocol_version=%q: only 1 is known", truncate(v))
		}
	default:
		return errorf(syscall.EINVAL, "invalid peer key %q", truncate([]byte(key)))
	}
	return nil
}

// parseKey decodes 64 hex digits into k without a copy elsewhere (keys
// may be secret).
func parseKey(k *[32]byte, v []byte) error {
	if len(v) != hex.EncodedLen(len(k)) {
		return fmt.Errorf("%d characters, want %d hex digits", len(v), hex.EncodedLen(len(k)))
	}
	if _, err := hex.Decode(k[:], v); err != nil {
		clear(k[:])
		return errors.New("not hex")
	}
	return nil
}

// truncate bounds what a message quotes of its input.
func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
