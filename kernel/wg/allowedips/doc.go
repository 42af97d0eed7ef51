// Package allowedips is WireGuard's cryptokey-routing table ([W] 2): a
// longest-prefix-match map from IPv4 and IPv6 prefixes to peers.
//
// # Semantics
//
// The table follows NetBSD's wg(4) (sys/net/if_wg.c), which keeps allowed
// IPs in one radix table per address family:
//
//   - A prefix is masked before it is stored; the table keeps only the
//     masked prefix. (NetBSD displays the address as configured; keeping
//     that copy is the device's job.)
//   - Inserting a prefix that is already present returns an error wrapping
//     syscall.EEXIST, whichever peer holds it, including the one being
//     inserted. Unlike Linux and wireguard-go, an insert never moves a
//     prefix from one peer to another.
//   - [Table.AssignPeer] is the exception, for WireGuard's own set
//     operation (kernel/uapi): there a prefix another peer holds moves to
//     the peer being set, as in Linux and wireguard-go.
//   - An invalid prefix returns an error wrapping syscall.EINVAL.
//   - [Table.InsertAll] inserts a peer's prefixes all or nothing. NetBSD's
//     wg_handle_prop_peer leaves the prefixes inserted before a failure in
//     the table; this package does not.
//
// # Address families
//
// IPv4 and IPv6 prefixes live in separate tries, as in NetBSD. A prefix is
// filed by the family of its address: an IPv4-mapped IPv6 prefix such as
// ::ffff:10.0.0.0/104 is an IPv6 prefix.
//
// [Table.Lookup] treats an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the
// IPv4 address a.b.c.d, because a netip.Addr may come in mapped form from
// a dual-stack socket or a parser. [Table.LookupV6] does not: it is given the
// address field of an IPv6 header, and an IPv6 packet is routed by the IPv6
// table whatever its address looks like, as NetBSD and Linux do.
//
// # Concurrency
//
// The tries are persistent: a writer never changes a node that a reader can
// reach. It copies the path from the root to the changed node, builds a new
// snapshot of both roots and publishes it with one atomic pointer store, in
// the manner of RCU; the garbage collector reclaims what no reader holds.
// So:
//
//   - Lookup, LookupV4, LookupV6, LookupPrefix and Len take no lock, never
//     block and never allocate. They may run on any number of goroutines at
//     once, alongside a writer.
//   - Each of them sees one published snapshot: either all of an Insert,
//     InsertAll, Remove, RemoveByPeer, ReplacePeer, AssignPeer or Clear,
//     or none of it.
//   - Insert, InsertAll, Remove, RemoveByPeer, ReplacePeer, AssignPeer
//     and Clear serialize on an internal mutex, as does EntriesForPeer,
//     which reads the writer's index of each peer's prefixes in insertion
//     order.
//
// The zero value of [Table] is an empty table ready to use. A Table must not
// be copied after first use.
package allowedips
