//go:build linux

package dataplane

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/curve25519"

	"nbwg/internal/hosts"
	"nbwg/kernel/wg/cookie"
	"nbwg/kernel/wg/noise"
	"nbwg/kernel/wg/wire"
)

// Faults a tunnel must ride out (issue 10.5): a lossy, slow outer path,
// a peer whose kernel was killed and configured again, a peer whose
// outer address moves.  Each test bounds its waits and removes what it
// made (the hosts package does, even on failure).

// wgUp configures wg0 on h as setupBasic does: inner address 10.0.0.ME/24
// and fd00::ME/64, port 51820, one peer "peer0" with key pub allowed
// 10.0.0.OTHER/32 and fd00::OTHER/128, at endpoint (none when "").  It
// returns the script, so that a test can run it again after the kernel
// was lost, as an administrator would.
func wgUp(t *testing.T, h *hosts.Host, me, other int, pub, endpoint string) string {
	t.Helper()
	ep := ""
	if endpoint != "" {
		ep = " --endpoint=" + endpoint
	}
	script := strings.Join([]string{
		"ifconfig wg0 create",
		fmt.Sprintf("ifconfig wg0 inet 10.0.0.%d/24", me),
		fmt.Sprintf("ifconfig wg0 inet6 fd00::%d/64", me),
		"wgconfig wg0 set private-key /etc/wg/wg0",
		"wgconfig wg0 set listen-port 51820",
		fmt.Sprintf("wgconfig wg0 add peer peer0 %s%s --allowed-ips=10.0.0.%d/32,fd00::%d/128", pub, ep, other, other),
		"ifconfig wg0 up",
	}, " && ")
	h.MustRun(t, script)
	return script
}

// watchLogs makes t fail if, when it ends, a kernel log of one of hs
// holds what the Go runtime writes there (nbwgd sends its standard
// error to the log): a data race report from a kernel built with -race
// (NBWG_BIN pointing at one), a panic, a fatal error.
func watchLogs(t *testing.T, hs ...*hosts.Host) {
	t.Helper()
	t.Cleanup(func() {
		for _, h := range hs {
			logs, _ := filepath.Glob(filepath.Join(os.TempDir(), "nbwg-test-log-"+h.NS, "*.log"))
			for _, f := range logs {
				b, _ := os.ReadFile(f)
				for _, bad := range []string{"WARNING: DATA RACE", "panic: ", "fatal error: "} {
					if i := strings.Index(string(b), bad); i >= 0 {
						t.Errorf("%s's kernel log has %q:\n%s", h.Name, bad, b[i:min(len(b), i+8000)])
					}
				}
			}
		}
	})
}

// udpsend builds tests/internal/udpsend, which sends datagrams given in
// hex (nc -u -w 0 may send nothing).
func udpsend(t *testing.T) string {
	t.Helper()
	return hosts.Tool(t, "./tests/internal/udpsend")
}

// udprelay builds tests/internal/udprelay.
func udprelay(t *testing.T) string {
	t.Helper()
	return hosts.Tool(t, "./tests/internal/udprelay")
}

// nft skips t unless nft(8) works here (scripts/setup.sh installs it).
func nft(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("skipping: nft is not installed (apt-get install nftables)")
	}
}

// lossyPath joins a and b through a middle host M: a's 192.168.1.1 and
// b's 192.168.2.2 reach only M (192.168.1.254, 192.168.2.254), where
// udprelay holds every datagram for delay in each direction and an
// nftables rule drops one UDP datagram in ten at random as the relay
// sends it on, both ways.  (On the way in, a sender's UDP segmentation
// offload makes one packet of many datagrams, which would be lost
// together; the relay sends them one by one.)  It returns M and the
// relay; a reaches b's port 51820 at 192.168.1.254:51820, b reaches a's
// at 192.168.2.254:51820.
func lossyPath(t *testing.T, a, b *hosts.Host, delay time.Duration) (*hosts.Host, *hosts.Proc) {
	t.Helper()
	m := hosts.New(t, "M")
	hosts.Link(t, a, "192.168.1.1/24", m, "192.168.1.254/24")
	hosts.Link(t, m, "192.168.2.254/24", b, "192.168.2.2/24")
	m.MustRun(t, `nft -f - <<'EOF'
table inet faults {
	chain output {
		type filter hook output priority 0; policy accept;
		meta l4proto udp numgen random mod 10 == 0 counter drop
	}
}
EOF`)
	relay := m.Start(t, 0, 0, fmt.Sprintf("exec %s -delay %v 192.168.1.254:51820=192.168.2.2:51820 192.168.2.254:51820=192.168.1.1:51820",
		udprelay(t), delay))
	relay.WaitFor(t, "listening", 10*time.Second)
	return m, relay
}

