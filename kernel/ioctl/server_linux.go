//go:build linux

package ioctl

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"nbwg/kernel/sys"
)

// Server is the kernel's side of the carrier.  Any local user can reach
// it, so it decides who asks before it reads a request, bounds what it
// reads and how long it waits, and a misbehaving caller costs it one
// connection, never the kernel's state:
//
//   - the caller's credentials come from SO_PEERCRED at accept;
//   - an unprivileged user may hold MaxConnsPerUser connections, and all
//     of them together MaxConnsUnprivileged; more are closed at once.
//     The superuser is never limited;
//   - a request's structure is at most IOCPARM_MASK bytes, and of its
//     buffer the server keeps at most sys.MaxCopyIn for the caller (a few
//     KiB for a user, who can only read); the rest is read into a fixed
//     scratch buffer and dropped;
//   - a connection waits IdleTimeout for a request and RequestTimeout for
//     the rest of it once it has begun, and for the reply to be taken;
//   - failing accepts (out of descriptors) are retried with a back-off
//     and a descriptor held in reserve, never fatal.
type Server struct {
	Handler sys.Handler
	// Logf reports what an administrator should know (accept failures,
	// connection limits), at most once a second for each kind.
	Logf func(format string, a ...any)

	IdleTimeout          time.Duration
	RequestTimeout       time.Duration
	MaxConnsPerUser      int
	MaxConnsUnprivileged int

	mu       sync.Mutex
	perUser  map[uint32]int
	users    int // unprivileged connections
	conns    map[*net.UnixConn]*connState
	idleCond *sync.Cond
	logged   map[string]time.Time
}

// Defaults for Server's limits.
const (
	DefaultIdleTimeout          = 30 * time.Second
	DefaultRequestTimeout       = 10 * time.Second
	DefaultMaxConnsPerUser      = 16
	DefaultMaxConnsUnprivileged = 128
)

type connState struct {
	busy bool // a request is being read or served
}

func (s *Server) init() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns != nil {
		return
	}
	s.perUser = map[uint32]int{}
	s.conns = map[*net.UnixConn]*connState{}
	s.idleCond = sync.NewCond(&s.mu)
	s.logged = map[string]time.Time{}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = DefaultIdleTimeout
	}
	if s.RequestTimeout == 0 {
		s.RequestTimeout = DefaultRequestTimeout
	}
	if s.MaxConnsPerUser == 0 {
		s.MaxConnsPerUser = DefaultMaxConnsPerUser
	}
	if s.MaxConnsUnprivileged == 0 {
		s.MaxConnsUnprivileged = DefaultMaxConnsUnprivileged
	}
}

// logf logs at most once a second for each kind of event.
func (s *Server) logf(kind string, format string, a ...any) {
	if s.Logf == nil {
		return
	}
	s.mu.Lock()
	now := time.Now()
	if now.Sub(s.logged[kind]) < time.Second {
		s.mu.Unlock()
		return
	}
	s.logged[kind] = now
	s.mu.Unlock()
	s.Logf(format, a...)
}

// Serve answers requests on l until l is closed or Halt stops it; each
// connection may carry any number of requests.  It returns nil when l is
// closed, and an error only when the listening socket itself is broken.
func (s *Server) Serve(l *Listener) error {
	s.init()
	reserve, _ := os.Open("/dev/null")
	defer func() {
		if reserve != nil {
			reserve.Close()
		}
	}()
	backoff := time.Duration(0)
	for {
		c, cred, err := l.accept()
		if err != nil {
			switch {
			case errors.Is(err, net.ErrClosed):
				return nil
			case errors.Is(err, os.ErrDeadlineExceeded):
				return errDrained
			case errors.Is(err, errPeerGone), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EINTR):
				continue
			case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
				// Out of descriptors: free the reserve to take the
				// waiting connection off the queue and close it, so
				// the queue moves and root's turn comes.
				if reserve != nil {
					reserve.Close()
					reserve = nil
					if c, err := l.l.AcceptUnix(); err == nil {
						c.Close()
					}
					reserve, _ = os.Open("/dev/null")
				}
				s.logf("accept", "carrier: accept: %v; refusing connections for a moment", err)
			case errors.Is(err, syscall.ENOBUFS), errors.Is(err, syscall.ENOMEM), errors.Is(err, syscall.EAGAIN):
				s.logf("accept", "carrier: accept: %v; retrying", err)
			default:
				return err
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !s.admit(c, cred) {
			c.Close()
			continue
		}
		go s.serveConn(c, cred)
	}
}

// haltGrace is how long a halting kernel waits for commands that are
// connected but between requests.
const haltGrace = 2 * time.Second

// errDrained ends Serve while the kernel halts: the listener's queue is
// empty.
var errDrained = errors.New("carrier drained")

// admit counts an accepted connection against its user's limits.
func (s *Server) admit(c *net.UnixConn, cred sys.Cred) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !cred.Privileged() {
		if s.perUser[cred.UID] >= s.MaxConnsPerUser || s.users >= s.MaxConnsUnprivileged {
			s.mu.Unlock()
			s.logf("limit", "carrier: uid %d has too many connections; closing new ones", cred.UID)
			s.mu.Lock()
			return false
		}
		s.perUser[cred.UID]++
		s.users++
	}
	s.conns[c] = &connState{}
	return true
}

