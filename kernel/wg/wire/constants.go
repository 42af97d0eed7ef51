package wire

// Field sizes ([W] 5.4). The names say what the bytes hold; the "+ TagSize"
// fields carry a ChaCha20-Poly1305 ciphertext with its 16-byte tag.
const (
	KeySize       = 32 // a Curve25519 public key (the Ephemeral field)
	TagSize       = 16 // a Poly1305 authenticator
	TimestampSize = 12 // a TAI64N timestamp, see kernel/wg/tai64n
	MACSize       = 16 // a keyed BLAKE2s-128 MAC (MAC1, MAC2)
	CookieSize    = 16 // a cookie: MAC(secret, source address)
	XNonceSize    = 24 // an XChaCha20-Poly1305 nonce (cookie reply Nonce)
)

// Message sizes ([W] 5.4.2–5.4.7).
const (
	MessageInitiationSize  = 148
	MessageResponseSize    = 92
	MessageCookieReplySize = 64

	// MessageTransportHeaderSize is the type, receiver and counter that
	// precede the encrypted packet in a transport message.
	MessageTransportHeaderSize = 16
	// MessageTransportMinSize is an empty transport message: the header and
	// the tag of a zero-length plaintext.
	MessageTransportMinSize = MessageTransportHeaderSize + TagSize
	// MessageKeepaliveSize is the size of a keepalive, which is a transport
	// message with an empty plaintext ([W] 6.5).
	MessageKeepaliveSize = MessageTransportMinSize
)

// PaddingMultiple is the multiple to which an inner packet is zero-padded
// before encryption ([W] 5.4.6: "P is padded to a multiple of 16 bytes").
const PaddingMultiple = 16

// offsetType is where the type word starts in every message.
const offsetType = 0
