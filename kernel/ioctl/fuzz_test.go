//go:build linux

package ioctl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nbwg/kernel/kern"
	"nbwg/kernel/prop"
	"nbwg/kernel/sys"
)

// Any local user can connect to the kernel and send it anything: the
// per-connection code (serveConn) must not panic, must never hold more
// of a request than its structure (at most IOCPARM_MASK bytes) and
// sys.MaxCopyIn of its buffer, and must answer every well-formed request
// in order and drop the connection at the first malformed one.

// Limits of the allocation checks.  The carrier's account is kept in
// large objects (over 32 KiB), which the Go heap allocates one by one
// and counts the moment they are allocated, so the count is exact even
// while other goroutines run: the buffers the framing rules bound are
// the only objects the carrier allocates that can grow that large.  (The
// heap counts small objects only when their span is handed back, so a
// byte count of those would be off by whatever the test allocated
// before.)
const (
	// largeObject is the size above which the Go heap allocates and
	// counts an object by itself.
	largeObject = 32 << 10
	// handlerLimit bounds what the kernel may allocate for one request:
	// a 64 KiB dictionary internalized, a reply for a few interfaces.
	// A kernel that believed a length the caller states would exceed it.
	handlerLimit = 8 << 20
	// replyRoom is how much of the replies the fuzz client keeps; more is
	// read and dropped (and then not checked).
	replyRoom = 1 << 20
)

// heapStats reads the allocation counters the checks use.
type heapStats struct {
	samples []metrics.Sample
}

func newHeapStats() *heapStats {
	return &heapStats{samples: []metrics.Sample{
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/gc/heap/allocs-by-size:bytes"},
	}}
}

// read returns the bytes allocated so far, and the bytes and number of
// the large objects among them.  The runtime computes the total as the
// large objects' bytes plus each small size class's count times its
// size, and the histogram has a bucket per size class (the class's size
// plus one is the next bucket's lower bound) and one for large objects.
func (h *heapStats) read() (total, largeBytes, largeCount uint64) {
	metrics.Read(h.samples)
	total = h.samples[0].Value.Uint64()
	hist := h.samples[1].Value.Float64Histogram()
	small := uint64(0)
	last := len(hist.Counts) - 1
	for i, n := range hist.Counts[:last] {
		small += n * uint64(hist.Buckets[i+1]-1)
	}
	return total, total - small, hist.Counts[last]
}

// accountant is the kernel as the carrier sees it, with what each
// request cost the kernel itself taken off the carrier's account.
type accountant struct {
	t     *testing.T
	h     sys.Handler
	cred  sys.Cred
	stats *heapStats

	calls                 int
	largeBytes, largeObjs uint64 // the kernel's large objects
	maxArg, maxIn, worst  int
}

func (a *accountant) Ioctl(cred sys.Cred, cmd uint32, arg, in []byte) ([]byte, error) {
	if cred != a.cred {
		a.t.Errorf("request as %+v on a connection of %+v", cred, a.cred)
	}
	a.calls++
	a.maxArg = max(a.maxArg, len(arg))
	a.maxIn = max(a.maxIn, len(in))
	t0, b0, n0 := a.stats.read()
	out, err := a.h.Ioctl(cred, cmd, arg, in)
	t1, b1, n1 := a.stats.read()
	a.largeBytes += b1 - b0
	a.largeObjs += n1 - n0
	a.worst = max(a.worst, int(t1-t0))
	return out, err
}

// socketPair returns two connected Unix stream sockets as the server's
// accept would give them.
func socketPair(t *testing.T) (server, client *net.UnixConn) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "fuzz")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	return conn(fds[0]), conn(fds[1])
}

// expectedRequests runs the framing rules over stream as an independent
// model of the server: the structures' lengths of the requests it must
// answer, in order; past them the connection is dropped.
func expectedRequests(stream []byte) []int {
	var args []int
	for len(stream) >= headerLen {
		magic := binary.LittleEndian.Uint32(stream[0:])
		word := binary.LittleEndian.Uint32(stream[4:])
		argLen := binary.LittleEndian.Uint32(stream[8:])
		bufLen := binary.LittleEndian.Uint32(stream[12:])
		if magic != frameMagic || argLen > sys.IOCPARM_MASK || bufLen > sys.MaxBuffer ||
			int(argLen) != sys.IOCPARM_LEN(word) || !sys.CopiesIn(word) && bufLen != 0 {
			break
		}
		n := headerLen + int(argLen) + int(bufLen)
		if len(stream) < n {
			break
		}
		args = append(args, int(argLen))
		stream = stream[n:]
	}
	return args
}

