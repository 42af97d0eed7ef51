//go:build linux

package udp

// recvmmsg(2) and sendmmsg(2), which x/sys/unix does not wrap, and the
// preallocated message vectors they work on. The vectors point into the
// caller's buffers only for the duration of one call.

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgBatch is one vector of message headers with their iovecs, sockaddrs
// and control buffers.
type mmsgBatch struct {
	msgs    []unix.Mmsghdr
	iovs    []unix.Iovec
	names   []rawSockaddr
	oob     []byte // len(msgs) * oobSize
	oobSize int
}

func newBatch(n, oobSize int) *mmsgBatch {
	return &mmsgBatch{
		msgs:    make([]unix.Mmsghdr, n),
		iovs:    make([]unix.Iovec, n),
		names:   make([]rawSockaddr, n),
		oob:     make([]byte, n*oobSize),
		oobSize: oobSize,
	}
}

// control returns the control buffer of message i.
func (b *mmsgBatch) control(i int) []byte {
	return b.oob[i*b.oobSize : (i+1)*b.oobSize]
}

// received returns the length and sender of message i after a
// recvmmsg(2) into the batch; ok is false for a message to drop, one the
// kernel truncated or one from a family other than AF_INET and AF_INET6.
func (b *mmsgBatch) received(i int) (size int, from netip.AddrPort, ok bool) {
	m := &b.msgs[i]
	from, ok = decodeSockaddr(&b.names[i])
	return int(m.Len), from, ok && m.Hdr.Flags&unix.MSG_TRUNC == 0
}

// setIov points iov at b (which may be empty).
func setIov(iov *unix.Iovec, b []byte) {
	iov.Base = unsafe.SliceData(b)
	iov.SetLen(len(b))
}

// clear drops the pointers into caller buffers so that the batch, which
// lives on in a pool, does not keep them alive.
func (b *mmsgBatch) clear(n int) {
	for i := range n {
		b.iovs[i] = unix.Iovec{}
	}
}

func recvmmsg(fd int, msgs []unix.Mmsghdr, flags int) (int, error) {
	return mmsg(unix.SYS_RECVMMSG, fd, msgs, flags)
}

func sendmmsg(fd int, msgs []unix.Mmsghdr, flags int) (int, error) {
	return mmsg(unix.SYS_SENDMMSG, fd, msgs, flags)
}

// mmsg makes the system call trap, recvmmsg or sendmmsg (which take the
// same arguments), restarting it when a signal interrupts it.
func mmsg(trap uintptr, fd int, msgs []unix.Mmsghdr, flags int) (int, error) {
	for {
		n, _, errno := unix.Syscall6(trap, uintptr(fd),
			uintptr(unsafe.Pointer(unsafe.SliceData(msgs))), uintptr(len(msgs)), uintptr(flags), 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0, errno
		}
		return int(n), nil
	}
}
