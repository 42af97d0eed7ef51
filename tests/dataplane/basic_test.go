//go:build linux

package dataplane

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/curve25519"

	"nbwg/internal/hosts"
)

// The cases of NetBSD's tests/net/if_wg/t_basic.sh, on emulated hosts:
// LOCAL 192.168.1.1 (wg0 10.0.0.1) and PEER 192.168.1.2 (wg0 10.0.0.2),
// both on port 51820 with each other's endpoint.

type basicPair struct{ local, peer *hosts.Host }

func setupBasic(t *testing.T, outer6 bool, peerKeyOverride string) *basicPair {
	t.Helper()
	return setupBasicEnv(t, outer6, peerKeyOverride, "")
}

// setupBasicEnv is setupBasic with env (NAME=value ...) in the
// environment of the command that starts each host's kernel.
func setupBasicEnv(t *testing.T, outer6 bool, peerKeyOverride, env string) *basicPair {
	t.Helper()
	p := &basicPair{local: hosts.New(t, "L"), peer: hosts.New(t, "P")}
	lOuter, pOuter := "192.168.1.1", "192.168.1.2"
	if outer6 {
		lOuter, pOuter = "fc00::1", "fc00::2"
		hosts.Link(t, p.local, "fc00::1/64", p.peer, "fc00::2/64")
	} else {
		hosts.Link(t, p.local, "192.168.1.1/24", p.peer, "192.168.1.2/24")
	}
	_, pubL := keys(t, p.local, "wg0")
	_, pubP := keys(t, p.peer, "wg0")
	if peerKeyOverride != "" {
		pubP = peerKeyOverride
	}
	for _, side := range []struct {
		h              *hosts.Host
		me, other, pub string
		otherOuter     string
	}{{p.local, "10.0.0.1", "10.0.0.2", pubP, pOuter}, {p.peer, "10.0.0.2", "10.0.0.1", pubL, lOuter}} {
		side.h.MustRun(t, strings.Join([]string{
			strings.TrimSpace(env + " ifconfig wg0 create"),
			"ifconfig wg0 inet " + side.me + "/24",
			"ifconfig wg0 inet6 fd00::" + side.me[len(side.me)-1:] + "/64",
			"wgconfig wg0 set private-key /etc/wg/wg0",
			"wgconfig wg0 set listen-port 51820",
			fmt.Sprintf("wgconfig wg0 add peer peer0 %s --endpoint=%s:51820 --allowed-ips=%s/32,fd00::%s/128",
				side.pub, side.otherOuter, side.other, side.other[len(side.other)-1:]),
			"ifconfig wg0 up",
		}, " && "))
	}
	return p
}

// TestPayloadSizes is wg_payload_sizes: single pings of every size in
// 1..100, 450..550 and 1400..1500, over IPv4 and IPv6 inside and
// outside; the large ones must be fragmented at the inner IP layer.
func TestPayloadSizes(t *testing.T) {
	hosts.Skip(t)
	for _, outer6 := range []bool{false, true} {
		t.Run(fmt.Sprintf("outer6=%v", outer6), func(t *testing.T) {
			p := setupBasic(t, outer6, "")
			pingable(t, p.local, "10.0.0.2")
			pingable(t, p.local, "fd00::2")
			// One command per range and family, each well within the
			// harness's bound on a command on a loaded machine.
			for _, fam := range []struct{ ping, addr, name string }{{"ping", "10.0.0.2", "inet"}, {"ping -6", "fd00::2", "inet6"}} {
				for _, r := range [][2]int{{1, 100}, {450, 550}, {1400, 1500}} {
					script := fmt.Sprintf(`fail=0
for s in $(seq %d %d); do
	%s -c 1 -W 2 -s $s %s >/dev/null || { echo "%s $s"; fail=1; }
done
exit $fail`, r[0], r[1], fam.ping, fam.addr, fam.name)
					if res := p.local.Run(t, script); res.Code != 0 {
						t.Errorf("pings that failed:\n%s%s", res.Stdout, res.Stderr)
					}
				}
			}
		})
	}
}

