package uapi

import (
	"bytes"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// FuzzServeConn feeds a connection of the server any bytes, as a client
// of the socket could send them (root only, but wg(8) is no proof of
// good input), over a kernel with one interface: the server must answer
// or hang up, never panic, and whatever a set it accepted did, a get
// afterwards must come out whole, as wg(8) would parse it.
func FuzzServeConn(f *testing.F) {
	for _, seed := range []string{
		"get=1\n\n",
		"set=1\nprivate_key=" + hexKey(0x40) + "\nlisten_port=0\nfwmark=7\nreplace_peers=true\n\n",
		"set=1\npublic_key=" + hexKey(2) + "\npreshared_key=" + hexKey(9) + "\nendpoint=[fe80::1%eth0]:51820\n" +
			"persistent_keepalive_interval=25\nreplace_allowed_ips=true\nallowed_ip=10.2.0.1/24\nallowed_ip=-10.2.0.1/24\n" +
			"protocol_version=1\n\nget=1\n\n",
		"set=1\npublic_key=" + hexKey(3) + "\nupdate_only=true\npublic_key=" + hexKey(2) + "\nremove=true\n\n",
		"set=1\nallowed_ip=::/0\n\n",
		"set=1\n" + strings.Repeat("x", 5000) + "\n\n",
		"get=1\nget=1\n\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		n := testNet(t)
		client, server := socketPair(t)
		s := &Server{Device: NetDevice{Net: n, Name: "wg0"}}
		done := make(chan struct{})
		go func() { s.serveConn(server); server.Close(); close(done) }()
		client.SetDeadline(time.Now().Add(10 * time.Second))
		// All of it, then the end of the input: the server answers
		// what it can and hangs up.
		go func() { client.Write(in); client.CloseWrite() }()
		var out bytes.Buffer
		if _, err := out.ReadFrom(client); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("reading the replies: %v (so far %q)", err, out.String())
		}
		client.Close()
		<-done
		// Every reply is key=value lines, each ending in errno=N and a
		// blank line.
		for _, reply := range strings.SplitAfter(out.String(), "\n\n") {
			if reply == "" {
				continue
			}
			for _, l := range strings.Split(strings.TrimSuffix(reply, "\n\n"), "\n") {
				if !strings.Contains(l, "=") {
					t.Fatalf("a reply line without '=': %q in %q", l, out.String())
				}
			}
		}
		// The interface is still whole: its configuration reads back.
		if _, err := (NetDevice{n, "wg0"}).Config(); err != nil && !errors.Is(err, syscall.ENXIO) {
			t.Fatal(err)
		}
	})
}

// socketPair is a connected pair of unix stream sockets.
func socketPair(t *testing.T) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var conns [2]*net.UnixConn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "socketpair")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c.(*net.UnixConn)
	}
	return conns[0], conns[1]
}
