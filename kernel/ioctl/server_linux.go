//go:build linux

package ioctl

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"nbwg/kernel/sys"
)

// Handler is the kernel's side of the carrier: it performs one request
// for a caller, updating arg in place as the kernel would the copied-in
// structure, and returns the bytes to copy out to the user buffer.  in is
// the user buffer's contents for commands that copy in, else nil.  An
// error is reduced to its NetBSD errno (sys.ErrnoOf).
type Handler interface {
	Ioctl(cred Cred, cmd uint32, arg []byte, in []byte) (out []byte, err error)
}

// Listen binds the kernel's socket in the caller's network namespace.
// It fails with EADDRINUSE when another kernel already runs there.
func Listen() (*net.UnixListener, error) {
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: SocketName(), Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", SocketName(), err)
	}
	return l, nil
}

// Serve answers requests on l until it is closed, one goroutine per
// connection; each connection may carry any number of requests.
func Serve(l *net.UnixListener, h Handler) error {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		go serveConn(c, h)
	}
}

func serveConn(c *net.UnixConn, h Handler) {
	defer c.Close()
	cred, err := peerCred(c)
	if err != nil {
		return
	}
	for {
		req, err := readFrame(c)
		if err != nil {
			return
		}
		rep := handle(h, cred, req)
		if err := writeFrame(c, rep); err != nil {
			return
		}
	}
}

func handle(h Handler, cred Cred, req *frame) *frame {
	if len(req.arg) != sys.IOCPARM_LEN(req.word) {
		return &frame{word: uint32(sys.EINVAL)}
	}
	in := req.buf
	if !CopiesIn(req.word) {
		in = nil
	}
	if len(in) > MaxBuffer {
		return &frame{word: uint32(sys.ENOMEM)}
	}
	out, err := h.Ioctl(cred, req.word, req.arg, in)
	if err != nil {
		return &frame{word: uint32(sys.ErrnoOf(err, sys.EIO))}
	}
	return &frame{arg: req.arg, buf: out}
}

// peerCred reads the caller's credentials, fixed when it connected.
func peerCred(c *net.UnixConn) (Cred, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return Cred{}, err
	}
	var ucred *syscall.Ucred
	var serr error
	err = raw.Control(func(fd uintptr) {
		ucred, serr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return Cred{}, fmt.Errorf("SO_PEERCRED: %w", err)
	}
	return Cred{UID: ucred.Uid, GID: ucred.Gid, PID: ucred.Pid}, nil
}
