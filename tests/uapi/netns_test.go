//go:build linux

package uapi

// The WireGuard project's userspace test (wireguard-go's tests/netns.sh,
// ported from the Linux driver's selftest) with nbwg-go in the place of
// wireguard-go: its topologies, its commands, its checks.  Where netns.sh
// moves 1 GB through iperf3, these move less, since the machine is small
// and shared; where it uses ncat and iptables, these use nc and nft.
//
//	┌─────────────────┐   ┌─────────────────────────────┐   ┌─────────────────┐
//	│ N1              │   │ N0                          │   │ N2              │
//	│ wgn1 ───────────┼───┼── lo: (N1) 127.0.0.1:10000  │   │                 │
//	│ 192.168.241.1/24│   │         (N2) 127.0.0.1:20000┼───┼─────────── wgn2 │
//	│ fd00::1/24      │   │                             │   │ 192.168.241.2/24│
//	└─────────────────┘   └─────────────────────────────┘   │ fd00::2/24      │
//	                                                         └─────────────────┘
//
// Both TUN devices are made in N0 by nbwg-go, which stays there with its
// UDP sockets, and moved into N1 and N2.  They are wgn1 and wgn2 where
// netns.sh has wg1 and wg2: nbwg-go's sockets, as wireguard-go's, are one
// for every namespace, and the machine's other tests have wg1s of their
// own (nbwgd's, whose names are wg and a number).

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"nbwg/internal/hosts"
)

// netnsTopo is the test's three namespaces and keys.
type netnsTopo struct {
	n0, n1, n2     *hosts.Host
	k1, k2         keyPair
	psk            string
	wg1NS, wg2NS   *hosts.Host // where each TUN device is now
	wg1Run, wg2Run *hosts.Host // where each nbwg-go runs (its socket's wg set)
}

func newNetnsTopo(t *testing.T) *netnsTopo {
	t.Helper()
	hosts.Integration(t)
	needWG(t)
	hosts.LookPath(t, "iperf3", "iperf3")
	hosts.LookPath(t, "nc", "netcat-openbsd")
	z := &netnsTopo{n0: hosts.New(t, "N0"), n1: hosts.New(t, "N1"), n2: hosts.New(t, "N2"),
		k1: newKeyPair(t), k2: newKeyPair(t), psk: newPSK()}
	for _, h := range []*hosts.Host{z.n0, z.n1, z.n2} {
		h.WriteFile(t, "wg/key1", []byte(z.k1.priv+"\n"), 0o600)
		h.WriteFile(t, "wg/key2", []byte(z.k2.priv+"\n"), 0o600)
		h.WriteFile(t, "wg/psk", []byte(z.psk+"\n"), 0o600)
	}
	return z
}

// start runs nbwg-go for wgn1 and wgn2 in the given namespaces; the
// devices are moved to N1 and N2 unless they were made there.
func (z *netnsTopo) start(t *testing.T, at1, at2 *hosts.Host) {
	t.Helper()
	for _, s := range []struct {
		at, to *hosts.Host
		name   string
	}{{at1, z.n1, "wgn1"}, {at2, z.n2, "wgn2"}} {
		s.at.MustRun(t, "nbwg-go "+s.name)
		if s.at != s.to {
			s.at.MustRun(t, "ip link set "+s.name+" netns "+s.to.NS)
		}
	}
	z.wg1Run, z.wg2Run, z.wg1NS, z.wg2NS = at1, at2, z.n1, z.n2
}

