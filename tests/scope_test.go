//go:build linux

package tests

import (
	"regexp"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// TestScopedEndpoint: a peer's endpoint is a link-local address scoped
// by the name of the wire it is on, as NetBSD's getaddrinfo(3) reads it
// (ip6_str2scopeid: if_nametoindex for a link-local address).  The
// handshake goes over that wire, packets pass, and wgconfig shows the
// endpoint with the interface's name (getnameinfo's ip6_sa2str), on the
// side that configured it and on the side that learned it from the
// handshake.
func TestScopedEndpoint(t *testing.T) {
	hosts.Integration(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	// Only link-local addresses on the wire: vB on A, vA on B.
	hosts.Link(t, a, "fe80::a/64", b, "fe80::b/64")
	ka, kb := newKeyPair(t), newKeyPair(t)
	a.WriteFile(t, "wg/wg0", []byte(ka.priv+"\n"), 0o600)
	b.WriteFile(t, "wg/wg0", []byte(kb.priv+"\n"), 0o600)
	for _, s := range []string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.9.0.1/24",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 set listen-port 51820",
		"wgconfig wg0 add peer B " + kb.pub + " --allowed-ips=10.9.0.2/32 --endpoint=[fe80::b%vB]:51821",
		"ifconfig wg0 up",
	} {
		quiet(t, a, s)
	}
	for _, s := range []string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.9.0.2/24",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 set listen-port 51821",
		// No endpoint: B learns A's from the handshake.
		"wgconfig wg0 add peer A " + ka.pub + " --allowed-ips=10.9.0.1/32",
		"ifconfig wg0 up",
	} {
		quiet(t, b, s)
	}
	pb := peer{name: "B", pub: kb.pub, endpoint: "fe80::b%vB:51821", allowed: "10.9.0.2/32"}
	check(t, a, "wgconfig wg0 show peer B", out(showPeer(pb, "")))

	if err := a.Ping(t, "10.9.0.2", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.Ping(t, "10.9.0.1", 10*time.Second); err != nil {
		t.Fatal(err)
	}

	// The handshake's time is the kernel's; the rest is exact.
	shown := a.MustRun(t, "wgconfig wg0")
	m := regexp.MustCompile(`\tlatest-handshake: (.+)\n`).FindStringSubmatch(shown)
	if m == nil || m[1] == "(never)" {
		t.Fatalf("A# wgconfig wg0: no handshake:\n%s", shown)
	}
	pb.handshake = m[1]
	if want := showAll("wg0", "51820", pb); shown != want {
		t.Errorf("A# wgconfig wg0:\n%s\nwant:\n%s", shown, want)
	}
	// B's kernel took A's address and scope from the handshake's
	// source: the scope is B's end of the wire, by name.
	learned := b.MustRun(t, "wgconfig wg0 show peer A")
	if !regexp.MustCompile(`\n\tendpoint: fe80::[0-9a-f:]+%vA:51820\n`).MatchString(learned) {
		t.Errorf("B# wgconfig wg0 show peer A: want an endpoint fe80::…%%vA:51820:\n%s", learned)
	}
}
