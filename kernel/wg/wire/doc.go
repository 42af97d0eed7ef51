// Package wire holds WireGuard's message formats ([W] 5.4): the handshake
// initiation (type 1), the handshake response (type 2), the cookie reply
// (type 3) and the transport data message (type 4).
//
// Every message starts with a one-byte type followed by three reserved zero
// bytes. The Linux driver and wireguard-go both read these four bytes as one
// little-endian 32-bit word and compare it with the type, so a message whose
// reserved bytes are not zero has an unknown type; [PeekType] and the
// Unmarshal methods do the same. All multi-byte integers are little-endian.
//
//	initiation (148):  type(1) reserved(3) sender(4) ephemeral(32)
//	                   static(32+16) timestamp(12+16) mac1(16) mac2(16)
//	response (92):     type(1) reserved(3) sender(4) receiver(4)
//	                   ephemeral(32) empty(0+16) mac1(16) mac2(16)
//	cookie reply (64): type(1) reserved(3) receiver(4) nonce(24) cookie(16+16)
//	transport (≥32):   type(1) reserved(3) receiver(4) counter(8)
//	                   packet(16·n)+tag(16)
//
// The package only moves bytes: it computes no MACs and no ciphertexts
// (that is kernel/wg/cookie and kernel/wg/noise). Marshal and Unmarshal
// work on caller-provided buffers and do not allocate; parsing a transport
// message returns a slice of the input, never a copy, because it runs once
// per received packet.
package wire
