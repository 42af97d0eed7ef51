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

// nbwg's extensions to if_wg (wg(4) "NBWG EXTENSIONS").  The command bits
// lie far above NetBSD's (bits 0-3), so that no future NetBSD bit can
// mean something else to nbwg's kernel; a NetBSD kernel answers them
// EINVAL, as any unknown command.
const (
	// WG_IOCTL_NBWG_SET_PEER changes a peer, found by its name, in
	// place: only the keys given, all or nothing, keeping its session
	// and counters.
	WG_IOCTL_NBWG_SET_PEER = 1 << 16
	// WG_IOCTL_NBWG_GET_MORE in ifd_cmd of SIOCGDRVSPEC (which NetBSD's
	// if_wg ignores, and wgconfig sets to 0) asks for the extensions'
	// keys too; without it the dictionary is NetBSD's, key for key.
	// With it, a buffer too small is a success that copies nothing out
	// and leaves the size needed (NUL included) in ifd_len.
	WG_IOCTL_NBWG_GET_MORE = 1 << 17
)

// Keys of nbwg's extensions.  Where wireguard's cross-platform userspace
// API has the same thing, the key has its name.
const (
	// WGKeyPersistentKeepalive is a peer's persistent keepalive interval
	// in seconds (unsigned, 1..65535; 0 or absent: none): in ADD_PEER,
	// NBWG_SET_PEER and GET_MORE.
	WGKeyPersistentKeepalive = "persistent_keepalive_interval"
	// WGKeyRxBytes and WGKeyTxBytes are the bytes received from and sent
	// to a peer (its datagrams, handshakes included), in GET_MORE only.
	WGKeyRxBytes = "rx_bytes"
	WGKeyTxBytes = "tx_bytes"
	// WGKeyEndpointHost is the host name an endpoint was given as
	// ("name:port"), in ADD_PEER and NBWG_SET_PEER beside the resolved
	// endpoint: the kernel resolves it again when handshakes to the
	// peer keep failing.
	WGKeyEndpointHost = "endpoint_host"
	// At the top level of GET_MORE, WGKeyPublicKey is the interface's
	// own public key, for every caller (it is no secret), when it has a
	// private key.
)
