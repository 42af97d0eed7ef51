// Package ioctl carries ioctl(2) requests from nbwg's front ends to the
// kernel.
//
// On NetBSD it is the real system call on an AF_INET datagram socket, as
// ifconfig(8) and wgconfig(8) issue it.  On Linux the kernel is nbwg's
// emulated one, a daemon per network namespace (kernel/cmd/nbwgd), and a
// request travels over a unix socket, /run/nbwg/net-INODE/kernel.sock,
// named after the namespace: one namespace is one NetBSD host.
//
// The carrier is a trust boundary, in both directions:
//
//   - a command sends nothing, keys least of all, to a process it has not
//     checked: the socket's directories must be root's and writable by no
//     one else, and the listener (SO_PEERCRED) must be root's and run the
//     kernel program;
//   - the kernel learns each caller's credentials from SO_PEERCRED, where
//     NetBSD would consult kauth(9), and bounds what it reads, holds and
//     waits for before and after it knows who asks (see Server).
//
// A request is what the system call carries: the command word, the
// structure bytes in NetBSD/amd64 layout, and the bytes of the user buffer
// the structure points at (ifd_data, ifcr_buffer, ifc_buf), since pointers
// cannot cross processes.  The reply is the errno, the structure as the
// kernel left it, and the bytes the kernel copied out to the buffer.  The
// kernel's side of the contract (sys.Handler, sys.Dispatch, sys.Cred)
// belongs to the ABI package: the carrier depends on the kernel's
// contract, never the reverse.
package ioctl
