// Package ifnet is the emulated kernel's interface layer, NetBSD's
// sys/net/if.c in miniature: the table of interfaces, the cloners that
// create them (`ifconfig wg0 create`), their flags, MTU, link state and
// addresses, and ifioctl(), the switch every interface request passes
// through before a driver sees what is left.
//
// NetBSD behaviour kept here:
//   - a cloned interface starts with its driver's flags (wg: MULTICAST),
//     down, with no addresses;
//   - adding an address brings a down interface up (SIOCINITIFADDR: the
//     driver's if_init sets RUNNING), and the first time an interface is
//     up it gets an IPv6 link-local address (in6_ifattach);
//   - SIOCSIFFLAGS runs the driver's init on UP and stop on down;
//   - requests that change anything need privilege (kauth: EPERM).
//
// On a real host each emulated interface is mirrored onto a host device
// of the same name through Host, so the host's routing sends the right
// packets to it.
//
// Locking: one mutex (Net.mu) serializes every request, as NetBSD's
// IFNET_LOCK serializes configuration; the data plane never takes it.
// Interface fields that the data plane reads (flags, MTU) are atomics.
package ifnet
