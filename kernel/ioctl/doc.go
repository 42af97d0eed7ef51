// Package ioctl carries ioctl(2) requests from nbwg's front ends to the
// kernel.
//
// On NetBSD it is the real system call on an AF_INET datagram socket, as
// ifconfig(8) and wgconfig(8) issue it.  On Linux the kernel is nbwg's
// emulated one, a daemon per network namespace (kernel/cmd/nbwgd), and a
// request travels over an abstract unix socket: abstract sockets belong to
// their network namespace, so one namespace is one NetBSD host with
// nothing else to arrange, and SO_PEERCRED tells the kernel the caller's
// uid where NetBSD would consult kauth(9).
//
// A request is what the system call carries: the command word, the
// structure bytes in NetBSD/amd64 layout, and the bytes of the user buffer
// the structure points at (ifd_data, ifcr_buffer, ifc_buf), since pointers
// cannot cross processes.  The reply is the errno, the structure as the
// kernel left it, and the bytes the kernel copied out to the buffer.
package ioctl

import "nbwg/kernel/sys"

// Cred is what the kernel knows of a caller.
type Cred struct {
	UID uint32
	GID uint32
	PID int32
}

// Privileged reports whether the caller passes NetBSD's default secmodel
// for the requests kauth(9) guards: only the superuser does.
func (c Cred) Privileged() bool { return c.UID == 0 }

// CopiesIn reports whether the kernel reads the user buffer of cmd; for
// the others only the buffer's length (carried in the structure) matters,
// so the carrier need not send its contents.
func CopiesIn(cmd uint32) bool {
	switch cmd {
	case sys.SIOCGDRVSPEC, sys.SIOCIFGCLONERS, sys.SIOCGIFCONF:
		return false
	}
	return true
}
