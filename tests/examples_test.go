//go:build linux

package tests

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// TestExamples configures the two hosts of wg(4)'s EXAMPLES with the
// manual's commands, verbatim, and checks every display exactly:
//
//	A: stationary, 192.0.2.123, listen-port 1234
//	B: roaming, 198.51.100.45, knows A's endpoint, no listen port
//
// Keys come from wg-keygen into each host's own /etc/wg; A makes the
// preshared key and B gets a copy.
func TestExamples(t *testing.T) {
	hosts.Integration(t)
	start := time.Now().Truncate(time.Second)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	// The wire first: the kernel takes its IPv6 interface identifier
	// from the veth's hardware address when it starts.
	hosts.Link(t, a, "192.0.2.123/24", b, "198.51.100.45/24")

	for _, h := range []*hosts.Host{a, b} {
		quiet(t, h, "(umask 0077; wg-keygen > /etc/wg/wg0)")
		quiet(t, h, "wg-keygen --pub < /etc/wg/wg0 > /etc/wg/wg0.pub")
	}
	quiet(t, a, "(umask 0077; wg-keygen --psk > /etc/wg/wg0.A-B)")
	psk := a.ReadFile(t, "wg/wg0.A-B")
	b.WriteFile(t, "wg/wg0.A-B", []byte(psk), 0o600)
	psk = strings.TrimSuffix(psk, "\n")

	// wg-keygen's public keys are the private keys' (publicKey: the same
	// X25519, so this checks wg-keygen's I/O), and for NetBSD's fixed
	// key pair (tests/net/if_wg/common.sh) the one NetBSD recorded: an
	// oracle that shares no code with nbwg.
	check(t, a, "echo "+netbsdKeyPair.priv+" | wg-keygen --pub", out(netbsdKeyPair.pub+"\n"))
	priv := map[*hosts.Host]string{}
	pub := map[*hosts.Host]string{}
	for _, h := range []*hosts.Host{a, b} {
		priv[h] = strings.TrimSuffix(h.ReadFile(t, "wg/wg0"), "\n")
		pub[h] = strings.TrimSuffix(h.ReadFile(t, "wg/wg0.pub"), "\n")
		if want := publicKey(t, priv[h]); pub[h] != want {
			t.Fatalf("%s: wg-keygen --pub gave %q, want %q", h.Name, pub[h], want)
		}
	}

	for _, step := range []struct {
		h      *hosts.Host
		script string
	}{
		{a, "ifconfig wg0 create"},
		{a, "ifconfig wg0 inet 10.2.0.1/24"},
		{a, "ifconfig wg0 inet6 fd00:2::1/64"},
		{a, "wgconfig wg0 set private-key /etc/wg/wg0"},
		{a, "wgconfig wg0 set listen-port 1234"},
		{a, "wgconfig wg0 add peer B " + pub[b] + " --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128"},
		{a, "ifconfig wg0 up"},

		{b, "ifconfig wg0 create"},
		{b, "ifconfig wg0 inet 10.2.0.42/24"},
		{b, "ifconfig wg0 inet6 fd00:2::42/64"},
		{b, "wgconfig wg0 set private-key /etc/wg/wg0"},
		{b, "wgconfig wg0 add peer A " + pub[a] + " --preshared-key=/etc/wg/wg0.A-B --allowed-ips=10.2.0.1/32,fd00:2::1/128 --endpoint=192.0.2.123:1234"},
		{b, "ifconfig wg0 up"},
	} {
		quiet(t, step.h, step.script)
	}

	peerB := peer{name: "B", pub: pub[b], allowed: "10.2.0.42/32,fd00:2::42/128"}
	peerA := peer{name: "A", pub: pub[a], endpoint: "192.0.2.123:1234", allowed: "10.2.0.1/32,fd00:2::1/128"}

	// Before any traffic: no handshake yet, and A does not know where
	// B is.
	for _, tt := range []struct {
		h       *hosts.Host
		veth    string
		inet6   string
		inet    string
		port    string
		peer    peer
		privKey string
	}{
		{a, "vB", "fd00:2::1/64", "10.2.0.1/24", "1234", peerB, priv[a]},
		{b, "vA", "fd00:2::42/64", "10.2.0.42/24", "", peerA, priv[b]},
	} {
		h := tt.h
		want := display(linkLocal(t, h, tt.veth), ifIndex(t, h, "wg0"), []string{tt.inet6}, []string{tt.inet})
		check(t, h, "ifconfig wg0", out(want))
		check(t, h, "wgconfig wg0", out(showAll("wg0", tt.port, tt.peer)))
		check(t, h, "wgconfig wg0 show all", out(showAll("wg0", tt.port, tt.peer)))
		check(t, h, "wgconfig wg0 show peer "+tt.peer.name, out(showPeer(tt.peer, "")))
		check(t, h, "wgconfig wg0 show peer "+tt.peer.name+" --show-preshared-key", out(showPeer(tt.peer, psk)))
		check(t, h, "wgconfig wg0 show private-key", out("private-key: "+tt.privKey+"\n"))
	}

	// Through the tunnel, both ways, both families.  The first packet
	// waits for the handshake; bound the wait.
	for _, p := range []struct {
		h  *hosts.Host
		to string
	}{{b, "10.2.0.1"}, {b, "fd00:2::1"}, {a, "10.2.0.42"}, {a, "fd00:2::42"}} {
		if err := p.h.Ping(t, p.to, 20*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	end := time.Now()

	// After it: a handshake time on both sides, and A has learnt B's
	// address (B's port is the kernel's choice).
	handshakeA := handshakeTime(t, a, "B", start, end)
	handshakeB := handshakeTime(t, b, "A", start, end)
	port := learntPort(t, a, "B", "198.51.100.45")
	peerB.endpoint = "198.51.100.45:" + port
	peerB.handshake = handshakeA
	peerA.handshake = handshakeB
	check(t, a, "wgconfig wg0", out(showAll("wg0", "1234", peerB)))
	check(t, a, "wgconfig wg0 show peer B --show-preshared-key", out(showPeer(peerB, psk)))
	check(t, b, "wgconfig wg0", out(showAll("wg0", "", peerA)))
	check(t, b, "wgconfig wg0 show peer A --show-preshared-key", out(showPeer(peerA, psk)))
}

// handshakeTime returns the ctime(3) text of "latest-handshake:" that
// "wgconfig wg0 show peer <name>" prints, after checking that it names a
// second between start and end.
func handshakeTime(t *testing.T, h *hosts.Host, name string, start, end time.Time) string {
	t.Helper()
	got := h.MustRun(t, "wgconfig wg0 show peer "+name)
	m := regexp.MustCompile(`(?m)^\tlatest-handshake: (.*)$`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("%s: no latest-handshake line:\n%s", h.Name, got)
	}
	when, err := time.ParseInLocation("Mon Jan _2 15:04:05 2006", m[1], time.Local)
	if err != nil {
		t.Fatalf("%s: latest-handshake %q is no ctime(3) date: %v", h.Name, m[1], err)
	}
	if when.Before(start) || when.After(end) {
		t.Errorf("%s: latest-handshake %v, not between %v and %v", h.Name, when, start, end)
	}
	return m[1]
}

// learntPort returns the port of the endpoint a host shows for a peer,
// after checking its address.
func learntPort(t *testing.T, h *hosts.Host, name, addr string) string {
	t.Helper()
	got := h.MustRun(t, "wgconfig wg0 show peer "+name)
	m := regexp.MustCompile(`(?m)^\tendpoint: ` + regexp.QuoteMeta(addr) + `:(\d+)$`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("%s: endpoint of %s is not %s:<port>:\n%s", h.Name, name, addr, got)
	}
	if n, err := strconv.Atoi(m[1]); err != nil || n < 1 || n > 65535 {
		t.Fatalf("%s: endpoint port %q", h.Name, m[1])
	}
	return m[1]
}
