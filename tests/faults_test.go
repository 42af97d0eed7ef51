//go:build linux

package tests

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"nbwg/internal/hosts"
)

// Faults the kernel must ride out (issue 10.5) that need no traffic: a
// SIGTERM, and front ends killed in the middle of their requests.

// kernelLog is the text of h's kernel logs.
func kernelLog(t *testing.T, h *hosts.Host) string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(os.TempDir(), "nbwg-test-log-"+h.NS, "*.log"))
	var log []byte
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		log = append(log, b...)
	}
	return string(log)
}

// watchLogs makes t fail if, when it ends, h's kernel log holds what
// the Go runtime writes there (nbwgd sends its standard error to the
// log): a data race report from a kernel built with -race (NBWG_BIN
// pointing at one), a panic, a fatal error.
func watchLogs(t *testing.T, h *hosts.Host) {
	t.Helper()
	t.Cleanup(func() {
		log := kernelLog(t, h)
		for _, bad := range []string{"WARNING: DATA RACE", "panic: ", "fatal error: "} {
			if i := strings.Index(log, bad); i >= 0 {
				t.Errorf("%s's kernel log has %q:\n%s", h.Name, bad, log[i:min(len(log), i+8000)])
			}
		}
	})
}

// waitGone waits until process pid has ended: gone, or a zombie (its
// parent, init here, reaps it when it gets round to it).
func waitGone(t *testing.T, pid int, what string) {
	t.Helper()
	if err := hosts.Poll(10*time.Second, func() error {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		// "PID (COMM) STATE ..."
		if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return nil
		}
		return fmt.Errorf("%s (pid %d) is still running", what, pid)
	}); err != nil {
		t.Fatal(err)
	}
}

