//go:build linux

package ioctl

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"nbwg/kernel/sys"
)

// Conn is a connection to the kernel of the caller's network namespace,
// whose identity was checked before anything was sent.
type Conn struct {
	c      *net.UnixConn
	r      *frameReader // reads c
	addr   address
	kernel sys.Cred // the kernel's credentials
}

// ErrNoKernel means no emulated kernel runs in this network namespace:
// there is then no wg interface either.
var ErrNoKernel = errors.New("no nbwg kernel runs in this network namespace")

// DefaultTimeout bounds each request: connecting, sending and reading
// the reply.  NBWG_TIMEOUT (seconds) overrides it.
const DefaultTimeout = 10 * time.Second

// Timeout is the deadline of a request: NBWG_TIMEOUT seconds, else
// DefaultTimeout.
func Timeout() time.Duration {
	if s := os.Getenv("NBWG_TIMEOUT"); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 1e6 {
			return time.Duration(f * float64(time.Second))
		}
	}
	return DefaultTimeout
}

// TimeoutError reports a kernel that did not answer in time: it is hung
// or stopped.
type TimeoutError struct {
	Kernel string // "the nbwg kernel (pid N, log PATH)"
	After  time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s did not answer within %v (NBWG_TIMEOUT sets the limit)", e.Kernel, e.After)
}

func (e *TimeoutError) Timeout() bool { return true }

// Open connects to the running kernel, or fails with ErrNoKernel.  It
// refuses, with a *SquatError, an address that someone other than nbwg's
// kernel holds.
func Open() (*Conn, error) {
	a, err := kernelAddress()
	if err != nil {
		return nil, err
	}
	return dial(a, time.Now().Add(Timeout()))
}

func dial(a address, deadline time.Time) (*Conn, error) {
	if !a.override() {
		exists, err := a.checkDirs()
		if err != nil {
			return nil, err
		}
		if !exists {
			return nil, ErrNoKernel
		}
	}
	var c *net.UnixConn
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		d := net.Dialer{Deadline: deadline}
		conn, err := d.Dial("unix", a.sock)
		if err == nil {
			c = conn.(*net.UnixConn)
			break
		}
		switch {
		case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENOENT):
			// A kernel that is halting has stopped listening but
			// runs until it has served what reached it, and may
			// resume: until it has decided, the namespace's
			// interfaces are not known to be gone.
			if a.inTransition() && time.Now().Before(deadline) {
				time.Sleep(delay)
				continue
			}
			return nil, ErrNoKernel
		case errors.Is(err, syscall.EAGAIN) && time.Now().Before(deadline):
			// The kernel's backlog is full: it is busy accepting.
			time.Sleep(delay)
			continue
		case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, syscall.EAGAIN):
			return nil, &TimeoutError{Kernel: describe(a.dir, 0), After: Timeout()}
		}
		return nil, fmt.Errorf("connect to the nbwg kernel at %s: %w", a, err)
	}
	cred, err := peerCred(c)
	if err == nil {
		err = a.trusted(cred)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return &Conn{c: c, r: newFrameReader(c), addr: a, kernel: cred}, nil
}

// inTransition reports whether a kernel runs in the namespace without
// listening: it is halting (or has just started).  Its record is there
// and its process alive; a clean halt removes the record before the
// process ends.
func (a address) inTransition() bool {
	if a.override() {
		return false
	}
	info, ok := readInfo(filepath.Join(a.dir, infoName))
	return ok && alive(info.PID)
}

// Kernel describes the kernel for messages: its pid and log.
func (c *Conn) Kernel() string { return describe(c.addr.dir, c.kernel.PID) }

// Close ends the connection.
func (c *Conn) Close() error {
	c.r.wipe()
	return c.c.Close()
}

// Ioctl performs one request as ioctl(2) would: arg holds the structure
// (IOCPARM_LEN(cmd) bytes) and is updated in place with what the kernel
// left there; buf is the user buffer the structure points at, read by the
// kernel where the command copies in and overwritten with what it copies
// out.  A kernel refusal is a sys.Errno; a kernel that does not answer
// within Timeout is a *TimeoutError.
func (c *Conn) Ioctl(cmd uint32, arg []byte, buf []byte) error {
	if len(arg) != sys.IOCPARM_LEN(cmd) {
		return fmt.Errorf("ioctl %s: structure of %d bytes, command says %d", sys.IoctlName(cmd), len(arg), sys.IOCPARM_LEN(cmd))
	}
	if len(buf) > sys.MaxBuffer {
		return sys.ENOMEM
	}
	timeout := Timeout()
	c.c.SetDeadline(time.Now().Add(timeout))
	defer c.c.SetDeadline(time.Time{})
	var in []byte
	if sys.CopiesIn(cmd) {
		in = buf
	}
	if err := writeFrame(c.c, cmd, arg, in); err != nil {
		return c.failed("send to", err, timeout)
	}
	h, err := readHeader(c.r)
	if err != nil {
		return c.failed("read from", err, timeout)
	}
	if int(h.argLen) > len(arg) {
		return fmt.Errorf("read from %s: reply structure of %d bytes for one of %d", c.Kernel(), h.argLen, len(arg))
	}
	if _, err := io.ReadFull(c.r, arg[:h.argLen]); err != nil {
		return c.failed("read from", err, timeout)
	}
	if int(h.bufLen) > len(buf) {
		// More than the buffer holds: copyout(9) faults.
		if err := discard(c.r, int64(h.bufLen)); err != nil {
			return c.failed("read from", err, timeout)
		}
		return sys.EFAULT
	}
	if _, err := io.ReadFull(c.r, buf[:h.bufLen]); err != nil {
		return c.failed("read from", err, timeout)
	}
	if h.word != 0 {
		return sys.Errno(h.word)
	}
	return nil
}

func (c *Conn) failed(op string, err error, timeout time.Duration) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &TimeoutError{Kernel: c.Kernel(), After: timeout}
	}
	return fmt.Errorf("%s %s: %w", op, c.Kernel(), err)
}