// nftDropped is the count of the lossy path's drop rule.
func nftDropped(t *testing.T, m *hosts.Host) int {
	t.Helper()
	s := regexp.MustCompile(`counter packets (\d+)`).FindStringSubmatch(m.MustRun(t, "nft list table inet faults"))
	if s == nil {
		t.Fatal("no counter in M's nftables table")
	}
	n, _ := strconv.Atoi(s[1])
	return n
}

// TestLossyDelayedPath: 20 MB over TCP through the tunnel while the
// outer path loses 10 % of its datagrams (each way, handshake messages
// included) and holds each for 50 ms (each way); the file arrives
// whole.  A's and B's endpoints are the relay's; A and B cannot reach
// each other but through it.
func TestLossyDelayedPath(t *testing.T) {
	hosts.Skip(t)
	nft(t)
	a, b := hosts.New(t, "A"), hosts.New(t, "B")
	watchLogs(t, a, b)
	m, relay := lossyPath(t, a, b, 50*time.Millisecond)
	_, pubA := keys(t, a, "wg0")
	_, pubB := keys(t, b, "wg0")
	wgUp(t, a, 1, 2, pubB, "192.168.1.254:51820")
	wgUp(t, b, 2, 1, pubA, "192.168.2.254:51820")

	// Lost initiations are retried every REKEY_TIMEOUT (5 s).
	if err := a.Ping(t, "10.0.0.2", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	// The path is what it claims: every round trip takes at least the
	// relay's 2 x 50 ms (a lower bound; load only adds to it).
	rtt := a.Run(t, "ping -n -c 10 -i 0.2 -W 5 10.0.0.2")
	if m := regexp.MustCompile(`= ([0-9.]+)/`).FindStringSubmatch(rtt.Stdout); m == nil {
		t.Fatalf("no round trip measured:\n%s%s", rtt.Stdout, rtt.Stderr)
	} else if lo, _ := strconv.ParseFloat(m[1], 64); lo < 100 {
		t.Fatalf("a round trip of %v ms: the delay is not in effect\n%s", lo, rtt.Stdout)
	}

	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	a.MustRun(t, "head -c 20000000 /dev/urandom > "+src)
	want := strings.Fields(a.MustRun(t, "sha256sum "+src))[0]
	recv := b.Start(t, 0, 0, "exec nc -l 10.0.0.2 5001 > "+dst)
	if err := hosts.Poll(10*time.Second, func() error {
		if r := b.Run(t, "ss -Htln 'sport = 5001'"); !strings.Contains(r.Stdout, "5001") {
			return fmt.Errorf("nc does not listen yet")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// TCP (CUBIC or BBR, the machine's default) moves it in 5 to 20 s
	// here; the bound is for a loaded machine.
	start := time.Now()
	send := a.Start(t, 0, 0, fmt.Sprintf("exec nc -N -w 60 10.0.0.2 5001 < %s", src))
	if r, err := send.Wait(5 * time.Minute); err != nil {
		t.Fatalf("sending 20 MB: %v", err)
	} else if r.Code != 0 {
		t.Fatalf("nc sending: %+v", r)
	}
	if _, err := recv.Wait(time.Minute); err != nil {
		t.Fatalf("receiving: %v; B has %s bytes", err, strings.TrimSpace(b.MustRun(t, "stat -c %s "+dst)))
	}
	took := time.Since(start)
	got := strings.Fields(b.MustRun(t, "sha256sum "+dst))[0]
	if got != want {
		size := b.MustRun(t, "stat -c %s "+dst)
		t.Fatalf("B received %s bytes with sha256 %s; A sent 20000000 with %s", strings.TrimSpace(size), got, want)
	}
	// The loss was in effect: of what the relay sent on, nftables
	// dropped about one in ten (a statistical bound, far from any
	// count this transfer could give by chance).
	dropped := nftDropped(t, m)
	relay.Signal(syscall.SIGTERM)
	relay.WaitFor(t, "sent ", 10*time.Second)
	var sent, full int
	fmt.Sscanf(relay.Stdout()[strings.Index(relay.Stdout(), "sent "):], "sent %d dropped %d", &sent, &full)
	t.Logf("20 MB in %v; the relay sent on %d datagrams, nftables dropped %d of them (the relay's queue %d)",
		took.Round(time.Millisecond), sent, dropped, full)
	if sent == 0 || float64(dropped)/float64(sent) < 0.05 {
		t.Errorf("%d of %d datagrams dropped: the loss was not in effect", dropped, sent)
	}
}

// kernelPID is the pid of h's kernel, from its directory
// /run/nbwg/net-INODE (nbwgd(8)).
func kernelPID(t *testing.T, h *hosts.Host) int {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join("/run/netns", h.NS), &st); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/run/nbwg/net-%d/kernel", st.Ino))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	fmt.Sscanf(string(b), "pid %d", &pid)
	if pid == 0 {
		t.Fatalf("no pid in %q", b)
	}
	return pid
}

// killKernel kills h's kernel with SIGKILL and waits until it is gone.
func killKernel(t *testing.T, h *hosts.Host) {
	t.Helper()
	pid := kernelPID(t, h)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := hosts.Poll(10*time.Second, func() error {
		if syscall.Kill(pid, 0) == nil {
			return fmt.Errorf("%s's kernel (pid %d) is still there after SIGKILL", h.Name, pid)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPeerKernelKilled: P's kernel is killed (kill -9) in the middle of
// a session and its configuration applied again, with the same commands
// or by `rc.d/network start` from /etc/ifconfig.wg0; L is not touched.
// Its session keys are gone with P's kernel while L still holds them, so
// L's packets are dropped by P, unread.
//
//   - P sends: its new kernel starts a handshake; L answers it, and the
//     tunnel is back without a command on L.
//   - L sends: nothing but L's traffic brings the tunnel back: L hears
//     nothing back for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (15 s) and
//     starts a new handshake ([W] 6.5).
func TestPeerKernelKilled(t *testing.T) {
	hosts.Skip(t)
	for _, c := range []struct {
		name    string
		rc      bool // P configured by rc.d/network from ifconfig.wg0
		lSends  bool // L's traffic, not P's, must bring the tunnel back
		timeout time.Duration
	}{
		{"P sends", false, false, 30 * time.Second},
		{"L sends", false, true, 60 * time.Second},
		{"rc.d start, P sends", true, false, 30 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, p := hosts.New(t, "L"), hosts.New(t, "P")
			watchLogs(t, l, p)
			hosts.Link(t, l, "192.168.1.1/24", p, "192.168.1.2/24")
			_, pubL := keys(t, l, "wg0")
			_, pubP := keys(t, p, "wg0")
			wgUp(t, l, 1, 2, pubP, "192.168.1.2:51820")
			var configP string
			if c.rc {
				etc, err := os.MkdirTemp("", "nbwg-etc-")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(etc) })
				os.Chmod(etc, 0o755)
				file := fmt.Sprintf("inet 10.0.0.2/24\ninet6 fd00::2/64\n!wgconfig $int set private-key /etc/wg/$int\n"+
					"!wgconfig $int set listen-port 51820\n"+
					"!wgconfig $int add peer peer0 %s --endpoint=192.168.1.1:51820 --allowed-ips=10.0.0.1/32,fd00::1/128\nup\n", pubL)
				if err := os.WriteFile(filepath.Join(etc, "ifconfig.wg0"), []byte(file), 0o644); err != nil {
					t.Fatal(err)
				}
				configP = fmt.Sprintf("NBWG_ETC=%s %s start", etc, filepath.Join(hosts.ModuleRoot(t), "rc.d", "network"))
				p.MustRun(t, configP)
			} else {
				configP = wgUp(t, p, 2, 1, pubL, "192.168.1.1:51820")
			}
			pingable(t, l, "10.0.0.2")
			pingable(t, p, "10.0.0.1")

			killKernel(t, p)
			if r := p.Run(t, "ip -o link show wg0"); r.Code == 0 {
				t.Fatalf("P's wg0 outlived its kernel: %s", r.Stdout)
			}
			p.MustRun(t, configP)
			start := time.Now()
			var err error
			if c.lSends {
				err = l.Ping(t, "10.0.0.2", c.timeout)
			} else {
				err = p.Ping(t, "10.0.0.1", c.timeout)
			}
			if err != nil {
				t.Fatalf("the tunnel did not come back: %v", err)
			}
			t.Logf("back after %v", time.Since(start).Round(time.Millisecond))
			// Both ways, both families.
			pingable(t, l, "10.0.0.2")
			pingable(t, l, "fd00::2")
			pingable(t, p, "fd00::1")
		})
	}
}

// TestRoaming: P's outer address changes under a live session (a laptop
// on a new network), with an IPv4 and with an IPv6 outer path.  P sends
// first, from its new address; L learns P's new endpoint from that
// authenticated packet ([W] 2.1) and its replies and own traffic follow.
func TestRoaming(t *testing.T) {
	hosts.Skip(t)
	for _, outer6 := range []bool{false, true} {
		t.Run(fmt.Sprintf("outer6=%v", outer6), func(t *testing.T) {
			p := setupBasic(t, outer6, "")
			watchLogs(t, p.local, p.peer)
			pingable(t, p.local, "10.0.0.2")
			pingable(t, p.peer, "10.0.0.1")
			move, newEndpoint := "ip addr del 192.168.1.2/24 dev vL && ip addr add 192.168.1.3/24 dev vL", "192.168.1.3:51820"
			if outer6 {
				move, newEndpoint = "ip -6 addr del fc00::2/64 dev vL && ip -6 addr add fc00::3/64 dev vL nodad", "fc00::3:51820"
			}
			p.peer.MustRun(t, move)
			// P sends: its ping's replies come back only once L has
			// moved its endpoint.
			pingable(t, p.peer, "10.0.0.1")
			show := p.local.MustRun(t, "wgconfig wg0 show peer peer0")
			if !strings.Contains(show, "\tendpoint: "+newEndpoint+"\n") {
				t.Errorf("L does not show P's new endpoint %s:\n%s", newEndpoint, show)
			}
			pingable(t, p.local, "10.0.0.2")
			pingable(t, p.local, "fd00::2")
			pingable(t, p.peer, "fd00::1")
		})
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// unknownInitiation is a genuine handshake initiation to responderPub
// from a static key the responder has never heard of, mac1 included.
func unknownInitiation(t *testing.T, responderPub [32]byte) []byte {
	t.Helper()
	priv, err := noise.NewPrivateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	local := noise.NewLocal(indexUpcall{})
	local.SetPrivateKey(priv)
	var m wire.MessageInitiation
	if err := local.NewRemote(noise.PublicKey(responderPub), noise.PresharedKey{}).CreateInitiation(&m, time.Now(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, wire.MessageInitiationSize)
	if err := m.Marshal(b); err != nil {
		t.Fatal(err)
	}
	var g cookie.Generator
	g.Init(responderPub)
	g.AddMACs(b, time.Now())
	return b
}

// indexUpcall is the noise upcall of a sender that never completes a
// handshake: no peers to look up, any index will do.
type indexUpcall struct{}

func (indexUpcall) LookupRemote(noise.PublicKey) *noise.Remote { return nil }
func (indexUpcall) NewIndex(*noise.Remote) (uint32, error)     { return mathrand.Uint32(), nil }
func (indexUpcall) DropIndex(uint32)                           {}

// badMAC1 is msg, a handshake message with its mac1, with that mac1
// made wrong.
func badMAC1(msg []byte) []byte {
	b := append([]byte(nil), msg...)
	b[len(b)-2*wire.MACSize] ^= 0x80
	return b
}

// sendUntil sends msgs round-robin from conn until stop is closed, at
// most max or for at most d, about perMS a millisecond, counting what it
// sent.
func sendUntil(conn *net.UDPConn, msgs [][]byte, perMS int, max int64, d time.Duration, sent *atomic.Int64, stop <-chan struct{}) {
	deadline := time.Now().Add(d)
	for i := 0; sent.Load() < max; i++ {
		if i%perMS == perMS-1 {
			select {
			case <-stop:
				return
			default:
			}
			if time.Now().After(deadline) {
				return
			}
			time.Sleep(time.Millisecond)
		}
		conn.Write(msgs[i%len(msgs)]) // errors do not stop a flood
		sent.Add(1)
	}
}

// TestUnknownKeyFlood: a third host X floods P's listen port while L
// pings P through an established tunnel.  From 192.168.3.4 come genuine
// initiations from keys P does not know (valid mac1: all it takes is
// P's public key); from 192.168.3.3 initiations and responses whose mac1
// is wrong.  At least 10,000 of each, for as long as the ping runs.
// The pings are answered (15 of 20 at least, for a loaded machine), P's
// kernel is the same process after, and a
// capture of what P sends on X's link holds nothing at all for
// 192.168.3.3: a bad mac1 is dropped unanswered ([W] 5.4.4), under load
// or not.  As the capture's control, X's 192.168.3.5 sends to a closed
// port at the end, and P's ICMP port unreachable must be in it.
func TestUnknownKeyFlood(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	watchLogs(t, p.local, p.peer)
	x := hosts.New(t, "X")
	hosts.Link(t, p.peer, "192.168.3.1/24", x, "192.168.3.3/24")
	x.MustRun(t, "ip addr add 192.168.3.4/24 dev vP && ip addr add 192.168.3.5/24 dev vP")
	pingable(t, p.local, "10.0.0.2")
	pid := kernelPID(t, p.peer)

	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p.peer.ReadFile(t, "wg/wg0.pub")))
	if err != nil || len(pub) != 32 {
		t.Fatalf("P's public key: %v", err)
	}
	var unknown, bad [][]byte
	for i := range 64 {
		init := unknownInitiation(t, [32]byte(pub))
		unknown = append(unknown, init)
		if i%2 == 0 {
			bad = append(bad, badMAC1(init))
		} else {
			resp := make([]byte, wire.MessageResponseSize)
			binary.LittleEndian.PutUint32(resp, uint32(wire.TypeResponse))
			binary.LittleEndian.PutUint32(resp[4:], uint32(i))
			rand.Read(resp[8:])
			var g cookie.Generator
			g.Init([32]byte(pub))
			g.AddMACs(resp, time.Now())
			bad = append(bad, badMAC1(resp))
		}
	}

	// Only what P sends is kept, in the kernel's filter: the flood
	// itself would fill the capture's buffer.
	capture := p.peer.Start(t, 0, 0, "exec tcpdump -i vX -n -l -B 4096 -Q out 'ip and not dst host 192.168.3.1' 2>&1")
	capture.WaitFor(t, "listening on vX", 10*time.Second)

	target := netip.MustParseAddrPort("192.168.3.1:51820")
	const atLeast = 10_000
	type flood struct {
		from string
		msgs [][]byte
		sent atomic.Int64
	}
	floods := []*flood{{from: "192.168.3.3", msgs: bad}, {from: "192.168.3.4", msgs: unknown}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, f := range floods {
		conn, err := udpFrom(x, netip.MustParseAddr(f.from), target)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sendUntil(conn, f.msgs, 10, 200_000, time.Minute, &f.sent, stop)
		}()
	}
	stopped := false
	stopFloods := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer stopFloods()
	sentAtLeast := func(n int64) error {
		for _, f := range floods {
			if s := f.sent.Load(); s < n {
				return fmt.Errorf("%d messages sent from %s", s, f.from)
			}
		}
		return nil
	}
	if err := hosts.Poll(10*time.Second, func() error { return sentAtLeast(500) }); err != nil {
		t.Fatalf("the flood did not start: %v", err)
	}

	ping := p.local.Run(t, "ping -n -c 20 -i 0.2 -W 2 10.0.0.2")
	during := []int64{floods[0].sent.Load(), floods[1].sent.Load()}
	if err := hosts.Poll(time.Minute, func() error { return sentAtLeast(atLeast) }); err != nil {
		t.Errorf("the flood fell short: %v", err)
	}
	stopFloods()
	// Most pings must pass: P's socket reader takes the flood and the
	// tunnel's packets in turn, and on a loaded machine (or a kernel
	// built with -race) may drop a few of each; a tunnel the flood
	// stops (a reader blocked on the handshake queue, a session lost)
	// answers none.
	if m := regexp.MustCompile(`20 packets transmitted, (\d+) received`).FindStringSubmatch(ping.Stdout); m == nil || atoi(m[1]) < 15 {
		t.Errorf("L's pings through the tunnel during the flood (%d and %d messages sent when they ended):\n%s%s",
			during[0], during[1], ping.Stdout, ping.Stderr)
	} else {
		t.Logf("%s of 20 pings answered during the flood", m[1])
	}
	x.MustRun(t, udpsend(t)+" -s 192.168.3.5 192.168.3.1:51999 78 78 78")
	if err := hosts.Poll(5*time.Second, func() error {
		if !strings.Contains(capture.Stdout(), "> 192.168.3.5: ICMP") {
			return fmt.Errorf("no ICMP to 192.168.3.5 captured yet")
		}
		return nil
	}); err != nil {
		t.Errorf("the capture's control: %v", err)
	}
	capture.Signal(syscall.SIGINT)
	res, err := capture.Wait(10 * time.Second)
	if err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	if !regexp.MustCompile(`\n0 packets dropped by kernel`).MatchString(res.Stdout) {
		t.Errorf("the capture missed packets:\n%s", res.Stdout)
	}
	var toBad, toUnknown []string
	for _, l := range strings.Split(res.Stdout, "\n") {
		switch {
		case regexp.MustCompile(`> 192\.168\.3\.3[.:]`).MatchString(l):
			toBad = append(toBad, l)
		case regexp.MustCompile(`> 192\.168\.3\.4[.:]`).MatchString(l):
			toUnknown = append(toUnknown, l)
		}
	}
	t.Logf("sent %d with a bad mac1, %d from unknown keys (%d and %d when the pings ended); P sent %d packets to the second (cookie replies under load)",
		floods[0].sent.Load(), floods[1].sent.Load(), during[0], during[1], len(toUnknown))
	if len(toBad) > 0 {
		t.Errorf("P answered packets with a bad mac1, %d times:\n%s", len(toBad), strings.Join(toBad[:min(len(toBad), 10)], "\n"))
	}
	if now := kernelPID(t, p.peer); now != pid {
		t.Errorf("P's kernel changed from pid %d to %d", pid, now)
	}
	pingable(t, p.local, "10.0.0.2")
}

// wgPeers parses `wgconfig wg0` (show all): each peer's name and its
// lines, field name to value, in the order printed.  Lines it does not
// expect are an error: a display torn between two states.
func wgPeers(show string) (names []string, peers map[string]map[string]string, err error) {
	peers = map[string]map[string]string{}
	lines := strings.Split(strings.TrimSuffix(show, "\n"), "\n")
	if len(lines) < 3 || lines[0] != "interface: wg0" || !strings.HasPrefix(lines[1], "\tprivate-key: ") || !strings.HasPrefix(lines[2], "\tlisten-port: ") {
		return nil, nil, fmt.Errorf("not a display of wg0:\n%s", show)
	}
	var cur map[string]string
	for _, l := range lines[3:] {
		switch {
		case strings.HasPrefix(l, "\tpeer: "):
			name := strings.TrimPrefix(l, "\tpeer: ")
			if peers[name] != nil {
				return nil, nil, fmt.Errorf("peer %s twice:\n%s", name, show)
			}
			cur = map[string]string{}
			peers[name] = cur
			names = append(names, name)
		case strings.HasPrefix(l, "\t\t") && cur != nil && strings.Contains(l, ": "):
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "\t\t"), ": ")
			cur[k] = v
		default:
			return nil, nil, fmt.Errorf("line %q:\n%s", l, show)
		}
	}
	return names, peers, nil
}

// churnPeer is one of the peers the stress test adds and deletes.
type churnPeer struct{ name, pub, endpoint, allowed string }

func newChurnPeer(t *testing.T, i int) churnPeer {
	t.Helper()
	var k [32]byte
	rand.Read(k[:])
	pub, err := curve25519.X25519(k[:], curve25519.Basepoint)
	if err != nil {
		t.Fatal(err)
	}
	return churnPeer{
		name:     fmt.Sprintf("c%d", i),
		pub:      base64.StdEncoding.EncodeToString(pub),
		endpoint: fmt.Sprintf("192.0.2.%d:%d", i+1, 20000+i),
		allowed:  fmt.Sprintf("10.1.%d.0/24,fd01:%x:1::/64", i, i),
	}
}

func (c churnPeer) add() string {
	return fmt.Sprintf("wgconfig wg0 add peer %s %s --endpoint=%s --allowed-ips=%s", c.name, c.pub, c.endpoint, c.allowed)
}

// check says what is wrong with a peer's lines in a display, if
// anything: it must be there whole or not at all.
func (c churnPeer) check(lines map[string]string) error {
	want := map[string]string{"public-key": c.pub, "endpoint": c.endpoint, "preshared-key": "(hidden)",
		"allowed-ips": c.allowed, "latest-handshake": "(never)"}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		return fmt.Errorf("peer %s shown as %v, added as %v", c.name, lines, want)
	}
	return nil
}

// churnTime is how long the stress test changes the configuration.
const churnTime = 20 * time.Second

// TestConfigChurnUnderTraffic (issue 10.6's stress test): for 20 s, while
// iperf3 pushes TCP through L's tunnel to P, two writers on L add and
// delete peers (8 names each, each name toggled in turn, every command
// expected to succeed) and a reader shows wg0 and its tunnel peer over
// and over.  Every display is whole (the tunnel peer as configured, each
// other peer either complete or absent); iperf3 completes; after, the
// tunnel passes ping and wg0 holds exactly what the last commands left.
func TestConfigChurnUnderTraffic(t *testing.T) {
	hosts.Skip(t)
	p := setupBasic(t, false, "")
	watchLogs(t, p.local, p.peer)
	pingable(t, p.local, "10.0.0.2")
	peer0 := p.local.MustRun(t, "wgconfig wg0 show peer peer0")

	server := p.peer.Start(t, 0, 0, "exec iperf3 -s -1 -B 10.0.0.2")
	if err := hosts.Poll(10*time.Second, func() error {
		if r := p.peer.Run(t, "ss -Htln 'sport = 5201'"); !strings.Contains(r.Stdout, "5201") {
			return fmt.Errorf("iperf3 does not listen yet")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	client := p.local.Start(t, 0, 0, fmt.Sprintf("exec iperf3 -c 10.0.0.2 -t %d", int(churnTime/time.Second)))

	var churn []churnPeer
	for i := range 16 {
		churn = append(churn, newChurnPeer(t, i))
	}
	present := make([]bool, len(churn)) // what the writers left; each writes its own half
	var ops atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	deadline := time.Now().Add(churnTime)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := churn[w*8 : w*8+8]
			for round := 0; time.Now().Before(deadline); round++ {
				// Four commands per shell: each must succeed,
				// since the writer knows what is there.
				var script []string
				var toggled []int
				for j := range 4 {
					i := (round*4 + j) % len(mine)
					if present[w*8+i] {
						script = append(script, "wgconfig wg0 delete peer "+mine[i].name)
					} else {
						script = append(script, mine[i].add())
					}
					toggled = append(toggled, w*8+i)
				}
				r := p.local.Run(t, strings.Join(script, " && "))
				if r.Code != 0 {
					report(fmt.Errorf("%q: %+v", script, r))
					return
				}
				for _, i := range toggled {
					present[i] = !present[i]
				}
				ops.Add(4)
			}
		}()
	}
	var shows atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			r := p.local.Run(t, "wgconfig wg0 && echo -- && wgconfig wg0 show peer peer0")
			all, one, _ := strings.Cut(r.Stdout, "--\n")
			if r.Code != 0 || one != peer0 {
				report(fmt.Errorf("show during the churn: %+v", r))
				return
			}
			_, peers, err := wgPeers(all)
			if err == nil && peers["peer0"] == nil {
				err = fmt.Errorf("no peer0 in\n%s", all)
			}
			for _, c := range churn {
				if err == nil && peers[c.name] != nil {
					err = c.check(peers[c.name])
				}
			}
			if err != nil {
				report(err)
				return
			}
			shows.Add(1)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	res, err := client.Wait(time.Minute)
	if err != nil {
		t.Fatalf("iperf3 -c: %v", err)
	}
	server.Wait(10 * time.Second)
	sum := regexp.MustCompile(`(?m)^\[.*\]\s+0\.00-\S+\s+sec\s+(\S+ \S+)\s+(\S+ \S+/sec)\s.*receiver$`).FindStringSubmatch(res.Stdout)
	if res.Code != 0 || sum == nil {
		t.Fatalf("iperf3 through the tunnel during the churn: %+v", res)
	}
	t.Logf("%d adds and deletes, %d displays; iperf3 moved %s (%s)", ops.Load(), shows.Load(), sum[1], sum[2])
	if ops.Load() == 0 || shows.Load() == 0 {
		t.Fatalf("no churn")
	}

	pingable(t, p.local, "10.0.0.2")
	pingable(t, p.peer, "10.0.0.1")
	_, peers, err := wgPeers(p.local.MustRun(t, "wgconfig wg0"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"peer0"}
	for i, c := range churn {
		if present[i] {
			want = append(want, c.name)
			if err := c.check(peers[c.name]); err != nil {
				t.Error(err)
			}
		}
	}
	var got []string
	for name := range peers {
		got = append(got, name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("after the churn wg0 has peers %v; the last commands left %v", got, want)
	}
}
