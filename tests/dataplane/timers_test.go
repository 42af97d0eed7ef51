//go:build linux

package dataplane

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// The timer cases of NetBSD's tests/net/if_wg/t_misc.sh, driven through
// net.wg.* with nbwg's sysctl, as the originals are.  They wait for
// protocol timers (seconds), so they take a while; -short skips them, as
// it does every integration test (hosts.Skip).

func latestHandshake(t *testing.T, h *hosts.Host) string {
	t.Helper()
	m := regexp.MustCompile(`latest-handshake: (.*)`).FindStringSubmatch(h.MustRun(t, "wgconfig wg0 show peer peer0"))
	if m == nil {
		t.Fatal("no latest-handshake line")
	}
	return m[1]
}

// startCapture starts tcpdump on h's link ifname, printing each
// WireGuard packet (UDP port 51820) on a line of its own as it passes
// (--immediate-mode, -l), and returns once tcpdump listens.  It is h's
// process, stopped by its pid (hosts.Proc), never by name: other tests
// and other people capture on links named alike.
func startCapture(t *testing.T, h *hosts.Host, ifname string) *hosts.Proc {
	t.Helper()
	p := h.Start(t, 0, 0, fmt.Sprintf("exec tcpdump -i %s -n -l --immediate-mode udp port 51820 2>&1", ifname))
	p.WaitFor(t, "listening on "+ifname, 10*time.Second)
	return p
}

// stopCapture interrupts the capture and returns the packets it printed.
func stopCapture(t *testing.T, p *hosts.Proc) string {
	t.Helper()
	r, err := p.Interrupt(10 * time.Second)
	if err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	if r.Code != 0 {
		t.Fatalf("tcpdump exited %d:\n%s", r.Code, r.Stdout)
	}
	return r.Stdout
}

// capture runs tcpdump on h's link to the other host while fn runs and
// returns its text output.
func capture(t *testing.T, h *hosts.Host, ifname string, fn func()) string {
	t.Helper()
	p := startCapture(t, h, ifname)
	fn()
	return stopCapture(t, p)
}

// TestRekey is wg_rekey: with rekey_after_time=3, a handshake is not
// repeated within 3 s, and is after.  The rekey starts when a packet is
// sent on a session older than that ([W] 6.2), and the packet itself
// still goes under the old key: the new handshake completes a moment
// later, so its latest-handshake is polled for, with a deadline.
// (NetBSD's t_misc.sh read it once and marked its test expected to fail,
// PR kern/56252.)
func TestRekey(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	for _, h := range []*hosts.Host{p.local, p.peer} {
		h.MustRun(t, "sysctl -w net.wg.rekey_after_time=3")
	}
	p.local.MustRun(t, "ping -c 1 -W 2 10.0.0.2")
	first := latestHandshake(t, p.local)
	// Within rekey_after_time no packet starts a handshake: the one
	// fixed wait, for a change that must not happen.
	time.Sleep(time.Second)
	p.local.MustRun(t, "ping -c 1 -W 2 10.0.0.2")
	if got := latestHandshake(t, p.local); got != first {
		t.Fatalf("rekeyed within rekey_after_time: %s then %s", first, got)
	}
	// latest-handshake is shown to the second: the waits keep the
	// handshakes more than a second apart, so a new one shows.
	time.Sleep(3 * time.Second)
	p.local.MustRun(t, "ping -c 1 -W 2 10.0.0.2")
	second := waitHandshakeAfter(t, p.local, first)
	time.Sleep(4 * time.Second)
	p.local.MustRun(t, "ping -c 1 -W 2 10.0.0.2")
	waitHandshakeAfter(t, p.local, second)
}

