package cookie

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/crypto/blake2s"

	"nbwg/kernel/wg/wire"
)

// A Checker is the responder side: it verifies the MACs of handshake
// messages sent to us and makes cookie replies. Call [Checker.Init] before
// use.
type Checker struct {
	mu   sync.RWMutex
	keys keys // derived from our static public key by Init
	// The cookie secret Rm and when it was drawn; the zero time means
	// there is none yet.
	secret     [blake2s.Size]byte
	secretBorn time.Time
}

// Init sets our static public key. Calling it again (when the device's
// private key changes) also discards the cookie secret, so that cookies
// handed out under the old identity die with it.
func (c *Checker) Init(pub [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys = deriveKeys(&pub)
	clear(c.secret[:])
	c.secretBorn = time.Time{}
}

// CheckMAC1 verifies the mac1 of msg, a marshaled initiation or response.
// [W] 5.4.4: a receiver "must always reject messages with an invalid
// msg.mac1". It returns [ErrInvalidMAC1], or wire.ErrMessageLength when msg
// is neither message.
func (c *Checker) CheckMAC1(msg []byte) error {
	off1, off2, err := macOffsets(msg)
	if err != nil {
		return err
	}
	var want [wire.MACSize]byte
	c.mu.RLock()
	mac(&want, c.keys.mac1[:], msg[:off1])
	c.mu.RUnlock()
	if !equal(want[:], msg[off1:off2]) {
		return ErrInvalidMAC1
	}
	return nil
}

// CheckMAC2 verifies the mac2 of msg, a marshaled initiation or response
// received from src, against the cookie that the current secret gives for
// src. The device calls it only when it is under load, after CheckMAC1; on
// failure it answers with [Checker.CreateReply] and drops the message.
// It returns [ErrInvalidMAC2], [ErrSecretExpired] (no current secret: every
// cookie the sender may hold is stale), or wire.ErrMessageLength.
func (c *Checker) CheckMAC2(msg []byte, src netip.AddrPort, now time.Time) error {
	_, off2, err := macOffsets(msg)
	if err != nil {
		return err
	}
	c.mu.RLock()
	if !c.secretFresh(now) {
		c.mu.RUnlock()
		return ErrSecretExpired
	}
	cookie := c.cookieFor(src)
	c.mu.RUnlock()
	var want [wire.MACSize]byte
	mac(&want, cookie[:], msg[:off2])
	clear(cookie[:])
	if !equal(want[:], msg[off2:]) {
		return ErrInvalidMAC2
	}
	return nil
}

// CreateReply fills reply with a cookie reply to msg, a marshaled initiation
// or response received from src ([W] 5.4.7). The reply goes to the
// message's Sender index. When the cookie secret is missing or older than
// [SecretMaxAge] it draws a new one from rand first; the nonce also comes
// from rand. Errors are wire.ErrMessageLength and read errors from rand.
func (c *Checker) CreateReply(reply *wire.MessageCookieReply, msg []byte, src netip.AddrPort, now time.Time, rand io.Reader) error {
	off1, off2, err := macOffsets(msg)
	if err != nil {
		return err
	}
	var nonce [wire.XNonceSize]byte
	if _, err := io.ReadFull(rand, nonce[:]); err != nil {
		return fmt.Errorf("cookie: reply nonce: %w", err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.secretFresh(now) {
		if _, err := io.ReadFull(rand, c.secret[:]); err != nil {
			clear(c.secret[:])
			c.secretBorn = time.Time{}
			return fmt.Errorf("cookie: new cookie secret: %w", err)
		}
		c.secretBorn = now
	}
	cookie := c.cookieFor(src)
	defer clear(cookie[:])

	*reply = wire.MessageCookieReply{
		Type: wire.TypeCookieReply,
		// The Sender field sits at offset 4 in both handshake messages.
		Receiver: binary.LittleEndian.Uint32(msg[4:8]),
		Nonce:    nonce,
	}
	c.keys.cookieAEAD().Seal(reply.Cookie[:0], nonce[:], cookie[:], msg[off1:off2])
	return nil
}

// secretFresh reports whether a cookie secret exists and is younger than
// SecretMaxAge. c.mu must be held.
func (c *Checker) secretFresh(now time.Time) bool {
	return !c.secretBorn.IsZero() && now.Sub(c.secretBorn) < SecretMaxAge
}

// cookieFor returns MAC(Rm, Am), the cookie for src ([W] 5.4.7). c.mu must
// be held.
func (c *Checker) cookieFor(src netip.AddrPort) [wire.CookieSize]byte {
	var cookie [wire.CookieSize]byte
	a, n := sourceBytes(src)
	mac(&cookie, c.secret[:], a[:n])
	return cookie
}
