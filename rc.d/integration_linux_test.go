//go:build linux

package rcd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

func TestMain(m *testing.M) { hosts.Main(m) }

// The boot test: two emulated hosts, A (stationary, 192.0.2.123, port
// 1234) and B (roaming, 198.51.100.45), as in wg(4)'s EXAMPLES, each
// booted by the rc.d script from a directory of its own holding its
// ifconfig.wg0; keys in each host's private /etc/wg.

// fileA is the file of issue 4 for host A, its allowed-ips fixed
// (fd00:2::1/128 is A's own address, not B's); typo is its second line,
// "inet" or the "net".
func fileA(typo, pubB string) string {
	return fmt.Sprintf(`create
%s 10.2.0.1/24
inet6 fd00:2::1/64
!wgconfig $int set private-key /etc/wg/$int
!wgconfig $int set listen-port 1234
!wgconfig $int add peer B %s --preshared-key=/etc/wg/$int.A-B --allowed-ips=10.2.0.42/32,fd00:2::42/128
up
`, typo, pubB)
}

// fileB is B's: wg(4)'s client, without "create" and without a port.
func fileB(pubA string) string {
	return fmt.Sprintf(`# B: roaming; knows A's endpoint
inet 10.2.0.42/24
inet6 fd00:2::42/64
!wgconfig $int set private-key /etc/wg/$int
!wgconfig $int add peer A %s \
	--preshared-key=/etc/wg/$int.A-B \
	--allowed-ips=10.2.0.1/32,fd00:2::1/128 \
	--endpoint=192.0.2.123:1234
up
`, pubA)
}

// bootHost is an emulated host with its etc directory for NBWG_ETC.
type bootHost struct {
	*hosts.Host
	etc string
}

// network runs the repository's rc.d script on the host.
func (h bootHost) network(t *testing.T, args string) hosts.Result {
	t.Helper()
	r := h.Run(t, fmt.Sprintf("NBWG_ETC=%s %s %s", h.etc, filepath.Join(rcdDir(t), "network"), args))
	r.Stderr = strings.ReplaceAll(r.Stderr, h.etc, "$ETC")
	return r
}

