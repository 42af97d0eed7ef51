//go:build linux

// Package tests holds nbwg's integration tests: whole NetBSD hosts,
// emulated in Linux network namespaces (internal/hosts), configured with
// the built commands exactly as an administrator types them, and checked
// against the literal text NetBSD prints.  They need root and skip
// without it; every namespace, kernel process and file they make is
// removed when a test ends, even when it fails.
package tests

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/curve25519"

	"nbwg/internal/hosts"
)

func TestMain(m *testing.M) { hosts.Main(m) }

// keyPair is a Curve25519 key pair in wg-keygen's base64 text.
type keyPair struct{ priv, pub string }

// newKeyPair makes a key pair in Go, without wg-keygen (see publicKey).
func newKeyPair(t testing.TB) keyPair {
	t.Helper()
	var priv [32]byte
	rand.Read(priv[:])
	return keyPair{priv: base64.StdEncoding.EncodeToString(priv[:]), pub: publicKey(t, base64.StdEncoding.EncodeToString(priv[:]))}
}

// netbsdKeyPair is the first fixed key pair of NetBSD's tests/net/if_wg
// (common.sh), public key as NetBSD's tests expect it.
var netbsdKeyPair = keyPair{
	priv: "uGXXwmh7Zz6QW3h6axZEGsmVmrwOyfB9VStCnpewgHQ=",
	pub:  "fdkPmFWHfpIwRavRLWuyzmBOOrKxT6KKLgqVb1g5LhY=",
}

// newPSK makes a preshared key's base64 text.
func newPSK() string {
	var k [32]byte
	rand.Read(k[:])
	return base64.StdEncoding.EncodeToString(k[:])
}

// publicKey computes the public key of a base64 private key (X25519
// clamps the scalar itself, as WireGuard requires).  It calls the same
// x/crypto X25519 that wg-keygen does, so comparing wg-keygen's output
// with it checks wg-keygen's reading, base64 and printing, not the curve:
// X25519 itself is checked against RFC 7748's and NetBSD's fixed vectors
// (wg-keygen/main_test.go, and netbsdKeyPair below, through the built
// command).
func publicKey(t testing.TB, priv string) string {
	t.Helper()
	k, err := base64.StdEncoding.DecodeString(priv)
	if err != nil || len(k) != 32 {
		t.Fatalf("private key %q: %d bytes, %v", priv, len(k), err)
	}
	pub, err := curve25519.X25519(k, curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pub)
}

// quiet runs an administrator's command that succeeds in silence, as
// every configuring command of ifconfig and wgconfig does.
func quiet(t *testing.T, h *hosts.Host, script string) {
	t.Helper()
	if diff := cmp.Diff(hosts.Result{}, h.Run(t, script)); diff != "" {
		t.Fatalf("%s# %s (-want +got):\n%s", h.Name, script, diff)
	}
}

// check compares a command's whole result with what it should be.
func check(t *testing.T, h *hosts.Host, script string, want hosts.Result) {
	t.Helper()
	if diff := cmp.Diff(want, h.Run(t, script)); diff != "" {
		t.Errorf("%s# %s (-want +got):\n%s", h.Name, script, diff)
	}
}

// out is a successful command's result with this standard output.
func out(stdout string) hosts.Result { return hosts.Result{Stdout: stdout} }

// fails is a failed command's result: this diagnostic, exit status 1.
func fails(stderr string) hosts.Result { return hosts.Result{Stderr: stderr, Code: 1} }

// linkLocal is the fe80:: address the host's emulated kernel gives its
// wg interfaces: in6_ifattach borrows the hardware address of another
// interface of the host (the namespace's veth, the only one with one
// when the kernel starts) and makes a modified EUI-64 of it (RFC 4291
// appendix A).
func linkLocal(t *testing.T, h *hosts.Host, ifname string) string {
	t.Helper()
	text := strings.TrimSpace(h.MustRun(t, "cat /sys/class/net/"+ifname+"/address"))
	mac, err := net.ParseMAC(text)
	if err != nil || len(mac) != 6 {
		t.Fatalf("%s: MAC of %s: %q: %v", h.Name, ifname, text, err)
	}
	a := [16]byte{0: 0xfe, 1: 0x80, 8: mac[0] ^ 0x02, 9: mac[1], 10: mac[2], 11: 0xff, 12: 0xfe, 13: mac[3], 14: mac[4], 15: mac[5]}
	return netip.AddrFrom16(a).String()
}

// ifIndex is the Linux index of the host's device ifname, which the
// emulated kernel takes as its interface index and scope id.
func ifIndex(t *testing.T, h *hosts.Host, ifname string) int {
	t.Helper()
	text := strings.TrimSpace(h.MustRun(t, "cat /sys/class/net/"+ifname+"/ifindex"))
	n, err := strconv.Atoi(text)
	if err != nil {
		t.Fatalf("%s: index of %s: %q", h.Name, ifname, text)
	}
	return n
}