// fuzzConn feeds stream to serveConn as a client of cred would, with
// the emulated kernel behind it, and checks the answers and the memory
// the carrier used.
func fuzzConn(t *testing.T, stats *heapStats, cred sys.Cred, stream []byte, room []byte) {
	k := kern.New(kern.Parts{})
	defer k.Halt()
	acct := &accountant{t: t, h: k, cred: cred, stats: stats}
	s := &Server{Handler: acct, IdleTimeout: 5 * time.Second, RequestTimeout: 5 * time.Second}
	s.init()
	srv, cli := socketPair(t)
	defer cli.Close()
	if !s.admit(srv, cred) {
		t.Fatal("connection refused")
	}

	// The client sends the stream and then shuts its side, and reads
	// the replies into room until the server closes.
	var wg sync.WaitGroup
	var got int
	var readErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		cli.Write(stream) // fails once the server drops the connection
		cli.CloseWrite()
	}()
	go func() {
		defer wg.Done()
		for {
			n, err := cli.Read(room[min(got, len(room)-4096):])
			got += n
			if err != nil {
				readErr = err
				return
			}
		}
	}()
	// A server that neither answers nor drops the connection hangs;
	// the watchdog ends the wait and reports it.
	hung := false
	watchdog := time.AfterFunc(20*time.Second, func() {
		hung = true
		srv.Close()
	})
	_, b0, n0 := stats.read()
	s.serveConn(srv, cred)
	_, b1, n1 := stats.read()
	watchdog.Stop()
	wg.Wait()
	if hung {
		t.Fatalf("as uid %d: the connection was neither answered nor dropped", cred.UID)
	}
	if readErr != nil && !errors.Is(readErr, os.ErrClosed) && !errors.Is(readErr, io.EOF) && !errors.Is(readErr, unix.ECONNRESET) {
		t.Fatalf("as uid %d: reading the replies: %v", cred.UID, readErr)
	}

	// Memory: the carrier's large objects are what serveConn allocated
	// less the kernel's.  Only a copied-in buffer may be one, and only
	// up to the caller's copy-in limit.
	largeBytes, largeObjs := (b1-b0)-acct.largeBytes, (n1-n0)-acct.largeObjs
	if limit := uint64(acct.calls+1) * uint64(sys.MaxCopyIn(cred)); sys.MaxCopyIn(cred) <= largeObject && largeObjs > 0 || largeBytes > limit {
		t.Errorf("as uid %d: the carrier allocated %d objects over %d bytes, %d bytes in all, for %d requests with a copy-in limit of %d",
			cred.UID, largeObjs, largeObject, largeBytes, acct.calls, sys.MaxCopyIn(cred))
	}
	if acct.maxArg > sys.IOCPARM_MASK || acct.maxIn > sys.MaxCopyIn(cred) {
		t.Errorf("as uid %d: the kernel got a %d-byte structure and a %d-byte buffer", cred.UID, acct.maxArg, acct.maxIn)
	}
	if acct.worst > handlerLimit {
		t.Errorf("as uid %d: the kernel allocated %d bytes for one request", cred.UID, acct.worst)
	}

	// Answers: one per well-formed request, in order, each a reply
	// frame: an errno alone, or success with the request's structure.
	want := expectedRequests(stream)
	if acct.calls != len(want) {
		t.Fatalf("as uid %d: the kernel saw %d requests, the stream holds %d well-formed ones", cred.UID, acct.calls, len(want))
	}
	if got > len(room)-4096 {
		return // replies too long to keep: not checked
	}
	replies := room[:got]
	for i, argLen := range want {
		if len(replies) < headerLen {
			t.Fatalf("as uid %d: %d replies for %d requests", cred.UID, i, len(want))
		}
		h, err := readHeader(bytes.NewReader(replies))
		if err != nil {
			t.Fatalf("as uid %d: reply %d: %v", cred.UID, i, err)
		}
		if h.word != 0 && (h.argLen != 0 || h.bufLen != 0) || h.word == 0 && int(h.argLen) != argLen {
			t.Fatalf("as uid %d: reply %d: errno %d with %d structure and %d buffer bytes, for a %d-byte structure", cred.UID, i, h.word, h.argLen, h.bufLen, argLen)
		}
		n := headerLen + int(h.argLen) + int(h.bufLen)
		if len(replies) < n {
			t.Fatalf("as uid %d: reply %d cut short", cred.UID, i)
		}
		replies = replies[n:]
	}
	if len(replies) != 0 {
		t.Fatalf("as uid %d: %d bytes after the last reply", cred.UID, len(replies))
	}
}

// frame is one request as the client sends it.
func frame(cmd uint32, arg, buf []byte) []byte {
	if !sys.CopiesIn(cmd) {
		buf = nil
	}
	h := header{word: cmd, argLen: uint32(len(arg)), bufLen: uint32(len(buf))}.marshal()
	return append(append(h[:], arg...), buf...)
}

func ifreq(name string) []byte {
	r := sys.Ifreq{}
	copy(r.Name[:], name)
	return r.Marshal()
}

func drv(cmd uint64, d *prop.Dictionary) []byte {
	xml, err := prop.Externalize(d)
	if err != nil {
		panic(err)
	}
	ifd := sys.Ifdrv{Cmd: cmd, Len: uint64(len(xml))}
	copy(ifd.Name[:], "wg0")
	return frame(sys.SIOCSDRVSPEC, ifd.Marshal(), xml)
}

func sysctlFrame(flags uint32, name, value string) []byte {
	r := sys.SysctlReq{Flags: flags, NameLen: uint32(len(name)), NewLen: uint32(len(value)), OldLen: 256}
	return frame(sys.NBWG_SYSCTL, r.Marshal(), []byte(name+value))
}

