//go:build linux

package ioctl

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"nbwg/kernel/sys"
)

// SocketName is the abstract unix socket the emulated kernel of a network
// namespace listens on (the leading "@" is Go's spelling of the NUL that
// makes a name abstract).  NBWG_SOCKET overrides it, so tests can run a
// kernel of their own without a namespace.
func SocketName() string {
	if s := os.Getenv("NBWG_SOCKET"); s != "" {
		return s
	}
	return "@nbwg/kernel"
}

// Conn is a connection to the kernel of the caller's network namespace.
type Conn struct {
	c *net.UnixConn
}

// ErrNoKernel means no emulated kernel runs in this network namespace:
// there is then no wg interface either.
var ErrNoKernel = errors.New("no nbwg kernel runs in this network namespace")

// Open connects to the running kernel, or fails with ErrNoKernel.
func Open() (*Conn, error) {
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: SocketName(), Net: "unix"})
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
			return nil, ErrNoKernel
		}
		return nil, fmt.Errorf("connect to the nbwg kernel: %w", err)
	}
	return &Conn{c: c}, nil
}

// startTimeout bounds the wait for a freshly started kernel's socket.
const startTimeout = 10 * time.Second

// OpenOrStart connects to the kernel, starting it first if none runs: the
// first `ifconfig wgN create` in a namespace boots that namespace's
// kernel.  Two callers racing here may both start one; the loser cannot
// bind the socket and exits, and both connect to the winner.  Only the
// superuser starts a kernel (an unprivileged caller could not create TUN
// devices); others get ErrNoKernel.
func OpenOrStart() (*Conn, error) {
	c, err := Open()
	if !errors.Is(err, ErrNoKernel) || os.Geteuid() != 0 {
		return c, err
	}
	path, err := KernelPath()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the nbwg kernel %s: %w", path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(startTimeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		if c, err := Open(); !errors.Is(err, ErrNoKernel) {
			return c, err
		}
		select {
		case err := <-exited:
			// It lost a race to another kernel, or failed: one more
			// try tells which.
			if c, err2 := Open(); err2 == nil {
				return c, nil
			}
			return nil, fmt.Errorf("the nbwg kernel %s exited at start: %v", path, err)
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the nbwg kernel %s did not open its socket within %v", path, startTimeout)
		}
	}
}

// KernelPath finds the kernel binary: $NBWG_KERNEL, else nbwgd beside the
// running program, else nbwgd on $PATH.
func KernelPath() (string, error) {
	if p := os.Getenv("NBWG_KERNEL"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "nbwgd")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	p, err := exec.LookPath("nbwgd")
	if err != nil {
		return "", fmt.Errorf("cannot find the nbwg kernel (nbwgd): %w", err)
	}
	return p, nil
}

// Close ends the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Ioctl performs one request as ioctl(2) would: arg holds the structure
// (IOCPARM_LEN(cmd) bytes) and is updated in place with what the kernel
// left there; buf is the user buffer the structure points at, read by the
// kernel where the command copies in and overwritten with what it copies
// out.  A kernel refusal is a sys.Errno.
func (c *Conn) Ioctl(cmd uint32, arg []byte, buf []byte) error {
	if len(arg) != sys.IOCPARM_LEN(cmd) {
		return fmt.Errorf("ioctl %s: structure of %d bytes, command says %d", sys.IoctlName(cmd), len(arg), sys.IOCPARM_LEN(cmd))
	}
	req := &frame{word: cmd, arg: arg}
	if CopiesIn(cmd) {
		req.buf = buf
	}
	if err := writeFrame(c.c, req); err != nil {
		return fmt.Errorf("send to the nbwg kernel: %w", err)
	}
	rep, err := readFrame(c.c)
	if err != nil {
		return fmt.Errorf("read from the nbwg kernel: %w", err)
	}
	if rep.word != 0 {
		return sys.Errno(rep.word)
	}
	copy(arg, rep.arg)
	if len(rep.buf) > len(buf) {
		return sys.EFAULT
	}
	copy(buf, rep.buf)
	return nil
}
