//go:build linux

package tun

// The Linux TUN with offloads: IFF_VNET_HDR puts a virtio_net_hdr before
// every packet, and TUNSETOFFLOAD tells the kernel which offloads the
// reader handles, so the Linux stack may send TCP (and UDP, with USO)
// superpackets of up to 64 KiB and packets with checksums still to do.
// Read segments them (gso_linux.go); Write merges TCP segments
// (gro_linux.go). This is what makes wireguard-go fast: one system call
// and one pass through the Linux stack per 64 KiB instead of per packet.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	// offloadBatchSize is BatchSize with offloads: a 64 KiB superpacket at
	// a small MSS may have many segments.
	offloadBatchSize = 128

	// tcpOffloads are required with IFF_VNET_HDR (present since Linux
	// 2.6); udpOffloads (USO, Linux 6.2) are used when the kernel has them.
	tcpOffloads = unix.TUN_F_CSUM | unix.TUN_F_TSO4 | unix.TUN_F_TSO6
	udpOffloads = unix.TUN_F_USO4 | unix.TUN_F_USO6
)

// CreateWithOffload is Create with offloads: the device is opened with
// IFF_VNET_HDR and TUNSETOFFLOAD (TSO4, TSO6 and checksum offload, plus
// USO4/USO6 when the kernel supports them), Read splits the Linux stack's
// superpackets into MTU-sized packets with correct checksums, and Write
// merges consecutive TCP segments of a flow into superpackets. BatchSize is
// 128. A kernel that refuses TCP offloads makes it fail; the caller can
// fall back to Create.
func CreateWithOffload(name string, mtu int) (Device, error) {
	return create(name, mtu, true)
}

// CreateAuthenticated is CreateWithOffload for a caller whose packets
// were authenticated end to end before they are written, as WireGuard's
// are: Write then merges TCP segments without verifying their checksums
// first, as the Linux driver hands decrypted packets to the stack marked
// CHECKSUM_UNNECESSARY.  A bad checksum could only have been put there by
// the authenticated peer itself.
func CreateAuthenticated(name string, mtu int) (Device, error) {
	d, err := create(name, mtu, true)
	if err == nil {
		d.(*linuxDevice).off.gro.trustChecksums = true
	}
	return d, err
}

// offload is the state of a device opened with IFF_VNET_HDR.
type offload struct {
	uso bool // the kernel accepted TUN_F_USO4|TUN_F_USO6

	readMu sync.Mutex // guards rbuf, seg
	rbuf   []byte
	seg    segmenter

	writeMu sync.Mutex // guards gro, iovs
	gro     groTable
	iovs    []unix.Iovec

	stats offloadStats
}

// offloadStats count what the offloads did, for tests and benchmarks.
type offloadStats struct {
	superpackets atomic.Uint64 // GSO packets read
	segments     atomic.Uint64 // packets made from them
	groups       atomic.Uint64 // merged packets written
	merged       atomic.Uint64 // packets in them
}

// enableOffload runs TUNSETOFFLOAD on the freshly created TUN fd.
func enableOffload(fd int) (*offload, error) {
	o := &offload{rbuf: make([]byte, virtioNetHdrLen+maxIPPacket)}
	if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, tcpOffloads|udpOffloads); err == nil {
		o.uso = true
		o.gro.udp = true
	} else if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, tcpOffloads); err != nil {
		return nil, fmt.Errorf("TUNSETOFFLOAD: %w", err)
	}
	return o, nil
}