// seedStreams are what the front ends send: ifconfig's create and
// listing, wgconfig's set and get, sysctl's read and write; then
// streams only a hostile client sends.
func seedStreams() [][]byte {
	priv := prop.NewDictionary()
	priv.SetData(sys.WGKeyPrivateKey, bytes.Repeat([]byte{0x42}, 32))
	peer := prop.NewDictionary()
	peer.SetString(sys.WGKeyName, "B")
	peer.SetData(sys.WGKeyPublicKey, bytes.Repeat([]byte{0x43}, 32))
	aip := prop.NewDictionary()
	aip.SetUint8(sys.WGKeyFamily, sys.AF_INET)
	aip.SetData(sys.WGKeyIP, []byte{10, 2, 0, 42})
	aip.SetUint16(sys.WGKeyCIDR, 32)
	peer.Set(sys.WGKeyAllowedIPs, prop.NewArray(aip))
	port := prop.NewDictionary()
	port.SetUint16(sys.WGKeyListenPort, 1234)
	get := sys.Ifdrv{Len: 4096}
	copy(get.Name[:], "wg0")
	clonereq := sys.IfClonereq{Count: 4}
	ifconf := sys.Ifconf{Len: 4096}
	flagsUp := sys.Ifreq{}
	copy(flagsUp.Name[:], "wg0")
	flagsUp.SetFlags(sys.IFF_UP)

	create := frame(sys.SIOCIFCREATE, ifreq("wg0"), nil)
	config := bytes.Join([][]byte{
		create,
		drv(sys.WG_IOCTL_SET_PRIVATE_KEY, priv),
		drv(sys.WG_IOCTL_SET_LISTEN_PORT, port),
		drv(sys.WG_IOCTL_ADD_PEER, peer),
		frame(sys.SIOCGDRVSPEC, get.Marshal(), nil),
		frame(sys.SIOCSIFFLAGS, flagsUp.Marshal(), nil),
		frame(sys.SIOCGIFFLAGS, ifreq("wg0"), nil),
		frame(sys.SIOCIFGCLONERS, clonereq.Marshal(), nil),
		frame(sys.SIOCGIFCONF, ifconf.Marshal(), nil),
		frame(sys.SIOCIFDESTROY, ifreq("wg0"), nil),
	}, nil)
	sysctls := bytes.Join([][]byte{
		sysctlFrame(0, "net.wg.debug", ""),
		sysctlFrame(sys.SYSCTL_WRITE, "net.wg.rekey_after_time", "60"),
		sysctlFrame(sys.SYSCTL_DESCRIBE, "net.wg", ""),
		sysctlFrame(0, "net.wg.nope", ""),
	}, nil)
	big := frame(sys.SIOCSDRVSPEC, (&sys.Ifdrv{Cmd: sys.WG_IOCTL_ADD_PEER, Len: 1 << 20}).Marshal(), make([]byte, 1<<20))
	// A request whose buffer is between the two copy-in limits: root's
	// is kept, nobody's read and dropped.
	mid := frame(sys.SIOCSDRVSPEC, (&sys.Ifdrv{Cmd: sys.WG_IOCTL_ADD_PEER, Len: 40 << 10}).Marshal(), make([]byte, 40<<10))
	huge := header{word: sys.SIOCSDRVSPEC, argLen: sys.SizeofIfdrv, bufLen: sys.MaxBuffer}.marshal()
	badMagic := header{word: sys.SIOCGIFFLAGS, argLen: sys.SizeofIfreq}.marshal()
	badMagic[0] ^= 0xff
	wrongLen := header{word: sys.SIOCGIFFLAGS, argLen: 3}.marshal()
	getWithBuf := header{word: sys.SIOCGDRVSPEC, argLen: sys.SizeofIfdrv, bufLen: 10}.marshal()
	return [][]byte{
		create,
		config,
		sysctls,
		append(append([]byte(nil), config...), sysctls...),
		frame(sys.SIOCGIFFLAGS, ifreq("wg9"), nil),
		frame(0x12345678&^(sys.IOCPARM_MASK<<16), nil, nil),
		big[:headerLen+sys.SizeofIfdrv+4096],
		append(mid, create...),
		append(huge[:], make([]byte, sys.SizeofIfdrv+100)...),
		append(create, badMagic[:]...),
		append(create, wrongLen[:]...),
		append(create, getWithBuf[:]...),
		create[:headerLen+3],
		{},
	}
}

// FuzzServeConn feeds any byte stream to the server's per-connection
// code, as root and as an unprivileged user (the same bytes both ways),
// with an emulated kernel in memory behind it.
func FuzzServeConn(f *testing.F) {
	for _, s := range seedStreams() {
		f.Add(s)
	}
	stats := newHeapStats()
	room := make([]byte, replyRoom)
	f.Fuzz(func(t *testing.T, stream []byte) {
		for _, cred := range []sys.Cred{{UID: 0}, {UID: 65534, GID: 65534, PID: 7}} {
			fuzzConn(t, stats, cred, stream, room)
		}
	})
}
