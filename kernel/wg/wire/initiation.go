package wire

import "encoding/binary"

// MessageInitiation is the first handshake message, sent by the initiator
// ([W] 5.4.2). Field names are the paper's; Static and Timestamp are
// AEAD ciphertexts with their tags.
type MessageInitiation struct {
	Type      Type // TypeInitiation
	Sender    uint32
	Ephemeral [KeySize]byte
	Static    [KeySize + TagSize]byte
	Timestamp [TimestampSize + TagSize]byte
	MAC1      [MACSize]byte
	MAC2      [MACSize]byte
}

// Marshal writes m into b, which must be exactly [MessageInitiationSize]
// bytes long. m.Type must be [TypeInitiation].
func (m *MessageInitiation) Marshal(b []byte) error {
	if len(b) != MessageInitiationSize {
		return ErrMessageLength
	}
	if m.Type != TypeInitiation {
		return ErrMessageType
	}
	putType(b, m.Type)
	binary.LittleEndian.PutUint32(b[4:], m.Sender)
	n := 8
	n += copy(b[n:], m.Ephemeral[:])
	n += copy(b[n:], m.Static[:])
	n += copy(b[n:], m.Timestamp[:])
	n += copy(b[n:], m.MAC1[:])
	copy(b[n:], m.MAC2[:])
	return nil
}

// Unmarshal parses b, which must be exactly [MessageInitiationSize] bytes
// and carry the initiation type word, into m.
func (m *MessageInitiation) Unmarshal(b []byte) error {
	if len(b) != MessageInitiationSize {
		return ErrMessageLength
	}
	if err := checkType(b, TypeInitiation); err != nil {
		return err
	}
	m.Type = TypeInitiation
	m.Sender = binary.LittleEndian.Uint32(b[4:])
	n := 8
	n += copy(m.Ephemeral[:], b[n:])
	n += copy(m.Static[:], b[n:])
	n += copy(m.Timestamp[:], b[n:])
	n += copy(m.MAC1[:], b[n:])
	copy(m.MAC2[:], b[n:])
	return nil
}
