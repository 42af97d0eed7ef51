//go:build linux

package dataplane

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	src := filepath.Join(dir, "src")
	p.n.MustRun(t, "head -c 50000000 /dev/urandom > "+src)
	want := strings.Fields(p.n.MustRun(t, "sha256sum "+src))[0]
	for _, dir2 := range []struct {
		name     string
		from, to *hosts.Host
		dst      string
	}{{"nbwg to wireguard-go", p.n, p.g, "10.9.0.2"}, {"wireguard-go to nbwg", p.g, p.n, "10.9.0.1"}} {
		t.Run(dir2.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(dir2.name, " ", "-"))
			dir2.to.MustRun(t, fmt.Sprintf("setsid sh -c 'nc -l 5001 > %s' >/dev/null 2>&1 < /dev/null &", out))
			// The listener may need a moment; nc -N closes after EOF.
			if err := hosts.Poll(10e9, func() error {
				if r := dir2.from.Run(t, fmt.Sprintf("nc -N -w 30 %s 5001 < %s", dir2.dst, src)); r.Code != 0 {
					return fmt.Errorf("nc: %s", r.Stderr)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := hosts.Poll(30e9, func() error {
				got := strings.Fields(dir2.to.MustRun(t, "sha256sum "+out+" 2>/dev/null || echo none"))[0]
				if got != want {
					return fmt.Errorf("received file's sha256 %s, sent %s", got, want)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