// fdCount is the number of descriptors process pid holds.
func fdCount(t *testing.T, pid int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// TestSIGTERMRemovesEverything: SIGTERM to a kernel with two interfaces
// up (wg0 with a peer, wg1) and a client stalled in the middle of a
// request halts it: its process ends, every TUN device and UDP socket
// of the namespace goes with it, its directory /run/nbwg/net-INODE is
// removed, its log says it halted, and the next command starts a fresh
// kernel without reporting a death.
func TestSIGTERMRemovesEverything(t *testing.T) {
	hosts.Integration(t)
	a := newHostA(t)
	watchLogs(t, a.Host)
	a.WriteFile(t, "wg/wg1", []byte(newKeyPair(t).priv+"\n"), 0o600)
	quiet(t, a.Host, "ifconfig wg1 create && ifconfig wg1 inet 10.3.0.1/24 && wgconfig wg1 set private-key /etc/wg/wg1 && wgconfig wg1 set listen-port 1235 && ifconfig wg1 up")
	stalled := a.Start(t, nobody, 0, rawcarrier(t)+" stall 60")
	stalled.WaitFor(t, "stalled", 10*time.Second)
	pid := kernelPID(t, a.Host)
	dir := nsDir(t, a.Host)

	// What must go: seen before, so that seeing none after means
	// something.
	links := a.MustRun(t, "ip -o link show")
	if !strings.Contains(links, ": wg0:") || !strings.Contains(links, ": wg1:") {
		t.Fatalf("no TUN devices before the signal:\n%s", links)
	}
	socks := a.MustRun(t, "ss -Huln")
	for _, port := range []string{":1234 ", ":1235 "} {
		if strings.Count(socks, port) != 2 {
			t.Fatalf("not one IPv4 and one IPv6 socket on port %s before the signal:\n%s", port, socks)
		}
	}

	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitGone(t, pid, "the kernel")
	t.Logf("halted in %v", time.Since(start).Round(time.Millisecond))
	if links := a.MustRun(t, "ip -o link show"); regexp.MustCompile(`: wg\d+[:@]`).MatchString(links) {
		t.Errorf("TUN devices left after SIGTERM:\n%s", links)
	}
	if socks := a.MustRun(t, "ss -Hualn"); socks != "" {
		t.Errorf("UDP sockets left after SIGTERM:\n%s", socks)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after SIGTERM: %v", dir, err)
	}
	log := kernelLog(t, a.Host)
	if !strings.Contains(log, "halting on terminated\n") || !strings.HasSuffix(log, " halted\n") {
		t.Errorf("the kernel's log does not end with its halt:\n%s", log)
	}
	// A halt is not a death: the next command says nothing of one.
	check(t, a.Host, "wgconfig wg0", fails("wgconfig: ioctl(SIOCGDRVSPEC): Device not configured\n"))
}

// TestKilledFrontEnds: 400 wgconfig commands (adding and deleting 12
// peers, showing all and one) are each SIGKILLed a random 0-20 ms after
// they start, some before they reach the kernel, some while it serves
// them, some after.  The kernel is left consistent: it is the same
// process and serves; every peer it shows is whole (key, endpoint,
// both allowed-ips), and so is its display; the allowed-ips route: a
// packet to each present peer's range sends a handshake initiation to
// that peer's endpoint, and one to an absent peer's range sends
// nothing; and the kernel holds no more descriptors than before.
func TestKilledFrontEnds(t *testing.T) {
	hosts.Integration(t)
	h, y := hosts.New(t, "K"), hosts.New(t, "Y")
	watchLogs(t, h)
	hosts.Link(t, h, "192.168.1.1/24", y, "192.168.1.2/24")
	h.WriteFile(t, "wg/wg0", []byte(newKeyPair(t).priv+"\n"), 0o600)
	quiet(t, h, "ifconfig wg0 create && ifconfig wg0 inet 10.0.0.1/8 && wgconfig wg0 set private-key /etc/wg/wg0 && wgconfig wg0 set listen-port 51820 && ifconfig wg0 up")
	var peers []peer
	for i := range 12 {
		peers = append(peers, peer{name: fmt.Sprintf("k%d", i), pub: newKeyPair(t).pub,
			endpoint: fmt.Sprintf("192.168.1.2:%d", 20000+i), allowed: fmt.Sprintf("10.1.%d.0/24,fd01:%x:1::/64", i, i)})
	}
	add := func(p peer) string {
		return fmt.Sprintf("wgconfig wg0 add peer %s %s --endpoint=%s --allowed-ips=%s", p.name, p.pub, p.endpoint, p.allowed)
	}
	// Warm up, so that what the kernel allocates once is counted
	// before.
	quiet(t, h, add(peers[0])+" && wgconfig wg0 >/dev/null && wgconfig wg0 delete peer k0")
	pid := kernelPID(t, h)
	fds := fdCount(t, pid)

	var script strings.Builder
	script.WriteString("killed=0 done=0\n")
	for range 400 {
		p := peers[rand.IntN(len(peers))]
		cmd := ""
		switch rand.IntN(4) {
		case 0, 1:
			cmd = add(p)
		case 2:
			cmd = "wgconfig wg0 delete peer " + p.name
		case 3:
			cmd = []string{"wgconfig wg0", "wgconfig wg0 show peer " + p.name}[rand.IntN(2)]
		}
		fmt.Fprintf(&script, "%s >/dev/null 2>&1 & p=$!; sleep 0.%03d; kill -9 $p 2>/dev/null; if wait $p; then done=$((done+1)); elif [ $? = 137 ]; then killed=$((killed+1)); else done=$((done+1)); fi\n",
			cmd, rand.IntN(21))
	}
	script.WriteString("echo killed $killed done $done\n")
	t.Log(strings.TrimSpace(h.MustRun(t, script.String())))

	if now := kernelPID(t, h); now != pid {
		t.Fatalf("the kernel changed from pid %d to %d", pid, now)
	}
	// Whole peers, in a whole display.
	show := h.MustRun(t, "wgconfig wg0")
	var present []peer
	for _, m := range regexp.MustCompile(`(?m)^\tpeer: (\S+)$`).FindAllStringSubmatch(show, -1) {
		i := slices.IndexFunc(peers, func(p peer) bool { return p.name == m[1] })
		if i < 0 {
			t.Fatalf("peer %s, never added:\n%s", m[1], show)
		}
		present = append(present, peers[i])
	}
	if want := showAll("wg0", "51820", present...); show != want {
		t.Fatalf("wgconfig wg0 is not a whole display of its peers:\n%s\nwant:\n%s", show, want)
	}
	for _, p := range present {
		check(t, h, "wgconfig wg0 show peer "+p.name, out(showPeer(p, "")))
	}
	t.Logf("%d peers present", len(present))

	// Routing: a packet to each peer's range; an initiation must leave
	// for exactly the present peers' endpoints.
	capture := h.Start(t, 0, 0, "exec tcpdump -i vY -n -l -Q out 'udp and dst host 192.168.1.2' 2>&1")
	capture.WaitFor(t, "listening on vY", 10*time.Second)
	var pings strings.Builder
	for i := range peers {
		fmt.Fprintf(&pings, "ping -n -c 1 -W 1 10.1.%d.1 >/dev/null 2>&1 &\n", i)
	}
	pings.WriteString("wait\n")
	h.Run(t, pings.String())
	port := func(p peer) string { return p.endpoint[strings.LastIndexByte(p.endpoint, ':')+1:] }
	if err := hosts.Poll(10*time.Second, func() error {
		for _, p := range present {
			if !strings.Contains(capture.Stdout(), "> 192.168.1.2."+port(p)+": UDP") {
				return fmt.Errorf("no initiation to %s (peer %s)", p.endpoint, p.name)
			}
		}
		return nil
	}); err != nil {
		t.Errorf("%v; captured:\n%s", err, capture.Stdout())
	}
	captured := capture.Stop().Stdout
	for _, p := range peers {
		if !slices.Contains(present, p) && strings.Contains(captured, "> 192.168.1.2."+port(p)+":") {
			t.Errorf("a packet to %s, the endpoint of peer %s, which is absent:\n%s", p.endpoint, p.name, captured)
		}
	}

	// It serves, and holds no descriptor of a killed front end.
	quiet(t, h, add(peers[0])+" 2>/dev/null; wgconfig wg0 delete peer k0 && "+add(peers[0]))
	check(t, h, "wgconfig wg0 show peer k0", out(showPeer(peers[0], "")))
	if err := hosts.Poll(10*time.Second, func() error {
		if n := fdCount(t, pid); n > fds+2 {
			return fmt.Errorf("the kernel holds %d descriptors, %d before", n, fds)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}