func (h bootHost) write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(h.etc, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readEtc reads a file of the host's private /etc, without the white
// space around it.
func readEtc(t *testing.T, h *hosts.Host, rel string) string {
	t.Helper()
	return strings.TrimSpace(h.ReadFile(t, rel))
}

// ping pings addr from h until a reply comes, for at most 10 seconds
// (the first packets wait for the handshake).
func ping(t *testing.T, h *hosts.Host, addr string) {
	t.Helper()
	if err := h.Ping(t, addr, 10*time.Second); err != nil {
		t.Error(err)
	}
}

func TestBootTwoHosts(t *testing.T) {
	hosts.Skip(t)
	a := bootHost{hosts.New(t, "A"), t.TempDir()}
	b := bootHost{hosts.New(t, "B"), t.TempDir()}
	hosts.Link(t, a.Host, "192.0.2.123/24", b.Host, "198.51.100.45/24")

	// Keys as wg(4)'s EXAMPLES make them; the preshared key goes to B
	// as an administrator would copy it.
	a.MustRun(t, "(umask 0077; wg-keygen > /etc/wg/wg0) && wg-keygen --pub < /etc/wg/wg0 > /etc/wg/wg0.pub && (umask 0077; wg-keygen --psk > /etc/wg/wg0.A-B)")
	b.MustRun(t, "(umask 0077; wg-keygen > /etc/wg/wg0) && wg-keygen --pub < /etc/wg/wg0 > /etc/wg/wg0.pub")
	b.WriteFile(t, "wg/wg0.A-B", []byte(readEtc(t, a.Host, "wg/wg0.A-B")+"\n"), 0o600)
	pubA, pubB := readEtc(t, a.Host, "wg/wg0.pub"), readEtc(t, b.Host, "wg/wg0.pub")

	// A boots with the typo, and a second interface: the bad
	// line is named, everything else is applied, start exits 1.
	a.write(t, "ifconfig.wg0", fileA("net", pubB))
	a.write(t, "ifconfig.wg1", "inet 10.3.0.1/24\nup\n")
	// NetBSD's wording and its one heading (etc/rc.d/network 1.74
	// lines 250, 269, 343): the report ends the line as NetBSD's echo
	// before a warning does (line 261), and wg1 follows on the next.
	want := hosts.Result{
		Stdout: "Configuring network interfaces: wg0\n wg1.\n",
		Stderr: "$ETC/ifconfig.wg0:2: ifconfig wg0 net 10.2.0.1/24: not valid ifconfig(8) arguments (its usage message left out); exit status 1\n",
		Code:   1,
	}
	if diff := cmp.Diff(want, a.network(t, "start")); diff != "" {
		t.Fatalf("A: start with the typo (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("wg0 wg1\n", a.MustRun(t, "ifconfig -lu")); diff != "" {
		t.Errorf("A: interfaces up after a failed line (-want +got):\n%s", diff)
	}
	if out := a.MustRun(t, "ifconfig wg0"); strings.Contains(out, "10.2.0.1") || !strings.Contains(out, "fd00:2::1/64") {
		t.Errorf("A: wg0 after the typo: want fd00:2::1 and not 10.2.0.1:\n%s", out)
	}

	// Fixed, restart applies the files once more, each once.
	a.write(t, "ifconfig.wg0", fileA("inet", pubB))
	want = hosts.Result{Stdout: "Downing network interfaces: wg0 wg1.\nConfiguring network interfaces: wg0 wg1.\n"}
	if diff := cmp.Diff(want, a.network(t, "restart")); diff != "" {
		t.Fatalf("A: restart (-want +got):\n%s", diff)
	}
	b.write(t, "ifconfig.wg0", fileB(pubA))
	want = hosts.Result{Stdout: "Configuring network interfaces: wg0.\n"}
	if diff := cmp.Diff(want, b.network(t, "start")); diff != "" {
		t.Fatalf("B: start (-want +got):\n%s", diff)
	}

	// A second start applies nothing twice.
	want = hosts.Result{
		Stdout: "Configuring network interfaces:\n.\n",
		Stderr: fmt.Sprintf("%[1]s: wg0 exists already; its configuration is not applied again (use restart)\n"+
			"%[1]s: wg1 exists already; its configuration is not applied again (use restart)\n", filepath.Join(rcdDir(t), "network")),
	}
	if diff := cmp.Diff(want, a.network(t, "start")); diff != "" {
		t.Errorf("A: start again (-want +got):\n%s", diff)
	}
	if out := a.MustRun(t, "ifconfig wg0"); strings.Count(out, "inet 10.2.0.1/24") != 1 {
		t.Errorf("A: wg0 should have 10.2.0.1/24 once:\n%s", out)
	}
	if out := a.MustRun(t, "wgconfig wg0"); strings.Count(out, "peer: ") != 1 || !strings.Contains(out, "listen-port: 1234") {
		t.Errorf("A: wgconfig wg0: want one peer and port 1234:\n%s", out)
	}
	if diff := cmp.Diff(hosts.Result{Stdout: "wg0 is up.\nwg1 is up.\n"}, a.network(t, "status")); diff != "" {
		t.Errorf("A: status (-want +got):\n%s", diff)
	}

	// Through the tunnel, both ways, both families.
	ping(t, b.Host, "10.2.0.1")
	ping(t, b.Host, "fd00:2::1")
	ping(t, a.Host, "10.2.0.42")
	ping(t, a.Host, "fd00:2::42")

	// stop removes the interfaces, from nbwg and from Linux.
	for _, h := range []bootHost{a, b} {
		r := h.network(t, "stop")
		if r.Code != 0 || r.Stderr != "" {
			t.Errorf("%s: stop: exit %d, stderr %q", h.Name, r.Code, r.Stderr)
		}
		if diff := cmp.Diff("\n", h.MustRun(t, "ifconfig -l")); diff != "" {
			t.Errorf("%s: ifconfig -l after stop (-want +got):\n%s", h.Name, diff)
		}
		err := hosts.Poll(5*time.Second, func() error {
			if out := h.MustRun(t, "ip -o link show"); strings.Contains(out, "wg0") {
				return fmt.Errorf("Linux still has wg0:\n%s", out)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: after stop: %v", h.Name, err)
		}
	}
	if diff := cmp.Diff(hosts.Result{Stdout: "wg0 does not exist.\nwg1 does not exist.\n", Code: 1}, a.network(t, "status")); diff != "" {
		t.Errorf("A: status after stop (-want +got):\n%s", diff)
	}
}
