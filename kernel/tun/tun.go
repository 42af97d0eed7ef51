// Package tun is the emulated kernel's layer-3 tunnel device: where the
// NetBSD if_wg hands decrypted packets to the network stack (if_wg.c
// wg_handle_msg_data) and takes packets to encrypt (wg_output), nbwg on
// Linux writes and reads a Linux TUN device.
//
// The interface is batch-shaped, as wireguard-go's tun.Device is: one call
// moves several packets, so that a device with offloads can turn one
// 64 KiB TCP superpacket from the Linux stack into many MTU-sized packets
// (Read) and merge many received TCP segments into one (Write).
//
// On Linux, [Create] opens /dev/net/tun, one packet per system call, and
// CreateWithOffload adds the offloads (IFF_VNET_HDR, TSO, USO, software
// GRO); on other systems Create returns an error wrapping
// errors.ErrUnsupported. Package tuntest has an in-memory
// Device for tests.
package tun

// Device is a layer-3 packet device. Packets are bare IPv4 or IPv6
// datagrams, without any link-layer or packet-information header.
//
// Read may be called from one goroutine while Write is called from another;
// concurrent calls to Read (or to Write) are serialised.
type Device interface {
	// Read waits for at least one packet and reads up to len(bufs) of them.
	// Packet i is copied to bufs[i][offset:] and its length stored in
	// sizes[i]; it returns the number of packets read. len(sizes) must be at
	// least len(bufs), and each bufs[i][offset:] should hold an MTU-sized
	// packet (plus headroom for what the caller adds after it); a packet
	// that does not fit gives an error wrapping io.ErrShortBuffer and is
	// dropped. offset leaves room in front of each packet for the WireGuard
	// data header, so the caller can encrypt in place.
	//
	// Read only writes to bufs[i][offset:offset+sizes[i]] for i < n and
	// does not retain bufs. After Close, and when the interface was deleted
	// underneath it, Read returns 0 and an error wrapping net.ErrClosed.
	// Any other error may be transient (one bad packet); the caller should
	// keep reading.
	Read(bufs [][]byte, sizes []int, offset int) (n int, err error)

	// Write writes each bufs[i][offset:] to the device as one packet. A
	// device with offloads may merge consecutive TCP segments of one flow
	// into a single superpacket for the Linux stack; that is invisible to
	// the caller. len(bufs) is not limited by BatchSize.
	//
	// Write neither modifies nor retains bufs. It returns the number of
	// packets the device accepted; a packet the kernel refuses does not stop
	// the others, and the errors are joined into err. After Close it returns
	// an error wrapping net.ErrClosed.
	Write(bufs [][]byte, offset int) (int, error)

	// BatchSize is the largest number of packets one Read can return, and so
	// the number of buffers a caller should offer it. It is also the
	// preferred number of packets per Write. It does not change over the
	// life of the Device.
	BatchSize() int

	// Name returns the interface name, for example "wg0".
	Name() string

	// Close closes the device and unblocks a pending Read or Write, which
	// then return net.ErrClosed. The Linux interface disappears with it.
	// Close may be called more than once; later calls return nil.
	Close() error
}