// configurePeers is netns.sh's configure_peers: addresses with ip(8),
// keys and peers with wg(8) where nbwg-go runs, then both up.
func (z *netnsTopo) configurePeers(t *testing.T) {
	t.Helper()
	z.n1.MustRun(t, "ip addr add 192.168.241.1/24 dev wgn1 && ip addr add fd00::1/24 dev wgn1")
	z.n2.MustRun(t, "ip addr add 192.168.241.2/24 dev wgn2 && ip addr add fd00::2/24 dev wgn2")
	z.wg1Run.MustRun(t, "wg set wgn1 private-key /etc/wg/key1 listen-port 10000 peer "+z.k2.pub+
		" preshared-key /etc/wg/psk allowed-ips 192.168.241.2/32,fd00::2/128")
	z.wg2Run.MustRun(t, "wg set wgn2 private-key /etc/wg/key2 listen-port 20000 peer "+z.k1.pub+
		" preshared-key /etc/wg/psk allowed-ips 192.168.241.1/32,fd00::1/128")
	for _, c := range []struct {
		h    *hosts.Host
		name string
		key  keyPair
		port string
	}{{z.wg1Run, "wgn1", z.k1, "10000"}, {z.wg2Run, "wgn2", z.k2, "20000"}} {
		got := c.h.MustRun(t, "wg showconf "+c.name)
		if !strings.Contains(got, "PrivateKey = "+c.key.priv+"\n") || !strings.Contains(got, "ListenPort = "+c.port+"\n") ||
			!strings.Contains(got, "PresharedKey = "+z.psk+"\n") {
			t.Errorf("wg showconf %s:\n%s", c.name, got)
		}
	}
	z.n1.MustRun(t, "ip link set up dev wgn1")
	z.n2.MustRun(t, "ip link set up dev wgn2")
}

