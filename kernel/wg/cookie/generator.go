package cookie

import (
	"sync"
	"time"

	"nbwg/kernel/wg/wire"
)

// A Generator is the sending side for one peer: it writes mac1 and mac2
// into the handshake messages we send to that peer and takes in the cookie
// replies the peer sends back. Call [Generator.Init] before use.
type Generator struct {
	mu   sync.Mutex
	keys keys // derived from the peer's static public key by Init
	// The last cookie the peer gave us, and when; zero time means none.
	cookie     [wire.CookieSize]byte
	cookieBorn time.Time
	// The mac1 of the last message we sent, which a cookie reply must be
	// bound to, and whether one is outstanding.
	lastMAC1     [wire.MACSize]byte
	haveLastMAC1 bool
}

// Init sets the peer's static public key and forgets any cookie.
func (g *Generator) Init(peer [32]byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.keys = deriveKeys(&peer)
	clear(g.cookie[:])
	g.cookieBorn = time.Time{}
	g.haveLastMAC1 = false
}

// AddMACs writes mac1 and mac2 into msg, a marshaled initiation or
// response, in place ([W] 5.4.4). mac2 is computed with the peer's cookie
// when we hold one younger than SecretMaxAge − SecretLatency, and is zero
// otherwise, as the paper requires. The mac1 is remembered so that a cookie
// reply to this message can be opened. Its only error is
// wire.ErrMessageLength.
func (g *Generator) AddMACs(msg []byte, now time.Time) error {
	off1, off2, err := macOffsets(msg)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()

	var m [wire.MACSize]byte
	mac(&m, g.keys.mac1[:], msg[:off1])
	copy(msg[off1:off2], m[:])
	g.lastMAC1 = m
	g.haveLastMAC1 = true

	if g.cookieBorn.IsZero() || now.Sub(g.cookieBorn) >= SecretMaxAge-SecretLatency {
		clear(msg[off2:])
		return nil
	}
	mac(&m, g.cookie[:], msg[:off2])
	copy(msg[off2:], m[:])
	return nil
}

// ConsumeReply opens a cookie reply from the peer and keeps its cookie for
// the next messages ([W] 5.4.7). The reply must be bound to the mac1 of the
// last message sent; a reply is accepted once, so a replayed reply cannot
// refresh an old cookie. Errors: [ErrUnexpectedReply], [ErrDecryptFailed].
// The device finds the Generator from the reply's Receiver index, which
// names one of our handshakes with the peer.
func (g *Generator) ConsumeReply(reply *wire.MessageCookieReply, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.haveLastMAC1 {
		return ErrUnexpectedReply
	}
	var cookie [wire.CookieSize]byte
	if _, err := g.keys.cookieAEAD().Open(cookie[:0], reply.Nonce[:], reply.Cookie[:], g.lastMAC1[:]); err != nil {
		return ErrDecryptFailed
	}
	g.cookie = cookie
	g.cookieBorn = now
	g.haveLastMAC1 = false
	return nil
}
