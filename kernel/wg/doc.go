// Package wg is nbwg's if_wg: the WireGuard interface driver of the
// emulated NetBSD kernel.
//
// # Data structures
//
// A Device (NetBSD's wg_softc) belongs to one interface, wgN.  It holds
// the interface's static identity (private key), the listen port, the
// peers, and the allowed-IPs table that maps inner addresses to peers
// (cryptokey routing, [W] 2).  A Peer (wg_peer) holds the peer's public
// key, preshared key, endpoint and allowed IPs as configured, and its
// protocol state: the Noise handshake, up to three keypairs (next,
// current, previous, [W] 5.4.6 and 6), its timers, and the queue of
// packets waiting for a handshake.
//
// # Configuration
//
// Configuration arrives through SIOCSDRVSPEC/SIOCGDRVSPEC as proplib
// dictionaries with if_wg's keys (ioctl.go).  NetBSD's validation and
// errnos are kept; where NetBSD's kernel misbehaves (a failed add peer
// leaking half-inserted allowed IPs) nbwg leaves the configuration
// unchanged instead.
//
// # Locking
//
// Device.mu guards the configuration: the peer list and maps, the static
// keys, the listen port and socket.  The ifnet layer already serializes
// ioctls, so mu is for the data plane, which reads configuration
// concurrently.  The allowed-IPs table is read without locks.  Each
// Peer has its own lock for its endpoint.  Lock order: Device.mu, then
// Peer locks.  Stopping a peer waits for its timer functions (timers.go),
// which may take Device.mu: a peer is stopped with no lock held.
package wg
