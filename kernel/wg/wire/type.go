package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Type is a message type, the first byte of every message ([W] 5.4).
type Type uint8

// The four message types.
const (
	TypeInitiation  Type = 1
	TypeResponse    Type = 2
	TypeCookieReply Type = 3
	TypeTransport   Type = 4
)

// String returns the message kind, or the number for an unknown type.
func (t Type) String() string {
	switch t {
	case TypeInitiation:
		return "initiation"
	case TypeResponse:
		return "response"
	case TypeCookieReply:
		return "cookie-reply"
	case TypeTransport:
		return "transport"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Errors returned by the parsers and marshalers. They are sentinels so that
// the device can count drops by reason with errors.Is.
var (
	// ErrMessageLength is returned when a buffer does not have the size
	// the message needs: exactly the message size for handshake and cookie
	// messages, at least [MessageTransportMinSize] for a transport message.
	ErrMessageLength = errors.New("wire: message length mismatch")
	// ErrMessageType is returned when the type word (type byte plus three
	// reserved bytes) is not the one expected, or when a message being
	// marshaled has the wrong Type.
	ErrMessageType = errors.New("wire: wrong message type")
)

// PeekType returns the type of the message in b without parsing the rest.
// It fails with [ErrMessageLength] when b is shorter than the type word and
// with [ErrMessageType] when the type is unknown or a reserved byte is set.
// The receive path uses it to pick the handler and the expected length.
func PeekType(b []byte) (Type, error) {
	if len(b) < 4 {
		return 0, ErrMessageLength
	}
	w := binary.LittleEndian.Uint32(b[offsetType:])
	if w < uint32(TypeInitiation) || w > uint32(TypeTransport) {
		// Returned bare: this runs on every packet from the network, and
		// a flood of garbage should not allocate.
		return 0, ErrMessageType
	}
	return Type(w), nil
}

// checkType verifies that b starts with the type word of want.
func checkType(b []byte, want Type) error {
	if binary.LittleEndian.Uint32(b[offsetType:]) != uint32(want) {
		return ErrMessageType
	}
	return nil
}

// putType writes the type word of t: the type byte and three zero bytes.
func putType(b []byte, t Type) {
	binary.LittleEndian.PutUint32(b[offsetType:], uint32(t))
}
