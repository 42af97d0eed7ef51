//go:build linux

package uapi

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// gone waits until h has no interface ifname, no socket for it and no
// nbwg-go running.
func gone(t *testing.T, h *hosts.Host, ifname string) {
	t.Helper()
	if err := hosts.Poll(10*time.Second, func() error {
		if h.Run(t, "ip link show dev "+ifname).Code == 0 {
			return fmt.Errorf("%s is still there", ifname)
		}
		if h.Run(t, "test -e /var/run/wireguard/"+ifname+".sock").Code == 0 {
			return fmt.Errorf("/var/run/wireguard/%s.sock is still there", ifname)
		}
		if pids := nbwgGoPIDs(t, h); len(pids) > 0 {
			return fmt.Errorf("nbwg-go still runs: %v", pids)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// nbwgGoPIDs are the nbwg-go processes in h's network namespace (not
// another test's, which pgrep would find too).
func nbwgGoPIDs(t *testing.T, h *hosts.Host) []int {
	t.Helper()
	out, err := exec.Command("ip", "netns", "pids", h.NS).Output()
	if err != nil {
		t.Fatalf("ip netns pids %s: %v", h.NS, err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && string(comm) == "nbwg-go\n" {
			pids = append(pids, pid)
		}
	}
	return pids
}

// succeeds runs script on h and says why not if it failed.
func succeeds(t *testing.T, h *hosts.Host, script string) error {
	t.Helper()
	if r := h.Run(t, script); r.Code != 0 {
		return fmt.Errorf("%s# %s: %+v", h.Name, script, r)
	}
	return nil
}

// TestNbwgGoCommand: wireguard-go's command line and environment: the
// usage, foreground with -f or WG_PROCESS_FOREGROUND=1, the log on
// standard output with LOG_LEVEL, and the ways it stops, each taking the
// interface and the socket with it.
func TestNbwgGoCommand(t *testing.T) {
	hosts.Integration(t)
	needWG(t)
	h := hosts.New(t, "G")

	t.Run("usage", func(t *testing.T) {
		for _, args := range []string{"", "-f", "-x wg0", "wg0 wg1", "-f wg0 wg1"} {
			r := h.Run(t, "nbwg-go "+args)
			if r.Code != 1 || r.Stderr != "usage: nbwg-go [-f | --foreground] interface\n" {
				t.Errorf("nbwg-go %s: %+v", args, r)
			}
		}
	})
	t.Run("daemon", func(t *testing.T) {
		// It returns at once, leaving the daemon with the socket.
		h.MustRun(t, "nbwg-go wgc5")
		h.MustRun(t, "test -S /var/run/wireguard/wgc5.sock && ip link show dev wgc5 >/dev/null")
		if got := h.MustRun(t, "stat -c %a /var/run/wireguard/wgc5.sock"); got != "700\n" {
			t.Errorf("the socket's mode is %s, want 700", got)
		}
		if got := h.MustRun(t, "wg show wgc5 listen-port"); got != "0\n" {
			t.Errorf("wg show wgc5 listen-port: %q", got)
		}
		pids := nbwgGoPIDs(t, h)
		if len(pids) != 1 {
			t.Fatalf("nbwg-go processes in G: %v", pids)
		}
		syscall.Kill(pids[0], syscall.SIGTERM)
		gone(t, h, "wgc5")
	})
	t.Run("foreground", func(t *testing.T) {
		for _, c := range []struct {
			cmd string
			sig syscall.Signal
		}{
			{"LOG_LEVEL=verbose exec nbwg-go -f wgc6", syscall.SIGINT},
			{"LOG_LEVEL=verbose WG_PROCESS_FOREGROUND=1 exec nbwg-go --foreground wgc6", syscall.SIGTERM},
			{"LOG_LEVEL=debug WG_PROCESS_FOREGROUND=1 exec nbwg-go wgc6", syscall.SIGTERM},
		} {
			p := h.Start(t, 0, 0, c.cmd)
			p.WaitFor(t, "UAPI listener started", 10*time.Second)
			h.MustRun(t, "wg set wgc6 listen-port 51999")
			if err := p.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			res, err := p.Wait(10 * time.Second)
			if err != nil || res.Code != 0 {
				t.Errorf("%s, then %v: %v %+v", c.cmd, c.sig, err, res)
			}
			if !strings.Contains(res.Stdout, "shutting down") {
				t.Errorf("%s: no log of the shutdown on standard output:\n%s", c.cmd, res.Stdout)
			}
			gone(t, h, "wgc6")
		}
		// Silent and error-only logs say nothing of a clean run.
		for _, level := range []string{"silent", "error", ""} {
			p := h.Start(t, 0, 0, "LOG_LEVEL="+level+" exec nbwg-go -f wgc6")
			if err := hosts.Poll(10*time.Second, func() error {
				return succeeds(t, h, "wg show wgc6")
			}); err != nil {
				t.Fatal(err)
			}
			p.Signal(syscall.SIGTERM)
			res, err := p.Wait(10 * time.Second)
			if err != nil || res.Code != 0 || res.Stdout != "" {
				t.Errorf("LOG_LEVEL=%s: %v %+v", level, err, res)
			}
			gone(t, h, "wgc6")
		}
	})
	t.Run("socket removed", func(t *testing.T) {
		// As wireguard-go: removing the socket stops the daemon.
		h.MustRun(t, "nbwg-go wgc7 && rm /var/run/wireguard/wgc7.sock")
		gone(t, h, "wgc7")
	})
	t.Run("name taken", func(t *testing.T) {
		h.MustRun(t, "nbwg-go wgc8")
		if r := h.Run(t, "nbwg-go wgc8"); r.Code == 0 {
			t.Errorf("a second nbwg-go wgc8 succeeded: %+v", r)
		}
		h.MustRun(t, "ip link del wgc8")
		gone(t, h, "wgc8")
	})
}

// TestWgQuick: WG_QUICK_USERSPACE_IMPLEMENTATION=nbwg-go wg-quick up and
// down of a configuration file, on two hosts that then reach each other
// through the tunnel.  wg-quick tries the kernel's WireGuard first
// (`ip link add wg0 type wireguard`) and falls back to the userspace
// implementation only where the kernel has no WireGuard module; on a
// machine that has one, the script hides it from wg-quick (a tmpfs over
// /sys/module, in the mount namespace ip netns exec made for it, and an
// ip(8) that refuses the type), so the test runs the same everywhere.
func TestWgQuick(t *testing.T) {
	hosts.Integration(t)
	needWG(t)
	hosts.LookPath(t, "wg-quick", "wireguard-tools")
	ka, kb := newKeyPair(t), newKeyPair(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	hosts.Link(t, a, "192.168.9.1/24", b, "192.168.9.2/24")
	// Each its own name: wg-quick names the interface after the file,
	// and a userspace implementation's socket in /var/run/wireguard is
	// one for every namespace (wireguard-go's netns.sh uses wg1 and wg2
	// for that reason).
	conf := func(self, peer keyPair, addr, peerAddr, peerEndpoint string) string {
		return "[Interface]\nPrivateKey = " + self.priv + "\nAddress = " + addr + "\nListenPort = 51820\n\n" +
			"[Peer]\nPublicKey = " + peer.pub + "\nAllowedIPs = " + peerAddr + "\nEndpoint = " + peerEndpoint + "\n"
	}
	a.WriteFile(t, "wg/wgqa.conf", []byte(conf(ka, kb, "10.0.0.1/24, fd00::1/64", "10.0.0.2/32, fd00::2/128", "192.168.9.2:51820")), 0o600)
	b.WriteFile(t, "wg/wgqb.conf", []byte(conf(kb, ka, "10.0.0.2/24, fd00::2/64", "10.0.0.1/32, fd00::1/128", "192.168.9.1:51820")), 0o600)
	name := map[*hosts.Host]string{a: "wgqa", b: "wgqb"}
	const noModule = `real_ip=$(command -v ip)
mkdir -p /tmp/nbwg-wg-quick.$$
cat > /tmp/nbwg-wg-quick.$$/ip <<EOF
#!/bin/sh
case " \$* " in *" type wireguard "*) echo "Error: Unknown device type." >&2; exit 2;; esac
exec $real_ip "\$@"
EOF
chmod +x /tmp/nbwg-wg-quick.$$/ip
export PATH=/tmp/nbwg-wg-quick.$$:$PATH
[ -e /sys/module/wireguard ] && mount -t tmpfs nbwg-no-module /sys/module
export WG_QUICK_USERSPACE_IMPLEMENTATION=nbwg-go
`
	for _, h := range []*hosts.Host{a, b} {
		r := h.Run(t, noModule+"wg-quick up /etc/wg/"+name[h]+".conf; rc=$?; rm -r /tmp/nbwg-wg-quick.$$; exit $rc")
		if r.Code != 0 {
			t.Fatalf("%s# wg-quick up: %+v", h.Name, r)
		}
		if !strings.Contains(r.Stderr, "nbwg-go "+name[h]) {
			t.Errorf("%s# wg-quick up did not run nbwg-go:\n%s", h.Name, r.Stderr)
		}
	}
	if err := a.Ping(t, "10.0.0.2", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.Ping(t, "fd00::1", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := a.MustRun(t, "wg show wgqa peers"); got != kb.pub+"\n" {
		t.Errorf("A# wg show wgqa peers: %q", got)
	}
	if got := a.MustRun(t, "wg showconf wgqa"); !strings.Contains(got, "Endpoint = 192.168.9.2:51820") {
		t.Errorf("A# wg showconf wgqa:\n%s", got)
	}
	for _, h := range []*hosts.Host{a, b} {
		if r := h.Run(t, "wg-quick down /etc/wg/"+name[h]+".conf"); r.Code != 0 {
			t.Errorf("%s# wg-quick down: %+v", h.Name, r)
		}
		gone(t, h, name[h])
	}
}

// TestWireguardGoInterop: nbwg-go and wireguard-go, each configured with
// wg(8) alone, handshake and carry traffic both ways, in both outer
// families.
func TestWireguardGoInterop(t *testing.T) {
	hosts.Integration(t)
	needWG(t)
	hosts.LookPath(t, "wireguard-go", "wireguard-go")
	hosts.LookPath(t, "iperf3", "iperf3")
	ka, kb := newKeyPair(t), newKeyPair(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	hosts.Link(t, a, "192.168.9.1/24", b, "192.168.9.2/24")
	a.MustRun(t, "ip -6 addr add fd09::1/64 dev vB nodad")
	b.MustRun(t, "ip -6 addr add fd09::2/64 dev vA nodad")
	a.WriteFile(t, "wg/key", []byte(ka.priv+"\n"), 0o600)
	b.WriteFile(t, "wg/key", []byte(kb.priv+"\n"), 0o600)
	// Names of their own: both sockets are in the one
	// /var/run/wireguard.
	a.MustRun(t, "nbwg-go wgia")
	b.Start(t, 0, 0, "exec wireguard-go -f wgib")
	if err := hosts.Poll(10*time.Second, func() error { return succeeds(t, b, "wg show wgib") }); err != nil {
		t.Fatal(err)
	}
	a.MustRun(t, "ip addr add 10.0.0.1/24 dev wgia && ip addr add fd00::1/64 dev wgia && ip link set wgia up")
	b.MustRun(t, "ip addr add 10.0.0.2/24 dev wgib && ip addr add fd00::2/64 dev wgib && ip link set wgib up")
	a.MustRun(t, "wg set wgia private-key /etc/wg/key listen-port 51820 peer "+kb.pub+" allowed-ips 10.0.0.2/32,fd00::2/128 endpoint 192.168.9.2:51821")
	b.MustRun(t, "wg set wgib private-key /etc/wg/key listen-port 51821 peer "+ka.pub+" allowed-ips 10.0.0.1/32,fd00::1/128")

	for _, outer := range []struct{ name, ep string }{{"ipv4 outer", "192.168.9.2:51821"}, {"ipv6 outer", "[fd09::2]:51821"}} {
		t.Run(outer.name, func(t *testing.T) {
			a.MustRun(t, "wg set wgia peer "+kb.pub+" endpoint "+outer.ep)
			ping(t, a, "10.0.0.2", 5)
			ping(t, b, "fd00::1", 5)
			iperf(t, b, a, "10.0.0.2", false)
			iperf(t, a, b, "fd00::1", false)
			if got, want := endpoints(t, a, "wgia"), kb.pub+"\t"+outer.ep; got != want {
				t.Errorf("A# wg show wgia endpoints: %q, want %q", got, want)
			}
		})
	}
	// As before nbwg: a userspace implementation's interfaces are seen
	// from every namespace, since /var/run/wireguard is one.
	for _, h := range []*hosts.Host{a, b} {
		if got := h.MustRun(t, "wg show interfaces"); !strings.Contains(got, "wgia") || !strings.Contains(got, "wgib") {
			t.Errorf("%s# wg show interfaces: %q, want both wgia and wgib", h.Name, got)
		}
	}
	for h, name := range map[*hosts.Host]string{a: "wgia", b: "wgib"} {
		if got := h.MustRun(t, "wg show "+name+" latest-handshakes"); strings.HasSuffix(got, "\t0\n") {
			t.Errorf("%s# wg show %s latest-handshakes: %q", h.Name, name, got)
		}
	}
}
