//go:build linux

package ioctl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"nbwg/kernel/sys"
)

// echoKernel answers SIOCGDRVSPEC with ifd_len bytes naming the caller and
// fails everything else with the errno it was told to.
type echoKernel struct {
	errno sys.Errno
	calls atomic.Int32
	// sawIn records the length of the last copied-in buffer (-1: nil).
	sawIn atomic.Int64
}

func (k *echoKernel) Ioctl(cred sys.Cred, cmd uint32, arg []byte, in []byte) ([]byte, error) {
	k.calls.Add(1)
	if in == nil {
		k.sawIn.Store(-1)
	} else {
		k.sawIn.Store(int64(len(in)))
	}
	switch cmd {
	case sys.SIOCGDRVSPEC:
		d, err := sys.UnmarshalIfdrv(arg)
		if err != nil {
			return nil, err
		}
		if in != nil {
			return nil, errors.New("SIOCGDRVSPEC buffer was sent")
		}
		out := []byte(fmt.Sprintf("uid=%d cmd=%d", cred.UID, d.Cmd))
		if uint64(len(out)) > d.Len {
			return nil, sys.EINVAL
		}
		d.Cmd = 77
		copy(arg, d.Marshal())
		return out, nil
	case sys.SIOCSDRVSPEC:
		if in != nil && !bytes.Equal(in, []byte("payload")) {
			return nil, fmt.Errorf("got %q", in)
		}
		return nil, k.errno
	}
	return nil, sys.ENOTTY
}

// testServer runs a Server on a private abstract address (NBWG_SOCKET).
func testServer(t *testing.T, h sys.Handler, configure func(*Server)) *Server {
	t.Helper()
	t.Setenv("NBWG_SOCKET", fmt.Sprintf("@nbwg-test/%d/%d", os.Getpid(), rand.Uint64()))
	l, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: h}
	if configure != nil {
		configure(srv)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		l.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv
}

func drvspec(t *testing.T, cmd uint64, n int) []byte {
	t.Helper()
	name, _ := sys.MakeName("wg0")
	return (&sys.Ifdrv{Name: name, Cmd: cmd, Len: uint64(n)}).Marshal()
}

func TestCarrierRoundTrip(t *testing.T) {
	testServer(t, &echoKernel{errno: sys.EEXIST}, nil)
	c, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	buf := make([]byte, 64)
	arg := drvspec(t, 5, len(buf))
	if err := c.Ioctl(sys.SIOCGDRVSPEC, arg, buf); err != nil {
		t.Fatalf("SIOCGDRVSPEC: %v", err)
	}
	want := fmt.Sprintf("uid=%d cmd=5", os.Geteuid())
	if got := string(bytes.TrimRight(buf, "\x00")); got != want {
		t.Errorf("buffer = %q, want %q", got, want)
	}
	back, _ := sys.UnmarshalIfdrv(arg)
	if back.Cmd != 77 {
		t.Errorf("structure not copied back: cmd = %d", back.Cmd)
	}

	// A buffer too small for the reply gets the kernel's EINVAL.
	if err := c.Ioctl(sys.SIOCGDRVSPEC, drvspec(t, 5, 3), make([]byte, 3)); !errors.Is(err, sys.EINVAL) {
		t.Errorf("short buffer: err = %v, want EINVAL", err)
	}
	// The errno comes back as NetBSD's, and the same connection goes on.
	err = c.Ioctl(sys.SIOCSDRVSPEC, drvspec(t, 0, 7), []byte("payload"))
	if !errors.Is(err, sys.EEXIST) {
		t.Errorf("SIOCSDRVSPEC: err = %v, want EEXIST", err)
	}
	if err := c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, sys.SizeofIfreq), nil); !errors.Is(err, sys.ENOTTY) {
		t.Errorf("SIOCGIFFLAGS: err = %v, want ENOTTY", err)
	}
	// A structure of the wrong size never leaves the caller.
	if err := c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, 3), nil); err == nil {
		t.Error("structure of the wrong size accepted")
	}
}

