package uapi

import (
	"encoding/hex"
	"io"
	"net/netip"
	"strconv"

	"nbwg/kernel/wg"
)

// WriteConfig writes c as the body of a get reply (without the errno
// line), in wireguard-go's order of keys, peers in the order they were
// added.  It writes to w as it goes; a write error ends it.  Secrets pass
// only through w's and its own buffer, which it clears.
func WriteConfig(w io.Writer, c *wg.Config) error {
	lw := newLineWriter(w)
	defer lw.wipe()
	writeConfig(lw, c)
	return lw.flush()
}

// writeConfig writes c's lines to lw; the caller flushes.
func writeConfig(lw *lineWriter, c *wg.Config) {
	if c.HasPrivateKey {
		lw.key("private_key", &c.PrivateKey)
	}
	port := c.BoundPort
	if port == 0 {
		port = c.ListenPort
	}
	if port != 0 {
		lw.uint("listen_port", uint64(port))
	}
	if c.FwMark != 0 {
		lw.uint("fwmark", uint64(c.FwMark))
	}
	// Config lists the newest peer first, as NetBSD does.
	for i := len(c.Peers) - 1; i >= 0; i-- {
		p := &c.Peers[i]
		lw.key("public_key", &p.PublicKey)
		lw.key("preshared_key", &p.PresharedKey)
		lw.str("protocol_version", "1")
		if p.Endpoint.IsValid() {
			ep := netip.AddrPortFrom(p.Endpoint.Addr().Unmap(), p.Endpoint.Port())
			lw.str("endpoint", ep.String())
		}
		var sec, nsec int64
		if !p.LastHandshake.IsZero() {
			sec, nsec = p.LastHandshake.Unix(), int64(p.LastHandshake.Nanosecond())
		}
		lw.int("last_handshake_time_sec", sec)
		lw.int("last_handshake_time_nsec", nsec)
		lw.uint("tx_bytes", p.TxBytes)
		lw.uint("rx_bytes", p.RxBytes)
		lw.uint("persistent_keepalive_interval", uint64(p.Keepalive))
		for _, a := range p.AllowedIPs {
			lw.str("allowed_ip", a.Prefix().String())
		}
		if lw.err != nil {
			return
		}
	}
}

// lineWriter buffers key=value lines and writes them to w when its
// buffer fills.  Its first error sticks.
type lineWriter struct {
	w   io.Writer
	buf []byte
	err error
}

// writeBufferSize is how much of a reply is sent at once.
const writeBufferSize = 64 << 10

func newLineWriter(w io.Writer) *lineWriter {
	return &lineWriter{w: w, buf: make([]byte, 0, writeBufferSize)}
}

func (lw *lineWriter) line(key string, value func([]byte) []byte) {
	if lw.err != nil {
		return
	}
	if len(lw.buf) > writeBufferSize-256 {
		lw.flush()
	}
	lw.buf = append(lw.buf, key...)
	lw.buf = append(lw.buf, '=')
	lw.buf = value(lw.buf)
	lw.buf = append(lw.buf, '\n')
}

func (lw *lineWriter) str(key, value string) {
	lw.line(key, func(b []byte) []byte { return append(b, value...) })
}

func (lw *lineWriter) uint(key string, v uint64) {
	lw.line(key, func(b []byte) []byte { return strconv.AppendUint(b, v, 10) })
}

func (lw *lineWriter) int(key string, v int64) {
	lw.line(key, func(b []byte) []byte { return strconv.AppendInt(b, v, 10) })
}

// key writes a key in lower-case hex, as the protocol wants keys.
func (lw *lineWriter) key(key string, k *[32]byte) {
	lw.line(key, func(b []byte) []byte { return hex.AppendEncode(b, k[:]) })
}

// raw appends bytes as they are (the errno line).
func (lw *lineWriter) raw(s string) {
	if lw.err == nil {
		lw.buf = append(lw.buf, s...)
	}
}

func (lw *lineWriter) flush() error {
	if lw.err == nil && len(lw.buf) > 0 {
		_, lw.err = lw.w.Write(lw.buf)
	}
	clear(lw.buf)
	lw.buf = lw.buf[:0]
	return lw.err
}

// wipe clears what the buffer may still hold.
func (lw *lineWriter) wipe() { clear(lw.buf[:cap(lw.buf)]) }
