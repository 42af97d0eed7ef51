package ioctl

import (
	"net"
	"os"
	"syscall"
	"testing"
)

// TestGrowSendBuffer: before a large reply the connection's send buffer
// is grown to hold it, so that it goes in a few hand-offs.
func TestGrowSendBuffer(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fds[0]), "a")
	defer f.Close()
	defer syscall.Close(fds[1])
	fc, err := net.FileConn(f)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	c := fc.(*net.UnixConn)
	size := func() int {
		rc, _ := c.SyscallConn()
		var v int
		rc.Control(func(fd uintptr) { v, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF) })
		return v
	}
	const reply = 1 << 20 // under any wmem_max: no privilege needed
	if before := size(); before >= reply {
		t.Skipf("the default send buffer (%d bytes) holds %d already", before, reply)
	}
	growSendBuffer(c, reply)
	if after := size(); after < reply {
		t.Errorf("send buffer of %d bytes after growSendBuffer(%d)", after, reply)
	}
}