func TestOpenWithoutKernel(t *testing.T) {
	t.Setenv("NBWG_SOCKET", fmt.Sprintf("@nbwg-test/none/%d", rand.Uint64()))
	if _, err := Open(); !errors.Is(err, ErrNoKernel) {
		t.Errorf("Open = %v, want ErrNoKernel", err)
	}
	l, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Listen()
	var running *RunningError
	if !errors.As(err, &running) {
		t.Errorf("a second kernel at the same address: %v, want a RunningError", err)
	}
}

// rawConn connects to the test server without the client's checks, to
// send what no client of ours sends.
func rawConn(t *testing.T) *net.UnixConn {
	t.Helper()
	c, err := net.Dial("unix", os.Getenv("NBWG_SOCKET"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.UnixConn)
}

func rawHeader(word, argLen, bufLen uint32) []byte {
	b := header{word: word, argLen: argLen, bufLen: bufLen}.marshal()
	return b[:]
}

// expectClosed fails unless the server closes c (EOF) within d.
func expectClosed(t *testing.T, c net.Conn, d time.Duration, why string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	n, err := io.Copy(io.Discard, c)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("%s: the server did not close the connection: %v (after %d bytes)", why, err, n)
	}
}

// stillServes fails unless a fresh client gets an answer.
func stillServes(t *testing.T) {
	t.Helper()
	c, err := Open()
	if err != nil {
		t.Fatalf("the server stopped serving: %v", err)
	}
	defer c.Close()
	if err := c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, sys.SizeofIfreq), nil); !errors.Is(err, sys.ENOTTY) {
		t.Fatalf("the server stopped serving: %v", err)
	}
}

// TestMalformedFrames sends frames only a hostile client sends: each costs
// that client its connection and nothing else, and the handler never sees
// them.
func TestMalformedFrames(t *testing.T) {
	k := &echoKernel{}
	testServer(t, k, nil)
	ifreq := uint32(sys.SizeofIfreq)
	cases := []struct {
		name  string
		frame []byte
	}{
		{"bad magic", []byte("garbage garbage garbage garbage")},
		{"structure size not the command's", append(rawHeader(sys.SIOCGIFFLAGS, 3, 0), 1, 2, 3)},
		{"structure over IOCPARM_MASK", rawHeader(sys.SIOCGIFFLAGS, sys.IOCPARM_MASK+1, 0)},
		{"buffer over MaxBuffer", rawHeader(sys.SIOCSDRVSPEC, uint32(sys.IOCPARM_LEN(sys.SIOCSDRVSPEC)), sys.MaxBuffer+1)},
		{"buffer sent with a copy-out command", append(rawHeader(sys.SIOCGDRVSPEC, uint32(sys.IOCPARM_LEN(sys.SIOCGDRVSPEC)), 4), make([]byte, sys.IOCPARM_LEN(sys.SIOCGDRVSPEC)+4)...)},
		{"truncated body", append(rawHeader(sys.SIOCGIFFLAGS, ifreq, 0), 1, 2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := k.calls.Load()
			c := rawConn(t)
			c.Write(tc.frame)
			if tc.name == "truncated body" {
				c.CloseWrite()
			}
			expectClosed(t, c, 5*time.Second, tc.name)
			if k.calls.Load() != before {
				t.Errorf("the handler saw a malformed request")
			}
			stillServes(t)
		})
	}
}

// TestOversizedBufferIsNotKept: a request whose buffer is larger than the
// caller's copy-in limit is read into a scratch buffer and dropped; the
// handler sees no buffer (and answers as for a fault), the reply comes,
// and the connection goes on.
func TestOversizedBufferIsNotKept(t *testing.T) {
	k := &echoKernel{errno: sys.E2BIG}
	testServer(t, k, nil)
	c, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	big := make([]byte, sys.MaxCopyIn(sys.Cred{UID: uint32(os.Geteuid())})+1)
	if err := c.Ioctl(sys.SIOCSDRVSPEC, drvspec(t, 0, len(big)), big); !errors.Is(err, sys.E2BIG) {
		t.Errorf("oversized: %v, want the handler's E2BIG", err)
	}
	if got := k.sawIn.Load(); got != -1 {
		t.Errorf("the handler saw a buffer of %d bytes, want none", got)
	}
	if err := c.Ioctl(sys.SIOCSDRVSPEC, drvspec(t, 0, 7), []byte("payload")); !errors.Is(err, sys.E2BIG) || k.sawIn.Load() != 7 {
		t.Errorf("the connection did not go on: %v, buffer %d", err, k.sawIn.Load())
	}
}