func (s *Server) release(c *net.UnixConn, cred sys.Cred) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !cred.Privileged() {
		if s.perUser[cred.UID]--; s.perUser[cred.UID] == 0 {
			delete(s.perUser, cred.UID)
		}
		s.users--
	}
	delete(s.conns, c)
	s.idleCond.Broadcast()
}

func (s *Server) setBusy(c *net.UnixConn, busy bool) {
	s.mu.Lock()
	if st := s.conns[c]; st != nil {
		st.busy = busy
	}
	s.mu.Unlock()
	if !busy {
		s.idleCond.Broadcast()
	}
}

func (s *Server) serveConn(c *net.UnixConn, cred sys.Cred) {
	defer s.release(c, cred)
	defer c.Close()
	r := newFrameReader(c)
	defer r.wipe()
	for {
		c.SetReadDeadline(time.Now().Add(s.IdleTimeout))
		h, err := readHeader(r)
		if err != nil {
			return
		}
		s.setBusy(c, true)
		c.SetDeadline(time.Now().Add(s.RequestTimeout))
		ok := s.serveRequest(c, r, cred, h)
		s.setBusy(c, false)
		if !ok {
			return
		}
	}
}

// serveRequest reads the body of the request h announced, performs it
// and writes the reply.  It reports whether the connection may go on.
func (s *Server) serveRequest(c *net.UnixConn, r io.Reader, cred sys.Cred, h header) bool {
	if int(h.argLen) != sys.IOCPARM_LEN(h.word) || (!sys.CopiesIn(h.word) && h.bufLen != 0) {
		return false // no client of ours sends this
	}
	arg := make([]byte, h.argLen)
	if _, err := io.ReadFull(r, arg); err != nil {
		return false
	}
	var in []byte
	if int(h.bufLen) <= sys.MaxCopyIn(cred) {
		in = make([]byte, h.bufLen)
		if _, err := io.ReadFull(r, in); err != nil {
			clear(in)
			return false
		}
	} else if err := discard(r, int64(h.bufLen)); err != nil {
		return false
	}
	out, errno := sys.Dispatch(s.Handler, cred, h.word, arg, in)
	clear(in) // it may hold keys
	var err error
	if errno != 0 {
		err = writeFrame(c, uint32(errno), nil, nil)
	} else {
		if len(out) > largeReply {
			growSendBuffer(c, len(out))
		}
		err = writeFrame(c, 0, arg, out)
	}
	sys.ReleaseReply(out) // wiped: it may hold keys
	return err == nil
}

// Halt stops the kernel's service in an orderly way, so that no request
// is lost to a kernel that is going away: it makes the address
// unreachable (callers that find it so start a new kernel, which waits
// for this one's lock), serves every connection already queued or open
// to its end, and then asks idle whether the kernel may still halt.  If
// it may, Halt closes l and returns true; if a request served meanwhile
// made the kernel busy again (a create), it makes the address reachable
// again and returns false: Serve must then be started anew.
//
// Serve must be running on l; Halt returns after it has returned.
func (s *Server) Halt(l *Listener, served <-chan error, idle func() bool) (bool, error) {
	s.init()
	l.stopAccepting()
	// A connect that found the socket before it was unlinked is queued
	// within microseconds; give it ample time, then drain the queue.
	time.Sleep(50 * time.Millisecond)
	l.l.SetDeadline(time.Now())
	if err := <-served; err != nil && !errors.Is(err, errDrained) {
		return false, err
	}
	// Wait for open connections to end: a command that is between two
	// requests sends the next one within moments, and it is served.  One
	// that stays idle past haltGrace is closed; one that is busy finishes
	// its request.
	s.mu.Lock()
	grace := time.Now().Add(haltGrace)
	deadline := grace.Add(s.RequestTimeout)
	for len(s.conns) > 0 && time.Now().Before(deadline) {
		if !idle() {
			break // a request made it busy: resume at once
		}
		if time.Now().After(grace) {
			for c, st := range s.conns {
				if !st.busy {
					c.SetReadDeadline(time.Now())
				}
			}
		}
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		s.mu.Lock()
	}
	s.mu.Unlock()
	if idle() {
		l.l.SetDeadline(time.Time{})
		return true, l.Close()
	}
	l.l.SetDeadline(time.Time{})
	return false, l.resumeAccepting()
}

// largeReply is the size of reply beyond which the connection's send
// buffer is grown to hold it.  A unix socket's default (wmem_default,
// some 200 KiB) would cut a show of thousands of peers, megabytes, into
// dozens of hand-offs between the kernel and the client, each waiting for
// the other to be scheduled.
const largeReply = 128 << 10

// maxSendBuffer bounds the send buffer a reply may ask for.
const maxSendBuffer = 16 << 20

// growSendBuffer lets c's send buffer hold n bytes (up to maxSendBuffer),
// past net.core.wmem_max as the kernel (root) may; best effort.
func growSendBuffer(c *net.UnixConn, n int) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		size := min(n+headerLen+sys.IOCPARM_MASK, maxSendBuffer)
		if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUFFORCE, size) != nil {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, size)
		}
	})
}
