//go:build linux

package dataplane

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// interopPair is nbwg on host N and Debian's wireguard-go on host G,
// configured with `wg set` as any WireGuard user would.
type interopPair struct {
	n, g           *hosts.Host
	nOuter, gOuter string // outer addresses
	gIf            string // wireguard-go's interface name
}

// setupInterop builds the pair.  The initiator is the side that knows the
// other's endpoint; the responder learns it from the handshake.
func setupInterop(t *testing.T, psk, outer6, nbwgInitiates bool) *interopPair {
	t.Helper()
	p := &interopPair{n: hosts.New(t, "N"), g: hosts.New(t, "G")}
	p.gIf = "wgo" + p.g.NS[len("nbwg-"):len("nbwg-")+8]
	if outer6 {
		hosts.Link(t, p.n, "2001:db8::1/64", p.g, "2001:db8::2/64")
		p.nOuter, p.gOuter = "[2001:db8::1]", "[2001:db8::2]"
	} else {
		hosts.Link(t, p.n, "192.0.2.1/24", p.g, "192.0.2.2/24")
		p.nOuter, p.gOuter = "192.0.2.1", "192.0.2.2"
	}
	_, pubN := keys(t, p.n, "wg0")
	_, pubG := keys(t, p.g, "wg0")
	pskOpt, wgPSK := "", ""
	if psk {
		k := p.n.MustRun(t, "(umask 077; wg-keygen --psk > /etc/wg/psk) && cat /etc/wg/psk")
		p.g.WriteFile(t, "wg/psk", []byte(k), 0o600)
		pskOpt, wgPSK = " --preshared-key=/etc/wg/psk", " preshared-key /etc/wg/psk"
	}
	nEndpoint, gEndpoint := "", ""
	if nbwgInitiates {
		nEndpoint = " --endpoint=" + p.gOuter + ":51821"
	} else {
		gEndpoint = " endpoint " + p.nOuter + ":51820"
	}
	p.n.MustRun(t, strings.Join([]string{
		"ifconfig wg0 create",
		"ifconfig wg0 inet 10.9.0.1/24",
		"ifconfig wg0 inet6 fd00:9::1/64",
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 set listen-port 51820",
		"wgconfig wg0 add peer G " + pubG + pskOpt + " --allowed-ips=10.9.0.2/32,fd00:9::2/128" + nEndpoint,
		"ifconfig wg0 up",
	}, " && "))
	wireguardGo(t, p.g, p.gIf)
	p.g.MustRun(t, fmt.Sprintf("wg set %s private-key /etc/wg/wg0 listen-port 51821 peer %s%s%s allowed-ips 10.9.0.1/32,fd00:9::1/128",
		p.gIf, pubN, wgPSK, gEndpoint))
	p.g.MustRun(t, fmt.Sprintf("ip addr add 10.9.0.2/24 dev %[1]s && ip -6 addr add fd00:9::2/64 dev %[1]s nodad && ip link set %[1]s mtu 1420 up", p.gIf))
	return p
}

// TestInteropWireguardGo is the interop matrix: which side initiates,
// IPv4 or IPv6 outside, with and without a preshared key; inside, both
// families, pinged both ways.
func TestInteropWireguardGo(t *testing.T) {
	hosts.Skip(t)
	for _, initiator := range []string{"nbwg", "wireguard-go"} {
		for _, outer := range []string{"v4", "v6"} {
			for _, psk := range []bool{false, true} {
				name := fmt.Sprintf("initiator=%s/outer=%s/psk=%v", initiator, outer, psk)
				t.Run(name, func(t *testing.T) {
					p := setupInterop(t, psk, outer == "v6", initiator == "nbwg")
					first, second := p.n, p.g
					firstDst, secondDst := "10.9.0.2", "10.9.0.1"
					if initiator != "nbwg" {
						first, second = p.g, p.n
						firstDst, secondDst = secondDst, firstDst
					}
					pingable(t, first, firstDst)
					pingable(t, second, secondDst)
					pingable(t, p.n, "fd00:9::2")
					pingable(t, p.g, "fd00:9::1")
					show := p.n.MustRun(t, "wgconfig wg0 show peer G")
					wantEP := strings.Trim(p.gOuter, "[]") + ":51821"
					if !strings.Contains(show, "\tendpoint: "+wantEP+"\n") || strings.Contains(show, "(never)") {
						t.Errorf("nbwg's view of the wireguard-go peer:\n%s", show)
					}
					wgShow := p.g.MustRun(t, "wg show "+p.gIf+" latest-handshakes")
					if strings.HasSuffix(strings.TrimSpace(wgShow), "\t0") {
						t.Errorf("wireguard-go saw no handshake: %s", wgShow)
					}
				})
			}
		}
	}
}

