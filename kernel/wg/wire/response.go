package wire

import "encoding/binary"

// MessageResponse is the second handshake message, sent by the responder
// ([W] 5.4.3). Empty is the AEAD of the empty plaintext: only its tag.
type MessageResponse struct {
	Type      Type // TypeResponse
	Sender    uint32
	Receiver  uint32
	Ephemeral [KeySize]byte
	Empty     [TagSize]byte
	MAC1      [MACSize]byte
	MAC2      [MACSize]byte
}

// Marshal writes m into b, which must be exactly [MessageResponseSize]
// bytes long. m.Type must be [TypeResponse].
func (m *MessageResponse) Marshal(b []byte) error {
	if len(b) != MessageResponseSize {
		return ErrMessageLength
	}
	if m.Type != TypeResponse {
		return ErrMessageType
	}
	putType(b, m.Type)
	binary.LittleEndian.PutUint32(b[4:], m.Sender)
	binary.LittleEndian.PutUint32(b[8:], m.Receiver)
	n := 12
	n += copy(b[n:], m.Ephemeral[:])
	n += copy(b[n:], m.Empty[:])
	n += copy(b[n:], m.MAC1[:])
	copy(b[n:], m.MAC2[:])
	return nil
}

// Unmarshal parses b, which must be exactly [MessageResponseSize] bytes and
// carry the response type word, into m.
func (m *MessageResponse) Unmarshal(b []byte) error {
	if len(b) != MessageResponseSize {
		return ErrMessageLength
	}
	if err := checkType(b, TypeResponse); err != nil {
		return err
	}
	m.Type = TypeResponse
	m.Sender = binary.LittleEndian.Uint32(b[4:])
	m.Receiver = binary.LittleEndian.Uint32(b[8:])
	n := 12
	n += copy(m.Ephemeral[:], b[n:])
	n += copy(m.Empty[:], b[n:])
	n += copy(m.MAC1[:], b[n:])
	copy(m.MAC2[:], b[n:])
	return nil
}