// waitHandshakeAfter waits until h's latest-handshake with peer0 is no
// longer prev, and returns the new one.
func waitHandshakeAfter(t *testing.T, h *hosts.Host, prev string) string {
	t.Helper()
	var got string
	if err := hosts.Poll(10*time.Second, func() error {
		if got = latestHandshake(t, h); got == prev {
			return fmt.Errorf("no rekey after rekey_after_time: latest-handshake still %s", prev)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestHandshakeTimeout is wg_handshake_timeout: with rekey_timeout=3 and
// rekey_attempt_time=8, an initiator whose peer has gone sends exactly
// three initiations and gives up.
func TestHandshakeTimeout(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	p.local.MustRun(t, "sysctl -w net.wg.rekey_timeout=3 && sysctl -w net.wg.rekey_attempt_time=8")
	// The peer vanishes: nothing answers on its port any more (NetBSD
	// takes the peer's shmif down; a veth taken down would stop the
	// packets leaving at all, so the peer's interface goes instead).
	p.local.MustRun(t, "ping -c 1 -W 2 192.168.1.2")
	p.peer.MustRun(t, "ifconfig wg0 destroy")
	text := capture(t, p.local, "vP", func() {
		if r := p.local.Run(t, "ping -n -c 1 -w 1 10.0.0.2"); r.Code == 0 {
			t.Error("ping succeeded with the peer's link down")
		}
		time.Sleep(12 * time.Second)
	})
	if n := strings.Count(text, "192.168.1.1.51820 > 192.168.1.2.51820"); n != 3 {
		t.Errorf("%d initiations sent, want 3:\n%s", n, text)
	}
}

// TestCookie is wg_cookie: a peer forced under load answers the first
// initiation with a 64-byte cookie reply; the retry after rekey_timeout
// carries mac2 and the handshake completes.
func TestCookie(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	p.peer.MustRun(t, "sysctl -w net.wg.force_underload=1")
	text := capture(t, p.local, "vP", func() {
		if r := p.local.Run(t, "ping -n -c 1 -w 1 10.0.0.2"); r.Code == 0 {
			t.Error("first ping succeeded although the peer demands a cookie")
		}
	})
	if !strings.Contains(text, "192.168.1.2.51820 > 192.168.1.1.51820: UDP, length 64") {
		t.Errorf("no cookie reply seen:\n%s", text)
	}
	if got := latestHandshake(t, p.local); got != "(never)" {
		t.Errorf("latest-handshake %s before the retry", got)
	}
	time.Sleep(5 * time.Second)
	p.local.MustRun(t, "ping -n -i 0.1 -c 3 -w 2 10.0.0.2")
	if got := latestHandshake(t, p.local); got == "(never)" {
		t.Error("no handshake after the retry with the cookie")
	}
}

// TestKeepalive is wg_keepalive, on [W] 6.5's rule: a peer that received
// data and sent nothing back within keepalive_timeout sends a 32-byte
// keepalive.  (Data goes one way only here: a UDP datagram to a listener
// that does not answer.)
func TestKeepalive(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	p.peer.MustRun(t, "sysctl -w net.wg.keepalive_timeout=3")
	p.local.MustRun(t, "ping -c 1 -W 2 10.0.0.2")
	p.peer.MustRun(t, "setsid sh -c 'nc -u -l 9999 > /dev/null' >/dev/null 2>&1 < /dev/null &")
	text := capture(t, p.local, "vP", func() {
		p.local.MustRun(t, udpsend(t)+" 10.0.0.2:9999 6f6e652d7761790a") // "one-way\n"
		time.Sleep(4500 * time.Millisecond)
	})
	if !strings.Contains(text, "192.168.1.2.51820 > 192.168.1.1.51820: UDP, length 32") {
		t.Errorf("no keepalive from the peer:\n%s", text)
	}
}

// TestPSK is wg_psk: a preshared key on one side only blocks the
// handshake; the same key on both sides lets it through.
func TestPSK(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	psk := p.local.MustRun(t, "(umask 077; wg-keygen --psk > /etc/wg/psk) && cat /etc/wg/psk")
	p.peer.WriteFile(t, "wg/psk", []byte(psk), 0o600)
	pubL := strings.TrimSpace(p.local.MustRun(t, "cat /etc/wg/wg0.pub"))
	pubP := strings.TrimSpace(p.peer.MustRun(t, "cat /etc/wg/wg0.pub"))
	p.local.MustRun(t, "wgconfig wg0 delete peer peer0 && wgconfig wg0 add peer peer0 "+pubP+" --preshared-key=/etc/wg/psk --endpoint=192.168.1.2:51820 --allowed-ips=10.0.0.2/32")
	if !strings.Contains(p.local.MustRun(t, "wgconfig wg0 show peer peer0 --show-preshared-key"), "preshared-key: "+strings.TrimSpace(psk)) {
		t.Fatal("preshared key not shown")
	}
	// P, without the key, answers L's initiation (the preshared key
	// enters the handshake at the response, [W] 5.4.3); L must refuse the
	// response.  The refusal is shown, not inferred from a ping that
	// fails: the response goes on the wire, L's kernel logs it refused,
	// and only then is L's tunnel checked.
	for _, h := range []*hosts.Host{p.local, p.peer} {
		h.MustRun(t, "sysctl -w net.wg.debug=1")
	}
	capt := startCapture(t, p.local, "vP")
	if r := p.local.Run(t, "ping -n -c 1 -w 1 10.0.0.2"); r.Code == 0 {
		t.Fatal("ping succeeded with the preshared key on one side only")
	}
	waitLog(t, p.local, "peer peer0: handshake response from 192.168.1.2:51820 refused")
	text := stopCapture(t, capt)
	if !strings.Contains(text, "192.168.1.2.51820 > 192.168.1.1.51820: UDP, length 92") {
		t.Errorf("no handshake response from P on the wire:\n%s", text)
	}
	if got := latestHandshake(t, p.local); got != "(never)" {
		t.Errorf("latest-handshake %s with the preshared key on one side only", got)
	}
	if r := p.local.Run(t, "ping -n -c 1 -w 1 10.0.0.2"); r.Code == 0 {
		t.Fatal("ping succeeded with the preshared key on one side only, after the refusal")
	}
	p.peer.MustRun(t, "wgconfig wg0 delete peer peer0 && wgconfig wg0 add peer peer0 "+pubL+" --preshared-key=/etc/wg/psk --endpoint=192.168.1.1:51820 --allowed-ips=10.0.0.1/32")
	pingable(t, p.local, "10.0.0.2")
}