// ping pings from h until a reply comes (the first waits for the
// handshake), then floods count pings as netns.sh does (ping -f).
func ping(t *testing.T, h *hosts.Host, addr string, count int) {
	t.Helper()
	if err := h.Ping(t, addr, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if count > 0 {
		r := h.Run(t, fmt.Sprintf("ping -c %d -f -W 1 %s", count, addr))
		if r.Code != 0 {
			t.Errorf("%s# ping -c %d -f %s: %+v", h.Name, count, addr, r)
		}
	}
}

// iperf runs an iperf3 server on srv bound to addr and a client on cli,
// and checks that the client moved data and exited 0.
func iperf(t *testing.T, srv, cli *hosts.Host, addr string, udp bool) {
	t.Helper()
	server := srv.Start(t, 0, 0, "exec iperf3 -s -1 -B "+addr)
	if err := hosts.Poll(10*time.Second, func() error {
		r := srv.Run(t, "ss -tlnp 'sport = 5201'")
		if !strings.Contains(r.Stdout, "iperf3") {
			return fmt.Errorf("iperf3 does not listen yet")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	args := "-Z -n 40M -c " + addr
	if udp {
		args = "-Z -n 10M -b 0 -u -c " + addr
	}
	r := cli.Run(t, "iperf3 "+args)
	if r.Code != 0 || !strings.Contains(r.Stdout, "receiver") {
		t.Errorf("%s# iperf3 %s:\n%s%s", cli.Name, args, r.Stdout, r.Stderr)
	}
	if res, err := server.Wait(20 * time.Second); err != nil || res.Code != 0 {
		t.Errorf("%s# iperf3 -s: %v %+v", srv.Name, err, res)
	}
}

// tests is netns.sh's tests(): ping and ping6 both ways, TCP and UDP
// both ways over IPv4 and IPv6.
func (z *netnsTopo) tests(t *testing.T) {
	t.Helper()
	ping(t, z.n2, "192.168.241.1", 10)
	ping(t, z.n1, "192.168.241.2", 10)
	ping(t, z.n2, "fd00::1", 10)
	ping(t, z.n1, "fd00::2", 10)
	iperf(t, z.n2, z.n1, "192.168.241.2", false)
	iperf(t, z.n1, z.n2, "fd00::1", false)
	iperf(t, z.n1, z.n2, "192.168.241.1", true)
	iperf(t, z.n2, z.n1, "fd00::2", true)
}

func (z *netnsTopo) setMTU(t *testing.T, mtu int) {
	t.Helper()
	z.n1.MustRun(t, fmt.Sprintf("ip link set wgn1 mtu %d", mtu))
	z.n2.MustRun(t, fmt.Sprintf("ip link set wgn2 mtu %d", mtu))
}

// endpoints is `wg show IFNAME endpoints` on h.
func endpoints(t *testing.T, h *hosts.Host, ifname string) string {
	t.Helper()
	return strings.TrimSuffix(h.MustRun(t, "wg show "+ifname+" endpoints"), "\n")
}

// TestNetnsTunnel: netns.sh's first topology: the tunnel in both outer
// families, with a normal and a 34 KB MTU, counters, roaming, and
// cryptokey routing taking traffic away from a less specific peer.
func TestNetnsTunnel(t *testing.T) {
	z := newNetnsTopo(t)
	z.start(t, z.n0, z.n0)
	z.configurePeers(t)
	origMTU := 1420
	if m := regexp.MustCompile(`mtu (\d+)`).FindStringSubmatch(z.n1.MustRun(t, "ip link show dev wgn1")); m != nil {
		origMTU, _ = strconv.Atoi(m[1])
	}
	bigMTU := 34816 - 1500 + origMTU

	t.Run("ipv4 outer", func(t *testing.T) {
		z.n0.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" endpoint 127.0.0.1:20000")
		z.n0.MustRun(t, "wg set wgn2 peer "+z.k1.pub+" endpoint 127.0.0.1:10000")
		// The counters work: ip -stats of the device N2 has.
		ping(t, z.n2, "192.168.241.1", 10)
		stats := lines(z.n2.MustRun(t, "ip -stats link show dev wgn2"))
		if len(stats) < 6 {
			t.Fatalf("ip -stats link show dev wgn2:\n%s", strings.Join(stats, "\n"))
		}
		rx, _ := strconv.Atoi(strings.Fields(stats[3])[0])
		tx, _ := strconv.Atoi(strings.Fields(stats[5])[0])
		if rx < 840 || tx < 880 || rx >= 2500 || tx >= 2500 {
			t.Errorf("wgn2's counters: rx %d bytes, tx %d bytes; want 840..2499 and 880..2499", rx, tx)
		}
		z.tests(t)
		z.setMTU(t, bigMTU)
		z.tests(t)
		// A packet bigger than the old MTU in one piece each way.
		for _, c := range []struct {
			h    *hosts.Host
			addr string
		}{{z.n2, "192.168.241.1"}, {z.n1, "fd00::2"}} {
			if r := c.h.Run(t, "ping -c 1 -W 2 -M do -s 30000 "+c.addr); r.Code != 0 {
				t.Errorf("%s# ping -M do -s 30000 %s: %+v", c.h.Name, c.addr, r)
			}
		}
		z.setMTU(t, origMTU)
	})
	t.Run("ipv6 outer", func(t *testing.T) {
		z.n0.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" endpoint [::1]:20000")
		z.n0.MustRun(t, "wg set wgn2 peer "+z.k1.pub+" endpoint [::1]:10000")
		z.tests(t)
		z.setMTU(t, bigMTU)
		z.tests(t)
		z.setMTU(t, origMTU)
	})
	t.Run("roaming", func(t *testing.T) {
		// IPv4: N0's loopback address changes, and wgn1 its port.
		z.n0.MustRun(t, "ip -4 addr del 127.0.0.1/8 dev lo && ip -4 addr add 127.212.121.99/8 dev lo")
		z.n0.MustRun(t, "wg set wgn1 listen-port 9999")
		z.n0.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" endpoint 127.0.0.1:20000")
		ping(t, z.n1, "fd00::2", 0)
		if got, want := endpoints(t, z.n0, "wgn2"), z.k1.pub+"\t127.212.121.99:9999"; got != want {
			t.Errorf("wgn2's endpoint after roaming over IPv4: %q, want %q", got, want)
		}
		// IPv6: wgn1's port changes again, as set from N1 (nbwg-go's
		// socket is one for every namespace, as wireguard-go's).
		z.n1.MustRun(t, "wg set wgn1 listen-port 9998")
		z.n1.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" endpoint [::1]:20000")
		ping(t, z.n1, "192.168.241.2", 0)
		if got, want := endpoints(t, z.n0, "wgn2"), z.k1.pub+"\t[::1]:9998"; got != want {
			t.Errorf("wgn2's endpoint after roaming over IPv6: %q, want %q", got, want)
		}
	})
	t.Run("cryptokey routing", func(t *testing.T) {
		z.n1.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" allowed-ips 192.168.241.0/24")
		if !udpArrives(t, z.n1, z.n2, "192.168.241.1") {
			t.Fatal("a datagram from N2 did not reach N1 through the tunnel")
		}
		// A peer more specific for N2's address takes its packets from
		// wgn2's peer: what wgn2 sends from it is dropped.
		moreSpecific := newKeyPair(t)
		z.n0.MustRun(t, "wg set wgn1 peer "+moreSpecific.pub+" allowed-ips 192.168.241.2/32")
		z.n0.MustRun(t, "wg set wgn2 listen-port 9997")
		if udpArrives(t, z.n1, z.n2, "192.168.241.1") {
			t.Error("a datagram from 192.168.241.2 came through wgn2's peer, whose allowed IPs no longer have it")
		}
		z.n0.MustRun(t, "wg set wgn1 peer "+moreSpecific.pub+" remove")
		if got, want := endpoints(t, z.n1, "wgn1"), z.k2.pub+"\t[::1]:9997"; got != want {
			t.Errorf("wgn1's endpoint: %q, want %q", got, want)
		}
	})
	t.Run("no such interface", func(t *testing.T) {
		if r := z.n0.Run(t, "wg show doesnotexist"); r.Code == 0 {
			t.Errorf("wg show doesnotexist: %+v", r)
		}
	})
	t.Run("ip link del", func(t *testing.T) {
		// nbwg-go goes with its interface, and its socket with it.
		z.n1.MustRun(t, "ip link del wgn1")
		z.n2.MustRun(t, "ip link del wgn2")
		if err := hosts.Poll(10*time.Second, func() error {
			if pids := nbwgGoPIDs(t, z.n0); len(pids) > 0 {
				return fmt.Errorf("nbwg-go still runs: %v", pids)
			}
			return nil
		}); err != nil {
			t.Error(err)
		}
		for _, name := range []string{"wgn1", "wgn2"} {
			if r := z.n0.Run(t, "test -e /var/run/wireguard/"+name+".sock"); r.Code == 0 {
				t.Errorf("/var/run/wireguard/%s.sock is still there", name)
			}
		}
	})
}

