//go:build linux

package netlink

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// LinkWatch follows one interface of one network namespace: its MTU as it
// changes, and its leaving (deleted, or moved to another namespace).  It
// is how nbwg-go learns what ip(8) does to its TUN device wherever the
// device is, as wireguard-go's netlink listener does in its own
// namespace.
type LinkWatch struct {
	fd    int
	index int32
	name  string
	buf   []byte
}

// LinkEvent is what happened to the watched interface.
type LinkEvent struct {
	MTU  int  // its MTU now (also in the first event, Watch's answer)
	Gone bool // it left the namespace: deleted, or moved elsewhere
}

// watchPoll bounds each wait of Next, so that its caller can stop.
const watchPoll = time.Second

// WatchLink starts watching the interface called name in the network
// namespace netns (an open namespace file, as tun.Where returns; nil for
// the caller's) and returns its MTU now.  A name that namespace has no
// interface of is an error wrapping unix.ENODEV.
func WatchLink(netns *os.File, name string) (*LinkWatch, int, error) {
	op := fmt.Sprintf("watch link %q", name)
	fd, err := socketIn(netns)
	if err != nil {
		return nil, 0, &Error{Op: op, Err: err}
	}
	w := &LinkWatch{fd: fd, name: name, buf: make([]byte, 1<<16)}
	// Subscribed before asking, so that no change falls between.
	tv := unix.NsecToTimeval(watchPoll.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		w.Close()
		return nil, 0, &Error{Op: op, Err: err}
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_LINK}); err != nil {
		w.Close()
		return nil, 0, &Error{Op: op, Err: fmt.Errorf("bind: %w", err)}
	}
	s := seq.Add(1)
	m := newBuilder(unix.RTM_GETLINK, unix.NLM_F_REQUEST, s)
	buildGetLink(m, name)
	if err := unix.Sendto(fd, m.bytes(), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		w.Close()
		return nil, 0, &Error{Op: op, Err: fmt.Errorf("send: %w", err)}
	}
	deadline := time.Now().Add(replyTimeout)
	for time.Now().Before(deadline) {
		msgs, err := w.receive()
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			w.Close()
			return nil, 0, &Error{Op: op, Err: err}
		}
		for _, msg := range msgs {
			switch {
			case msg.Type == unix.NLMSG_ERROR && msg.Seq == s:
				errno, text, err := ackError(msg)
				if err == nil && errno != 0 {
					w.Close()
					return nil, 0, &Error{Op: op, Msg: text, Err: errno}
				}
			case msg.Type == unix.RTM_NEWLINK && msg.Seq == s:
				index, _, attrs, err := parseIfInfo(msg.Data)
				if err != nil {
					w.Close()
					return nil, 0, &Error{Op: op, Err: err}
				}
				w.index = index
				return w, mtuOf(attrs), nil
			}
		}
	}
	w.Close()
	return nil, 0, &Error{Op: op, Err: fmt.Errorf("no reply within %v: %w", replyTimeout, unix.ETIMEDOUT)}
}

// Next waits up to about a second for a change of the interface and
// returns it; with none, it returns ok false.
func (w *LinkWatch) Next() (ev LinkEvent, ok bool, err error) {
	msgs, err := w.receive()
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
		return ev, false, nil
	}
	if errors.Is(err, unix.ENOBUFS) {
		// Events were lost: ask again, as if the link had changed.
		return w.refresh()
	}
	if err != nil {
		return ev, false, &Error{Op: "watch link " + w.name, Err: err}
	}
	for _, msg := range msgs {
		if msg.Type != unix.RTM_NEWLINK && msg.Type != unix.RTM_DELLINK {
			continue
		}
		index, _, attrs, err := parseIfInfo(msg.Data)
		if err != nil || index != w.index {
			continue
		}
		if msg.Type == unix.RTM_DELLINK {
			return LinkEvent{Gone: true}, true, nil
		}
		ev, ok = LinkEvent{MTU: mtuOf(attrs)}, true
	}
	return ev, ok, nil
}

// refresh asks for the link again after lost events.
func (w *LinkWatch) refresh() (LinkEvent, bool, error) {
	s := seq.Add(1)
	m := newBuilder(unix.RTM_GETLINK, unix.NLM_F_REQUEST, s)
	m.ifInfo(unix.AF_UNSPEC, w.index, 0, 0)
	if err := unix.Sendto(w.fd, m.bytes(), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return LinkEvent{}, false, &Error{Op: "watch link " + w.name, Err: err}
	}
	return LinkEvent{}, false, nil // the answer comes as an event
}

func (w *LinkWatch) receive() ([]message, error) {
	n, from, err := unix.Recvfrom(w.fd, w.buf, 0)
	if err != nil {
		return nil, err
	}
	if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
		return nil, nil // not from the kernel
	}
	return parseMessages(w.buf[:n])
}

// Close stops watching.
func (w *LinkWatch) Close() error { return unix.Close(w.fd) }

func mtuOf(attrs map[uint16][]byte) int {
	if b, ok := attrs[unix.IFLA_MTU]; ok && len(b) == 4 {
		return int(native.Uint32(b))
	}
	return 0
}

// socketIn opens a route netlink socket in the network namespace netns
// (the caller's for nil): a socket belongs to the namespace of the
// thread that makes it, so a throw-away locked thread goes there for the
// socket(2) and comes back; one that cannot come back is left locked, and
// dies with its goroutine.
func socketIn(netns *os.File) (int, error) {
	open := func() (int, error) {
		return unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	}
	if netns == nil {
		return open()
	}
	type result struct {
		fd  int
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{-1, err}
			return
		}
		defer self.Close()
		if err := unix.Setns(int(netns.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- result{-1, fmt.Errorf("setns: %w", err)}
			return
		}
		fd, err := open()
		if unix.Setns(int(self.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- result{fd, err}
	}()
	r := <-done
	return r.fd, r.err
}
