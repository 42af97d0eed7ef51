// Package tai64n encodes the TAI64N timestamps that a WireGuard initiator
// puts, encrypted, into each handshake initiation ([W] 5.1, 5.4.2). The
// responder keeps the greatest timestamp it has accepted from each peer and
// rejects an initiation whose timestamp is not strictly greater, which stops
// an attacker from replaying a captured initiation.
//
// A timestamp is 12 bytes: a big-endian TAI64 label (2^62 plus seconds)
// followed by big-endian nanoseconds. Because both parts are big-endian and
// the nanoseconds stay below 10^9, comparing the bytes compares the times.
package tai64n

import (
	"bytes"
	"encoding/binary"
	"time"
)

// TimestampSize is the length of an encoded timestamp.
const TimestampSize = 12

// base is the TAI64 label of the Unix epoch. TAI64 labels second s as
// 2^62 + s; the extra 10 is TAI−UTC as of 1972. The Linux driver and
// wireguard-go use the same base, so a peer that moves between
// implementations with the same key keeps producing increasing timestamps.
const base = uint64(1)<<62 + 10

// Whitening drops the low 24 bits of the nanoseconds: the timestamp is
// rounded down to a multiple of 2^24 ns (about 16.8 ms).
//
// Why: the responder only needs the timestamps to increase, and it refuses
// more than one initiation per peer every 20 ms anyway (50 per second, see
// noise.HandshakeInitiationRate), so finer resolution buys nothing. What
// it would do is hand every responder the initiator's clock to the
// nanosecond, which serves to fingerprint a host by its clock skew and to
// time the initiator's internal events. 2^24 ns is the largest power of
// two below 20 ms, as in the Linux driver and wireguard-go. The cost: two
// initiations inside the same 16.8 ms window carry equal timestamps, and
// the second is rejected as a replay, which the rate limit would reject
// anyway.
const whitenerMask = uint32(1)<<24 - 1

// Timestamp is an encoded TAI64N timestamp.
type Timestamp [TimestampSize]byte

// Stamp returns the whitened timestamp of t. The caller passes the time in
// (normally the wall clock) so that tests and golden vectors are exact.
func Stamp(t time.Time) Timestamp {
	var ts Timestamp
	binary.BigEndian.PutUint64(ts[:8], base+uint64(t.Unix()))
	binary.BigEndian.PutUint32(ts[8:], uint32(t.Nanosecond())&^whitenerMask)
	return ts
}

// After reports whether t is strictly later than u. The zero Timestamp is
// earlier than every stamped time after 1970, which is what a responder
// that has not yet accepted any initiation from a peer needs.
func (t Timestamp) After(u Timestamp) bool {
	return bytes.Compare(t[:], u[:]) > 0
}

// Time returns the time t encodes, in UTC. A Timestamp received from the
// network need not be well formed; Time then returns whatever the fields
// give and never fails.
func (t Timestamp) Time() time.Time {
	secs := binary.BigEndian.Uint64(t[:8]) - base
	nsec := binary.BigEndian.Uint32(t[8:])
	return time.Unix(int64(secs), int64(nsec)).UTC()
}

// String formats t as an RFC 3339 time with nanoseconds.
func (t Timestamp) String() string {
	return t.Time().Format(time.RFC3339Nano)
}
