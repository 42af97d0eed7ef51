package uapi

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/kernel/ifnet"
	"nbwg/kernel/sys"
	"nbwg/kernel/wg"
)

var root = sys.Cred{UID: 0}

// testNet is an emulated kernel with one wg0 and no host devices.
func testNet(t *testing.T) *ifnet.Net {
	t.Helper()
	n := ifnet.New(nil, wg.NewCloner(wg.Env{}))
	r := sys.Ifreq{}
	copy(r.Name[:], "wg0")
	if _, err := n.Ioctl(root, sys.SIOCIFCREATE, r.Marshal(), nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.DestroyAll() })
	return n
}

// serve serves wg0 of n on a unix socket in a temporary directory and
// returns a function that dials it.
func serve(t *testing.T, n *ifnet.Net, authorize func(*net.UnixConn) syscall.Errno) func() net.Conn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wg0.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Device: NetDevice{Net: n, Name: "wg0"}, Authorize: authorize, Logf: t.Logf}
	done := make(chan struct{})
	go func() { s.Serve(l); close(done) }()
	t.Cleanup(func() { l.Close(); <-done; s.Close(true) })
	return func() net.Conn {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(20 * time.Second))
		t.Cleanup(func() { c.Close() })
		return c
	}
}

// roundTrip sends req and reads the reply up to and including its
// blank line.
func roundTrip(t *testing.T, c net.Conn, req string) string {
	t.Helper()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	start := time.Now()
	defer func() { t.Logf("%s: %v", truncate([]byte(req)), time.Since(start)) }()
	var out strings.Builder
	for {
		line, err := r.ReadString('\n')
		out.WriteString(line)
		if err != nil {
			t.Fatalf("reading the reply to %q: %v (so far %q)", truncate([]byte(req)), err, out.String())
		}
		if line == "\n" {
			return out.String()
		}
	}
}

func hexKey(b byte) string { return strings.Repeat(fmt.Sprintf("%02x", b), 32) }

// TestSetGet: what wg setconf sends is applied, and get reports it in
// wireguard-go's order of keys, peers in the order they were added.
func TestSetGet(t *testing.T) {
	n := testNet(t)
	dial := serve(t, n, nil)
	c := dial()
	set := "set=1\n" +
		"private_key=" + hexKey(0x40) + "\n" +
		"replace_peers=true\n" +
		"public_key=" + hexKey(2) + "\n" +
		"preshared_key=" + hexKey(9) + "\n" +
		"endpoint=192.0.2.2:51820\n" +
		"persistent_keepalive_interval=25\n" +
		"replace_allowed_ips=true\n" +
		"allowed_ip=10.2.0.0/24\n" +
		"allowed_ip=fd00:2::1/64\n" +
		"public_key=" + hexKey(3) + "\n" +
		"endpoint=[2001:db8::3]:3\n" +
		"replace_allowed_ips=true\n" +
		"allowed_ip=10.3.0.3/32\n" +
		"\n"
	if got := roundTrip(t, c, set); got != "errno=0\n\n" {
		t.Fatalf("set reply %q", got)
	}
	cfg, _ := NetDevice{n, "wg0"}.Config()
	want := "private_key=" + hexKey(0x40) + "\n" +
		"public_key=" + hexKey(2) + "\n" +
		"preshared_key=" + hexKey(9) + "\n" +
		"protocol_version=1\n" +
		"endpoint=192.0.2.2:51820\n" +
		"last_handshake_time_sec=0\n" +
		"last_handshake_time_nsec=0\n" +
		"tx_bytes=0\n" +
		"rx_bytes=0\n" +
		"persistent_keepalive_interval=25\n" +
		"allowed_ip=10.2.0.0/24\n" +
		"allowed_ip=fd00:2::/64\n" +
		"public_key=" + hexKey(3) + "\n" +
		"preshared_key=" + hexKey(0) + "\n" +
		"protocol_version=1\n" +
		"endpoint=[2001:db8::3]:3\n" +
		"last_handshake_time_sec=0\n" +
		"last_handshake_time_nsec=0\n" +
		"tx_bytes=0\n" +
		"rx_bytes=0\n" +
		"persistent_keepalive_interval=0\n" +
		"allowed_ip=10.3.0.3/32\n" +
		"errno=0\n\n"
	// A second operation on the same connection.
	if diff := cmp.Diff(want, roundTrip(t, c, "get=1\n\n")); diff != "" {
		t.Errorf("get (-want +got):\n%s", diff)
	}
	if len(cfg.Peers) != 2 || cfg.Peers[1].Name != "AgICAgIC" {
		t.Errorf("the first peer's NetBSD name: %+v", cfg.Peers)
	}
}