// TestStalledClient: a client that stops in the middle of a request does
// not hold up others, and loses its connection after RequestTimeout; an
// idle one after IdleTimeout.
func TestStalledClient(t *testing.T) {
	testServer(t, &echoKernel{}, func(s *Server) {
		s.RequestTimeout = 300 * time.Millisecond
		s.IdleTimeout = 600 * time.Millisecond
	})
	stalled := rawConn(t)
	stalled.Write(rawHeader(sys.SIOCSDRVSPEC, uint32(sys.IOCPARM_LEN(sys.SIOCSDRVSPEC)), 100))
	idle := rawConn(t)
	stillServes(t)
	expectClosed(t, stalled, 5*time.Second, "stalled mid-request")
	expectClosed(t, idle, 5*time.Second, "idle")
}

// TestClientTimeout: a kernel that never answers (hung, or stopped) makes
// a request fail after NBWG_TIMEOUT with a message that names it.
func TestClientTimeout(t *testing.T) {
	t.Setenv("NBWG_SOCKET", fmt.Sprintf("@nbwg-test/mute/%d", rand.Uint64()))
	t.Setenv("NBWG_TIMEOUT", "0.3")
	l, err := net.Listen("unix", os.Getenv("NBWG_SOCKET"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // never answers
		}
	}()
	c, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	err = c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, sys.SizeofIfreq), nil)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("Ioctl = %v, want a TimeoutError", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
	want := fmt.Sprintf("the nbwg kernel (pid %d) did not answer within 300ms", os.Getpid())
	if !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Errorf("message %q does not contain %q", err, want)
	}
}

func TestAdmitLimits(t *testing.T) {
	s := &Server{MaxConnsPerUser: 2, MaxConnsUnprivileged: 3}
	s.init()
	conn := func() *net.UnixConn { return new(net.UnixConn) }
	root, a, b := sys.Cred{UID: 0}, sys.Cred{UID: 1000}, sys.Cred{UID: 1001}
	var held []*net.UnixConn
	for i, tc := range []struct {
		cred sys.Cred
		want bool
	}{
		{a, true}, {a, true}, {a, false}, // two per user
		{b, true}, {b, false}, // three users' connections in all
		{root, true}, {root, true}, {root, true}, {root, true}, // root is never limited
	} {
		c := conn()
		if got := s.admit(c, tc.cred); got != tc.want {
			t.Errorf("%d: admit uid %d = %v, want %v", i, tc.cred.UID, got, tc.want)
		}
		if tc.want && tc.cred.UID == 1000 {
			held = append(held, c)
		}
	}
	s.release(held[0], a)
	if !s.admit(conn(), b) {
		t.Error("a released connection was not counted back")
	}
}

// TestHaltServesQueued: a kernel that halts serves the requests of
// connections made before it stopped accepting, and resumes when one of
// them made it busy again.
func TestHaltServesQueued(t *testing.T) {
	k := &echoKernel{errno: sys.EEXIST}
	t.Setenv("NBWG_SOCKET", fmt.Sprintf("@nbwg-test/halt/%d", rand.Uint64()))
	l, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := &Server{Handler: k}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	early, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()
	busy := atomic.Bool{}
	answered := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond) // while Halt drains
		err := early.Ioctl(sys.SIOCSDRVSPEC, drvspec(t, 0, 7), []byte("payload"))
		busy.Store(true) // as if it created an interface
		answered <- err
	}()
	halted, err := srv.Halt(l, served, func() bool { return !busy.Load() })
	if err != nil || halted {
		t.Fatalf("Halt = %v, %v; want it to resume", halted, err)
	}
	if err := <-answered; !errors.Is(err, sys.EEXIST) {
		t.Errorf("a request made while halting: %v, want the kernel's answer", err)
	}
	go func() { served <- srv.Serve(l) }()
	stillServes(t)
	busy.Store(false)
	halted, err = srv.Halt(l, served, func() bool { return !busy.Load() })
	if err != nil || !halted {
		t.Fatalf("Halt = %v, %v; want it to halt", halted, err)
	}
	if _, err := Open(); !errors.Is(err, ErrNoKernel) {
		t.Errorf("after the halt: %v, want ErrNoKernel", err)
	}
}