// TestMalformedPackets is wg_badudp and wg_malformed: garbage UDP to the
// listen port — empty, 1 to 4 bytes, and 4-byte headers of every message
// type with and without a trailing byte — must not disturb the tunnel.
func TestMalformedPackets(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	pingable(t, p.local, "10.0.0.2")
	// In hex, one datagram each: empty, "x" to "xyzw", then each type's
	// header alone and with a byte after it.
	msgs := []string{"", "78", "7879", "78797a", "78797a77"}
	for typ := 0; typ <= 4; typ++ {
		msgs = append(msgs, fmt.Sprintf("%02x000000", typ), fmt.Sprintf("%02x0000007a", typ))
	}
	p.local.MustRun(t, udpsend(t)+" 192.168.1.2:51820 '"+strings.Join(msgs, "' '")+"'")
	p.local.MustRun(t, "ping -c 3 -i 0.2 -W 2 10.0.0.2")
	p.peer.MustRun(t, "ping -c 3 -i 0.2 -W 2 10.0.0.1")
}

// TestLowOrderPeerKey is wg_badpeerkey: wgconfig accepts each of the 12
// low-order Curve25519 points NetBSD's test lists as a peer key, but no
// handshake completes.  A failed ping alone would not tell a refusal
// from a handshake not finished yet, so each case shows how far the
// handshake got.  Where X25519 of L's private key and the point is all
// zeros (decided by x/crypto, not by nbwg), L's kernel logs that it
// cannot create the initiation, and none goes on the wire; for the
// others (encodings that X25519 reduces to a point of larger order) L
// sends initiations, P's kernel refuses them (they are made for a key
// that is not P's) and no response comes back.  Then L is given P's real
// key, in the same topology, and the tunnel comes up: the control.
func TestLowOrderPeerKey(t *testing.T) {
	hosts.Skip(t)
	var zeroDH, ran int
	for i, key := range []string{
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=", "X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEVc=",
		"7P///////////////////////////////////////38=", "7f///////////////////////////////////////38=",
		"7v///////////////////////////////////////38=", "zet6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuIA=",
		"TJyVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEdc=", "2f////////////////////////////////////////8=",
		"2v////////////////////////////////////////8=", "2/////////////////////////////////////////8=",
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			ran++
			p := setupBasic(t, false, key)
			for _, h := range []*hosts.Host{p.local, p.peer} {
				h.MustRun(t, "sysctl -w net.wg.debug=1")
			}
			priv := decodeKey(t, p.local.MustRun(t, "cat /etc/wg/wg0"))
			_, err := curve25519.X25519(priv, decodeKey(t, key))
			lowOrder := err != nil // x/crypto refuses an all-zero result
			if lowOrder {
				zeroDH++
			}

			capt := startCapture(t, p.local, "vP")
			if r := p.local.Run(t, "ping -n -c 1 -W 1 10.0.0.2"); r.Code == 0 {
				t.Errorf("ping succeeded with peer key %s", key)
			}
			if lowOrder {
				waitLog(t, p.local, "peer peer0: cannot create handshake initiation", "low-order")
			} else {
				waitLog(t, p.peer, "initiation from 192.168.1.1:51820")
			}
			text := stopCapture(t, capt)
			initiations := strings.Count(text, "192.168.1.1.51820 > 192.168.1.2.51820: UDP, length 148")
			if lowOrder && initiations != 0 {
				t.Errorf("%d initiations sent to a peer whose key gives an all-zero DH:\n%s", initiations, text)
			}
			if !lowOrder && initiations == 0 {
				t.Errorf("no initiation sent, although P's kernel logged one:\n%s", text)
			}
			if strings.Contains(text, "192.168.1.2.51820 > 192.168.1.1.51820") {
				t.Errorf("P answered an initiation made for key %s:\n%s", key, text)
			}
			if log := kernelLog(t, p.peer); strings.Contains(log, "sending handshake response") {
				t.Errorf("P responded:\n%s", log)
			}
			if show := p.local.MustRun(t, "wgconfig wg0 show peer peer0"); !strings.Contains(show, "latest-handshake: (never)") {
				t.Errorf("a handshake completed with a low-order key:\n%s", show)
			}

			// The control: P's own key, same hosts, same link.
			pubP := strings.TrimSpace(p.peer.MustRun(t, "cat /etc/wg/wg0.pub"))
			p.local.MustRun(t, "wgconfig wg0 delete peer peer0 && wgconfig wg0 add peer peer0 "+pubP+
				" --endpoint=192.168.1.2:51820 --allowed-ips=10.0.0.2/32,fd00::2/128")
			pingable(t, p.local, "10.0.0.2")
		})
	}
	// NetBSD's list holds both kinds; if x/crypto saw no all-zero DH, the
	// first branch above was never taken.
	if ran == 12 && (zeroDH == 0 || zeroDH == 12) {
		t.Errorf("%d of the 12 keys give an all-zero DH; want some, not all", zeroDH)
	}
}