// TestSetErrors: each bad request gets wireguard-go's errno, negative,
// and changes nothing, whatever came before the bad line.
func TestSetErrors(t *testing.T) {
	n := testNet(t)
	dial := serve(t, n, nil)
	for _, tc := range []struct {
		name, body string
		errno      syscall.Errno
	}{
		{"no equals", "private_key\n", syscall.EPROTO},
		{"unknown device key", "mtu=1420\n", syscall.EINVAL},
		{"short key", "private_key=abcd\n", syscall.EINVAL},
		{"not hex", "private_key=" + strings.Repeat("zz", 32) + "\n", syscall.EINVAL},
		{"port", "listen_port=65536\n", syscall.EINVAL},
		{"fwmark", "fwmark=-1\n", syscall.EINVAL},
		{"replace_peers", "replace_peers=1\n", syscall.EINVAL},
		{"device key after a peer", "public_key=" + hexKey(1) + "\nlisten_port=1\n", syscall.EINVAL},
		{"endpoint by name", "public_key=" + hexKey(1) + "\nendpoint=example.com:1\n", syscall.EINVAL},
		{"allowed_ip", "public_key=" + hexKey(1) + "\nallowed_ip=10.0.0.0/33\n", syscall.EINVAL},
		{"keepalive", "public_key=" + hexKey(1) + "\npersistent_keepalive_interval=65536\n", syscall.EINVAL},
		{"protocol_version", "public_key=" + hexKey(1) + "\nprotocol_version=2\n", syscall.EINVAL},
		{"unknown peer key", "public_key=" + hexKey(1) + "\nrx_bytes=1\n", syscall.EINVAL},
		{"remove=false", "public_key=" + hexKey(1) + "\nremove=false\n", syscall.EINVAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial()
			// A good peer first: it must not be applied either.
			req := "set=1\npublic_key=" + hexKey(7) + "\nallowed_ip=10.7.0.0/16\n"
			if !strings.HasPrefix(tc.body, "public_key") {
				req = "set=1\n"
			}
			req += tc.body + "allowed_ip=10.9.0.0/16\n\n"
			want := fmt.Sprintf("errno=%d\n\n", -int(tc.errno))
			if got := roundTrip(t, c, req); got != want {
				t.Errorf("reply %q, want %q", got, want)
			}
			cfg, _ := NetDevice{n, "wg0"}.Config()
			if len(cfg.Peers) != 0 || cfg.HasPrivateKey {
				t.Errorf("a refused set changed the interface: %+v", cfg)
			}
			// The connection is still in step.
			if got := roundTrip(t, c, "get=1\n\n"); got != "errno=0\n\n" {
				t.Errorf("get after the refusal: %q", got)
			}
		})
	}
}

// TestUpdateOnlyRemoveReplace: the peer keys that change how the rest
// apply, as wg set and wg syncconf use them.
func TestUpdateOnlyRemoveReplace(t *testing.T) {
	n := testNet(t)
	dial := serve(t, n, nil)
	c := dial()
	for _, req := range []string{
		"set=1\npublic_key=" + hexKey(1) + "\nallowed_ip=10.1.0.0/16\nallowed_ip=10.9.0.0/16\npublic_key=" + hexKey(2) + "\nallowed_ip=10.2.0.0/16\n\n",
		// 3 does not exist: update_only leaves it so.
		"set=1\npublic_key=" + hexKey(3) + "\nupdate_only=true\nallowed_ip=10.3.0.0/16\n\n",
		// 2 goes; 1 loses what it had before replace_allowed_ips,
		// including a line of this request, and a removal.
		"set=1\npublic_key=" + hexKey(2) + "\nremove=true\npublic_key=" + hexKey(1) +
			"\nallowed_ip=10.8.0.0/16\nreplace_allowed_ips=true\nallowed_ip=10.1.0.0/16\nallowed_ip=10.5.0.0/16\nallowed_ip=-10.5.0.0/16\n\n",
	} {
		if got := roundTrip(t, c, req); got != "errno=0\n\n" {
			t.Fatalf("%q: %q", req, got)
		}
	}
	cfg, _ := NetDevice{n, "wg0"}.Config()
	if len(cfg.Peers) != 1 || cfg.Peers[0].PublicKey != [32]byte(bytes.Repeat([]byte{1}, 32)) {
		t.Fatalf("peers: %+v", cfg.Peers)
	}
	var got []string
	for _, a := range cfg.Peers[0].AllowedIPs {
		got = append(got, a.Prefix().String())
	}
	if diff := cmp.Diff([]string{"10.1.0.0/16"}, got); diff != "" {
		t.Errorf("allowed IPs (-want +got):\n%s", diff)
	}
}