// TestMain lets the test binary play a kernel with few descriptors for
// TestOutOfDescriptors.
func TestMain(m *testing.M) {
	if addr := os.Getenv("NBWG_TEST_FDSERVER"); addr != "" {
		fdServer(addr)
		return
	}
	os.Exit(m.Run())
}

// fdServer serves at addr with a descriptor limit of 32.
func fdServer(addr string) {
	os.Setenv("NBWG_SOCKET", addr)
	l, err := Listen()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 32, Max: 32})
	fmt.Println("ready")
	srv := &Server{Handler: &echoKernel{}, MaxConnsPerUser: 1000, MaxConnsUnprivileged: 1000,
		Logf: func(format string, a ...any) { fmt.Printf(format+"\n", a...) }}
	err = srv.Serve(l)
	fmt.Println("Serve returned:", err)
	os.Exit(1)
}

// TestOutOfDescriptors: a kernel that runs out of descriptors (accept
// fails with EMFILE) keeps serving once some come free; it never gives up.
func TestOutOfDescriptors(t *testing.T) {
	addr := fmt.Sprintf("@nbwg-test/fd/%d", rand.Uint64())
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "NBWG_TEST_FDSERVER="+addr)
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	t.Setenv("NBWG_SOCKET", addr)
	deadline := time.Now().Add(10 * time.Second)
	for !bytes.Contains(out.Bytes(), []byte("ready")) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var held []net.Conn
	for range 100 {
		c, err := net.DialTimeout("unix", addr, time.Second)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	// Give the server time to hit the limit on the queued ones.
	time.Sleep(300 * time.Millisecond)
	select {
	case <-exited:
		t.Fatalf("the server ended: %v\n%s", waitErr, out.String())
	default:
	}
	for _, c := range held {
		c.Close()
	}
	var err error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("the server ended: %v\n%s", waitErr, out.String())
		default:
		}
		var c *Conn
		if c, err = Open(); err == nil {
			err = c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, sys.SizeofIfreq), nil)
			c.Close()
			if errors.Is(err, sys.ENOTTY) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !errors.Is(err, sys.ENOTTY) {
		t.Fatalf("the server did not recover: %v\n%s", err, out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("too many open files")) {
		t.Errorf("the server never ran out of descriptors; the test proves nothing:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer a child process writes while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.b.Bytes())
}

func (b *syncBuffer) String() string { return string(b.Bytes()) }

// greedyKernel copies out more than the caller's buffer holds.
type greedyKernel struct{}

func (greedyKernel) Ioctl(cred sys.Cred, cmd uint32, arg []byte, in []byte) ([]byte, error) {
	if cmd == sys.SIOCGDRVSPEC {
		return make([]byte, 100), nil
	}
	return nil, sys.ENOTTY
}

// TestReplyLargerThanBuffer (audit F11): a reply that does not fit the
// caller's buffer is read and dropped, the request fails with EFAULT as
// copyout(9) would, and the connection goes on.
func TestReplyLargerThanBuffer(t *testing.T) {
	testServer(t, greedyKernel{}, nil)
	c, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 10)
	if err := c.Ioctl(sys.SIOCGDRVSPEC, drvspec(t, 0, len(buf)), buf); !errors.Is(err, sys.EFAULT) {
		t.Errorf("reply of 100 bytes for 10: %v, want EFAULT", err)
	}
	if err := c.Ioctl(sys.SIOCGIFFLAGS, make([]byte, sys.SizeofIfreq), nil); !errors.Is(err, sys.ENOTTY) {
		t.Errorf("the connection did not go on: %v", err)
	}
}
