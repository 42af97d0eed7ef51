package wire

import "encoding/binary"

// MessageCookieReply is sent by a responder under load instead of a
// response ([W] 5.4.7). Cookie is the XChaCha20-Poly1305 encryption of the
// 16-byte cookie, with its tag; Receiver is the Sender of the message that
// triggered the reply.
type MessageCookieReply struct {
	Type     Type // TypeCookieReply
	Receiver uint32
	Nonce    [XNonceSize]byte
	Cookie   [CookieSize + TagSize]byte
}

// Marshal writes m into b, which must be exactly [MessageCookieReplySize]
// bytes long. m.Type must be [TypeCookieReply].
func (m *MessageCookieReply) Marshal(b []byte) error {
	if len(b) != MessageCookieReplySize {
		return ErrMessageLength
	}
	if m.Type != TypeCookieReply {
		return ErrMessageType
	}
	putType(b, m.Type)
	binary.LittleEndian.PutUint32(b[4:], m.Receiver)
	n := 8
	n += copy(b[n:], m.Nonce[:])
	copy(b[n:], m.Cookie[:])
	return nil
}

// Unmarshal parses b, which must be exactly [MessageCookieReplySize] bytes
// and carry the cookie-reply type word, into m.
func (m *MessageCookieReply) Unmarshal(b []byte) error {
	if len(b) != MessageCookieReplySize {
		return ErrMessageLength
	}
	if err := checkType(b, TypeCookieReply); err != nil {
		return err
	}
	m.Type = TypeCookieReply
	m.Receiver = binary.LittleEndian.Uint32(b[4:])
	n := 8
	n += copy(m.Nonce[:], b[n:])
	copy(m.Cookie[:], b[n:])
	return nil
}
