//go:build linux

package dataplane

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// natSetup makes A (10.0.1.2) behind N, which masquerades A's traffic as
// 192.168.2.1 and forgets a UDP mapping after 2 s of quiet, and B
// (192.168.2.2) outside.  A knows B's endpoint; B learns A's from its
// packets, as a server learns a client's behind a NAT.
func natSetup(t *testing.T) (a, n, b *hosts.Host) {
	t.Helper()
	a, n, b = hosts.New(t, "A"), hosts.New(t, "N"), hosts.New(t, "B")
	hosts.Link(t, a, "10.0.1.2/24", n, "10.0.1.1/24")
	hosts.Link(t, n, "192.168.2.1/24", b, "192.168.2.2/24")
	a.MustRun(t, "ip route add 192.168.2.0/24 via 10.0.1.1")
	n.MustRun(t, `echo 1 > /proc/sys/net/ipv4/ip_forward &&
nft add table ip nat &&
nft add chain ip nat post '{ type nat hook postrouting priority 100 ; }' &&
nft add rule ip nat post oifname vB masquerade &&
echo 2 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout &&
echo 2 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream`)
	_, pubA := keys(t, a, "wg0")
	_, pubB := keys(t, b, "wg0")
	b.MustRun(t, strings.Join([]string{
		"ifconfig wg0 create", "ifconfig wg0 inet 10.9.0.2/24",
		"wgconfig wg0 set private-key /etc/wg/wg0", "wgconfig wg0 set listen-port 51820",
		"wgconfig wg0 add peer A " + pubA + " --allowed-ips=10.9.0.1/32", "ifconfig wg0 up",
	}, " && "))
	a.MustRun(t, strings.Join([]string{
		"ifconfig wg0 create", "ifconfig wg0 inet 10.9.0.1/24",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 add peer B " + pubB + " --allowed-ips=10.9.0.2/32 --endpoint=192.168.2.2:51820", "ifconfig wg0 up",
	}, " && "))
	pingable(t, a, "10.9.0.2")
	return a, n, b
}

// TestKeepaliveBehindNAT: without a persistent keepalive, B cannot reach
// A after 5 s of quiet, because N has forgotten the mapping (the test's
// proof that the NAT expires); with --persistent-keepalive=1 on A it can,
// and the keepalives cross N once a second.
func TestKeepaliveBehindNAT(t *testing.T) {
	hosts.Skip(t)
	a, n, b := natSetup(t)
	time.Sleep(5 * time.Second)
	if r := b.Run(t, "ping -n -c 3 -i 0.3 -W 1 10.9.0.1"); r.Code == 0 {
		t.Fatalf("B reached A after 5 s of quiet without keepalive: the NAT did not expire, the test proves nothing\n%s", r.Stdout)
	}

	// A's keepalive opens the mapping again at once, and keeps it.
	a.MustRun(t, "wgconfig wg0 set peer B --persistent-keepalive=1")
	capture := startCapture(t, n, "vB")
	time.Sleep(5 * time.Second)
	if err := b.Ping(t, "10.9.0.1", 5*time.Second); err != nil {
		t.Errorf("with the keepalive, B cannot reach A: %v", err)
	}
	out := stopCapture(t, capture)
	// Keepalives: 32-byte transport messages from N's outside address.
	re := regexp.MustCompile(`(?m)^(\d\d):(\d\d):(\d\d\.\d+) IP 192\.168\.2\.1\.\d+ > 192\.168\.2\.2\.51820: UDP, length 32$`)
	var at []float64
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		at = append(at, secondsOfDay(m[1], m[2], m[3]))
	}
	if len(at) < 4 {
		t.Fatalf("%d keepalives in 5 s through the NAT, want about 5:\n%s", len(at), out)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i] - at[i-1]; gap < 0.5 || gap > 2.5 {
			t.Errorf("keepalives %d and %d are %.2f s apart, want about 1 s:\n%s", i-1, i, gap, out)
		}
	}
	if got := a.MustRun(t, "wgconfig wg0 show peer B"); !strings.Contains(got, "\tpersistent-keepalive: every 1 seconds\n") {
		t.Errorf("show peer B:\n%s", got)
	}
}

// secondsOfDay reads tcpdump's hh:mm:ss.frac.
func secondsOfDay(h, m, s string) float64 {
	var hh, mm int
	var ss float64
	for _, c := range h {
		hh = hh*10 + int(c-'0')
	}
	for _, c := range m {
		mm = mm*10 + int(c-'0')
	}
	frac := strings.SplitN(s, ".", 2)
	for _, c := range frac[0] {
		ss = ss*10 + float64(c-'0')
	}
	if len(frac) == 2 {
		scale := 0.1
		for _, c := range frac[1] {
			ss += float64(c-'0') * scale
			scale /= 10
		}
	}
	return float64(hh*3600+mm*60) + ss
}