// linuxIfName is the name of the host's device of that Linux index
// (if_indextoname(3) as wgconfig sees the namespace), if there is one.
func linuxIfName(t *testing.T, h *hosts.Host, index int) (string, bool) {
	t.Helper()
	for _, line := range strings.Split(h.MustRun(t, "ip -o link show"), "\n") {
		// "2: wg0: <POINTOPOINT,...> ..."; a veth's name carries
		// "@ifN".
		n, rest, ok := strings.Cut(line, ": ")
		if !ok || n != strconv.Itoa(index) {
			continue
		}
		name, _, _ := strings.Cut(rest, ":")
		name, _, _ = strings.Cut(name, "@")
		return name, true
	}
	return "", false
}

// peer is what wgconfig shows of a peer.
type peer struct {
	name, pub string
	endpoint  string // "" is "(none)"
	allowed   string // "" is no allowed-ips line at all
	handshake string // "" is "(never)"; else the ctime(3) text
}

// lines prints the peer as wgconfig's show_peer does, each line after
// prefix; psk "" is "(hidden)".
func (p peer) lines(prefix, psk string) string {
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	s := prefix + "public-key: " + p.pub + "\n" +
		prefix + "endpoint: " + or(p.endpoint, "(none)") + "\n" +
		prefix + "preshared-key: " + or(psk, "(hidden)") + "\n"
	if p.allowed != "" {
		s += prefix + "allowed-ips: " + p.allowed + "\n"
	}
	return s + prefix + "latest-handshake: " + or(p.handshake, "(never)") + "\n"
}

// showAll is "wgconfig <iface>" for an interface with this listen port
// ("" is "(none)") and these peers, in the kernel's order.
func showAll(iface, port string, peers ...peer) string {
	if port == "" {
		port = "(none)"
	}
	s := "interface: " + iface + "\n\tprivate-key: (hidden)\n\tlisten-port: " + port + "\n"
	for _, p := range peers {
		s += "\tpeer: " + p.name + "\n" + p.lines("\t\t", "")
	}
	return s
}

// showPeer is "wgconfig <iface> show peer <name>", with
// --show-preshared-key when psk is not "".
func showPeer(p peer, psk string) string {
	return "peer: " + p.name + "\n" + p.lines("\t", psk)
}

// display is "ifconfig wg0" of an interface that is up with the link
// up (a peer): the link-local address first, then the others in the
// order they were added, IPv6 before IPv4.
func display(ll string, index int, inet6 []string, inet []string) string {
	s := "wg0: flags=0x8041<UP,RUNNING,MULTICAST> mtu 1420\n" +
		"\tstatus: active\n" +
		fmt.Sprintf("\tinet6 %s%%wg0/64 flags 0 scopeid 0x%x\n", ll, index)
	for _, a := range inet6 {
		s += "\tinet6 " + a + " flags 0\n"
	}
	for _, a := range inet {
		s += "\tinet " + a + " flags 0\n"
	}
	return s
}

// publicDir is a directory anyone may read, for key files an
// unprivileged caller must be able to open.
func publicDir(t *testing.T) string {
	t.Helper()
	// Not t.TempDir: its parent is private to root.
	dir, err := os.MkdirTemp("", "nbwg-keys-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// hostA is a host configured as host A of wg(4)'s EXAMPLES, with keys
// made in Go and B's endpoint known, so that every line of the displays
// has a value.
type hostA struct {
	*hosts.Host
	key keyPair
	psk string
	b   peer // peer B, as wgconfig shows it
}

// newHostA configures hostA.  It has no wire: nothing can answer, so
// its displays keep their values (no handshake, endpoint as set).
func newHostA(t *testing.T) *hostA {
	t.Helper()
	a := &hostA{Host: hosts.New(t, "A"), key: newKeyPair(t), psk: newPSK()}
	b := newKeyPair(t)
	a.b = peer{name: "B", pub: b.pub, endpoint: "198.51.100.45:5678", allowed: "10.2.0.42/32,fd00:2::42/128"}
	a.WriteFile(t, "wg/wg0", []byte(a.key.priv+"\n"), 0o600)
	a.WriteFile(t, "wg/wg0.A-B", []byte(a.psk+"\n"), 0o600)
	newHostAConfig(t, a)
	return a
}

// newHostAConfig configures A's wg0, as newHostA does and as an
// administrator would again after its kernel was lost.
func newHostAConfig(t *testing.T, a *hostA) {
	t.Helper()
	for _, s := range []string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.2.0.1/24",
		"ifconfig wg0 inet6 fd00:2::1/64",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 set listen-port 1234",
		"wgconfig wg0 add peer B " + a.b.pub + " --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128 --endpoint=198.51.100.45:5678",
		"ifconfig wg0 up",
	} {
		quiet(t, a.Host, s)
	}
	check(t, a.Host, "wgconfig wg0", out(showAll("wg0", "1234", a.b)))
}

// state is everything root can read of wg0, secrets included: what a
// refused or failed command must leave as it was.
func (a *hostA) state(t *testing.T) string {
	t.Helper()
	return a.MustRun(t, "wgconfig wg0; echo --; wgconfig wg0 show private-key; echo --; "+
		"wgconfig wg0 show peer B --show-preshared-key; echo --; ifconfig wg0")
}
