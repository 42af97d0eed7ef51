//go:build linux

package tests

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// udpListeners is what "ss -Hulnp" shows of the host's UDP sockets, one
// "PROGRAM[PID] ADDRESS:PORT" per socket, sorted.
func udpListeners(t *testing.T, h *hosts.Host) []string {
	t.Helper()
	var socks []string
	users := regexp.MustCompile(`users:\(\("([^"]+)",pid=(\d+),`)
	for _, line := range strings.Split(strings.TrimSpace(h.MustRun(t, "ss -Hulnp")), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		who := "?"
		if m := users.FindStringSubmatch(line); m != nil {
			who = m[1] + "[" + m[2] + "]"
		}
		socks = append(socks, who+" "+f[3])
	}
	slices.Sort(socks)
	return socks
}

// TestListenPortRebind: "wgconfig wg0 set listen-port" on a running
// interface, as wgconfig.8 documents nbwg's behaviour (NetBSD refuses a
// second bind with EINVAL: divergences row 6).  The same port again
// changes nothing; a new port replaces the old, for the kernel's sockets
// (ss) and for the configuration (wgconfig), and the tunnel moves there;
// a port another program holds is refused with EADDRINUSE and the old
// port stays, with traffic still flowing over it.
func TestListenPortRebind(t *testing.T) {
	hosts.Integration(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	hosts.Link(t, a, "192.0.2.123/24", b, "198.51.100.45/24")
	ka, kb := newKeyPair(t), newKeyPair(t)
	a.WriteFile(t, "wg/wg0", []byte(ka.priv+"\n"), 0o600)
	b.WriteFile(t, "wg/wg0", []byte(kb.priv+"\n"), 0o600)
	for _, s := range []string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.2.0.1/24",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 set listen-port 1234",
		"wgconfig wg0 add peer B " + kb.pub + " --allowed-ips=10.2.0.42/32",
		"ifconfig wg0 up",
	} {
		quiet(t, a, s)
	}
	for _, s := range []string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.2.0.42/24",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 add peer A " + ka.pub + " --allowed-ips=10.2.0.1/32 --endpoint=192.0.2.123:1234",
		"ifconfig wg0 up",
	} {
		quiet(t, b, s)
	}
	kernel := kernelPID(t, a)
	sockets := func(port int) []string {
		return []string{
			fmt.Sprintf("nbwgd[%d] 0.0.0.0:%d", kernel, port),
			fmt.Sprintf("nbwgd[%d] [::]:%d", kernel, port),
		}
	}
	listening := func(want []string) {
		t.Helper()
		if diff := cmp.Diff(want, udpListeners(t, a)); diff != "" {
			t.Errorf("A# ss -Hulnp (-want +got):\n%s", diff)
		}
	}
	configured := func(port int) {
		t.Helper()
		shown := a.MustRun(t, "wgconfig wg0")
		if want := fmt.Sprintf("\n\tlisten-port: %d\n", port); !strings.Contains(shown, want) {
			t.Errorf("A# wgconfig wg0: want %q in:\n%s", want, shown)
		}
	}
	// B's endpoint for A: where A's packets come from.
	bSees := func(port int) {
		t.Helper()
		shown := b.MustRun(t, "wgconfig wg0 show peer A")
		if want := fmt.Sprintf("\n\tendpoint: 192.0.2.123:%d\n", port); !strings.Contains(shown, want) {
			t.Errorf("B# wgconfig wg0 show peer A: want %q in:\n%s", want, shown)
		}
	}
	ping := func(h *hosts.Host, to string) {
		t.Helper()
		if err := h.Ping(t, to, 20*time.Second); err != nil {
			t.Fatal(err)
		}
	}

	ping(b, "10.2.0.1")
	listening(sockets(1234))
	configured(1234)

	// The same port: nothing changes.
	quiet(t, a, "wgconfig wg0 set listen-port 1234")
	listening(sockets(1234))
	configured(1234)

	// A new port: the sockets move, and so does the tunnel.  A speaks
	// first (it knows B's endpoint from the handshake); B follows A to
	// its new source port ([W] 6.5), and answers there.
	quiet(t, a, "wgconfig wg0 set listen-port 1235")
	listening(sockets(1235))
	configured(1235)
	ping(a, "10.2.0.42")
	ping(b, "10.2.0.1")
	bSees(1235)

	// A port another program holds: nc, whose pid the script prints.
	nc := a.Start(t, 0, 0, "echo $$; exec nc -u -l 4321")
	nc.WaitFor(t, "\n", 5*time.Second)
	ncPID := strings.TrimSpace(nc.Stdout())
	err := hosts.Poll(5*time.Second, func() error {
		for _, s := range udpListeners(t, a) {
			if strings.HasPrefix(s, "nc["+ncPID+"] ") && strings.HasSuffix(s, ":4321") {
				return nil
			}
		}
		return fmt.Errorf("nc[%s] not bound to 4321 yet", ncPID)
	})
	if err != nil {
		t.Fatal(err)
	}
	held := udpListeners(t, a)
	for _, s := range sockets(1235) {
		if !slices.Contains(held, s) {
			t.Fatalf("A# ss -Hulnp: no %q with nc running: %v", s, held)
		}
	}
	check(t, a, "wgconfig wg0 set listen-port 4321",
		fails("wgconfig: ioctl(SIOCSDRVSPEC): cmd=2: Address already in use\n"))
	// The kernel kept 1235, and nc its port.
	listening(held)
	configured(1235)
	ping(a, "10.2.0.42")
	ping(b, "10.2.0.1")
	bSees(1235)
	nc.Stop()
}