// udpArrives sends "X" from cli to srv's addr port 1111 and reports
// whether it arrived within a second, as netns.sh does with ncat.
func udpArrives(t *testing.T, srv, cli *hosts.Host, addr string) bool {
	t.Helper()
	listener := srv.Start(t, 0, 0, "exec timeout 3 nc -u -l -W 1 "+addr+" 1111")
	if err := hosts.Poll(5*time.Second, func() error {
		if !strings.Contains(srv.Run(t, "ss -ulnp 'sport = 1111'").Stdout, "nc") {
			return fmt.Errorf("nc does not listen yet")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cli.MustRun(t, "echo X | timeout 2 nc -u -w 1 "+addr+" 1111")
	res, err := listener.Wait(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(res.Stdout, "X")
}

// TestNetnsNAT: netns.sh's NAT topology: N1 reaches N2 through N0, which
// rewrites N1's source address (SNAT) with a UDP mapping that expires
// after 2 seconds unless persistent keepalives keep it.
//
//	N1: wgn1, vethc 192.168.1.100/24 ── N0: vethrc 192.168.1.1/24, vethrs 10.0.0.1/24 ── N2: veths 10.0.0.100/24, wgn2
func TestNetnsNAT(t *testing.T) {
	z := newNetnsTopo(t)
	hosts.LookPath(t, "nft", "nftables")
	z.start(t, z.n1, z.n2)
	z.configurePeers(t)
	for _, c := range []string{
		"ip link add vethrc type veth peer name vethc netns " + z.n1.NS,
		"ip link add vethrs type veth peer name veths netns " + z.n2.NS,
		"ip link set vethrc up && ip link set vethrs up",
		"ip addr add 192.168.1.1/24 dev vethrc && ip addr add 10.0.0.1/24 dev vethrs",
		"sysctl -qw net.ipv4.ip_forward=1",
		"nft add table ip nat && nft 'add chain ip nat post { type nat hook postrouting priority 100 ; }' && " +
			"nft add rule ip nat post ip saddr 192.168.1.0/24 ip daddr 10.0.0.0/24 snat to 10.0.0.1",
		"echo 2 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout && echo 2 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream",
	} {
		z.n0.MustRun(t, c)
	}
	z.n1.MustRun(t, "ip addr add 192.168.1.100/24 dev vethc && ip link set vethc up && ip route add default via 192.168.1.1")
	z.n2.MustRun(t, "ip addr add 10.0.0.100/24 dev veths && ip link set veths up")

	z.n1.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" endpoint 10.0.0.100:20000 persistent-keepalive 1")
	ping(t, z.n1, "192.168.241.2", 0)
	ping(t, z.n2, "192.168.241.1", 0)
	if got, want := endpoints(t, z.n2, "wgn2"), z.k1.pub+"\t10.0.0.1:10000"; got != want {
		t.Errorf("wgn2's endpoint through the NAT: %q, want %q", got, want)
	}
	// N2 can still reach N1 after the mapping's 2 seconds, because
	// the keepalives every second kept it.
	time.Sleep(3 * time.Second)
	r := z.n2.Run(t, "ping -c 1 -W 1 192.168.241.1")
	if r.Code != 0 {
		t.Errorf("N2# ping 192.168.241.1 after the NAT mapping's timeout: %+v", r)
	}
}

// TestNetnsSticky: netns.sh's last topology: a veth between N1 and N2.
// The source address a peer's packets leave from sticks to the one its
// peer wrote to, but falls over to another when that one is removed.
func TestNetnsSticky(t *testing.T) {
	z := newNetnsTopo(t)
	z.start(t, z.n1, z.n2)
	z.configurePeers(t)
	z.n1.MustRun(t, "ip link add veth1 type veth peer name veth2 netns "+z.n2.NS)
	z.n1.MustRun(t, "sysctl -qw net.ipv6.conf.veth1.accept_dad=0 net.ipv4.conf.veth1.promote_secondaries=1")
	z.n2.MustRun(t, "sysctl -qw net.ipv6.conf.veth2.accept_dad=0")

	t.Run("falls over", func(t *testing.T) {
		z.n1.MustRun(t, "ip addr add 10.0.0.1/24 dev veth1 && ip addr add fd00:aa::1/96 dev veth1 && ip link set veth1 up")
		z.n2.MustRun(t, "ip addr add 10.0.0.2/24 dev veth2 && ip addr add fd00:aa::2/96 dev veth2 && ip link set veth2 up")
		z.n1.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" endpoint 10.0.0.2:20000")
		ping(t, z.n1, "192.168.241.2", 0)
		z.n1.MustRun(t, "ip addr add 10.0.0.10/24 dev veth1 && ip addr del 10.0.0.1/24 dev veth1")
		ping(t, z.n1, "192.168.241.2", 0)
		z.n1.MustRun(t, "wg set wgn1 peer "+z.k2.pub+" endpoint [fd00:aa::2]:20000")
		ping(t, z.n1, "192.168.241.2", 0)
		z.n1.MustRun(t, "ip addr add fd00:aa::10/96 dev veth1 && ip addr del fd00:aa::1/96 dev veth1")
		ping(t, z.n1, "192.168.241.2", 0)
	})
	t.Run("reply to sender", func(t *testing.T) {
		z.n1.MustRun(t, "ip link set veth1 down && ip addr flush dev veth1")
		z.n2.MustRun(t, "ip link set veth2 down && ip addr flush dev veth2")
		z.n1.MustRun(t, "ip addr add 10.0.0.1/24 dev veth1 && ip addr add 10.0.0.2/24 dev veth1 && "+
			"ip addr add fd00:aa::1/96 dev veth1 && ip addr add fd00:aa::2/96 dev veth1 && ip link set veth1 up")
		z.n2.MustRun(t, "ip addr add 10.0.0.3/24 dev veth2 && ip addr add fd00:aa::3/96 dev veth2 && ip link set veth2 up")
		for _, ep := range []string{"10.0.0.1:10000", "[fd00:aa::1]:10000", "10.0.0.2:10000", "[fd00:aa::2]:10000"} {
			z.n2.MustRun(t, "wg set wgn2 peer "+z.k1.pub+" endpoint "+ep)
			ping(t, z.n2, "192.168.241.1", 0)
			// wgn1 answered from the address wgn2 wrote to, or wgn2
			// would have roamed to the one it came from.
			if got, want := endpoints(t, z.n2, "wgn2"), z.k1.pub+"\t"+ep; got != want {
				t.Errorf("wgn2's endpoint after writing to %s: %q, want %q", ep, got, want)
			}
		}
	})
}

// TestNetnsBigReplies: netns.sh's replies larger than one read: a peer
// with 130,560 allowed IPs, 40 peers of 52 each, 30 peers, all read back
// complete by wg(8).
func TestNetnsBigReplies(t *testing.T) {
	z := newNetnsTopo(t)
	n0 := z.n0
	check := func(name, conf string, verify func(show string)) {
		t.Helper()
		n0.MustRun(t, "nbwg-go wgn0")
		defer n0.Run(t, "ip link del wgn0")
		n0.WriteFile(t, "wg/"+name+".conf", []byte(conf), 0o600)
		n0.MustRun(t, "wg setconf wgn0 /etc/wg/"+name+".conf")
		verify(n0.MustRun(t, "wg show wgn0 allowed-ips"))
		n0.MustRun(t, "wg showconf wgn0 > /dev/null")
		n0.MustRun(t, "ip link del wgn0")
		if err := hosts.Poll(10*time.Second, func() error {
			if n0.Run(t, "test -e /var/run/wireguard/wgn0.sock").Code == 0 {
				return fmt.Errorf("wgn0's socket is still there")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}

	var b strings.Builder
	b.WriteString("[Interface]\nPrivateKey=" + newKeyPair(t).priv + "\n[Peer]\nPublicKey=" + newKeyPair(t).pub + "\n")
	for a := 1; a <= 255; a++ {
		for c := 0; c <= 255; c++ {
			fmt.Fprintf(&b, "AllowedIPs=%d.%d.0.0/16,%x::%x/128\n", a, c, a, c)
		}
	}
	check("one", b.String(), func(show string) {
		if n := len(strings.Fields(show)); n != 255*256*2+1 {
			t.Errorf("one peer: %d words in wg show wgn0 allowed-ips, want %d", n, 255*256*2+1)
		}
	})

	b.Reset()
	b.WriteString("[Interface]\nPrivateKey=" + newKeyPair(t).priv + "\n")
	for a := 1; a <= 40; a++ {
		b.WriteString("[Peer]\nPublicKey=" + newKeyPair(t).pub + "\n")
		for c := 1; c <= 52; c++ {
			fmt.Fprintf(&b, "AllowedIPs=%d.%d.0.0/16\n", a, c)
		}
	}
	check("forty", b.String(), func(show string) {
		ls := lines(show)
		if len(ls) != 40 {
			t.Errorf("40 peers: %d lines", len(ls))
		}
		for _, l := range ls {
			if n := len(strings.Fields(l)); n != 53 {
				t.Errorf("40 peers: a line of %d words, want 53: %.80s...", n, l)
			}
		}
	})

	b.Reset()
	for range 29 {
		b.WriteString("[Peer]\nPublicKey=" + newKeyPair(t).pub + "\n")
	}
	last := newKeyPair(t).pub
	b.WriteString("[Peer]\nPublicKey=" + last + "\nAllowedIPs=255.2.3.4/32,abcd::255/128\n")
	check("thirty", b.String(), func(show string) {
		if got := lines(show); len(got) != 30 || !cmp.Equal(got[29], last+"\t255.2.3.4/32 abcd::255/128") {
			t.Errorf("30 peers: %d lines, last %q", len(got), got[len(got)-1])
		}
	})
}
