package uapi

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/sys"
	"nbwg/kernel/wg"
)

// Device is what a Server configures: a wg interface's snapshot and set
// operation.
type Device interface {
	Config() (*wg.Config, error)
	Apply(c *wg.Change) error
}

// NetDevice is the wg interface called Name in an emulated kernel's
// interface table.  Its requests go through ifnet's lock, as the ioctls
// do, so the two doors never interleave.
type NetDevice struct {
	Net  *ifnet.Net
	Name string
}

func (d NetDevice) wg(f func(dev *wg.Device) error) error {
	return d.Net.Do(d.Name, func(ifp *ifnet.Interface) error {
		dev, ok := ifp.Driver().(*wg.Device)
		if !ok {
			return sys.ENODEV
		}
		return f(dev)
	})
}

// Config returns the interface's configuration.
func (d NetDevice) Config() (*wg.Config, error) {
	var c *wg.Config
	err := d.wg(func(dev *wg.Device) error { c = dev.Config(); return nil })
	return c, err
}

// Apply applies a set operation to the interface.
func (d NetDevice) Apply(c *wg.Change) error {
	return d.wg(func(dev *wg.Device) error { return dev.Apply(c) })
}

// Timeouts of a connection: how long a client may take to send an
// operation (and how long an idle connection stays), and to take a
// reply.  wg(8) sends at once and reads at once.
const (
	readTimeout  = 30 * time.Second
	writeTimeout = 30 * time.Second
)

// maxConns bounds the connections a Server serves at once; more are
// closed at once (wg(8) makes one per operation).
const maxConns = 64

// Server serves the protocol for one Device on a listener.
type Server struct {
	Device Device
	// Authorize, if set, vets a new connection.  A refused client's
	// operations are answered with the errno returned and nothing else.
	Authorize func(c *net.UnixConn) syscall.Errno
	// Logf, if set, logs what went wrong with a client.
	Logf func(format string, args ...any)

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Serve accepts connections on l until it is closed, serving each on a
// goroutine of its own.  It returns the error that ended Accept.
func (s *Server) Serve(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		if !s.track(c) {
			c.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.serveConn(c)
		}()
	}
}

// Close closes the connections being served (the listener is the
// caller's) and waits for their goroutines unless wait is false: a
// caller that holds the lock a handler may be waiting for (ifnet's, while
// an interface is destroyed) must not wait.
func (s *Server) Close(wait bool) {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if wait {
		s.wg.Wait()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || len(s.conns) >= maxConns {
		s.logf("uapi: refusing a connection: %d being served", len(s.conns))
		return false
	}
	if s.conns == nil {
		s.conns = make(map[net.Conn]struct{})
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// serveConn answers one client's operations until it hangs up.
func (s *Server) serveConn(c net.Conn) {
	var refused syscall.Errno
	if uc, ok := c.(*net.UnixConn); ok && s.Authorize != nil {
		refused = s.Authorize(uc)
	}
	lr := NewLineReader(c)
	defer lr.Wipe()
	lw := newLineWriter(deadlineWriter{c})
	defer lw.wipe()
	for {
		c.SetReadDeadline(time.Now().Add(readTimeout))
		op, err := lr.ReadLine()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.logf("uapi: %v", err)
			}
			return
		}
		var opErr error
		switch string(op) {
		case "get=1":
			blank, err := lr.ReadLine()
			switch {
			case err != nil:
				return
			case len(blank) != 0:
				opErr = errorf(syscall.EINVAL, "get=1 followed by %q, not a blank line", truncate(blank))
			case refused != 0:
				opErr = &Error{Errno: refused, Err: errors.New("refused")}
			default:
				opErr = s.get(lw)
			}
		case "set=1":
			change, err := ReadChange(lr)
			var perr *Error
			switch {
			case err != nil && (errors.Is(err, errLineTooLong) || !errors.As(err, &perr)):
				// Out of step, or the client is gone.
				if !errors.Is(err, net.ErrClosed) {
					s.logf("uapi: set: %v", err)
				}
				return
			case err != nil:
				opErr = err
			case refused != 0:
				change.Wipe()
				opErr = &Error{Errno: refused, Err: errors.New("refused")}
			default:
				opErr = s.Device.Apply(change)
				change.Wipe()
			}
		default:
			// As wireguard-go: the connection is not speaking the
			// protocol; hang up.
			s.logf("uapi: invalid operation %q", truncate(op))
			return
		}
		if lw.err != nil {
			return // the client went away in the middle of a reply
		}
		if opErr != nil && refused == 0 {
			s.logf("uapi: %s: %v", op, opErr)
		}
		lw.raw("errno=" + strconv.Itoa(replyErrno(string(op), opErr)) + "\n\n")
		if lw.flush() != nil {
			return
		}
	}
}

// get writes the configuration, streaming.  Only a failure to get the
// configuration is an operation error; a failure to write ends the
// connection (lw.err).
func (s *Server) get(lw *lineWriter) error {
	cfg, err := s.Device.Config()
	if err != nil {
		return err
	}
	defer cfg.Wipe()
	writeConfig(lw, cfg)
	return nil
}

// replyErrno is the number an errno line carries: 0, or the error's
// Linux errno, negative after a set and positive after a get.  That is
// what wg(8) reads (ipc-uapi.h: set takes the number as -errno, get as
// errno), so it prints the error's own message; wireguard-go sends
// negative numbers after both, which wg prints as "Protocol error" after
// a get.
func replyErrno(op string, err error) int {
	if err == nil {
		return 0
	}
	n := int(linuxErrno(err))
	if op == "set=1" {
		return -n
	}
	return n
}

// linuxErrno finds the Linux errno for an error: an *Error's, a host
// errno in the chain, or a NetBSD errno of the kernel's translated.
func linuxErrno(err error) syscall.Errno {
	var e *Error
	if errors.As(err, &e) {
		return e.Errno
	}
	var h syscall.Errno
	if errors.As(err, &h) {
		return h
	}
	var n sys.Errno
	if errors.As(err, &n) {
		if h, ok := n.Host(); ok {
			return h
		}
	}
	return syscall.EIO
}

// deadlineWriter gives every write of a reply writeTimeout.
type deadlineWriter struct{ c net.Conn }

func (w deadlineWriter) Write(b []byte) (int, error) {
	w.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	return w.c.Write(b)
}
