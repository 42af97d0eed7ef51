// Package noise is WireGuard's handshake, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s
// ([W] 5.4.2, 5.4.3), and the transport keypairs it produces ([W] 5.4.5,
// 5.4.6), shaped after OpenBSD's wg_noise (sys/net/wg_noise.c): a [Local]
// for our identity, a [Remote] per peer, a [Keypair] per session, and an
// [Upcall] interface through which the noise code asks the device to find
// a peer or to allocate and release an index.
//
// The package does no I/O: no sockets, no TUN, no goroutines, no logging
// and no clock or randomness of its own. Handshake functions take the
// message structs of kernel/wg/wire, the current time as now and random
// bytes as an io.Reader, and return typed errors (ErrDecryptFailed,
// ErrReplayedTimestamp, ...) that say why a message was refused. The MACs
// and cookies around the handshake are kernel/wg/cookie's job.
//
// # Driving it
//
// The initiator:
//
//	r.CreateInitiation(&init, now, rand)  // → Sender = new index
//	init.Marshal(buf); gen.AddMACs(buf, now); send buf
//	... response arrives: check mac1 (and mac2 under load), Unmarshal,
//	find r by resp.Receiver in the index table ...
//	r.ConsumeResponse(&resp)
//	kp, _ := r.BeginSession(now)          // kp is r.Current() at once
//
// The responder:
//
//	... initiation arrives: check mac1 (and mac2 under load), Unmarshal ...
//	r, err := local.ConsumeInitiation(&init, now)
//	r.CreateResponse(&resp, rand)
//	kp, _ := r.BeginSession(now)          // kp waits in "next"
//	resp.Marshal(buf); gen.AddMACs(buf, now); send buf
//
// Transport, on either side:
//
//	kp := r.Current()                     // nil or too old: handshake first
//	c, err := kp.NextCounter()
//	hdr := wire.MessageTransport{Type: wire.TypeTransport, Receiver: kp.RemoteIndex(), Counter: c}
//	hdr.MarshalHeader(pkt); out := kp.Encrypt(pkt[:16], pkt[16:16+padded], c)
//
//	m.Unmarshal(pkt); kp := (index table)(m.Receiver)
//	pt, err := kp.Decrypt(m.Content[:0], m.Content, m.Counter)
//	err = kp.ValidateCounter(m.Counter)   // after Decrypt, never before
//	if r.ReceivedWith(kp) { /* responder: handshake complete */ }
//
// The device runs the timers of [W] 6 itself, comparing Keypair.Created
// and the counters it takes with limits it may tune (NetBSD's net.wg
// sysctls), and calls Remote.Clear when a peer is removed.
//
// # Concurrency
//
// Everything is safe for concurrent use. Locks, in the order they may be
// taken: Local's identity lock, a Remote's handshake lock, that Remote's
// keypair lock. The handshake functions copy what they need under a lock,
// do the Curve25519 and AEAD work without it, then lock again, check that
// nothing changed in between (a per-Remote epoch) and commit, as the Linux
// driver's wg_noise_handshake_consume_response does. No lock is held while
// an Upcall method runs. Keypair slots are read with atomic loads, so the
// data path takes no lock except the replay filter's.
//
// # Secrets
//
// Ephemeral private keys, chaining keys, hashes and intermediate keys are
// wiped with clear as soon as they are used, on every path; see Keypair
// for the one thing Go does not let us wipe.
package noise