// TestInteropTransfer sends 50 MB over TCP through the tunnel each way
// between nbwg and wireguard-go and compares checksums.
func TestInteropTransfer(t *testing.T) {
	hosts.Skip(t)
	p := setupInterop(t, true, false, true)
	pingable(t, p.n, "10.9.0.2")
	transfer(t, 50000000,
		leg{"nbwg to wireguard-go", p.n, p.g, "10.9.0.2"},
		leg{"wireguard-go to nbwg", p.g, p.n, "10.9.0.1"})
}

// TestInteropCookie is NetBSD's wg_interoperability_cookie, with nbwg as
// the issuer of cookies to wireguard-go: N is forced under load
// (net.wg.force_underload=1), so it answers a handshake message without
// a valid mac2 with a cookie reply ([W] 5.4.7) and drops it.  wireguard-go
// must open that reply and put the cookie into the mac2 of its next
// message, sent after REKEY_TIMEOUT, which N then accepts.  Both roles:
// wireguard-go initiating (its initiation gets the cookie), and nbwg
// initiating as in NetBSD's test (wireguard-go's response gets it, and
// the retried initiation's response carries the mac2).  The order of the
// handshake messages on N's link shows each step; the tunnel coming up
// shows the last.
func TestInteropCookie(t *testing.T) {
	hosts.Skip(t)
	const (
		initiation = 148
		response   = 92
		cookie     = 64
	)
	for _, tt := range []struct {
		initiator string
		want      []handshakeMsg // the first handshake messages on the wire
	}{
		{"wireguard-go", []handshakeMsg{{"G", initiation}, {"N", cookie}, {"G", initiation}, {"N", response}}},
		{"nbwg", []handshakeMsg{{"N", initiation}, {"G", response}, {"N", cookie}, {"N", initiation}, {"G", response}}},
	} {
		t.Run("initiator="+tt.initiator, func(t *testing.T) {
			p := setupInterop(t, false, false, tt.initiator == "nbwg")
			p.n.MustRun(t, "sysctl -w net.wg.force_underload=1 && sysctl -w net.wg.debug=1")
			capt := startCapture(t, p.n, "vG")
			from, dst := p.g, "10.9.0.1"
			if tt.initiator == "nbwg" {
				from, dst = p.n, "10.9.0.2"
			}
			// The first attempt gets the cookie, not a session.
			if r := from.Run(t, "ping -n -c 1 -W 1 "+dst); r.Code == 0 {
				t.Errorf("the first ping went through although N demands a cookie")
			}
			waitLog(t, p.n, "under load: sending cookie reply to 192.0.2.2:51821")
			// The retry, REKEY_TIMEOUT (5 s) later, carries the cookie.
			if err := from.Ping(t, dst, 20*time.Second); err != nil {
				t.Fatal(err)
			}
			text := stopCapture(t, capt)
			got := handshakeMsgs(text, map[string]string{"192.0.2.1.51820": "N", "192.0.2.2.51821": "G"})
			if len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
				t.Errorf("handshake messages on N's link: %v, want first %v\n%s", got, tt.want, text)
			}
			if log := kernelLog(t, p.n); strings.Count(log, "under load: sending cookie reply") != 1 {
				t.Errorf("N sent other than one cookie reply:\n%s", log)
			}
			wgShow := p.g.MustRun(t, "wg show "+p.gIf+" latest-handshakes")
			if strings.HasSuffix(strings.TrimSpace(wgShow), "\t0") {
				t.Errorf("wireguard-go saw no handshake: %s", wgShow)
			}
		})
	}
}

// handshakeMsg is a handshake message seen on the wire: who sent it
// ("N" or "G") and its UDP length (148 initiation, 92 response, 64
// cookie reply; transport messages are 32 + 16k bytes, never these).
type handshakeMsg struct {
	from string
	len  int
}

// handshakeMsgs picks the handshake messages out of tcpdump's lines, in
// order; names maps "address.port" to who sends from there.
func handshakeMsgs(text string, names map[string]string) []handshakeMsg {
	re := regexp.MustCompile(`IP6? (\S+) > \S+: UDP, length (\d+)`)
	var msgs []handshakeMsg
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[2])
		if n == 148 || n == 92 || n == 64 {
			msgs = append(msgs, handshakeMsg{names[m[1]], n})
		}
	}
	return msgs
}
