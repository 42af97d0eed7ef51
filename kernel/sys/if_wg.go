package sys

// Sub-commands of SIOCSDRVSPEC for wg(4) (<net/if_wg.h>).
const (
	WG_IOCTL_SET_PRIVATE_KEY = 1 << 0
	WG_IOCTL_SET_LISTEN_PORT = 1 << 1
	WG_IOCTL_ADD_PEER        = 1 << 2
	WG_IOCTL_DELETE_PEER     = 1 << 3
)

// WG_PEER_NAME_MAXLEN is the longest peer name (strlen) if_wg accepts.
const WG_PEER_NAME_MAXLEN = IFNAMSIZ

// WG_MAX_PROPLEN bounds the proplib document a SIOCSDRVSPEC may carry:
// ifd_len at or above it is refused with E2BIG (if_wg.c).
const WG_MAX_PROPLEN = 32766

// WG_MTU is the MTU a new wg interface gets.
const WG_MTU = 1420

// Key lengths of wg(4): Curve25519 keys and the preshared key.
const (
	WG_STATIC_KEY_LEN    = 32
	WG_PRESHARED_KEY_LEN = 32
)

// Keys of the proplib dictionaries exchanged through SIOC[SG]DRVSPEC,
// spelled as if_wg.c and wgconfig.c spell them.
const (
	WGKeyPrivateKey           = "private_key"
	WGKeyListenPort           = "listen_port"
	WGKeyPeers                = "peers"
	WGKeyName                 = "name"
	WGKeyPublicKey            = "public_key"
	WGKeyPresharedKey         = "preshared_key"
	WGKeyEndpoint             = "endpoint"
	WGKeyAllowedIPs           = "allowedips"
	WGKeyFamily               = "family"
	WGKeyIP                   = "ip"
	WGKeyCIDR                 = "cidr"
	WGKeyLastHandshakeTimeSec = "last_handshake_time_sec"
	WGKeyLastHandshakeNsec    = "last_handshake_time_nsec"
)
