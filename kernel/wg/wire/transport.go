package wire

import "encoding/binary"

// MessageTransport is a transport data message ([W] 5.4.6): a 16-byte
// header and the encrypted, padded inner packet with its tag.
//
// Content is not owned by the message: [MessageTransport.Unmarshal] points
// it into the buffer it parsed, so that the ciphertext can be decrypted in
// place without a copy.
type MessageTransport struct {
	Type     Type // TypeTransport
	Receiver uint32
	Counter  uint64
	Content  []byte // ciphertext || tag, at least TagSize bytes
}

// Unmarshal parses the transport message in b. b must be at least
// [MessageTransportMinSize] bytes long. m.Content becomes b[16:]; nothing
// is copied and nothing is allocated.
func (m *MessageTransport) Unmarshal(b []byte) error {
	if len(b) < MessageTransportMinSize {
		return ErrMessageLength
	}
	if err := checkType(b, TypeTransport); err != nil {
		return err
	}
	m.Type = TypeTransport
	m.Receiver = binary.LittleEndian.Uint32(b[4:])
	m.Counter = binary.LittleEndian.Uint64(b[8:])
	m.Content = b[MessageTransportHeaderSize:]
	return nil
}

// MarshalHeader writes the 16-byte header of m (type, receiver, counter)
// into b[:16] and ignores m.Content: the send path seals the inner packet
// straight into b[16:], so there is nothing to copy. b must be at least
// [MessageTransportHeaderSize] bytes long; m.Type must be [TypeTransport].
func (m *MessageTransport) MarshalHeader(b []byte) error {
	if len(b) < MessageTransportHeaderSize {
		return ErrMessageLength
	}
	if m.Type != TypeTransport {
		return ErrMessageType
	}
	putType(b, m.Type)
	binary.LittleEndian.PutUint32(b[4:], m.Receiver)
	binary.LittleEndian.PutUint64(b[8:], m.Counter)
	return nil
}

// PaddedSize returns how long an inner packet of n bytes is after the zero
// padding of [W] 5.4.6: rounded up to a multiple of [PaddingMultiple], but
// never past mtu, so that a full-MTU packet gains no padding. A packet
// already longer than mtu is not padded; mtu <= 0 means no limit. A
// keepalive (n == 0) stays empty.
func PaddedSize(n, mtu int) int {
	if n <= 0 {
		return 0
	}
	padded := (n + PaddingMultiple - 1) &^ (PaddingMultiple - 1)
	if mtu > 0 && padded > mtu {
		return max(n, mtu)
	}
	return padded
}
