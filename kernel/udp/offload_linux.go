//go:build linux

package udp

// UDP segmentation offload (udp(7), UDP_SEGMENT, Linux 4.18) and receive
// coalescing (UDP_GRO, Linux 5.0). With UDP_SEGMENT one sendmsg carries
// many equal-sized datagrams to one destination, given as iovecs, and the
// kernel cuts them apart as late as possible (in the NIC, or in
// validate_xmit_skb); with UDP_GRO the kernel hands up many datagrams of
// one flow as one buffer and says in a control message where to cut. Both
// cut the per-packet cost of the stack, as TSO/GRO do for the TUN.
//
// The functions here are pure: they plan the messages and encode or
// decode the control messages, so they are tested without sockets.

import (
	"encoding/binary"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	// maxGSOSegments is UDP_MAX_SEGMENTS of older kernels (64; 128 since
	// Linux 6.9); more in one message fails with EINVAL.
	maxGSOSegments = 64

	// Largest UDP payload in one message: the IPv4 total length or the
	// IPv6 payload length field bounds the whole of it.
	maxPayload4 = 65535 - 20 - 8
	maxPayload6 = 65535 - 8

	// gsoCmsgSpace is the room for one UDP_SEGMENT control message (a
	// u16) and groCmsgSpace for one UDP_GRO message (an int).
	gsoCmsgSpace = 24 // unix.CmsgSpace(2) on 64-bit; checked in tests
	groCmsgSpace = 24 // unix.CmsgSpace(4)

	// groBufSize holds the largest coalesced receive (64 KiB of UDP
	// payload), and groBuffers how many are read per recvmmsg.
	groBufSize = 1 << 16
	groBuffers = 8
)

// run is a stretch bufs[start:end] of datagrams sent as one message: all
// of length gsoSize except perhaps a shorter last one.
type run struct {
	start, end int
	gsoSize    int
}

// planRuns groups datagrams for UDP_SEGMENT, appending to runs: a run
// grows while the next datagram is no longer than the first, stops after a
// shorter one (only the last may be short), and respects the kernel's
// limits on segments and total size. Empty datagrams are sent alone.
func planRuns(runs []run, bufs [][]byte, maxPayload int) []run {
	for i := 0; i < len(bufs); {
		r := run{start: i, end: i + 1, gsoSize: len(bufs[i])}
		total := len(bufs[i])
		for r.gsoSize > 0 && r.end < len(bufs) && r.end-r.start < maxGSOSegments {
			n := len(bufs[r.end])
			if n == 0 || n > r.gsoSize || total+n > maxPayload || len(bufs[r.end-1]) < r.gsoSize {
				break
			}
			total += n
			r.end++
		}
		runs = append(runs, r)
		i = r.end
	}
	return runs
}

// putSegmentCmsg writes a UDP_SEGMENT control message carrying gsoSize
// into b, which must be gsoCmsgSpace long, and returns its length.
func putSegmentCmsg(b []byte, gsoSize int) int {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level = unix.SOL_UDP
	h.Type = unix.UDP_SEGMENT
	h.SetLen(unix.CmsgLen(2))
	binary.NativeEndian.PutUint16(b[unix.CmsgLen(0):], uint16(gsoSize))
	return unix.CmsgSpace(2)
}

// groSize finds the UDP_GRO control message in oob and returns the
// segment size it carries, or 0 when the datagram was not coalesced.
func groSize(oob []byte) int {
	for len(oob) >= unix.SizeofCmsghdr {
		h, data, rest, err := unix.ParseOneSocketControlMessage(oob)
		if err != nil {
			return 0
		}
		if h.Level == unix.SOL_UDP && h.Type == unix.UDP_GRO {
			// udp_cmsg_recv puts an int; accept a u16 as well.
			switch {
			case len(data) >= 4:
				return int(binary.NativeEndian.Uint32(data))
			case len(data) >= 2:
				return int(binary.NativeEndian.Uint16(data))
			}
		}
		oob = rest
	}
	return 0
}

// rxMsg is one received message that may hold several datagrams.
type rxMsg struct {
	data    []byte // the bytes received
	gsoSize int    // 0: one datagram
	from    netip.AddrPort
}

// rxQueue hands out the datagrams of received messages, keeping what does
// not fit the caller's buffers for the next call.
type rxQueue struct {
	msgs []rxMsg
	next int // index of the first message not fully delivered
	off  int // offset of the next datagram in msgs[next].data
}

func (q *rxQueue) empty() bool { return q.next >= len(q.msgs) }

// deliver hands out datagrams without copying them: bufs[i] becomes a
// slice of the received message that holds datagram i (ReceiveFunc
// allows this; the message's buffer is not received into again before
// the next call), sizes[i] its length and eps[i] its sender.  It returns
// how many.
func (q *rxQueue) deliver(bufs [][]byte, sizes []int, eps []netip.AddrPort) int {
	n := 0
	for n < len(bufs) && !q.empty() {
		m := &q.msgs[q.next]
		end := len(m.data)
		if m.gsoSize > 0 {
			end = min(q.off+m.gsoSize, len(m.data))
		}
		d := m.data[q.off:end:end]
		bufs[n], sizes[n], eps[n] = d, len(d), m.from
		n++
		q.off = end
		if q.off >= len(m.data) {
			q.next++
			q.off = 0
		}
	}
	return n
}
