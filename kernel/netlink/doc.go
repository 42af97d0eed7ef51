// Package netlink is the small subset of Linux rtnetlink (netlink(7),
// rtnetlink(7)) that the emulated NetBSD kernel needs to mirror its ifnet
// state onto a Linux TUN device: look up an interface index, set the MTU and
// the IFF_UP flag, add and delete addresses, stop Linux from generating
// IPv6 link-local addresses of its own, and add, replace and delete the
// routes route(8) makes through a wg interface.
//
// Every call opens its own NETLINK_ROUTE socket, sends one request and waits
// (bounded in time) for the kernel's answer, so calls are safe for concurrent
// use. The socket is created in the network namespace of the calling OS
// thread; the nbwg daemon runs wholly inside one namespace, so for it that is
// simply "this host".
//
// Errors name the operation and keep the kernel's errno in the chain, so
// errors.Is(err, unix.EEXIST) works; when the kernel sends an extended ACK
// message (NETLINK_EXT_ACK) its text is kept in [Error.Msg].
//
// Only Linux is supported; on other systems every function returns an error
// wrapping errors.ErrUnsupported.
package netlink
