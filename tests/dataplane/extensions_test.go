//go:build linux

package dataplane

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// TestSetPeerKeepsSession: while a ping runs every 0.2 s through the
// tunnel, the peer's allowed IPs, endpoint and persistent keepalive change
// with set peer; no ping is lost and no new handshake is made.
func TestSetPeerKeepsSession(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	p.peer.MustRun(t, "ip addr add 192.168.1.3/24 dev vL")
	pingable(t, p.local, "10.0.0.2")
	before := latestHandshake(t, p.local)
	ping := p.local.Start(t, 0, 0, "ping -n -i 0.2 -c 40 10.0.0.2")
	time.Sleep(time.Second)
	for _, cmd := range []string{
		"wgconfig wg0 set peer peer0 --allowed-ips=10.0.0.2/32,fd00::2/128,10.0.9.0/24",
		"wgconfig wg0 set peer peer0 --endpoint=192.168.1.3:51820",
		"wgconfig wg0 set peer peer0 --persistent-keepalive=1",
		"wgconfig wg0 set peer peer0 --allowed-ips=10.0.0.2/32,fd00::2/128 --persistent-keepalive=off",
	} {
		p.local.MustRun(t, cmd)
		time.Sleep(500 * time.Millisecond)
	}
	r, err := ping.Wait(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Stdout, "40 packets transmitted, 40 received, 0% packet loss") {
		t.Errorf("pings lost while the peer changed:\n%s", r.Stdout)
	}
	if after := latestHandshake(t, p.local); after != before {
		t.Errorf("a new handshake was made: %q, was %q", after, before)
	}
	if got := p.local.MustRun(t, "wgconfig wg0 show peer peer0"); !strings.Contains(got, "allowed-ips: 10.0.0.2/32,fd00::2/128\n") || strings.Contains(got, "persistent-keepalive") {
		t.Errorf("the last change did not apply:\n%s", got)
	}
}

// TestCounters: the byte counters grow by at least what was sent through
// the tunnel; --dump's columns read with cut; nobody sees no secret in
// --verbose or --dump.
func TestCounters(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	pingable(t, p.local, "10.0.0.2")
	dump := func() (rx, tx uint64) {
		line := p.local.MustRun(t, "wgconfig wg0 show all --dump | tail -n 1")
		f := strings.Split(strings.TrimSpace(line), "\t")
		if len(f) != 9 {
			t.Fatalf("peer line of --dump has %d fields: %q", len(f), line)
		}
		rx, _ = strconv.ParseUint(f[6], 10, 64)
		tx, _ = strconv.ParseUint(f[7], 10, 64)
		return rx, tx
	}
	rx0, tx0 := dump()
	// 100 pings of 1000 bytes each way: at least 100 kB counted.
	p.local.MustRun(t, "ping -n -q -i 0.01 -c 100 -s 1000 10.0.0.2")
	rx1, tx1 := dump()
	if rx1-rx0 < 100*1000 || tx1-tx0 < 100*1000 {
		t.Errorf("counters grew by rx %d, tx %d bytes for 100 kB each way", rx1-rx0, tx1-tx0)
	}
	// cut reads the columns: the peer's name and public key.
	name := strings.TrimSpace(p.local.MustRun(t, "wgconfig wg0 show all --dump | tail -n 1 | cut -f 1"))
	if name != "peer0" {
		t.Errorf("cut -f 1 of the peer line: %q", name)
	}
	// Root's dump holds the private key; nobody's neither it nor any
	// other key material.
	priv := strings.TrimSpace(p.local.MustRun(t, "cat /etc/wg/wg0"))
	if root := p.local.MustRun(t, "wgconfig wg0 show all --dump"); !strings.Contains(root, priv) {
		t.Errorf("root's dump lacks the private key:\n%s", root)
	}
	for _, cmd := range []string{"wgconfig wg0 show all --dump", "wgconfig wg0 show all --verbose", "wgconfig wg0 show peer peer0 --verbose --show-preshared-key"} {
		r := p.local.RunAs(t, 65534, cmd)
		if r.Code != 0 || strings.Contains(r.Stdout, priv) {
			t.Errorf("%s as nobody: %+v", cmd, r)
		}
	}
	verbose := p.local.MustRun(t, "wgconfig wg0 show all --verbose")
	want := regexp.MustCompile(`\tlatest-handshake: .* \(\d+ seconds ago\)\n\t\ttransfer: [0-9.]+ (B|KiB|MiB) received, [0-9.]+ (B|KiB|MiB) sent\n`)
	if !want.MatchString(verbose) {
		t.Errorf("--verbose:\n%s", verbose)
	}
}
