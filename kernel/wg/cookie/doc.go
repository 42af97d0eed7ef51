// Package cookie implements WireGuard's denial-of-service defence
// ([W] 5.3, 5.4.4, 5.4.7): the two MACs at the end of every handshake
// message and the cookie reply.
//
//   - mac1 = MAC(HASH(LABEL_MAC1 ‖ Spub_receiver), msg up to mac1) proves
//     that the sender knows the receiver's static public key. It is always
//     checked, and is cheap to check, so a responder can drop junk before
//     doing any Curve25519 work.
//   - mac2 = MAC(cookie, msg up to mac2) proves that the sender can receive
//     packets at its source address. It is checked only when the responder
//     is under load. The cookie is MAC(secret, source IP ‖ source port),
//     with a secret that the responder replaces every two minutes.
//   - A responder under load that gets a message without a valid mac2
//     answers with a cookie reply: the cookie, encrypted with
//     XChaCha20-Poly1305 under HASH(LABEL_COOKIE ‖ Spub_responder), a
//     random nonce, and the message's mac1 as associated data, so that only
//     the sender of that message can use it.
//
// MAC is keyed BLAKE2s with a 16-byte output and HASH is BLAKE2s-256.
//
// The responder side is a [Checker], one per device (it depends on the
// device's own public key). The initiator side is a [Generator], one per
// peer (it depends on the peer's public key); both sides of a handshake
// use it, since a response carries MACs too. Whether the device is under
// load is the device's decision (NetBSD's wg_is_underload, wireguard-go's
// queue length); this package only provides the mechanisms.
//
// Nothing here reads the clock or the system's random source: the current
// time is passed as now and randomness as an io.Reader, so tests are exact.
// Both types are safe for concurrent use.
package cookie