// TestGetStreams: a peer with 130,560 allowed IPs (the WireGuard
// project's netns.sh) comes back complete to a client that reads a few
// bytes at a time, and the reply is written as it is made.
func TestGetStreams(t *testing.T) {
	n := testNet(t)
	dial := serve(t, n, nil)
	var req strings.Builder
	req.WriteString("set=1\npublic_key=" + hexKey(1) + "\n")
	for a := 1; a <= 255; a++ {
		for b := 0; b <= 255; b++ {
			fmt.Fprintf(&req, "allowed_ip=%d.%d.0.0/16\nallowed_ip=%x::%x/128\n", a, b, a, b)
		}
	}
	req.WriteString("\n")
	c := dial()
	if got := roundTrip(t, c, req.String()); got != "errno=0\n\n" {
		t.Fatalf("set: %q", got)
	}
	if _, err := io.WriteString(c, "get=1\n\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReaderSize(io.LimitReader(slowReader{c}, 64<<20), 16)
	count := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d allowed IPs: %v", count, err)
		}
		if strings.HasPrefix(line, "allowed_ip=") {
			count++
		}
		if line == "\n" {
			break
		}
	}
	if count != 255*256*2 {
		t.Errorf("%d allowed IPs, want %d", count, 255*256*2)
	}
}

// slowReader reads at most 7 bytes at a time.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(b []byte) (int, error) { return s.r.Read(b[:min(len(b), 7)]) }

// TestRefused: a client Authorize refuses gets its errno (positive after
// get, negative after set, as wg(8) reads them) and nothing else.
func TestRefused(t *testing.T) {
	n := testNet(t)
	dial := serve(t, n, func(*net.UnixConn) syscall.Errno { return syscall.EACCES })
	c := dial()
	if got := roundTrip(t, c, "get=1\n\n"); got != "errno=13\n\n" {
		t.Errorf("get: %q", got)
	}
	if got := roundTrip(t, c, "set=1\nprivate_key="+hexKey(1)+"\n\n"); got != "errno=-13\n\n" {
		t.Errorf("set: %q", got)
	}
	if cfg, _ := (NetDevice{n, "wg0"}).Config(); cfg.HasPrivateKey {
		t.Error("a refused client set the key")
	}
}

// TestBadOperation: a client that does not speak the protocol is hung up
// on, as wireguard-go does; so is one whose line never ends.
func TestBadOperation(t *testing.T) {
	n := testNet(t)
	dial := serve(t, n, nil)
	// A get with something after it is refused, the connection kept.
	if got := roundTrip(t, dial(), "get=1\nx\n"); got != "errno=22\n\n" {
		t.Errorf("get=1 then x: reply %q", got)
	}
	for _, req := range []string{"hello\n", "set=1\nprivate_key=" + strings.Repeat("0", 2*maxLine)} {
		c := dial()
		io.WriteString(c, req)
		b, err := io.ReadAll(c)
		// Closed with the request unread: a reset is a hang-up too.
		if len(b) != 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
			t.Errorf("%q: reply %q, %v; want a hang-up", truncate([]byte(req)), b, err)
		}
	}
}

// TestReplyErrno maps the kernel's errors to Linux numbers.
func TestReplyErrno(t *testing.T) {
	for _, tc := range []struct {
		op   string
		err  error
		want int
	}{
		{"set=1", nil, 0},
		{"set=1", fmt.Errorf("port: %w", syscall.EADDRINUSE), -int(syscall.EADDRINUSE)},
		{"set=1", fmt.Errorf("x: %w", sys.EADDRINUSE), -int(syscall.EADDRINUSE)}, // NetBSD's 48
		{"get=1", sys.ENXIO, int(syscall.ENXIO)},
		{"get=1", io.ErrUnexpectedEOF, int(syscall.EIO)},
	} {
		if got := replyErrno(tc.op, tc.err); got != tc.want {
			t.Errorf("replyErrno(%s, %v) = %d, want %d", tc.op, tc.err, got, tc.want)
		}
	}
}

// TestLineReaderWipes: the buffer holds nothing of a key once wiped.
func TestLineReaderWipes(t *testing.T) {
	key := hexKey(0xab)
	lr := NewLineReader(strings.NewReader("private_key=" + key + "\n\n"))
	if _, err := lr.ReadLine(); err != nil {
		t.Fatal(err)
	}
	lr.Wipe()
	if bytes.Contains(lr.buf, []byte(key[:16])) {
		t.Error("the key is still in the buffer")
	}
	if _, err := hex.DecodeString(key); err != nil {
		t.Fatal(err)
	}
}
