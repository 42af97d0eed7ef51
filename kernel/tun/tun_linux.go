//go:build linux

package tun

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"nbwg/kernel/netlink"
)

const cloneDevicePath = "/dev/net/tun"

// Create creates the TUN interface called exactly name (IFF_TUN|IFF_NO_PI)
// in the network namespace of the calling OS thread and, when mtu > 0, sets
// its MTU. The interface is left down and without addresses; it exists as
// long as the Device is open. The device reads and writes one packet per
// system call (BatchSize 1); see CreateWithOffload for the fast path.
//
// A name with a '%' (a kernel name template) or of IFNAMSIZ bytes or more is
// refused with an error wrapping unix.EINVAL; a name already used by another
// kind of interface gives the kernel's error (unix.EBUSY or unix.EINVAL).
func Create(name string, mtu int) (Device, error) {
	return create(name, mtu, false)
}

// linuxDevice is a Device on a Linux TUN file descriptor. The descriptor is
// non-blocking and registered with the Go runtime poller (os.NewFile), so a
// blocked Read parks only its goroutine and Close wakes it.
type linuxDevice struct {
	name string
	file *os.File
	rc   syscall.RawConn // of file, for writev
	off  *offload        // nil without IFF_VNET_HDR

	closed    atomic.Bool // set before the file is closed
	closeOnce sync.Once
	closeErr  error
}

func create(name string, mtu int, withOffload bool) (Device, error) {
	if name == "" || len(name) >= unix.IFNAMSIZ || strings.ContainsRune(name, '%') {
		return nil, fmt.Errorf("tun: create %q: invalid interface name: %w", name, unix.EINVAL)
	}
	fd, err := unix.Open(cloneDevicePath, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("tun: create %q: open %s: %w", name, cloneDevicePath, err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("tun: create %q: %w", name, err)
	}
	flags := uint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if withOffload {
		flags |= unix.IFF_VNET_HDR
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("tun: create %q: TUNSETIFF: %w", name, err)
	}
	if got := ifr.Name(); got != name {
		// Cannot happen without '%', but a silent rename would be worse.
		unix.Close(fd)
		return nil, fmt.Errorf("tun: create %q: kernel named it %q: %w", name, got, unix.EINVAL)
	}
	var off *offload
	if withOffload {
		if off, err = enableOffload(fd); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("tun: create %q: %w", name, err)
		}
	}
	// Non-blocking before os.NewFile, so that the file is put in the
	// runtime poller instead of blocking a thread in read(2).
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("tun: create %q: set non-blocking: %w", name, err)
	}
	d := &linuxDevice{name: name, file: os.NewFile(uintptr(fd), cloneDevicePath), off: off}
	if d.rc, err = d.file.SyscallConn(); err != nil {
		d.Close()
		return nil, fmt.Errorf("tun: create %q: %w", name, err)
	}
	if mtu > 0 {
		if err := netlink.SetMTU(name, mtu); err != nil {
			d.Close()
			return nil, fmt.Errorf("tun: create %q: %w", name, err)
		}
	}
	return d, nil
}

func (d *linuxDevice) Name() string { return d.name }

func (d *linuxDevice) BatchSize() int {
	if d.off != nil {
		return offloadBatchSize
	}
	return 1
}

func (d *linuxDevice) Read(bufs [][]byte, sizes []int, offset int) (int, error) {
	if err := checkReadArgs(bufs, sizes, offset); err != nil {
		return 0, err
	}
	if d.off != nil {
		return d.readOffload(bufs, sizes, offset)
	}
	dst := bufs[0][offset:]
	n, err := d.file.Read(dst)
	if err != nil {
		return 0, d.ioError("read", err)
	}
	if n > len(dst) {
		// tun_put_user reports the whole length even when it truncated.
		return 0, fmt.Errorf("tun: read %s: %d-byte packet in %d bytes: %w", d.name, n, len(dst), io.ErrShortBuffer)
	}
	sizes[0] = n
	return 1, nil
}

func (d *linuxDevice) Write(bufs [][]byte, offset int) (int, error) {
	if d.off != nil {
		return d.writeOffload(bufs, offset)
	}
	var (
		written int
		errs    []error
	)
	for i, b := range bufs {
		if offset < 0 || offset > len(b) {
			errs = append(errs, fmt.Errorf("tun: write packet %d: offset %d of %d bytes: %w", i, offset, len(b), io.ErrShortBuffer))
			continue
		}
		if _, err := d.file.Write(b[offset:]); err != nil {
			err = d.ioError("write", err)
			if errors.Is(err, net.ErrClosed) {
				return written, err
			}
			errs = append(errs, fmt.Errorf("packet %d: %w", i, err))
			continue
		}
		written++
	}
	return written, errors.Join(errs...)
}

func (d *linuxDevice) Close() error {
	d.closeOnce.Do(func() {
		d.closed.Store(true)
		if err := d.file.Close(); err != nil {
			d.closeErr = fmt.Errorf("tun: close %s: %w", d.name, err)
		}
	})
	return d.closeErr
}

// ioError names the failed operation and maps the ways a TUN file ends to
// net.ErrClosed: our own Close (os.ErrClosed from the os.File, or any
// poller error on the raw connection once closed is set) and EBADFD, which
// the kernel returns once the interface was deleted under an open file
// (drivers/net/tun.c, tun_get: no tun_struct attached).
//
// The deletion may also first show as an error of the runtime poller
// (EPOLLERR on the descriptor makes the next Read fail with "not
// pollable" before any read(2)), so any other error is checked by asking
// the device whether it is still there.
func (d *linuxDevice) ioError(op string, err error) error {
	if d.closed.Load() || errors.Is(err, os.ErrClosed) || errors.Is(err, unix.EBADFD) || d.deleted() {
		return fmt.Errorf("tun: %s %s: %w", op, d.name, net.ErrClosed)
	}
	return fmt.Errorf("tun: %s %s: %w", op, d.name, err)
}

// deleted reports whether the device's interface is gone (TUNGETIFF says
// EBADFD once it is detached).
func (d *linuxDevice) deleted() bool {
	var ierr error
	if cerr := d.rc.Control(func(fd uintptr) { _, _, ierr = getIff(int(fd)) }); cerr != nil {
		return false
	}
	return errors.Is(ierr, unix.EBADFD)
}

// checkReadArgs rejects arguments that break the Read contract, so misuse
// is an error instead of a panic.
func checkReadArgs(bufs [][]byte, sizes []int, offset int) error {
	switch {
	case len(bufs) == 0:
		return fmt.Errorf("tun: read: no buffers: %w", io.ErrShortBuffer)
	case len(sizes) < len(bufs):
		return fmt.Errorf("tun: read: %d sizes for %d buffers: %w", len(sizes), len(bufs), io.ErrShortBuffer)
	case offset < 0 || offset >= len(bufs[0]):
		return fmt.Errorf("tun: read: offset %d of %d-byte buffer: %w", offset, len(bufs[0]), io.ErrShortBuffer)
	}
	return nil
}
