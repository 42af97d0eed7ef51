// Package uapi serves WireGuard's cross-platform userspace API on nbwg's
// wg interfaces: the text protocol that wg(8) and wg-quick(8) speak to a
// userspace implementation over /var/run/wireguard/IFNAME.sock
// (wireguard-tools' ipc-uapi.h, wireguard-go's device/uapi.go;
// https://www.wireguard.com/xplatform/).  nbwg's kernel (nbwgd) serves
// it for each interface it has, beside NetBSD's ioctls, and nbwg-go, the
// wireguard-go-compatible command, serves it for its one interface.
//
// # The protocol
//
// A client writes "get=1\n\n" or "set=1\n" followed by key=value lines
// and a blank line.  The server answers a get with the configuration as
// key=value lines, and both with "errno=N\n\n", where N is 0 or a
// negative Linux errno, as wireguard-go sends it.  Several operations may
// follow one another on one connection.
//
// get (WriteConfig) writes private_key, listen_port and fwmark, then for
// each peer public_key, preshared_key, protocol_version=1, endpoint,
// last_handshake_time_sec, last_handshake_time_nsec, tx_bytes, rx_bytes,
// persistent_keepalive_interval and its allowed_ip lines.  It is written
// as it is made, so a reply of any size (a peer with 130,560 allowed IPs
// is several megabytes) reaches a client that reads it in pieces.
//
// set (ReadChange) takes private_key, listen_port, fwmark and
// replace_peers, then per peer public_key, remove, update_only,
// preshared_key, endpoint, persistent_keepalive_interval,
// replace_allowed_ips, allowed_ip (a leading '-' removes one) and
// protocol_version.  The whole request is read and checked before
// anything changes, so a malformed line changes nothing (wireguard-go
// applies the lines before it); the kernel's wg driver then applies it
// (wg.Device.Apply) with WireGuard's semantics.
//
// # Where nbwg's answer differs from wireguard-go's
//
//   - Peers are listed in the order they were added, and each peer's
//     allowed IPs in the order they were given (wireguard-go: map and
//     trie order).
//   - listen_port is the port the sockets are bound to.  As in NetBSD, an
//     interface binds when a port is set or its first packet leaves, so a
//     fresh interface reports none (wireguard-go binds a random port
//     when the interface comes up).
//   - An IPv4-mapped endpoint is reported as the IPv4 address it maps.
//   - A peer made by set gets a NetBSD name (wg.PeerName) that wgconfig(8)
//     shows; the protocol has no name key.
//
// # Who may connect
//
// The socket is root's alone (mode 0700, as wireguard-go makes it under
// umask 077); the server also refuses a client whose credentials
// (SO_PEERCRED) are not root's, and nbwgd one from another network
// namespace (Server.Authorize).  See publish_linux.go for where nbwgd
// puts its sockets so that each network namespace sees its own.
package uapi