// decodeKey decodes a base64 key (a file's text, newline and all).
func decodeKey(t *testing.T, b64 string) []byte {
	t.Helper()
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(k) != 32 {
		t.Fatalf("key %q: %v", b64, err)
	}
	return k
}

// TestMultiplePeers is wg_multiple_peers: one wg0 with two peers on the
// same link, both reachable.
func TestMultiplePeers(t *testing.T) {
	hosts.Skip(t)
	local, p0, p1 := hosts.New(t, "L"), hosts.New(t, "P0"), hosts.New(t, "P1")
	hosts.Link(t, local, "192.168.1.1/24", p0, "192.168.1.2/24")
	hosts.Link(t, local, "192.168.2.1/24", p1, "192.168.2.2/24")
	_, pubL := keys(t, local, "wg0")
	_, pub0 := keys(t, p0, "wg0")
	_, pub1 := keys(t, p1, "wg0")
	local.MustRun(t, "ifconfig wg0 create && ifconfig wg0 inet 10.0.0.1/24 && wgconfig wg0 set private-key /etc/wg/wg0 && wgconfig wg0 set listen-port 51820 && "+
		"wgconfig wg0 add peer peer0 "+pub0+" --endpoint=192.168.1.2:51820 --allowed-ips=10.0.0.2/32 && "+
		"wgconfig wg0 add peer peer1 "+pub1+" --endpoint=192.168.2.2:51820 --allowed-ips=10.0.0.3/32 && ifconfig wg0 up")
	for i, h := range []*hosts.Host{p0, p1} {
		outer := []string{"192.168.1.1", "192.168.2.1"}[i]
		h.MustRun(t, fmt.Sprintf("ifconfig wg0 create && ifconfig wg0 inet 10.0.0.%d/24 && wgconfig wg0 set private-key /etc/wg/wg0 && wgconfig wg0 set listen-port 51820 && "+
			"wgconfig wg0 add peer local %s --endpoint=%s:51820 --allowed-ips=10.0.0.1/32 && ifconfig wg0 up", i+2, pubL, outer))
	}
	pingable(t, local, "10.0.0.2")
	pingable(t, local, "10.0.0.3")
	local.MustRun(t, "ping -c 3 -i 0.2 -W 2 10.0.0.2 && ping -c 3 -i 0.2 -W 2 10.0.0.3")
}

// TestMultipleInterfaces is wg_multiple_interfaces: wg0 and wg1 on one
// host, with the same private key and different ports, each with its own
// peer host.
func TestMultipleInterfaces(t *testing.T) {
	hosts.Skip(t)
	local, p0, p1 := hosts.New(t, "L"), hosts.New(t, "P0"), hosts.New(t, "P1")
	hosts.Link(t, local, "192.168.1.1/24", p0, "192.168.1.2/24")
	hosts.Link(t, local, "192.168.2.1/24", p1, "192.168.2.2/24")
	_, pubL := keys(t, local, "wg0")
	_, pub0 := keys(t, p0, "wg0")
	_, pub1 := keys(t, p1, "wg0")
	for i, pub := range []string{pub0, pub1} {
		local.MustRun(t, fmt.Sprintf("ifconfig wg%[1]d create && ifconfig wg%[1]d inet 10.0.%[1]d.1/24 && wgconfig wg%[1]d set private-key /etc/wg/wg0 && wgconfig wg%[1]d set listen-port 5182%[1]d && "+
			"wgconfig wg%[1]d add peer peer0 %[2]s --endpoint=192.168.%[3]d.2:5182%[1]d --allowed-ips=10.0.%[1]d.2/32 && ifconfig wg%[1]d up", i, pub, i+1))
	}
	for i, h := range []*hosts.Host{p0, p1} {
		h.MustRun(t, fmt.Sprintf("ifconfig wg0 create && ifconfig wg0 inet 10.0.%[1]d.2/24 && wgconfig wg0 set private-key /etc/wg/wg0 && wgconfig wg0 set listen-port 5182%[1]d && "+
			"wgconfig wg0 add peer local %[2]s --endpoint=192.168.%[3]d.1:5182%[1]d --allowed-ips=10.0.%[1]d.1/32 && ifconfig wg0 up", i, pubL, i+1))
	}
	pingable(t, local, "10.0.0.2")
	pingable(t, local, "10.0.1.2")
}
