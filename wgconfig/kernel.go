package main

import (
	"bytes"
	"errors"

	"nbwg/internal/cli"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// propBufferLen is the reply buffer NetBSD's wgconfig offers to
// SIOCGDRVSPEC (PROP_BUFFER_LEN), where nbwg's starts.
const propBufferLen = 4096

// maxReplyBuffer is the largest reply buffer offered: the most the ioctl
// carrier takes.  Tests lower it.
var maxReplyBuffer = sys.MaxBuffer

// kernel returns the kernel to talk to; wgconfig never starts one (an
// interface must have been created first).
func (c *wgconfig) kernel() (cli.Kernel, error) {
	k, err := c.env.Kernel(false)
	if err != nil {
		// NetBSD's wgconfig opens its socket here.
		return nil, errc(err, "socket")
	}
	return k, nil
}

// ifdrv returns the struct ifdrv of a request on the interface; the name
// is truncated as strlcpy(3) into ifd_name would.
func (c *wgconfig) ifdrv(cmd uint64, n int) []byte {
	d := sys.Ifdrv{Cmd: cmd, Len: uint64(n)}
	copy(d.Name[:sys.IFNAMSIZ-1], c.iface)
	return d.Marshal()
}

// ioctlGet reads the interface's configuration (wgconfig.c: ioctl_get).
// It asks with nbwg's WG_IOCTL_NBWG_GET_MORE, to which nbwg's kernel
// answers a buffer too small with success, nothing copied out and the
// size needed in ifd_len (wg(4)): a show is two requests at most, 4096
// bytes and then the size needed (again only if the configuration grew
// in between).  NetBSD's kernel ignores the bit and refuses a buffer too
// small with EINVAL (nbwg's kernel without the bit: ENOMEM), without
// telling the size needed: then the buffer doubles until the reply fits
// or reaches the carrier's limit.
func (c *wgconfig) ioctlGet() (*prop.Dictionary, error) {
	k, err := c.kernel()
	if err != nil {
		return nil, err
	}
	told := 0 // times the kernel told the size it needs
	for size := propBufferLen; ; {
		buf := make([]byte, size)
		arg := c.ifdrv(sys.WG_IOCTL_NBWG_GET_MORE, size)
		// NetBSD's if_wg ignores ifd_cmd here; nbwg's kernel adds the
		// extensions' keys when asked.
		err := k.Ioctl(sys.SIOCGDRVSPEC, arg, buf)
		if err == nil {
			if need := replyLen(arg); need > uint64(size) {
				told++
				if told > maxSizeTold || need > uint64(maxReplyBuffer) {
					return nil, errc(sys.ENOMEM, "ioctl(SIOCGDRVSPEC)")
				}
				// A little more, for counters that grow meanwhile.
				size = int(min(need+need/64, uint64(maxReplyBuffer)))
				continue
			}
			// The reply may hold keys.  Past its NUL the buffer was
			// never written (the size told may be an upper bound),
			// and clearing it would only touch its pages.
			if i := bytes.IndexByte(buf, 0); i >= 0 {
				buf = buf[:i]
			}
			d, err := internalizeReply(buf)
			clear(buf)
			return d, err
		}
		retry := errors.Is(err, sys.EINVAL) || errors.Is(err, sys.ENOMEM)
		if !retry || size*2 > maxReplyBuffer {
			return nil, errc(err, "ioctl(SIOCGDRVSPEC)")
		}
		size *= 2
	}
}

// maxSizeTold bounds the requests of a show whose configuration keeps
// growing beyond the size the kernel told.
const maxSizeTold = 8

// replyLen is the ifd_len the kernel left in the structure.
func replyLen(arg []byte) uint64 {
	d, err := sys.UnmarshalIfdrv(arg)
	if err != nil {
		return 0
	}
	return d.Len
}

// internalizeReply parses the document the kernel copied out, its NUL
// already cut off.
func internalizeReply(buf []byte) (*prop.Dictionary, error) {
	d, err := prop.Internalize(buf)
	if err != nil {
		return nil, errx("prop_dictionary_internalize failed")
	}
	return d, nil
}

// ioctlSet sends a sub-command and its dictionary (wgconfig.c:
// ioctl_set): ifd_len is the document's length without a NUL.  The
// dictionary's data and the document are cleared afterwards, since they
// may carry keys.
func (c *wgconfig) ioctlSet(cmd uint64, d *prop.Dictionary) error {
	err := c.ioctlSetErrno(cmd, d)
	var errno sys.Errno
	if errors.As(err, &errno) {
		return errc(err, "ioctl(SIOCSDRVSPEC): cmd=%d", cmd)
	}
	return err
}

// ioctlSetErrno is ioctlSet with the kernel's refusal left as its errno.
func (c *wgconfig) ioctlSetErrno(cmd uint64, d *prop.Dictionary) error {
	defer prop.Wipe(d)
	xml, err := prop.Externalize(d)
	if err != nil {
		return errc(err, "prop_dictionary_externalize failed")
	}
	defer clear(xml)
	k, err := c.kernel()
	if err != nil {
		return err
	}
	if err := k.Ioctl(sys.SIOCSDRVSPEC, c.ifdrv(cmd, len(xml)), xml); err != nil {
		var errno sys.Errno
		if !errors.As(err, &errno) {
			return errc(err, "ioctl(SIOCSDRVSPEC): cmd=%d", cmd)
		}
		return errno
	}
	return nil
}
