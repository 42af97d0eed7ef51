//go:build linux

package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// TestNamespacesApart: each namespace is a host with a kernel of its
// own.  ifconfig-shim's integration test covers ifconfig's listings;
// this one covers wg(4)'s state: keys, ports, peers and the TUN devices
// of one host are never another's, even when they are the same.
func TestNamespacesApart(t *testing.T) {
	hosts.Integration(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	key := newKeyPair(t)
	same := newKeyPair(t).pub // a peer both hosts will have
	for _, h := range []*hosts.Host{a, b} {
		h.WriteFile(t, "wg/wg0", []byte(key.priv+"\n"), 0o600)
	}
	for _, s := range []string{
		"ifconfig wg0 create", "ifconfig wg1 create",
		"wgconfig wg0 set private-key /etc/wg/wg0", "wgconfig wg0 set listen-port 1234",
		"wgconfig wg0 add peer P " + same + " --allowed-ips=10.2.0.42/32",
		"wgconfig wg1 set listen-port 1235",
	} {
		quiet(t, a, s)
	}
	pA := peer{name: "P", pub: same, allowed: "10.2.0.42/32"}
	aState := func() string {
		return a.MustRun(t, "wgconfig wg0; wgconfig wg0 show private-key; wgconfig wg1; ip -o link show type tun | cut -d: -f2")
	}
	wantA := showAll("wg0", "1234", pA) + "private-key: " + key.priv + "\n" + showAll("wg1", "1235") + " wg0\n wg1\n"
	if diff := cmp.Diff(wantA, aState()); diff != "" {
		t.Fatalf("A (-want +got):\n%s", diff)
	}

	// B runs no kernel: none of A's interfaces, at either level.
	for _, tt := range []struct {
		script string
		want   hosts.Result
	}{
		{"ifconfig -l", out("\n")},
		{"wgconfig wg0", fails("wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n")},
		{"wgconfig wg1 show private-key", fails("wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n")},
		{"wgconfig wg0 delete peer P", fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=8: Device not configured\n")},
		{"ip -o link show type tun", out("")},
	} {
		check(t, b, tt.script, tt.want)
	}

	// B's own wg0: the same private key, port, peer name and key as
	// A's, none of them taken.
	for _, s := range []string{
		"ifconfig wg0 create",
		"wgconfig wg0 set private-key /etc/wg/wg0", "wgconfig wg0 set listen-port 1234",
		"wgconfig wg0 add peer P " + same + " --allowed-ips=10.2.0.1/32 --endpoint=192.0.2.123:1234",
	} {
		quiet(t, b, s)
	}
	pB := peer{name: "P", pub: same, endpoint: "192.0.2.123:1234", allowed: "10.2.0.1/32"}
	check(t, b, "wgconfig wg0", out(showAll("wg0", "1234", pB)))
	check(t, b, "wgconfig wg1", fails("wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n"))
	check(t, b, "ifconfig -l", out("wg0\n"))
	if diff := cmp.Diff(wantA, aState()); diff != "" {
		t.Errorf("A after B configured its wg0 (-want +got):\n%s", diff)
	}
	// Each kernel holds UDP port 1234 in its own namespace.
	for _, h := range []*hosts.Host{a, b} {
		if got := h.MustRun(t, "ss -Hnlu 'sport = :1234'"); !strings.Contains(got, ":1234 ") {
			t.Errorf("%s: nothing listens on UDP port 1234:\n%s", h.Name, got)
		}
	}

	// B's wg0 goes; A's stay.
	quiet(t, b, "wgconfig wg0 delete peer P")
	quiet(t, b, "ifconfig wg0 destroy")
	err := hosts.Poll(5*time.Second, func() error {
		if r := b.Run(t, "ip -o link show type tun"); r.Stdout != "" {
			return fmt.Errorf("B still has TUN devices:\n%s", r.Stdout)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if diff := cmp.Diff(wantA, aState()); diff != "" {
		t.Errorf("A after B destroyed its wg0 (-want +got):\n%s", diff)
	}
	check(t, a, "ifconfig -l", out("wg0 wg1\n"))
}
