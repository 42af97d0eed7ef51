//go:build netbsd

package ioctl

import (
	"encoding/binary"
	"errors"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"

	"nbwg/kernel/sys"
)

// Conn holds the sockets on which NetBSD's own kernel takes interface
// ioctls: an AF_INET one, as ifconfig(8) and wgconfig(8) use, and an
// AF_INET6 one, since the *_IN6 requests go to the socket's protocol
// (in6_control) and an AF_INET socket would refuse them.
type Conn struct {
	fd  int
	fd6 int // -1 until an IPv6 request needs it
}

// ErrNoKernel is never returned on NetBSD: the kernel always runs.
var ErrNoKernel = errors.New("no kernel")

// Open opens the AF_INET datagram socket ifconfig(8) and wgconfig(8) use.
func Open() (*Conn, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		return nil, err
	}
	return &Conn{fd: fd, fd6: -1}, nil
}

// OpenOrStart is Open: NetBSD's kernel needs no starting.
func OpenOrStart() (*Conn, error) { return Open() }

// Close closes the sockets.
func (c *Conn) Close() error {
	if c.fd6 >= 0 {
		unix.Close(c.fd6)
	}
	return unix.Close(c.fd)
}

// isInet6 reports whether cmd is one of in6_control's requests.
func isInet6(cmd uint32) bool {
	switch cmd {
	case sys.SIOCAIFADDR_IN6, sys.SIOCDIFADDR_IN6, sys.SIOCGIFADDR_IN6,
		sys.SIOCGIFNETMASK_IN6, sys.SIOCGIFAFLAG_IN6, sys.SIOCGIFALIFETIME_IN6:
		return true
	}
	return false
}

// pointerOffset is where the structure of cmd holds its user buffer
// pointer, or -1 when it has none.
func pointerOffset(cmd uint32) int {
	switch cmd {
	case sys.SIOCSDRVSPEC, sys.SIOCGDRVSPEC:
		return 32 // ifd_data
	case sys.SIOCIFGCLONERS, sys.SIOCGIFCONF:
		return 8 // ifcr_buffer, ifc_buf
	case sys.SIOCSIFDESCR, sys.SIOCGIFDESCR:
		return sys.IfreqBufOffset // ifr_buf
	}
	return -1
}

// Ioctl issues the system call, pointing the structure at buf where the
// command takes a buffer.  The structures are laid out for amd64.
func (c *Conn) Ioctl(cmd uint32, arg []byte, buf []byte) error {
	if off := pointerOffset(cmd); off >= 0 && len(buf) > 0 {
		binary.LittleEndian.PutUint64(arg[off:], uint64(uintptr(unsafe.Pointer(&buf[0]))))
	}
	var p unsafe.Pointer
	if len(arg) > 0 {
		p = unsafe.Pointer(&arg[0])
	}
	fd := c.fd
	if isInet6(cmd) {
		if c.fd6 < 0 {
			fd6, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
			if err != nil {
				return err
			}
			c.fd6 = fd6
		}
		fd = c.fd6
	}
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(cmd), uintptr(p))
	runtime.KeepAlive(buf)
	if e != 0 {
		return sys.Errno(e)
	}
	return nil
}

// DiedKernel reports nothing here: the kernel is the system's.
func DiedKernel(record bool) error { return nil }