// readOffload fills bufs with what the TUN holds: it waits for the first
// packet only, then keeps reading without waiting until bufs are full or
// the TUN is empty, so that a stream of small packets (which the kernel
// cannot hand over as superpackets) still goes on as one batch, one
// sendmmsg with UDP GSO, instead of one system call each way per packet.
// An error after the first packet ends the batch early and drops the
// packet it was about (a closed device then fails the next call).
func (d *linuxDevice) readOffload(bufs [][]byte, sizes []int, offset int) (int, error) {
	o := d.off
	o.readMu.Lock()
	defer o.readMu.Unlock()
	n := 0
	for n < len(bufs) {
		if o.seg.pending() {
			k, err := o.seg.take(bufs[n:], sizes[n:], offset)
			if err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, fmt.Errorf("tun: read %s: %w", d.name, err)
			}
			o.stats.segments.Add(uint64(k))
			n += k
			continue
		}
		m, err := d.readPacket(o.rbuf, n == 0)
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if m < 0 {
			break // nothing more without waiting
		}
		single, err := o.seg.load(o.rbuf[:m])
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, fmt.Errorf("tun: read %s: %w", d.name, err)
		}
		if single == nil {
			o.stats.superpackets.Add(1)
			continue
		}
		dst := bufs[n][offset:]
		if len(single) > len(dst) {
			if n > 0 {
				return n, nil
			}
			return 0, fmt.Errorf("tun: read %s: %d-byte packet in %d bytes: %w", d.name, len(single), len(dst), io.ErrShortBuffer)
		}
		sizes[n] = copy(dst, single)
		n++
	}
	return n, nil
}

// readPacket reads one packet into buf, waiting for it in the runtime
// poller when wait is set; without wait it returns -1 when none is
// there.
func (d *linuxDevice) readPacket(buf []byte, wait bool) (int, error) {
	if wait {
		n, err := d.file.Read(buf)
		if err != nil {
			return 0, d.ioError("read", err)
		}
		return n, nil
	}
	var (
		n    int
		rerr error
	)
	err := d.rc.Read(func(fd uintptr) bool {
		n, rerr = unix.Read(int(fd), buf)
		return true // never wait
	})
	switch {
	case err != nil:
		return 0, d.ioError("read", err)
	case rerr == unix.EAGAIN:
		return -1, nil
	case rerr != nil:
		return 0, d.ioError("read", rerr)
	}
	return n, nil
}

func (d *linuxDevice) writeOffload(bufs [][]byte, offset int) (int, error) {
	o := d.off
	o.writeMu.Lock()
	defer o.writeMu.Unlock()
	var (
		written int
		errs    []error
	)
	items := o.gro.plan(bufs, offset)
	for k := range items {
		it := &items[k]
		if it.bad {
			errs = append(errs, fmt.Errorf("tun: write packet %d: offset %d of %d bytes: %w", it.head, offset, len(bufs[it.head]), io.ErrShortBuffer))
			continue
		}
		if err := d.writev(o.gro.itemViews(it, bufs, offset)); err != nil {
			switch {
			case errors.Is(err, net.ErrClosed):
				return written, err
			case it.count > 1:
				// The kernel refused the merged packet; its members may
				// still be fine one by one.
				o.gro.members(it, func(i int) {
					single := groItem{head: i, tail: i, count: 1}
					if err := d.writev(o.gro.itemViews(&single, bufs, offset)); err != nil {
						errs = append(errs, fmt.Errorf("packet %d: %w", i, err))
					} else {
						written++
					}
				})
			default:
				errs = append(errs, fmt.Errorf("packet %d: %w", it.head, err))
			}
			continue
		}
		written += it.count
		if it.count > 1 {
			o.stats.groups.Add(1)
			o.stats.merged.Add(uint64(it.count))
		}
	}
	return written, errors.Join(errs...)
}

// writev writes views as one packet, waiting in the runtime poller if the
// TUN's queue is full.
func (d *linuxDevice) writev(views [][]byte) error {
	o := d.off
	o.iovs = o.iovs[:0]
	for _, v := range views {
		if len(v) > 0 {
			o.iovs = append(o.iovs, unix.Iovec{Base: unsafe.SliceData(v)})
			o.iovs[len(o.iovs)-1].SetLen(len(v))
		}
	}
	var werr error
	err := d.rc.Write(func(fd uintptr) bool {
		for {
			_, _, errno := unix.Syscall(unix.SYS_WRITEV, fd,
				uintptr(unsafe.Pointer(unsafe.SliceData(o.iovs))), uintptr(len(o.iovs)))
			switch errno {
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false
			case 0:
				werr = nil
			default:
				werr = errno
			}
			return true
		}
	})
	clear(o.iovs) // do not keep the caller's buffers reachable
	if err != nil {
		return d.ioError("write", err)
	}
	if werr != nil {
		return d.ioError("write", werr)
	}
	return nil
}
