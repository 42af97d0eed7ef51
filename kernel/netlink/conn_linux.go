//go:build linux

package netlink

import (
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// replyTimeout bounds every wait for the kernel. rtnetlink answers at once;
// the bound only keeps a wedged kernel from hanging the daemon forever.
const replyTimeout = 10 * time.Second

// seq numbers requests so that stale replies are recognised and skipped.
var seq atomic.Uint32

// request sends one message built by build and collects the kernel's answer:
// every non-control message up to the terminating ACK (NLMSG_ERROR with
// error 0) or, for dumps, NLMSG_DONE. A negative error in the ACK becomes an
// *Error for op.
func request(op string, typ, flags uint16, build func(*builder)) ([]message, error) {
	fail := func(err error) ([]message, error) { return nil, &Error{Op: op, Err: err} }

	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fail(fmt.Errorf("socket: %w", err))
	}
	defer unix.Close(fd)
	// Extended ACKs give a reason with the errno ("prefix length is too
	// big"); old kernels refuse the option, which only costs the text.
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	tv := unix.NsecToTimeval(replyTimeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return fail(fmt.Errorf("set receive timeout: %w", err))
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fail(fmt.Errorf("bind: %w", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fail(fmt.Errorf("getsockname: %w", err))
	}
	var portID uint32
	if nl, ok := sa.(*unix.SockaddrNetlink); ok {
		portID = nl.Pid
	}

	s := seq.Add(1)
	m := newBuilder(typ, flags|unix.NLM_F_REQUEST|unix.NLM_F_ACK, s)
	build(m)
	if err := unix.Sendto(fd, m.bytes(), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fail(fmt.Errorf("send: %w", err))
	}

	var out []message
	buf := make([]byte, 1<<16)
	for {
		n, from, err := unix.Recvfrom(fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			return fail(fmt.Errorf("no reply within %v: %w", replyTimeout, unix.ETIMEDOUT))
		}
		if err != nil {
			return fail(fmt.Errorf("receive: %w", err))
		}
		if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
			continue // not from the kernel
		}
		msgs, err := parseMessages(buf[:n])
		if err != nil {
			return fail(err)
		}
		for _, msg := range msgs {
			if msg.Seq != s || (msg.Pid != portID && msg.Pid != 0) {
				continue
			}
			switch msg.Type {
			case unix.NLMSG_ERROR:
				errno, text, err := ackError(msg)
				if err != nil {
					return fail(err)
				}
				if errno != 0 {
					return nil, &Error{Op: op, Msg: text, Err: errno}
				}
				return out, nil
			case unix.NLMSG_DONE:
				// A dump that failed half-way reports the error here.
				if len(msg.Data) >= 4 {
					if code := int32(native.Uint32(msg.Data)); code < 0 {
						return nil, &Error{Op: op, Err: unix.Errno(-code)}
					}
				}
				return out, nil
			case unix.NLMSG_NOOP:
			default:
				// Copy: buf is reused by the next receive.
				msg.Data = append([]byte(nil), msg.Data...)
				out = append(out, msg)
			}
		}
	}
}
