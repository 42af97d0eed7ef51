//go:build linux

package tun

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// What wireguard-go-compatible programs need of a TUN device beyond
// reading and writing it: to hand its descriptor to a daemonized copy of
// themselves (WG_TUN_FD), to take one so handed, and to follow the device
// when it is moved to another network namespace (ip link set IFNAME
// netns N), where it keeps working under the same descriptor.

// FromFD makes a Device of an open TUN descriptor (WG_TUN_FD), as
// wireguard-go's CreateTUNFromFile does: the name and whether it has
// offloads (IFF_VNET_HDR) are asked of the kernel (TUNGETIFF), and a
// device with them gets the offloads again.  authenticated is as for
// CreateAuthenticated.  The Device owns fd from then on.
func FromFD(fd int, authenticated bool) (Device, error) {
	name, flags, err := getIff(fd)
	if err != nil {
		return nil, fmt.Errorf("tun: descriptor %d: %w", fd, err)
	}
	if flags&unix.IFF_TUN == 0 || flags&unix.IFF_NO_PI == 0 {
		return nil, fmt.Errorf("tun: descriptor %d: %s is not a TUN device without packet information (flags %#x): %w", fd, name, flags, unix.EINVAL)
	}
	var off *offload
	if flags&unix.IFF_VNET_HDR != 0 {
		if off, err = enableOffload(fd); err != nil {
			return nil, fmt.Errorf("tun: %s: %w", name, err)
		}
		off.gro.trustChecksums = authenticated
	}
	// Non-blocking before os.NewFile, so that the file goes into the
	// runtime poller.
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("tun: %s: set non-blocking: %w", name, err)
	}
	unix.CloseOnExec(fd)
	d := &linuxDevice{name: name, file: os.NewFile(uintptr(fd), cloneDevicePath), off: off}
	if d.rc, err = d.file.SyscallConn(); err != nil {
		return nil, fmt.Errorf("tun: %s: %w", name, err)
	}
	return d, nil
}

// getIff asks the kernel for the device's current name and flags.
func getIff(fd int) (string, uint16, error) {
	ifr, err := unix.NewIfreq("")
	if err != nil {
		return "", 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.TUNGETIFF, ifr); err != nil {
		return "", 0, fmt.Errorf("TUNGETIFF: %w", err)
	}
	return ifr.Name(), ifr.Uint16(), nil
}

// linux returns d's Linux device, or an error for another kind of
// Device (tuntest's).
func linux(d Device) (*linuxDevice, error) {
	ld, ok := d.(*linuxDevice)
	if !ok {
		return nil, fmt.Errorf("tun: %T is not a Linux TUN device: %w", d, unix.EINVAL)
	}
	return ld, nil
}

// File returns the device's descriptor, to be handed to another process
// (os.StartProcess dups it); it stays the Device's.
func File(d Device) (*os.File, error) {
	ld, err := linux(d)
	if err != nil {
		return nil, err
	}
	return ld.file, nil
}

// Where returns the device's current name and an open file of the
// network namespace it is in now (TUNGETDEVNETNS, Linux 5.2), which the
// caller closes.  Once the interface is deleted it fails with an error
// wrapping unix.EBADFD.
func Where(d Device) (name string, netns *os.File, err error) {
	ld, err := linux(d)
	if err != nil {
		return "", nil, err
	}
	rc := ld.rc
	var nsfd int
	var ierr error
	if cerr := rc.Control(func(fd uintptr) {
		name, _, ierr = getIff(int(fd))
		if ierr == nil {
			nsfd, ierr = unix.IoctlRetInt(int(fd), unix.TUNGETDEVNETNS)
		}
	}); cerr != nil {
		return "", nil, fmt.Errorf("tun: %s: %w", ld.name, cerr)
	}
	if ierr != nil {
		return "", nil, fmt.Errorf("tun: %s: where is it: %w", ld.name, ierr)
	}
	return name, os.NewFile(uintptr(nsfd), "netns"), nil
}
